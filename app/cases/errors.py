"""Why a workflow change was refused, with the HTTP status that fits."""

from __future__ import annotations


class WorkflowError(Exception):
    """A refused change. `status` is 400 (bad input), 403 (not allowed) or 409 (state);
    `field` names the form field the message belongs next to ("" for the whole form)."""

    status = 400

    def __init__(self, message: str, status: int | None = None, field: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        if status is not None:
            self.status = status


class NotAllowed(WorkflowError):
    """This user may not do this."""

    status = 403


class WrongState(WorkflowError):
    """Not possible in the case's current state."""

    status = 409


class StaleVersion(WorkflowError):
    """The case changed since the form was loaded."""

    status = 409
