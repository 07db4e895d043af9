"""Names of what meeting pages show: the outcomes of votes and decisions."""

from __future__ import annotations

from app.cases.transitions import ACTIONS


def outcome_label(code: str) -> str:
    """A vote's or decision's outcome by the name of its workflow action (the code itself
    when it is no action, e.g. an older recommendation)."""
    label = ACTIONS.get(code)
    return str(label) if label is not None else code
