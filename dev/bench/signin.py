"""Sign in to the served app once, over real HTTP, through the OAuth stand-in.

The same flow a browser goes through (and tests/helpers.py's `SignIn`):
GET /login → the stand-in's consent page → POST "allow" → GET /oauth-callback.
In production the session cookie is `Secure`; the app is served over plain HTTP
on loopback here, so the cookie is carried by hand instead of by a cookie jar.
"""

from __future__ import annotations

import requests

from tests.helpers import authorize_on_wiki

COOKIE = "helpdesk_session"


def _session_cookie(response: requests.Response, current: str | None) -> str | None:
    value = response.cookies.get(COOKIE)
    return value if value else current


def sign_in(base_url: str, username: str) -> str:
    """Sign `username` in; return the `Cookie` header value of the signed-in session."""
    login = requests.get(f"{base_url}/login", allow_redirects=False, timeout=10)
    if login.status_code != 302:
        raise RuntimeError(f"/login answered {login.status_code}: {login.text[:300]}")
    cookie = _session_cookie(login, None)
    callback = authorize_on_wiki(login.headers["Location"], username)
    answer = requests.get(callback, allow_redirects=False, timeout=10,
                          headers={"Cookie": f"{COOKIE}={cookie}"})
    if answer.status_code != 302:
        raise RuntimeError(f"/oauth-callback answered {answer.status_code}: {answer.text[:300]}")
    cookie = _session_cookie(answer, cookie)
    header = f"{COOKIE}={cookie}"
    check = requests.get(f"{base_url}/dashboard", allow_redirects=False, timeout=30,
                         headers={"Cookie": header})
    if check.status_code != 200:
        raise RuntimeError(f"signed in as {username}, but /dashboard answered "
                           f"{check.status_code}")
    return header
