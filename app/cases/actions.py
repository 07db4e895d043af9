"""POST routes on a case. Each one: load with access check, call the service,
commit once; on refusal show the case page again with the reason, the right
status, and what the user typed."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime

from flask import flash, g, jsonify, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.attachments import service as attachments
from app.auth.models import User
from app.auth.roles import find_user, login_required
from app.cases import service
from app.cases.access import CaseAccess
from app.cases.blueprint import bp
from app.cases.errors import StaleVersion, WorkflowError
from app.cases.labels import state_label
from app.cases.models import Case
from app.cases.queries import referral_on
from app.cases.timeline import changes_since
from app.cases.views import load_case, page_context
from app.committee import votes
from app.core.db import as_id, commit_work, discard_work, get_session

Change = Callable[[Case, CaseAccess], str]


def _loaded_at() -> datetime | None:
    try:
        return datetime.fromisoformat(request.form.get("loaded_at", ""))
    except ValueError:
        return None


def _apply(reference: str, change: Change) -> ResponseReturnValue:
    """Run `change` on the case; commit and redirect, or explain the refusal."""
    case, access = load_case(reference)
    try:
        done = change(case, access)
        commit_work()
    except WorkflowError as exc:
        discard_work()
        case, access = load_case(reference)
        since = _loaded_at()
        changed = (changes_since(get_session(), case, since)
                   if isinstance(exc, StaleVersion) and since else [])
        context = page_context(case, access, error=exc.message, error_field=exc.field,
                               stale_changes=changed)
        return render_template("cases/page.html", **context), exc.status
    flash(done, "success")
    return redirect(url_for("cases.case_page", reference=case.reference))


def _form(name: str) -> str:
    return request.form.get(name, "")


def answered() -> str:
    """The confirmation after the requester answered the committee's question."""
    # Translators: a confirmation after the requester answered the Expert Committee's question.
    return _("Thank you: your answer was sent, and the request is back with the Expert "
             "Committee.")


def _answer_the_committee(case: Case, access: CaseAccess, text: str) -> str:
    """The answer to the committee's question, with the files sent with it (checked
    before the request moves back to the committee)."""
    uploads = attachments.read_uploads(request.files.getlist("attachments"))
    service.take_action(get_session(), case, g.user, access, "answer", _form("version"),
                        message=text or None)
    attachments.attach_to_newest_message(get_session(), case, g.user, uploads)
    return answered()


def _answers_the_committee(case: Case, access: CaseAccess) -> bool:
    """Is this the requester writing while the case waits on their answer?"""
    return (case.state == "needs_information" and "requester" in access.workflow_roles
            and not access.is_staff)


@bp.post("/requests/<reference>/action")
@login_required
def action(reference: str) -> ResponseReturnValue:
    """A workflow action (triage, answer, withdraw, start support, close, reopen…)."""

    def change(case: Case, access: CaseAccess) -> str:
        name = _form("action")
        summary = request.form.get("public_summary")  # asked at triage and when closing
        if name == "answer":
            return _answer_the_committee(case, access, _form("message"))
        if name == "close_duplicate":
            service.close_as_duplicate(get_session(), case, g.user, access, _form("duplicate_of"),
                                       _form("message"), _form("version"), summary)
        else:
            service.take_action(get_session(), case, g.user, access, name, _form("version"),
                                message=_form("message") or None, public_summary=summary)
        # Translators: a confirmation after a workflow action; %(state)s is the name of the
        # request's new stage, e.g. 'In support'.
        return _("Done: the request is now “%(state)s”.", state=state_label(case.state))

    return _apply(reference, change)


@bp.post("/requests/<reference>/decision")
@login_required
def decision(reference: str) -> ResponseReturnValue:
    """A committee decision (initial feedback or final go), taken from the members' votes."""

    def change(case: Case, access: CaseAccess) -> str:
        groups = [i for i in map(as_id, request.form.getlist("groups")) if i]
        service.decide_on_votes(
            get_session(), case, g.user, access, expected_version=_form("version"),
            stage=votes.open_stage(case) or "", outcome=_form("outcome"),
            rationale=_form("rationale"), public_rationale=_form("public_rationale"),
            dissent_reason=_form("dissent_reason"), group_ids=groups,
            question=_form("question"))
        # Translators: a confirmation after a committee decision; %(state)s is the name of the
        # request's new stage.
        return _("The decision was recorded; the request is now “%(state)s”.",
                 state=state_label(case.state))

    return _apply(reference, change)


def _scores() -> dict[int, tuple[int | None, str]]:
    """The vote form's scores: `score-<criterion id>` (1–5 or empty) and `note-<id>`."""
    found: dict[int, tuple[int | None, str]] = {}
    for key in request.form:
        kind, _dash, number = key.partition("-")
        criterion_id = as_id(number) if kind in ("score", "note") else None
        if criterion_id and criterion_id not in found:
            raw = _form(f"score-{criterion_id}").strip()
            score = int(raw) if re.fullmatch(r"[0-9]{1,3}", raw) else (0 if raw else None)
            found[criterion_id] = (score, _form(f"note-{criterion_id}"))
    return found


@bp.post("/requests/<reference>/review")  # the older form's address
@bp.post("/requests/<reference>/vote")
@login_required
def vote(reference: str) -> ResponseReturnValue:
    """A committee member's own vote on the current stage (always the signed-in member's:
    the form names no member)."""

    def change(case: Case, access: CaseAccess) -> str:
        stage = _form("stage") or votes.open_stage(case) or ""
        outcome = _form("vote_outcome") or _form("recommendation")
        votes.cast_vote(get_session(), case, g.user, stage, outcome,
                        _form("vote_comment") or _form("comment"), _scores())
        # Translators: a confirmation for a committee member's vote on a request.
        return _("Your vote was saved.")

    return _apply(reference, change)


