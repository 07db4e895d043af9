"""The signed link in a watcher's email that stops their emails about one case.

A token (itsdangerous, with SECRET_KEY) naming the person and the case: anyone who has
the email may unwatch for its recipient, nobody can make one for someone else, and a
changed token is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer

SALT = "helpdesk-unwatch"
# The body of a one-click unsubscribe POST (RFC 8058), as mail programs send it.
ONE_CLICK_FIELD = "List-Unsubscribe"
ONE_CLICK_VALUE = "One-Click"


@dataclass(frozen=True)
class Unwatch:
    """What an unwatch token says."""

    user_id: int
    case_id: int


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def unwatch_token(user_id: int, case_id: int) -> str:
    """A token for the email to this person about this case."""
    return str(_serializer().dumps({"u": user_id, "c": case_id}))


def unwatch_path(user_id: int, case_id: int, one_click: bool = False) -> str:
    """The path of the page that stops this person's emails about this case; with
    `one_click`, the address a mail program POSTs to (the List-Unsubscribe header)."""
    path = f"/unwatch/{unwatch_token(user_id, case_id)}"
    return f"{path}/one-click" if one_click else path


def read_unwatch(token: str) -> Unwatch | None:
    """The person and case a token names; None for a forged or damaged one."""
    try:
        data = _serializer().loads(token[:500])
    except BadSignature:
        return None
    if (not isinstance(data, dict) or not isinstance(data.get("u"), int)
            or not isinstance(data.get("c"), int)):
        return None
    return Unwatch(data["u"], data["c"])
