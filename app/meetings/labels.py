"""Names of what meeting pages show: the outcomes of votes and decisions, the criteria."""

from __future__ import annotations

from app.cases.transitions import ACTIONS
from app.committee.labels import criterion_name
from app.committee.models import Criterion


def outcome_label(code: str) -> str:
    """A vote's or decision's outcome by the name of its workflow action (the code itself
    when it is no action, e.g. an older recommendation)."""
    label = ACTIONS.get(code)
    return str(label) if label is not None else code


def criterion_label(name: str) -> str:
    """A criterion's name as a tally keeps it, in the page's language when the Hub seeded it."""
    return criterion_name(Criterion(name=name))