@bp.post("/requests/<reference>/conflict")
@login_required
def conflict(reference: str) -> ResponseReturnValue:
    """Declare a conflict of interest."""

    def change(case: Case, access: CaseAccess) -> str:
        service.declare_conflict(get_session(), case, g.user, _form("reason"))
        # Translators: a confirmation; after declaring a conflict of interest a committee member is
        # recused from the request.
        return _("Your conflict of interest was recorded. You no longer see this request's "
                 "reviews and do not take part in its decisions.")

    return _apply(reference, change)


@bp.post("/requests/<reference>/priority")
@login_required
def priority(reference: str) -> ResponseReturnValue:
    """The committee sets the priority."""

    def change(case: Case, access: CaseAccess) -> str:
        service.set_priority(get_session(), case, g.user, access, _form("priority"),
                             _form("version"))
        # Translators: a confirmation; the priority of a request is set by the Expert Committee.
        return _("The priority was changed.")

    return _apply(reference, change)


@bp.post("/requests/<reference>/assign")
@login_required
def assign(reference: str) -> ResponseReturnValue:
    """The helpdesk assigns the case."""

    def change(case: Case, access: CaseAccess) -> str:
        name = _form("assignee").strip()
        assignee: User | None = None
        if name:
            assignee = find_user(get_session(), name)
            if assignee is None:
                # Translators: an error when assigning a case; %(name)s is the username that was
                # typed.
                raise WorkflowError(_("There is no user called “%(name)s”.", name=name[:80]))
        service.assign(get_session(), case, g.user, access, assignee, _form("version"))
        # Translators: a confirmation; the assignee is the helpdesk staff member a request is
        # assigned to.
        return _("The assignee was changed.")

    return _apply(reference, change)


@bp.post("/requests/<reference>/summary")
@login_required
def summary(reference: str) -> ResponseReturnValue:
    """Staff write the public summary."""

    def change(case: Case, access: CaseAccess) -> str:
        service.set_public_summary(get_session(), case, g.user, access, _form("public_summary"),
                                   _form("version"))
        # Translators: a confirmation; the public summary is what the public sees about a request.
        return _("The public summary was saved.")

    return _apply(reference, change)


@bp.post("/requests/<reference>/checklist")
@login_required
def checklist(reference: str) -> ResponseReturnValue:
    """Tick or untick a step of the support checklist. The page's script asks for JSON
    (static/js/checklist.js) and gets the checklist back instead of the whole page."""

    def change(case: Case, access: CaseAccess) -> str:
        service.tick_checklist(get_session(), case, g.user, access, _form("key"),
                               _form("done") == "1", _form("link"), _form("version"))
        # Translators: a confirmation; the support checklist of a request.
        return _("The checklist was updated.")

    if request.accept_mimetypes.best == "application/json":
        return _apply_in_place(reference, change)
    return _apply(reference, change)


def _apply_in_place(reference: str, change: Change) -> ResponseReturnValue:
    """`_apply` for a script that updates the page itself: JSON with the case's new
    version (for the page's other forms) and the new checklist section, or the refusal
    (the script then sends the form as a page would, to show it with the page)."""
    case, access = load_case(reference)
    try:
        done = change(case, access)
        commit_work()
    except WorkflowError as exc:
        discard_work()
        return jsonify({"error": exc.message}), exc.status
    context = page_context(case, access)
    return jsonify({"message": done, "version": case.version,
                    "loaded_at": context["loaded_at"],
                    "html": render_template("cases/_checklist.html", **context)})


@bp.post("/requests/<reference>/message")
@login_required
def message(reference: str) -> ResponseReturnValue:
    """A message on the case (internal notes for staff only)."""

    def change(case: Case, access: CaseAccess) -> str:
        if _answers_the_committee(case, access):
            # The page gives the requester one box while the committee waits on them; a
            # message sent otherwise (from an older page) is that answer, and moves the case.
            return _answer_the_committee(case, access, _form("body"))
        internal = _form("visibility") == "internal"
        uploads = attachments.read_uploads(request.files.getlist("attachments"))
        posted = service.post_message(get_session(), case, g.user, access, _form("body"),
                                      internal)
        attachments.attach(get_session(), case, g.user, uploads, posted)
        # Translators: a confirmation; an internal note is a message only the helpdesk and the
        # committee see.
        return _("Your internal note was added.") if internal else _("Your message was sent.")

    return _apply(reference, change)


@bp.post("/requests/<reference>/link")
@login_required
def link(reference: str) -> ResponseReturnValue:
    """Link a related case."""

    def change(case: Case, access: CaseAccess) -> str:
        other = service.link_cases(get_session(), case, g.user, access, _form("related"))
        # Translators: a confirmation; %(reference)s is the reference of the related request, like
        # CPH-2026-0042.
        return _("Linked with %(reference)s.", reference=other.reference)

    return _apply(reference, change)


@bp.post("/requests/<reference>/referrals/<int:referral_id>/answer")
@login_required
def answer_referral(reference: str, referral_id: int) -> ResponseReturnValue:
    """A working-group member answers the group's referral."""

    def change(case: Case, access: CaseAccess) -> str:
        referral = referral_on(get_session(), case, referral_id)
        if referral is None:
            # Translators: an error; a referral is the committee's question to a working group.
            raise WorkflowError(_("There is no such referral on this request."), status=404)
        service.answer_referral(get_session(), referral, g.user, _form("answer"))
        # Translators: a confirmation after a working group answered the committee's question (a
        # referral).
        return _("Your group's answer was recorded.")

    return _apply(reference, change)
