"""The names of the criteria the migration seeds, as messages: shown translated. A
criterion an admin adds (or renames) is shown as entered."""

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


def criterion_name(criterion: Criterion) -> str:
    """The criterion's name in the page's language when it is one the Hub seeded."""
    seeded = SEEDED_CRITERIA.get(criterion.name)
    return str(seeded) if seeded is not None else criterion.name
