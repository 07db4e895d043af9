"""OAuth 1.0a (RFC 5849) request parsing and HMAC-SHA1 signature checks.

The signature base string is rebuilt from the incoming Flask request with
oauthlib's ``signature`` helpers, so it matches what ``requests_oauthlib``
(used by ``mwoauth``) signed: method, scheme/host/path, and every query,
``Authorization`` header and form-body parameter.
"""

from __future__ import annotations

import hmac
import time
from dataclasses import dataclass
from types import SimpleNamespace

from flask import Request
from oauthlib.oauth1.rfc5849 import signature as oauth_signature

SUPPORTED_SIGNATURE_METHOD = "HMAC-SHA1"
MAX_CLOCK_SKEW_SECONDS = 300


class OAuthError(Exception):
    """A request the stand-in refuses; ``status`` is the HTTP status to send."""

    def __init__(self, message: str, status: int = 401) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


@dataclass(frozen=True)
class SignedRequest:
    """The protocol parameters of one OAuth-signed request."""

    consumer_key: str
    token: str | None
    nonce: str
    timestamp: int
    signature: str
    callback: str | None
    verifier: str | None
    params: tuple[tuple[str, str], ...]
    method: str
    base_uri: str

    def base_string(self) -> str:
        """Return the RFC 5849 signature base string of this request."""
        normalized = oauth_signature.normalize_parameters(list(self.params))
        base: str = oauth_signature.signature_base_string(self.method, self.base_uri, normalized)
        return base


def parse_signed_request(request: Request) -> SignedRequest:
    """Collect and sanity-check the OAuth parameters of ``request``.

    Raises :class:`OAuthError` for a missing/malformed header, a duplicated or
    missing protocol parameter, or an unsupported signature method.
    """
    headers = {}
    authorization = request.headers.get("Authorization")
    if authorization is not None:
        if not authorization[:6].lower() == "oauth ":
            raise OAuthError("the Authorization header is not an OAuth header", 400)
        headers["Authorization"] = authorization
    body = None
    if request.mimetype == "application/x-www-form-urlencoded":
        body = request.get_data(as_text=True) or None
    try:
        params = oauth_signature.collect_parameters(
            uri_query=request.query_string.decode("utf-8"),
            body=body,
            headers=headers,
            exclude_oauth_signature=False,
        )
    except (ValueError, UnicodeDecodeError) as exc:
        raise OAuthError(f"malformed OAuth request: {exc}", 400) from exc

    protocol: dict[str, str] = {}
    for name, value in params:
        if name.startswith("oauth_"):
            if name in protocol:
                raise OAuthError(f"duplicate OAuth parameter {name}", 400)
            protocol[name] = value

    for required in (
        "oauth_consumer_key",
        "oauth_signature",
        "oauth_signature_method",
        "oauth_nonce",
        "oauth_timestamp",
    ):
        if not protocol.get(required):
            raise OAuthError(f"missing OAuth parameter {required}", 400)
    if protocol["oauth_signature_method"] != SUPPORTED_SIGNATURE_METHOD:
        raise OAuthError(
            f"unsupported signature method {protocol['oauth_signature_method']!r}; "
            f"use {SUPPORTED_SIGNATURE_METHOD}",
            400,
        )
    if protocol.get("oauth_version", "1.0") != "1.0":
        raise OAuthError("unsupported OAuth version", 400)
    if not protocol["oauth_timestamp"].isdigit():
        raise OAuthError("oauth_timestamp is not a number", 400)

    signed_params = tuple((name, value) for name, value in params if name != "oauth_signature")
    return SignedRequest(
        consumer_key=protocol["oauth_consumer_key"],
        token=protocol.get("oauth_token") or None,
        nonce=protocol["oauth_nonce"],
        timestamp=int(protocol["oauth_timestamp"]),
        signature=protocol["oauth_signature"],
        callback=protocol.get("oauth_callback"),
        verifier=protocol.get("oauth_verifier"),
        params=signed_params,
        method=request.method,
        base_uri=oauth_signature.base_string_uri(request.base_url),
    )


def verify_signature(signed: SignedRequest, consumer_secret: str, token_secret: str = "") -> None:
    """Raise :class:`OAuthError` unless the HMAC-SHA1 signature is valid."""
    secrets = SimpleNamespace(client_secret=consumer_secret, resource_owner_secret=token_secret)
    expected = oauth_signature.sign_hmac_sha1_with_client(signed.base_string(), secrets)
    if not hmac.compare_digest(expected.encode("utf-8"), signed.signature.encode("utf-8")):
        raise OAuthError("invalid signature", 401)


def check_timestamp(signed: SignedRequest, now: float | None = None) -> None:
    """Raise :class:`OAuthError` if the timestamp is more than 5 minutes off."""
    current = time.time() if now is None else now
    if abs(current - signed.timestamp) > MAX_CLOCK_SKEW_SECONDS:
        raise OAuthError("oauth_timestamp is too far from the server's clock", 401)
