"""Tests for the local OAuth stand-in, driven by the real ``mwoauth`` client over HTTP."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import mwoauth
import pytest
import requests
from mwoauth import AccessToken, ConsumerToken, OAuthException, RequestToken
from requests_oauthlib import OAuth1

from dev.standin import (
    DEMO_ACCOUNTS,
    PRODUCTION_REFUSAL,
    DemoAccount,
    RunningServer,
    StandinState,
    create_standin_app,
    serve_in_thread,
)
from dev.standin.pages import HEADING

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CONSUMER_KEY = "0123456789abcdef0123456789abcdef"
CONSUMER_SECRET = "fedcba9876543210fedcba9876543210fedcba98"
CALLBACK = "http://consumer.example/oauth/callback?next=%2Fcases"
CONSUMER = ConsumerToken(CONSUMER_KEY, CONSUMER_SECRET)


@dataclass
class Standin:
    server: RunningServer
    state: StandinState

    @property
    def mw_uri(self) -> str:
        return self.server.mw_uri


@pytest.fixture(autouse=True)
def _not_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("HELPDESK_ENV", raising=False)


@pytest.fixture
def standin() -> Iterator[Standin]:
    app = create_standin_app({CONSUMER_KEY: CONSUMER_SECRET})
    with serve_in_thread(app) as server:
        yield Standin(server, app.extensions["standin"])


# -- helpers -------------------------------------------------------------------


class _FormParser(HTMLParser):
    """Collects the <form action> and its <input>s (name, type, value)."""

    def __init__(self) -> None:
        super().__init__()
        self.action: str | None = None
        self.inputs: list[dict[str, str]] = []
        self.h1: list[str] = []
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.action = values.get("action")
        elif tag == "input":
            self.inputs.append(values)
        elif tag == "h1":
            self._in_h1 = True

    def handle_endtag(self, tag: str) -> None:
        if tag == "h1":
            self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1.append(data)

    def hidden(self, name: str) -> str:
        for field in self.inputs:
            if field.get("type") == "hidden" and field.get("name") == name:
                return field["value"]
        raise AssertionError(f"no hidden input {name!r}")

    def radio_values(self) -> list[str]:
        return [f["value"] for f in self.inputs if f.get("type") == "radio"]


def _parse_form(html: str) -> _FormParser:
    parser = _FormParser()
    parser.feed(html)
    return parser


def _start(standin: Standin, callback: str = CALLBACK) -> tuple[str, RequestToken, _FormParser]:
    redirect, request_token = mwoauth.initiate(standin.mw_uri, CONSUMER, callback=callback)
    page = requests.get(redirect, timeout=10)
    assert page.status_code == 200, page.text
    return redirect, request_token, _parse_form(page.text)


def _submit(
    standin: Standin, form: _FormParser, action: str, account: str | None = None, **overrides: str
) -> requests.Response:
    assert form.action is not None
    data = {
        "oauth_token": form.hidden("oauth_token"),
        "form_token": form.hidden("form_token"),
        "action": action,
    }
    if account is not None:
        data["account"] = account
    data.update(overrides)
    return requests.post(
        standin.server.base_url + form.action, data=data, allow_redirects=False, timeout=10
    )


def _sign_in(standin: Standin, username: str) -> tuple[RequestToken, str, AccessToken]:
    """Run initiate → consent (Allow) → complete; return the request token, the
    callback query string and the access token."""
    _, request_token, form = _start(standin)
    response = _submit(standin, form, "allow", username)
    assert response.status_code == 302, response.text
    query = urlsplit(response.headers["Location"]).query
    access_token = mwoauth.complete(standin.mw_uri, CONSUMER, request_token, query)
    return request_token, query, access_token


def _identify(standin: Standin, access_token: AccessToken) -> dict[str, object]:
    identity: dict[str, object] = mwoauth.identify(standin.mw_uri, CONSUMER, access_token)
    return identity


# -- happy path ------------------------------------------------------------------


def test_happy_path_returns_identity(standin: Standin) -> None:
    redirect, request_token, form = _start(standin)
    assert urlsplit(redirect).path == "/w/index.php"
    assert "".join(form.h1).strip() == HEADING
    assert form.radio_values() == [a.username for a in DEMO_ACCOUNTS]
    assert form.hidden("oauth_token") == request_token.key

    response = _submit(standin, form, "allow", "Ada Requester")
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert location.netloc == "consumer.example"
    assert location.path == "/oauth/callback"
    query = parse_qs(location.query)
    assert query["next"] == ["/cases"]
    assert query["oauth_token"] == [request_token.key]
    assert query["oauth_verifier"][0]

    access_token = mwoauth.complete(standin.mw_uri, CONSUMER, request_token, location.query)
    identity = _identify(standin, access_token)
    assert identity["username"] == "Ada Requester"
    assert identity["sub"] == "1001"
    assert identity["blocked"] is False
    assert identity["aud"] == CONSUMER_KEY
    assert identity["iss"] == standin.server.base_url
    assert identity["registered"] == "20190101000000"
    assert identity["groups"] == ["*", "user", "autoconfirmed"]
    assert identity["grants"] == ["basic"]
    assert "edit" in identity["rights"]  # type: ignore[operator]


def test_blocked_account_is_reported_blocked(standin: Standin) -> None:
    _, _, access_token = _sign_in(standin, "Blocked Example")
    identity = _identify(standin, access_token)
    assert identity["username"] == "Blocked Example"
    assert identity["sub"] == "1008"
    assert identity["blocked"] is True


def test_consent_page_is_accessible_html(standin: Standin) -> None:
    redirect, _ = mwoauth.initiate(standin.mw_uri, CONSUMER, callback=CALLBACK)
    page = requests.get(redirect, timeout=10)
    assert page.headers["Content-Type"].startswith("text/html")
    assert '<html lang="en">' in page.text
    assert "<main>" in page.text
    for number, account in enumerate(DEMO_ACCOUNTS, start=1):
        assert f'<label for="account-{number}">' in page.text
        assert account.description in page.text
    assert 'name="action" value="allow"' in page.text
    assert 'name="action" value="cancel"' in page.text


def test_oob_callback_shows_verifier(standin: Standin) -> None:
    _, request_token, form = _start(standin, callback="oob")
    response = _submit(standin, form, "allow", "Sven Helpdesk")
    assert response.status_code == 200
    verifier = response.text.split("<dt>Verification code (oauth_verifier)</dt><dd><code>")[1]
    verifier = verifier.split("</code>")[0]
    query = f"oauth_verifier={verifier}&oauth_token={request_token.key}"
    access_token = mwoauth.complete(standin.mw_uri, CONSUMER, request_token, query)
    assert _identify(standin, access_token)["username"] == "Sven Helpdesk"


# -- cancel, replay, bad credentials ------------------------------------------------


def test_cancel_redirects_without_verifier(standin: Standin) -> None:
    redirect, request_token, form = _start(standin)
    response = _submit(standin, form, "cancel")
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["Location"]).query)
    assert query["oauth_token"] == [request_token.key]
    assert "oauth_verifier" not in query
    with pytest.raises(OAuthException):
        mwoauth.complete(
            standin.mw_uri, CONSUMER, request_token, urlsplit(response.headers["Location"]).query
        )
    # The request token is gone: the consent page and a second submit are refused.
    assert requests.get(redirect, timeout=10).status_code == 400
    assert _submit(standin, form, "allow", "Ada Requester").status_code == 400


def test_verifier_replay_is_refused(standin: Standin) -> None:
    request_token, query, access_token = _sign_in(standin, "Mei Committee")
    assert _identify(standin, access_token)["username"] == "Mei Committee"

    # mwoauth cannot parse the "Error: ..." body of the refused replay.
    with pytest.raises((OAuthException, TypeError)):
        mwoauth.complete(standin.mw_uri, CONSUMER, request_token, query)

    verifier = parse_qs(query)["oauth_verifier"][0]
    replay = requests.post(
        standin.mw_uri,
        params={"title": "Special:OAuth/token"},
        auth=OAuth1(
            CONSUMER_KEY,
            client_secret=CONSUMER_SECRET,
            resource_owner_key=request_token.key,
            resource_owner_secret=request_token.secret,
            verifier=verifier,
        ),
        timeout=10,
    )
    assert replay.status_code == 401
    assert replay.text.startswith("Error: ")
    assert "already used" in replay.text


def test_wrong_verifier_is_refused(standin: Standin) -> None:
    _, request_token, form = _start(standin)
    response = _submit(standin, form, "allow", "Ada Requester")
    query = urlsplit(response.headers["Location"]).query
    forged = query.replace("oauth_verifier=", "oauth_verifier=0")
    with pytest.raises((OAuthException, TypeError)):
        mwoauth.complete(standin.mw_uri, CONSUMER, request_token, forged)
    # The real verifier still works afterwards.
    access_token = mwoauth.complete(standin.mw_uri, CONSUMER, request_token, query)
    assert _identify(standin, access_token)["username"] == "Ada Requester"


def test_bad_consumer_secret_is_refused_at_initiate(standin: Standin) -> None:
    with pytest.raises(OAuthException, match="invalid signature"):
        mwoauth.initiate(
            standin.mw_uri, ConsumerToken(CONSUMER_KEY, "not-the-secret"), callback=CALLBACK
        )
    with pytest.raises(OAuthException, match="unknown consumer"):
        mwoauth.initiate(
            standin.mw_uri, ConsumerToken("unknown-key", CONSUMER_SECRET), callback=CALLBACK
        )
    # The right secret works.
    redirect, _ = mwoauth.initiate(standin.mw_uri, CONSUMER, callback=CALLBACK)
    assert requests.get(redirect, timeout=10).status_code == 200


def test_bad_form_token_is_refused(standin: Standin) -> None:
    _, _, form = _start(standin)
    forged = _submit(standin, form, "allow", "Ada Requester", form_token="forged")
    assert forged.status_code == 400
    assert "form token" in forged.text
    assert "Location" not in forged.headers

    missing = requests.post(
        standin.server.base_url + (form.action or ""),
        data={
            "oauth_token": form.hidden("oauth_token"),
            "action": "allow",
            "account": "Ada Requester",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert missing.status_code == 400

    # The genuine form still works.
    assert _submit(standin, form, "allow", "Ada Requester").status_code == 302


def test_unknown_request_token_page(standin: Standin) -> None:
    page = requests.get(
        standin.mw_uri,
        params={
            "title": "Special:OAuth/authenticate",
            "oauth_token": "nope",
            "oauth_consumer_key": CONSUMER_KEY,
        },
        timeout=10,
    )
    assert page.status_code == 400
    assert "start signing in again" in page.text


def test_reused_nonce_and_stale_timestamp_are_refused(standin: Standin) -> None:
    def initiate(nonce: str, timestamp: str) -> requests.Response:
        auth = OAuth1(
            CONSUMER_KEY,
            client_secret=CONSUMER_SECRET,
            callback_uri=CALLBACK,
            nonce=nonce,
            timestamp=timestamp,
        )
        return requests.post(
            standin.mw_uri, params={"title": "Special:OAuth/initiate"}, auth=auth, timeout=10
        )

    now = str(int(time.time()))
    first = initiate("nonce-one", now)
    assert first.status_code == 200, first.text
    again = initiate("nonce-one", now)
    assert again.status_code == 401
    assert again.text == "Error: nonce already used"

    stale = initiate("nonce-two", str(int(time.time()) - 3600))
    assert stale.status_code == 401
    assert "timestamp" in stale.text


# -- identify knobs ----------------------------------------------------------------


def test_expired_identity_is_rejected(standin: Standin) -> None:
    _, _, access_token = _sign_in(standin, "Ada Requester")
    assert _identify(standin, access_token)["username"] == "Ada Requester"
    now = time.time()
    standin.state.identify_overrides.update({"exp": int(now - 3600), "iat": int(now - 3700)})
    with pytest.raises(OAuthException):
        _identify(standin, access_token)
    standin.state.identify_overrides.clear()
    assert _identify(standin, access_token)["username"] == "Ada Requester"


def test_identity_for_another_audience_is_rejected(standin: Standin) -> None:
    _, _, access_token = _sign_in(standin, "Ada Requester")
    assert _identify(standin, access_token)["aud"] == CONSUMER_KEY
    standin.state.identify_overrides["aud"] = "another-consumer"
    with pytest.raises(OAuthException):
        _identify(standin, access_token)


def test_identity_with_wrong_nonce_is_rejected(standin: Standin) -> None:
    _, _, access_token = _sign_in(standin, "Ada Requester")
    assert _identify(standin, access_token)["username"] == "Ada Requester"
    standin.state.identify_overrides["nonce"] = "x"
    with pytest.raises(OAuthException, match="Replay attack"):
        _identify(standin, access_token)


def test_identity_from_another_issuer_or_secret_is_rejected(standin: Standin) -> None:
    _, _, access_token = _sign_in(standin, "Ada Requester")
    standin.state.identify_overrides["iss"] = "http://evil.example"
    with pytest.raises(OAuthException, match="Unexpected issuer"):
        _identify(standin, access_token)
    standin.state.reset()
    _, _, access_token = _sign_in(standin, "Ada Requester")
    standin.state.identify_signing_secret = "some-other-secret-that-is-long-enough-for-hs256"
    with pytest.raises(OAuthException):
        _identify(standin, access_token)


def test_override_none_removes_claim_and_reset_clears(standin: Standin) -> None:
    _, _, access_token = _sign_in(standin, "Ada Requester")
    standin.state.identify_overrides["editcount"] = None
    assert "editcount" not in _identify(standin, access_token)
    standin.state.reset()
    assert standin.state.identify_overrides == {}
    # reset() forgot the access token too.
    with pytest.raises(OAuthException, match="unknown access token"):
        _identify(standin, access_token)


def test_numeric_sub_is_rejected_by_mwoauth(standin: Standin) -> None:
    """Documents why the stand-in sends ``sub`` as a string by default."""
    _, _, access_token = _sign_in(standin, "Ada Requester")
    standin.state.identify_overrides["sub"] = 1001
    with pytest.raises(OAuthException):
        _identify(standin, access_token)


def test_identify_with_bad_signature_gets_json_error(standin: Standin) -> None:
    _, _, access_token = _sign_in(standin, "Ada Requester")
    wrong = AccessToken(access_token.key, "wrong-secret")
    with pytest.raises(OAuthException, match="A MediaWiki API error occurred: invalid signature"):
        mwoauth.identify(standin.mw_uri, CONSUMER, wrong)


# -- accounts ----------------------------------------------------------------------


def test_added_accounts_and_renames(standin: Standin) -> None:
    extra = [
        DemoAccount("سارة المحررة", 2001, "Arabic username"),
        DemoAccount("অমিত সম্পাদক", 2002, "Bengali username"),
        DemoAccount("Emoji 🦉 User", 2003, "Emoji username"),
    ]
    for account in extra:
        standin.state.add_account(account)
    for account in extra:
        _, _, access_token = _sign_in(standin, account.username)
        identity = _identify(standin, access_token)
        assert identity["username"] == account.username
        assert identity["sub"] == str(account.central_id)

    # A rename: same central id, new username.
    standin.state.remove_account("Ada Requester")
    standin.state.accounts["Ada Renamed"] = DemoAccount(
        "Ada Renamed", 1001, "Requester after a rename"
    )
    _, _, form = _start(standin)
    assert "Ada Requester" not in form.radio_values()
    assert _submit(standin, form, "allow", "Ada Requester").status_code == 400
    _, _, access_token = _sign_in(standin, "Ada Renamed")
    identity = _identify(standin, access_token)
    assert (identity["username"], identity["sub"]) == ("Ada Renamed", "1001")


def test_create_app_with_custom_accounts_and_issuer(monkeypatch: pytest.MonkeyPatch) -> None:
    app = create_standin_app(
        {CONSUMER_KEY: CONSUMER_SECRET},
        accounts=[DemoAccount("Only One", 3001, "The only account")],
        issuer="http://127.0.0.1:1/",
    )
    with serve_in_thread(app) as server:
        standin = Standin(server, app.extensions["standin"])
        _, _, form = _start(standin)
        assert form.radio_values() == ["Only One"]
        _, _, access_token = _sign_in(standin, "Only One")
        # The configured issuer's host:port differs from mw_uri's, so mwoauth refuses it.
        with pytest.raises(OAuthException, match="Unexpected issuer"):
            _identify(standin, access_token)


# -- production guard ---------------------------------------------------------------


def test_refuses_to_start_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HELPDESK_ENV", "production")
    with pytest.raises(RuntimeError) as excinfo:
        create_standin_app({CONSUMER_KEY: CONSUMER_SECRET})
    assert str(excinfo.value) == PRODUCTION_REFUSAL
    monkeypatch.setenv("HELPDESK_ENV", "development")
    assert create_standin_app({CONSUMER_KEY: CONSUMER_SECRET}) is not None


def _run_cli(env_updates: dict[str, str]) -> subprocess.CompletedProcess[str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ("HELPDESK_ENV", "OAUTH_CONSUMER_KEY", "OAUTH_CONSUMER_SECRET")
    }
    env.update(env_updates)
    return subprocess.run(
        [sys.executable, "-m", "dev.standin", "--port", "0"],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
    )


def test_cli_refuses_in_production_and_without_credentials() -> None:
    refused = _run_cli(
        {"HELPDESK_ENV": "production", "OAUTH_CONSUMER_KEY": "k", "OAUTH_CONSUMER_SECRET": "s"}
    )
    assert refused.returncode == 2
    assert "HELPDESK_ENV=production" in refused.stderr

    missing = _run_cli({})
    assert missing.returncode == 2
    assert "OAUTH_CONSUMER_KEY" in missing.stderr
