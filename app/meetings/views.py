"""Routes of the committee's meetings: the internal pages (committee, helpdesk, admins),
the chair's run of the agenda, the calendar feed, and the public minutes."""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.auth.roles import current_roles, role_required, roles_of
from app.cases.errors import WorkflowError
from app.cases.models import Case
from app.cases.transitions import ACTIONS, from_state
from app.core.db import as_id, commit_work, discard_work, get_session
from app.core.models import utcnow
from app.meetings import queries, service
from app.meetings.calendar import build_calendar
from app.meetings.forms import (
    AddCaseForm,
    AddTopicForm,
    CalendarForm,
    DecisionForm,
    MeetingForm,
    MinuteForm,
    VoteAloudForm,
)
from app.meetings.labels import criterion_label, outcome_label
from app.meetings.models import Meeting
from app.notifications.service import site_url

bp = Blueprint("meetings", __name__)


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {"outcome_label": outcome_label, "criterion_label": criterion_label}

READERS = ("committee", "helpdesk", "admin")
ORGANISERS = ("committee", "admin")


def _meeting_or_404(meeting_id: int) -> Meeting:
    meeting = queries.meeting_by_id(get_session(), meeting_id)
    if meeting is None:
        abort(404)
    return meeting


def _member_choices() -> list[tuple[str, str]]:
    return [(str(user.id), user.username) for user in queries.committee_members(get_session())]


# -- the list, the calendar address ---------------------------------------------------

@bp.get("/committee/meetings")
@role_required(*READERS)
def index() -> ResponseReturnValue:
    """Every meeting, the latest first; a member's calendar address."""
    db = get_session()
    is_member = "committee" in current_roles()
    settings = queries.member_settings(db, g.user) if is_member else None
    token = settings.calendar_token if settings else None
    return render_template(
        "meetings/index.html", meetings=queries.all_meetings(db), now=utcnow(),
        is_member=is_member, may_organise=bool(current_roles() & set(ORGANISERS)),
        calendar_url=url_for("meetings.calendar", token=token, _external=True) if token
        else None, calendar_form=CalendarForm())


@bp.post("/committee/meetings/calendar")
@role_required("committee")
def new_calendar_address() -> ResponseReturnValue:
    """Make the member's calendar address (a new one replaces the old)."""
    form = CalendarForm()
    if not form.validate():
        abort(400)
    service.calendar_token(get_session(), g.user, renew=True)
    commit_work()
    # Translators: a confirmation on the meetings page.
    flash(_("Your calendar address is ready. Any address you had before no longer works."),
          "success")
    return redirect(url_for("meetings.index", _anchor="calendar"), 303)


@bp.get("/committee/meetings.ics")
def calendar() -> ResponseReturnValue:
    """Every meeting as iCalendar, for the member whose secret token is in the address
    (calendar apps cannot sign in). A wrong token, or a former member's, gets 404."""
    db = get_session()
    member = queries.member_by_calendar_token(db, request.args.get("token", ""))
    if member is None or "committee" not in roles_of(member):
        abort(404)
    meetings = queries.all_meetings(db)
    now = utcnow()
    waiting = queries.committee_cases(db) if any(m.starts_at > now for m in meetings) else []
    body = build_calendar(meetings, queries.calendar_cases(db, meetings), waiting,
                          site_url(), now)
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# -- creating and editing -------------------------------------------------------------

def _fields(form: MeetingForm) -> service.MeetingFields:
    return service.MeetingFields(
        title=form.title.data or "", starts_at=form.starts_at.data or utcnow(),
        duration_minutes=int(form.duration_minutes.data or 90),
        location=form.location.data or "",
        chair_id=as_id(form.chair.data),
        attendee_ids=[found for value in form.attendees.data or []
                      if (found := as_id(value)) is not None])


def _form_page(form: MeetingForm, meeting: Meeting | None, status: int = 200,
               error: str | None = None) -> ResponseReturnValue:
    return render_template("meetings/edit.html", form=form, meeting=meeting,
                           error=error), status


