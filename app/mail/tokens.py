"""The link that lets the sender of an emailed request claim it with a Wikimedia account.

A signed, timed token (itsdangerous, with SECRET_KEY) naming the case and the address it
was sent to: only someone who received the acknowledgement can claim the request, only
while the case's contact address is still that one, and only for MAIL_CLAIM_DAYS.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

SALT = "helpdesk-claim-request"


@dataclass(frozen=True)
class Claim:
    """What a claim token says: which case, sent to which address."""

    case_id: int
    address: str


class BadClaim(ValueError):
    """The token is not one the tool made, or it has expired (`expired`)."""

    def __init__(self, expired: bool) -> None:
        super().__init__("expired" if expired else "invalid")
        self.expired = expired


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def claim_token(case_id: int, address: str) -> str:
    """A token for the acknowledgement sent to `address` about the case."""
    return _serializer().dumps({"case": case_id, "address": address.lower()})


def read_claim(token: str, max_days: int) -> Claim:
    """The claim a token makes; BadClaim if it is forged, damaged or too old."""
    try:
        data = _serializer().loads(token, max_age=max_days * 86_400)
    except SignatureExpired as exc:
        raise BadClaim(expired=True) from exc
    except BadSignature as exc:
        raise BadClaim(expired=False) from exc
    if not isinstance(data, dict) or not isinstance(data.get("case"), int):
        raise BadClaim(expired=False)
    return Claim(case_id=data["case"], address=str(data.get("address") or ""))
