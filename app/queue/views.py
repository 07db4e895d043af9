"""The committee's support queue (/committee/queue), the place in line shown to
requesters, and the bulk actions of the helpdesk inbox (/inbox/bulk)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import ngettext

from app.auth.roles import current_roles, role_required, users_with_role
from app.cases.errors import WorkflowError
from app.cases.labels import PRIORITIES
from app.core.db import as_id, commit_work, discard_work, get_session
from app.queue import queries, service
from app.queue.forms import NOBODY, BulkForm, QueueOrderForm, selected_cases
from app.queue.labels import place_in_line
from app.queue.service import BulkChoice

bp = Blueprint("queue", __name__)


def capacity() -> int:
    """How many cases the helpdesk supports at once (SUPPORT_CAPACITY)."""
    return max(0, int(current_app.config.get("SUPPORT_CAPACITY", 3)))


@bp.app_template_global("support_place")
def support_place(case: Any) -> int | None:
    """A case's place in line for support (None unless it is approved): one statement
    for an approved case, none otherwise."""
    return queries.place_of(get_session(), case.id, case.state)


@bp.app_template_filter("place_in_line")
def place_in_line_filter(place: int) -> str:
    """{{ place|place_in_line }}: "3rd in line for support", in the page's language."""
    return place_in_line(place)


@bp.app_template_global("support_places")
def support_places(cases: list[Any]) -> dict[int, int]:
    """The places in line of the approved ones of these listed cases (one statement
    whatever their number, none when no case is approved)."""
    return queries.places_of(get_session(), cases)


@bp.app_template_global("bulk_form")
def bulk_form() -> BulkForm:
    """The inbox's bulk action form, with the helpdesk staff to assign to."""
    staff = users_with_role(get_session(), "helpdesk")
    return BulkForm(formdata=None).fill_choices((user.id, user.username) for user in staff)


# -- the support queue ------------------------------------------------------------

def _render_queue(form: QueueOrderForm, status: int = 200,
                  error: str = "") -> ResponseReturnValue:
    db = get_session()
    rows = queries.queue_rows(db)
    return render_template(
        "queue/index.html", rows=rows, form=form, error=error,
        in_support=queries.in_support_count(db), capacity=capacity(),
        order=",".join(str(row.case.id) for row in rows),
        may_order="committee" in current_roles(),
        has_scores=any(row.score is not None for row in rows),
    ), status


@bp.get("/committee/queue")
@role_required("committee", "helpdesk")
def queue_page() -> ResponseReturnValue:
    """The approved cases in the order the committee ranked them, and the capacity used."""
    return _render_queue(QueueOrderForm(formdata=None))


@bp.post("/committee/queue")
@role_required("committee")
def reorder() -> ResponseReturnValue:
    """Move a case up or down, or order the queue by the committee's scores."""
    form = QueueOrderForm()
    if not form.validate():
        return _render_queue(form, 400)
    direction, case_id = form.pressed()
    db = get_session()
    try:
        if direction == "score":
            moved = service.order_by_score(db, g.user, form.reason.data, form.seen_order())
            # Translators: a confirmation on the support queue page.
            done = ngettext("Ordered by score: %(num)s case changed place.",
                            "Ordered by score: %(num)s cases changed place.", moved)
        elif case_id is not None:
            service.move_case(db, g.user, case_id, direction, form.reason.data,
                              form.seen_order())
            # Translators: a confirmation on the support queue page.
            done = _("The case was moved; the reason is in the audit log.")
        else:
            # Translators: an error on the support queue page: no move button was pressed.
            raise WorkflowError(_("Choose a case to move, or order by score."))
        commit_work()
    except WorkflowError as exc:
        discard_work()
        if exc.field == "reason":
            form.reason.errors = [exc.message]
            return _render_queue(form, exc.status)
        return _render_queue(form, exc.status, error=exc.message)
    flash(done, "success")
    return redirect(url_for("queue.queue_page"), 303)


# -- bulk actions on the inbox ----------------------------------------------------

def _choice(form: BulkForm) -> BulkChoice:
    """What the form asks for, or a WorkflowError naming the field that is missing."""
    action = form.action.data or ""
    if action == "assign":
        chosen = form.assignee.data or ""
        staff = {user.id: user for user in users_with_role(get_session(), "helpdesk")}
        assignee = staff.get(as_id(chosen) or 0)
        if assignee is None and chosen != NOBODY:
            # Translators: a form error in the helpdesk inbox's bulk actions.
            raise WorkflowError(_("Choose a staff member."), field="assignee")
        return BulkChoice(action, assignee=assignee)
    if action == "priority":
        if form.priority.data not in PRIORITIES:
            # Translators: a form error in the helpdesk inbox's bulk actions.
            raise WorkflowError(_("Choose a priority."), field="priority")
        return BulkChoice(action, priority=form.priority.data)
    if action == "label":
        return BulkChoice(action, label=service.clean_label(form.label.data))
    if not form.duplicate_of.data:
        # Translators: a form error in the helpdesk inbox's bulk actions.
        raise WorkflowError(_("Give the reference of the original request."),
                            field="duplicate_of")
    if not form.message.data:
        # Translators: a form error in the helpdesk inbox's bulk actions.
        raise WorkflowError(_("Write the message to the requesters: closing a request as a "
                              "duplicate tells them why."), field="message")
    return BulkChoice(action, duplicate_of=form.duplicate_of.data.upper(),
                      message=form.message.data or "")


def _refused(message: str, status: int = 400) -> ResponseReturnValue:
    return render_template("queue/bulk_result.html", outcomes=[], error=message), status


@bp.post("/inbox/bulk")
@role_required("helpdesk")
def bulk() -> ResponseReturnValue:
    """Apply one action to every case ticked in the inbox; then say, case by case,
    what was done and what was refused and why."""
    form = BulkForm().fill_choices([])
    selected = selected_cases(request.form.getlist("case"))
    if not selected:
        # Translators: an error after the helpdesk used a bulk action with no case ticked.
        return _refused(_("No request was selected. Tick the requests in the inbox, then "
                          "choose what to do."))
    if not form.validate():
        errors = [str(error) for field in form for error in field.errors]
        return _refused(" ".join(errors) or _("Choose what to do."))
    try:
        choice = _choice(form)
    except WorkflowError as exc:
        return _refused(exc.message, exc.status)
    outcomes = service.apply_bulk(get_session(), g.user, selected, choice)
    commit_work()
    done = sum(1 for outcome in outcomes if outcome.done)
    return render_template("queue/bulk_result.html", outcomes=outcomes, done=done,
                           refused=len(outcomes) - done, error="")
