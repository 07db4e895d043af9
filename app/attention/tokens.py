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
