"""The fixed vocabularies of a request, each code with a translatable label.

Codes are stored in the database and used in the API; labels are for people.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

Vocabulary = dict[str, LazyString]

ORGANISATION_KINDS: Vocabulary = {
    "igo": _l("Intergovernmental organisation (IGO)"),
    "ingo": _l("International non-governmental organisation (INGO)"),
    "glam": _l("Gallery, library, archive or museum (GLAM)"),
    "government": _l("Government"),
    "academic": _l("University or research institution"),
    "other": _l("Other"),
}

CONTENT_KINDS: Vocabulary = {
    "images": _l("Images"),
    "audio_video": _l("Audio or video"),
    "data": _l("Data"),
    "text": _l("Text"),
}

LICENCES: Vocabulary = {
    "cc0": _l("CC0 (public domain dedication)"),
    "cc_by": _l("CC BY (attribution)"),
    "cc_by_sa": _l("CC BY-SA (attribution, share-alike)"),
    "pd": _l("Public domain (copyright expired or not applicable)"),
    "other": _l("Another licence, or not decided yet"),
}
FREE_LICENCES = frozenset({"cc0", "cc_by", "cc_by_sa", "pd"})

TARGET_PROJECTS: Vocabulary = {
    "commons": _l("Wikimedia Commons"),
    "wikidata": _l("Wikidata"),
    "wikipedia": _l("Wikipedia"),
    "wikisource": _l("Wikisource"),
    "wiktionary": _l("Wiktionary"),
    "wikibooks": _l("Wikibooks"),
    "other": _l("Another project"),
}

THEMES: Vocabulary = {
    "climate": _l("Climate and environment"),
    "gender": _l("Gender equity"),
    "health": _l("Health"),
    "education": _l("Education"),
    "heritage": _l("Cultural heritage"),
    "science": _l("Science"),
    "biodiversity": _l("Biodiversity"),
    "human_rights": _l("Human rights"),
    "indigenous": _l("Indigenous knowledge"),
    "sustainable_development": _l("Sustainable development"),
    "humanitarian": _l("Humanitarian response"),
    "other": _l("Other"),
}

SUPPORT_TYPES: Vocabulary = {
    "mass_upload": _l("Technical help with a mass upload"),
    "community": _l("Connecting with the local Wikimedia community"),
    "best_practices": _l("Best practices"),
    "wir": _l("A Wikimedian in Residence"),
    "funding": _l("A joint funding application"),
    "other": _l("Something else"),
}

REQUEST_TYPES: Vocabulary = {
    "commons_upload": _l("Commons mass upload"),
    "wikidata_donation": _l("Wikidata data donation"),
    "other": _l("Other partnership"),
}

PRIORITIES: Vocabulary = {
    "low": _l("Low"),
    "normal": _l("Normal"),
    "high": _l("High"),
    "urgent": _l("Urgent"),
}
PRIORITY_ORDER = {"urgent": 0, "high": 1, "normal": 2, "low": 3}

RECOMMENDATIONS: Vocabulary = {
    "support": _l("Support"),
    "support_with_changes": _l("Support with changes"),
    "needs_information": _l("Needs more information"),
    "refer": _l("Refer to working groups"),
    "decline": _l("Decline"),
}


def choices(vocabulary: Vocabulary) -> list[tuple[str, str]]:
    """(code, label) pairs for a select or checkbox list, in the current language."""
    return [(code, str(label)) for code, label in vocabulary.items()]


def label(vocabulary: Vocabulary, code: str | None) -> str:
    """The label of a code (the code itself when unknown)."""
    if code is None:
        return ""
    found = vocabulary.get(code)
    return str(found) if found is not None else code