def _save(form: MeetingForm, meeting: Meeting | None) -> ResponseReturnValue:
    form.set_members(_member_choices())
    valid = form.validate()
    if form.chair.data and as_id(form.chair.data) is None:
        # Translators: a form error on a committee meeting.
        form.chair.errors = [_("The chair is a member of the Expert Committee.")]
        valid = False
    if not valid:
        return _form_page(form, meeting, 400)
    db = get_session()
    try:
        if meeting is None:
            meeting = service.create_meeting(db, g.user, _fields(form))
        else:
            service.edit_meeting(db, meeting, g.user, _fields(form))
    except WorkflowError as exc:
        discard_work()
        if exc.field and exc.field in form:
            form[exc.field].errors = [exc.message]
        return _form_page(form, meeting, exc.status, exc.message)
    commit_work()
    # Translators: a confirmation.
    flash(_("The meeting was saved."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id), 303)


@bp.route("/committee/meetings/new", methods=["GET", "POST"])
@role_required(*ORGANISERS)
def new() -> ResponseReturnValue:
    """A committee member or an admin plans a meeting."""
    form = MeetingForm()
    if form.is_submitted():
        return _save(form, None)
    form.set_members(_member_choices())
    form.attendees.data = [value for value, _label in form.attendees.choices]
    return _form_page(form, None)


@bp.route("/committee/meetings/<int:meeting_id>/edit", methods=["GET", "POST"])
@role_required(*ORGANISERS)
def edit(meeting_id: int) -> ResponseReturnValue:
    """Change a meeting's time, title, place, chair or attendees."""
    meeting = _meeting_or_404(meeting_id)
    form = MeetingForm()
    if form.is_submitted():
        return _save(form, meeting)
    form.set_members(_member_choices())
    form.title.data, form.starts_at.data = meeting.title, meeting.starts_at
    form.duration_minutes.data, form.location.data = meeting.duration_minutes, meeting.location
    form.chair.data = str(meeting.chair_id or "")
    form.attendees.data = [str(u.id) for u in queries.attendees(get_session(), meeting)]
    return _form_page(form, meeting)


# -- the meeting page: agenda and minutes ---------------------------------------------

def _show(meeting: Meeting, status: int = 200, error: str | None = None,
          **forms: Any) -> ResponseReturnValue:
    db = get_session()
    roles = current_roles()
    entries = queries.agenda(db, meeting, with_live=not queries.is_held(meeting))
    recused = queries.recused_case_ids(db, g.user) if "committee" in roles else set()
    # Others' votes show to a member once they have voted (COMMITTEE_VOTES_VISIBLE), as
    # on the case page.
    always = current_app.config.get("COMMITTEE_VOTES_VISIBLE") == "always"
    hidden = {entry.case.id for entry in entries if entry.case is not None and not always
              and (entry.tally is None or g.user.id not in entry.tally.voter_ids)}
    return render_template(
        "meetings/show.html", meeting=meeting, entries=entries,
        attendees=queries.attendees(db, meeting), recused=recused, votes_hidden=hidden,
        sees_votes="committee" in roles, may_add="committee" in roles,
        may_organise=bool(roles & set(ORGANISERS)),
        may_run=service.may_run(meeting, g.user), error=error,
        case_form=forms.get("case_form") or AddCaseForm(),
        topic_form=forms.get("topic_form") or AddTopicForm()), status


@bp.get("/committee/meetings/<int:meeting_id>")
@role_required(*READERS)
def show(meeting_id: int) -> ResponseReturnValue:
    """The meeting: time, attendees, the agenda (votes so far for members without a
    conflict) and the internal minutes."""
    return _show(_meeting_or_404(meeting_id))


@bp.post("/committee/meetings/<int:meeting_id>/cases")
@role_required("committee")
def add_case(meeting_id: int) -> ResponseReturnValue:
    """A member puts a case on the agenda."""
    meeting = _meeting_or_404(meeting_id)
    form = AddCaseForm()
    if not form.validate():
        return _show(meeting, 400, case_form=form)
    try:
        service.add_case(get_session(), meeting, g.user, form.reference.data or "")
    except WorkflowError as exc:
        discard_work()
        form.reference.errors = [exc.message]
        return _show(meeting, exc.status, case_form=form)
    commit_work()
    # Translators: a confirmation on a committee meeting's page.
    flash(_("The request was added to the agenda."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id, _anchor="agenda"), 303)


