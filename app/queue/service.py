"""Changing the support queue (the committee's ranking) and the bulk actions of the
helpdesk inbox. Each function changes the session only; the caller commits once.

Bulk actions call the single-case functions of `app.cases.service` for every case, so
each case gets the same permission and version checks and its own audit event; a case
that is refused is rolled back alone (a savepoint) and the others go ahead.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.roles import roles_of
from app.cases import service as cases
from app.cases.access import CaseAccess, case_access
from app.cases.errors import NotAllowed, WorkflowError, WrongState
from app.cases.models import Case
from app.committee.models import ConflictOfInterest
from app.core import audit
from app.core.models import utcnow
from app.queue import queries
from app.queue.models import QueueEntry

MAX_REASON = 1000
MAX_LABEL = 40
MAX_LABELS = 20


class QueueChanged(WrongState):
    """The queue is no longer in the order the page showed."""


def _reason(text: str | None) -> str:
    reason = (text or "").replace("\x00", "").strip()
    if not reason:
        # Translators: a form error on the support queue page: why the order changes.
        raise WorkflowError(_("Give the reason for this change of order."), field="reason")
    if len(reason) > MAX_REASON:
        # Translators: a form error; %(limit)s is a number.
        raise WorkflowError(_("The reason is too long (at most %(limit)s characters).",
                              limit=MAX_REASON), field="reason")
    return reason


def _check_committee(actor: User) -> None:
    if "committee" not in roles_of(actor):
        # Translators: an error on the support queue page.
        raise NotAllowed(_("Only the Expert Committee orders the support queue."))


def _check_seen(current: list[int], seen: Sequence[int]) -> None:
    """Refuse a change made from a page that showed the queue in another order."""
    if list(seen) != current:
        # Translators: an edit conflict on the support queue page.
        raise QueueChanged(_("The queue changed after you opened the page (a case was "
                             "approved, started or moved by someone else). Nothing was "
                             "changed; look at the queue as it is now and try again."))


def _apply_order(db: Session, actor: User, before: list[int], after: list[int],
                 reason: str) -> int:
    """Write the new order and audit every case whose place changed; how many moved."""
    entries = {entry.case_id: entry for entry in db.scalars(
        select(QueueEntry).where(QueueEntry.case_id.in_(after)))}
    moved = 0
    for place, case_id in enumerate(after, start=1):
        entries[case_id].position = place
        old = before.index(case_id) + 1
        if old != place:
            moved += 1
            audit.record(db, actor, "case.queue_place", "case", case_id,
                         before={"place": old}, after={"place": place, "reason": reason})
    return moved


def move_case(db: Session, actor: User, case_id: int, direction: str, reason: str | None,
              seen: Sequence[int]) -> None:
    """Move one case a place up or down the queue; both cases that swap places get an
    audit event with the reason."""
    _check_committee(actor)
    reason_text = _reason(reason)
    current = queries.queue_order(db)
    _check_seen(current, seen)
    if case_id not in current or direction not in ("up", "down"):
        # Translators: an error on the support queue page.
        raise WorkflowError(_("That case is not in the support queue."))
    recused = db.scalar(select(ConflictOfInterest.id).where(
        ConflictOfInterest.case_id == case_id, ConflictOfInterest.member_id == actor.id))
    if recused:
        # Translators: an error on the support queue page.
        raise NotAllowed(_("You declared a conflict of interest on this case, so you do "
                           "not move it in the queue."))
    index = current.index(case_id)
    other = index - 1 if direction == "up" else index + 1
    if not 0 <= other < len(current):
        # Translators: an error on the support queue page.
        raise WrongState(_("The case is already at that end of the queue."))
    after = list(current)
    after[index], after[other] = after[other], after[index]
    _apply_order(db, actor, current, after, reason_text)


def order_by_score(db: Session, actor: User, reason: str | None, seen: Sequence[int]) -> int:
    """Order the queue by the median of the committee's scores, highest first; cases
    without scores keep their order after the scored ones. How many cases moved."""
    _check_committee(actor)
    reason_text = _reason(reason)
    current = queries.queue_order(db)
    _check_seen(current, seen)
    scores = queries.median_scores(db, current)
    if not scores:
        # Translators: an error on the support queue page: no committee member gave scores.
        raise WrongState(_("No case in the queue has committee scores yet."))
    after = sorted(current, key=lambda case_id: (case_id not in scores,
                                                 -scores.get(case_id, 0.0)))
    return _apply_order(db, actor, current, after, reason_text)


# -- labels ---------------------------------------------------------------------

def clean_label(text: str | None) -> str:
    """A label as stored: one line, single spaces, at most MAX_LABEL characters."""
    label = " ".join((text or "").replace("\x00", "").split())
    if not label:
        # Translators: a form error of the inbox's bulk actions.
        raise WorkflowError(_("Write the label to add."), field="label")
    if len(label) > MAX_LABEL:
        # Translators: a form error; %(limit)s is a number.
        raise WorkflowError(_("A label has at most %(limit)s characters.", limit=MAX_LABEL),
                            field="label")
    return label


def add_label(db: Session, case: Case, actor: User, access: CaseAccess, label: str,
              expected_version: int | str | None) -> bool:
    """The helpdesk puts a label on a case; audited. False when it already had it."""
    if "helpdesk" not in access.roles:
        # Translators: an error.
        raise NotAllowed(_("Only the helpdesk labels cases."))
    cases.check_version(case, expected_version)
    text = clean_label(label)
    current = list(case.labels or [])
    if text.casefold() in {item.casefold() for item in current}:
        return False
    if len(current) >= MAX_LABELS:
        # Translators: an error; %(limit)s is a number.
        raise WrongState(_("A case has at most %(limit)s labels.", limit=MAX_LABELS))
    case.labels = [*current, text]
    case.updated_at = utcnow()
    audit.record(db, actor, "case.label", "case", case.id, before={"labels": current},
                 after={"labels": case.labels})
    return True


# -- bulk actions ---------------------------------------------------------------

BULK_ACTIONS = ("assign", "priority", "label", "duplicate")


@dataclass(frozen=True)
class BulkChoice:
    """What to do to every selected case, as the form gave it."""

    action: str
    assignee: User | None = None
    priority: str = ""
    label: str = ""
    duplicate_of: str = ""
    message: str = ""


@dataclass(frozen=True)
class BulkOutcome:
    """What happened to one selected case."""

    reference: str
    done: bool
    message: str


Change = Callable[[Case, CaseAccess, str], str]


def _change_for(db: Session, actor: User, choice: BulkChoice) -> Change:
    """The single-case change of the chosen action; it returns what was done."""
    def assign(case: Case, access: CaseAccess, version: str) -> str:
        cases.assign(db, case, actor, access, choice.assignee, version)
        if choice.assignee is None:
            # Translators: a result of a bulk action on the inbox.
            return _("No longer assigned to anyone.")
        # Translators: a result of a bulk action on the inbox; %(name)s is a username.
        return _("Assigned to %(name)s.", name=choice.assignee.username)

    def priority(case: Case, access: CaseAccess, version: str) -> str:
        cases.set_priority(db, case, actor, access, choice.priority, version)
        # Translators: a result of a bulk action on the inbox.
        return _("Priority set.")

    def label(case: Case, access: CaseAccess, version: str) -> str:
        if add_label(db, case, actor, access, choice.label, version):
            # Translators: a result of a bulk action on the inbox; %(label)s is the label.
            return _("Label “%(label)s” added.", label=clean_label(choice.label))
        # Translators: a result of a bulk action on the inbox; %(label)s is the label.
        return _("It already had the label “%(label)s”.", label=clean_label(choice.label))

    def duplicate(case: Case, access: CaseAccess, version: str) -> str:
        cases.close_as_duplicate(db, case, actor, access, choice.duplicate_of,
                                 choice.message, version)
        # Translators: a result of a bulk action on the inbox; %(reference)s is a case reference.
        return _("Closed as a duplicate of %(reference)s.", reference=choice.duplicate_of)

    return {"assign": assign, "priority": priority, "label": label,
            "duplicate": duplicate}[choice.action]


def apply_bulk(db: Session, actor: User, selected: Sequence[tuple[int, str]],
               choice: BulkChoice) -> list[BulkOutcome]:
    """Apply `choice` to each selected (case id, version the page showed); one outcome
    per case, in the order given. A refused case leaves nothing behind."""
    change = _change_for(db, actor, choice)
    outcomes: list[BulkOutcome] = []
    for case_id, version in selected:
        case = db.get(Case, case_id)
        if case is None:
            # Translators: a result of a bulk action on the inbox: the selected case is gone.
            outcomes.append(BulkOutcome(f"#{case_id}", False, _("There is no such case.")))
            continue
        access = case_access(db, actor, case)
        savepoint = db.begin_nested()
        try:
            done = change(case, access, version)
            db.flush()
        except WorkflowError as exc:
            savepoint.rollback()
            outcomes.append(BulkOutcome(case.reference, False, exc.message))
            continue
        savepoint.commit()
        outcomes.append(BulkOutcome(case.reference, True, done))
    return outcomes
