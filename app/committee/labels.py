"""The names and descriptions of the criteria the migration seeds, as messages: shown
translated. A criterion an admin adds (or rewords) is shown as entered."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from app.committee.models import Criterion

SEEDED_CRITERIA: dict[str, LazyString] = {
    # Translators: a criterion the Expert Committee scores a request against (1–5): how sound the
    # technical side is (preparing, describing, uploading the content).
    "Technical": _l("Technical"),
    # Translators: a criterion the Expert Committee scores a request against: licences, rights,
    # personal data, cultural sensitivity.
    "Legal and ethical": _l("Legal and ethical"),
    # Translators: a criterion the Expert Committee scores a request against: what could go wrong.
    "Risk": _l("Risk"),
    # Translators: a criterion the Expert Committee scores a request against: whether the
    # partnership and its content will be looked after over time.
    "Sustainability": _l("Sustainability"),
    # Translators: a criterion the Expert Committee scores a request against: how much it adds to
    # the Wikimedia projects.
    "Impact": _l("Impact"),
    # Translators: a criterion the Expert Committee scores a request against: bringing in
    # knowledge, languages or people the Wikimedia projects lack.
    "Reaching underserved communities": _l("Reaching underserved communities"),
}


SEEDED_DESCRIPTIONS: dict[str, LazyString] = {
    # Translators: the description of the committee's criterion 'Technical'.
    "Can the content be prepared, described and uploaded well?": _l(
        "Can the content be prepared, described and uploaded well?"),
    # Translators: the description of the committee's criterion 'Legal and ethical'.
    "Licences, rights, personal data and cultural sensitivity.": _l(
        "Licences, rights, personal data and cultural sensitivity."),
    # Translators: the description of the committee's criterion 'Risk'.
    "What could go wrong for the partner, the projects or the people shown.": _l(
        "What could go wrong for the partner, the projects or the people shown."),
    # Translators: the description of the committee's criterion 'Sustainability'.
    "Will the partnership and its content be looked after?": _l(
        "Will the partnership and its content be looked after?"),
    # Translators: the description of the committee's criterion 'Impact'.
    "How much the content adds to the Wikimedia projects.": _l(
        "How much the content adds to the Wikimedia projects."),
    # Translators: the description of the committee's criterion 'Reaching underserved
    # communities'.
    "Does it bring in knowledge, languages or people the projects lack?": _l(
        "Does it bring in knowledge, languages or people the projects lack?"),
}


def criterion_description(criterion: Criterion) -> str:
    """The criterion's description, translated when it is the one the Hub seeded."""
    seeded = SEEDED_DESCRIPTIONS.get(criterion.description)
    return str(seeded) if seeded is not None else criterion.description


def criterion_name(criterion: Criterion) -> str:
    """The criterion's name in the page's language when it is one the Hub seeded."""
    seeded = SEEDED_CRITERIA.get(criterion.name)
    return str(seeded) if seeded is not None else criterion.name
