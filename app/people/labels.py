"""Names of the affiliate kinds and ask statuses, in the page language."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

AFFILIATE_KIND_LABELS: dict[str, LazyString] = {
    # Translators: a kind of Wikimedia affiliate: a national or regional chapter.
    "chapter": _l("Chapter"),
    # Translators: a kind of Wikimedia affiliate.
    "user_group": _l("User group"),
    # Translators: a kind of Wikimedia affiliate: a thematic organisation.
    "thematic": _l("Thematic organisation"),
    # Translators: a kind of Wikimedia affiliate: a movement hub (regional or thematic).
    "hub": _l("Hub"),
}

ASK_STATUS_LABELS: dict[str, LazyString] = {
    # Translators: the status of an ask for volunteers: nobody has taken it yet.
    "open": _l("Open: anyone can take it"),
    # Translators: the status of an ask for volunteers: a volunteer took it.
    "taken": _l("Taken"),
    # Translators: the status of an ask for volunteers: the work is done.
    "done": _l("Done"),
}


def affiliate_kinds() -> list[tuple[str, str]]:
    """(code, name) of every kind, in the page language."""
    return [(code, str(label)) for code, label in AFFILIATE_KIND_LABELS.items()]


def affiliate_kind(code: str) -> str:
    """The name of a kind (the code itself when unknown)."""
    label = AFFILIATE_KIND_LABELS.get(code)
    return str(label) if label is not None else code


def ask_status(code: str) -> str:
    """The name of an ask's status."""
    label = ASK_STATUS_LABELS.get(code)
    return str(label) if label is not None else code