@bp.post("/committee/meetings/<int:meeting_id>/topics")
@role_required("committee")
def add_topic(meeting_id: int) -> ResponseReturnValue:
    """A member puts a free topic on the agenda."""
    meeting = _meeting_or_404(meeting_id)
    form = AddTopicForm()
    if not form.validate():
        return _show(meeting, 400, topic_form=form)
    service.add_topic(get_session(), meeting, g.user, form.topic.data or "")
    commit_work()
    # Translators: a confirmation on a committee meeting's page.
    flash(_("The topic was added to the agenda."), "success")
    return redirect(url_for("meetings.show", meeting_id=meeting.id, _anchor="agenda"), 303)


# -- the chair's page -------------------------------------------------------------------

def _outcomes(case: Case) -> list[tuple[str, str]]:
    # Referrals name working groups and a question: the case page records those.
    return [(t.action, str(ACTIONS[t.action])) for t in from_state(case.state)
            if t.decision_stage and t.action != "refer"]


def _run(meeting: Meeting, status: int = 200, error: str | None = None,
         failed: dict[int, dict[str, Any]] | None = None) -> ResponseReturnValue:
    db = get_session()
    entries = queries.agenda(db, meeting)
    attendees = queries.attendees(db, meeting)
    members = [(str(user.id), user.username) for user in attendees]
    forms: dict[int, dict[str, Any]] = {}
    for entry in entries:
        key = entry.case.id if entry.case else -(entry.item.id if entry.item else 0)
        prefix = f"c{key}"
        made = {"minute": MinuteForm(prefix=prefix + "m", formdata=None,
                                     data={"notes": entry.item.notes if entry.item else ""})}
        if entry.case is not None and entry.case.state in queries.COMMITTEE_STATES:
            decision, vote = (DecisionForm(prefix=prefix + "d", formdata=None),
                              VoteAloudForm(prefix=prefix + "v", formdata=None))
            decision.outcome.choices = vote.outcome.choices = _outcomes(entry.case)
            # Translators: the first choice of a member in a list.
            vote.member.choices = [("", _("Choose…")), *members]
            made.update(decision=decision, vote=vote)
        kept = (failed or {}).get(key, {})
        forms[key] = {**made, **{name: form for name, form in kept.items() if name in made}}
    return render_template("meetings/run.html", meeting=meeting, entries=entries,
                           attendees=attendees, forms=forms, error=error,
                           notes_form=MinuteForm(prefix="meeting", formdata=None,
                                                 data={"notes": meeting.notes})), status


def _runnable(meeting_id: int) -> Meeting:
    meeting = _meeting_or_404(meeting_id)
    if not service.may_run(meeting, g.user):
        abort(403)
    return meeting


@bp.get("/committee/meetings/<int:meeting_id>/run")
@role_required("committee")
def run(meeting_id: int) -> ResponseReturnValue:
    """The chair walks the agenda: minutes, votes given aloud, decisions."""
    return _run(_runnable(meeting_id))


def _case_or_404(reference: str) -> Case:
    case = queries.case_by_reference(get_session(), reference)
    if case is None:
        abort(404)
    return case


def _done(meeting: Meeting, anchor: str, message: str) -> ResponseReturnValue:
    commit_work()
    flash(message, "success")
    return redirect(url_for("meetings.run", meeting_id=meeting.id, _anchor=anchor), 303)


@bp.post("/committee/meetings/<int:meeting_id>/run/notes")
@role_required("committee")
def save_notes(meeting_id: int) -> ResponseReturnValue:
    """The meeting's general internal minutes."""
    meeting = _runnable(meeting_id)
    form = MinuteForm(prefix="meeting")
    if not form.validate():
        return _run(meeting, 400, error=" ".join(form.notes.errors))
    service.save_notes(get_session(), meeting, g.user, form.notes.data or "")
    # Translators: a confirmation.
    return _done(meeting, "notes", _("The minutes were saved."))


@bp.post("/committee/meetings/<int:meeting_id>/run/<reference>/minute")
@role_required("committee")
def case_minute(meeting_id: int, reference: str) -> ResponseReturnValue:
    """The internal minute of a case."""
    meeting = _runnable(meeting_id)
    case = _case_or_404(reference)
    form = MinuteForm(prefix=f"c{case.id}m")
    if not form.validate():
        return _run(meeting, 400, failed={case.id: {"minute": form}})
    service.save_case_minute(get_session(), meeting, g.user, case, form.notes.data or "")
    return _done(meeting, f"case-{case.reference}", _("The minutes were saved."))


