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


# The skills the migration seeds, named in the page language while an admin has not
# renamed them (a skill an admin adds is shown as they wrote it).
SEED_SKILL_LABELS: dict[str, tuple[str, LazyString]] = {
    # Translators: a skill in the directory of people: uploading many files at once.
    "mass-uploads": ("Mass uploads", _l("Mass uploads")),
    # Translators: a skill in the directory of people: modelling data on Wikidata.
    "wikidata-modelling": ("Wikidata modelling", _l("Wikidata modelling")),
    # Translators: a skill in the directory of people.
    "licensing": ("Licensing and copyright", _l("Licensing and copyright")),
    # Translators: a skill in the directory of people: describing collections with metadata.
    "metadata": ("Metadata", _l("Metadata")),
    # Translators: a skill in the directory of people; OpenRefine is the name of a tool.
    "openrefine": ("OpenRefine", _l("OpenRefine")),
    # Translators: a skill in the directory of people; Pattypan is the name of a tool.
    "upload-tools": ("Upload tools (Pattypan and others)",
                     _l("Upload tools (Pattypan and others)")),
    # Translators: a skill in the directory of people.
    "partnership-agreements": ("Partnership agreements", _l("Partnership agreements")),
    # Translators: a skill in the directory of people: reaching out to institutions and
    # communities.
    "outreach": ("Outreach", _l("Outreach")),
    # Translators: a skill in the directory of people.
    "translation": ("Translation", _l("Translation")),
}


def skill_label(code: str, name: str) -> str:
    """A skill's name in the page language (a seeded one), else as it is stored."""
    seeded = SEED_SKILL_LABELS.get(code)
    if seeded is not None and seeded[0] == name:
        return str(seeded[1])
    return name