@bp.post("/committee/meetings/<int:meeting_id>/run/topics/<int:item_id>/minute")
@role_required("committee")
def topic_minute(meeting_id: int, item_id: int) -> ResponseReturnValue:
    """The internal minute of a free topic."""
    meeting = _runnable(meeting_id)
    item = next((i for i in queries.items(get_session(), meeting)
                 if i.id == item_id and i.case_id is None), None)
    if item is None:
        abort(404)
    form = MinuteForm(prefix=f"c{-item.id}m")
    if not form.validate():
        return _run(meeting, 400, failed={-item.id: {"minute": form}})
    service.save_topic_minute(get_session(), meeting, g.user, item, form.notes.data or "")
    return _done(meeting, f"topic-{item.id}", _("The minutes were saved."))


@bp.post("/committee/meetings/<int:meeting_id>/run/<reference>/vote")
@role_required("committee")
def vote_aloud(meeting_id: int, reference: str) -> ResponseReturnValue:
    """The chair records a vote a member gave aloud."""
    meeting = _runnable(meeting_id)
    case = _case_or_404(reference)
    form = VoteAloudForm(prefix=f"c{case.id}v")
    form.outcome.choices = _outcomes(case)
    if not form.validate():
        return _run(meeting, 400, failed={case.id: {"vote": form}})
    member = queries.user_by_id(get_session(), form.member.data or "")
    if member is None:
        form.member.errors = [_("Choose the member.")]
        return _run(meeting, 400, failed={case.id: {"vote": form}})
    try:
        service.record_vote_aloud(get_session(), meeting, g.user, case, member,
                                  form.outcome.data or "", form.comment.data or "")
    except WorkflowError as exc:
        discard_work()
        form.outcome.errors = [exc.message]
        return _run(meeting, exc.status, error=exc.message, failed={case.id: {"vote": form}})
    # Translators: a confirmation; %(user)s is a committee member's username.
    return _done(meeting, f"case-{case.reference}",
                 _("The vote of %(user)s was recorded.", user=member.username))


@bp.post("/committee/meetings/<int:meeting_id>/run/<reference>/decision")
@role_required("committee")
def decide(meeting_id: int, reference: str) -> ResponseReturnValue:
    """The chair records the committee's decision (quorum counted on the attendees)."""
    meeting = _runnable(meeting_id)
    case = _case_or_404(reference)
    form = DecisionForm(prefix=f"c{case.id}d")
    form.outcome.choices = _outcomes(case)
    if not form.validate():
        return _run(meeting, 400, failed={case.id: {"decision": form}})
    try:
        service.record_decision(get_session(), meeting, g.user, case,
                                outcome=form.outcome.data or "",
                                rationale=form.rationale.data or "",
                                public_rationale=form.public_rationale.data or "",
                                dissent_reason=form.dissent_reason.data or "")
    except WorkflowError as exc:
        discard_work()
        fields = {"rationale": form.rationale, "public_rationale": form.public_rationale,
                  "dissent_reason": form.dissent_reason}
        fields.get(exc.field, form.outcome).errors = [exc.message]
        return _run(meeting, exc.status, error=exc.message, failed={case.id: {"decision": form}})
    # Translators: a confirmation; %(ref)s is a case reference.
    return _done(meeting, f"case-{case.reference}",
                 _("The decision on %(ref)s was recorded.", ref=case.reference))


# -- public -----------------------------------------------------------------------------

@bp.get("/meetings")
def public_index() -> ResponseReturnValue:
    """The committee's meetings, for everyone."""
    return render_template("meetings/public_index.html",
                           meetings=queries.all_meetings(get_session()), now=utcnow())


@bp.get("/meetings/<int:meeting_id>")
def public_show(meeting_id: int) -> ResponseReturnValue:
    """A meeting's public minutes: the public rationales of the decisions taken there on
    cases of the public projection."""
    db = get_session()
    meeting = _meeting_or_404(meeting_id)
    return render_template("meetings/public_show.html", meeting=meeting,
                           minutes=queries.public_meeting(db, meeting, request.url_root))
