"""Every change to a case goes through here: checked, applied, audited, notified.

Each function changes the session only; the caller commits once, so the change,
its audit events and its outbox rows land together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from flask import current_app
from flask_babel import gettext as _
from flask_babel import pgettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.roles import roles_of, users_with_role
from app.cases import transitions
from app.cases.access import CaseAccess
from app.cases.checklists import template_for
from app.cases.errors import NotAllowed, StaleVersion, WorkflowError, WrongState
from app.cases.labels import PRIORITIES, state_label
from app.cases.models import CannedReply, Case, CaseLink, CaseMessage, ChecklistItem
from app.cases.queries import find_case
from app.cases.transitions import CLOSED_STATES, OPEN_STATES, SYSTEM, Transition
from app.committee import votes
from app.committee.models import ConflictOfInterest, Decision
from app.core import audit
from app.core.formats import format_number
from app.core.models import utcnow
from app.groups.models import Membership, Referral, WorkingGroup
from app.notifications import service as notify

MAX_TEXT = 20_000


def check_version(case: Case, expected: int | str | None) -> None:
    """Refuse a save from a form loaded at another version of the case."""
    try:
        expected_int = int(expected) if expected not in (None, "") else None
    except (TypeError, ValueError):
        expected_int = None
    if expected_int is None:
        # Translators: an error when a form lacks the version of the case it was loaded at.
        raise WorkflowError(_("The form did not say which version of the case it was loaded "
                              "at. Reload the page and try again."))
    if expected_int != case.version:
        # Translators: an edit conflict; %(state)s is the name of the case's current stage, %(when)s
        # a date and time like 2026-03-05 14:07 (UTC).
        raise StaleVersion(_(
            "This case was changed by someone else after you opened it (it is now “%(state)s”, "
            "last changed %(when)s UTC). Your change was not saved. Reload the page to see "
            "what changed, then try again.",
            state=state_label(case.state), when=case.updated_at.strftime("%Y-%m-%d %H:%M"),
        ))


def _text(value: str | None, field: str, required: bool = False, limit: int = MAX_TEXT,
          name: str = "") -> str:
    """The text of a form field (`field` is its label, `name` its name in the form)."""
    text = (value or "").replace("\x00", "").strip()
    if required and not text:
        # Translators: a form error; %(field)s is the name of a field, e.g. 'Message' or 'Reason'.
        raise WorkflowError(_("Please fill in: %(field)s.", field=field), field=name)
    if len(text) > limit:
        # Translators: a form error; %(field)s is the name of a field, %(limit)s a number.
        raise WorkflowError(_("%(field)s is too long (at most %(limit)s characters).",
                              field=field, limit=format_number(limit)), field=name)
    return text


def _touch(case: Case) -> None:
    case.updated_at = utcnow()


# -- creating -----------------------------------------------------------------

def next_reference(db: Session, year: int) -> tuple[int, str]:
    """The next free number of the year and its reference, e.g. CPH-2026-0042."""
    highest = db.scalar(select(func.max(Case.number)).where(Case.year == year)) or 0
    number = int(highest) + 1
    return number, f"CPH-{year}-{number:04d}"


def create_case(db: Session, actor: User | None, fields: dict[str, Any]) -> Case:
    """File a new case (state `submitted`) with its checklist; audited and notified."""
    now = utcnow()
    number, reference = next_reference(db, now.year)
    case = Case(reference=reference, year=now.year, number=number, state="submitted",
                created_at=now, updated_at=now, state_changed_at=now, stage_started_at=now,
                paused_seconds=0, **fields)
    db.add(case)
    db.flush()
    for position, key in enumerate(template_for(case.request_type)):
        db.add(ChecklistItem(case_id=case.id, key=key, position=position))
    audit.record(db, actor, "case.create", "case", case.id, before=None,
                 after={"reference": reference, "state": "submitted", "channel": case.channel})
    notify.case_created(db, case)
    return case


# -- moving through the workflow ----------------------------------------------

def _transition_for(case: Case, action: str) -> Transition:
    if not transitions.is_known_action(action):
        # Translators: an error: the workflow action sent is not known.
        raise WorkflowError(_("Unknown action."))
    found = transitions.find(case.state, action)
    if found is None:
        # Translators: an error; %(action)s is a workflow action (e.g. 'Start support'), %(state)s
        # the case's stage (e.g. 'Submitted').
        raise WrongState(_(
            "“%(action)s” is not possible while the case is “%(state)s”.",
            action=str(transitions.ACTIONS[action]), state=state_label(case.state),
        ))
    return found


def _enter_state(case: Case, next_state: str, now: datetime) -> None:
    previous = case.state
    if previous == "needs_information" and next_state == "in_initial_review":
        # The requester answered: the review stage resumes, its clock was paused.
        case.paused_seconds = (case.paused_seconds or 0) + int(
            (now - case.state_changed_at).total_seconds()
        )
    elif next_state != "needs_information":
        case.stage_started_at = now
        case.paused_seconds = 0
    case.state = next_state
    case.is_open = next_state not in CLOSED_STATES  # (the model's state event does too)
    case.state_changed_at = now
    case.reminded_at = None
    case.closed_at = now if next_state in CLOSED_STATES else None
    if case.accepted_at is None and next_state in OPEN_STATES - {"submitted"}:
        case.accepted_at = now  # the helpdesk let it into the workflow


def move(
    db: Session,
    case: Case,
    actor: User | None,
    roles: set[str],
    action: str,
    *,
    message: str | None = None,
    outcome: str | None = None,
    decision: Decision | None = None,
) -> Transition:
    """Apply a transition from the table, or refuse it with a clear reason."""
    transition = _transition_for(case, action)
    if not transition.roles & roles:
        # Translators: an error; %(action)s is the name of a workflow action (a button label), e.g.
        # 'Give the final go'.
        raise NotAllowed(_("You may not do this on this case: %(action)s.",
                           action=str(transitions.ACTIONS[action])))
    if transition.decision_stage and decision is None:
        # Translators: an error: the action must be taken as a recorded decision of the Expert
        # Committee.
        raise WorkflowError(_("This needs a committee decision."))
    body = _text(message, _("Message"), required=transition.needs_message)
    now = utcnow()
    previous = case.state
    before = {"state": case.state, "outcome": case.outcome}
    _enter_state(case, transition.next_state, now)
    if transition.next_state in CLOSED_STATES:
        case.outcome = outcome or transition.action
    elif action == "reopen":
        case.outcome = None
    _touch(case)
    audit.record(db, actor, f"case.{action}", "case", case.id, before=before,
                 after={"state": case.state, "outcome": case.outcome})
    if body:
        db.add(CaseMessage(case_id=case.id, author_id=actor.id if actor else None,
                           internal=False, body=body, created_at=now))
    notify.state_changed(db, case, previous, body)
    return transition


def take_action(db: Session, case: Case, actor: User, access: CaseAccess, action: str,
                expected_version: Any, message: str | None = None,
                public_summary: str | None = None) -> Transition:
    """A person's workflow action (not a committee decision), version-checked. The
    helpdesk may write the public summary with it (at triage and when closing): None
    leaves the summary as it is."""
    check_version(case, expected_version)
    transition = _transition_for(case, action)
    if transition.decision_stage:
        # Translators: an error.
        raise WorkflowError(_("This is decided by the committee with a recorded decision."))
    if SYSTEM in transition.roles and not transition.roles - {SYSTEM}:
        # Translators: an error: the action is taken by the system, not by people.
        raise NotAllowed(_("This happens automatically."))
    if public_summary is not None:
        _write_public_summary(db, case, actor, access, public_summary)
    return move(db, case, actor, access.workflow_roles, action, message=message)


# -- committee ----------------------------------------------------------------

def committee_members(db: Session) -> list[User]:
    """Everyone with the committee role."""
    return users_with_role(db, "committee")


def recused_ids(db: Session, case: Case) -> set[int]:
    """Members who declared a conflict of interest on the case."""
    return votes.recused_ids(db, case)


def declare_conflict(db: Session, case: Case, member: User, reason: str) -> None:
    """A committee member recuses from the case; audited."""
    if "committee" not in roles_of(member):
        # Translators: an error.
        raise NotAllowed(_("Only Expert Committee members declare conflicts of interest."))
    if member.id in recused_ids(db, case):
        # Translators: an error.
        raise WrongState(_("You have already declared a conflict of interest on this case."))
    # Translators: a field name: the reason for declaring a conflict of interest (used in 'Please
    # fill in: %(field)s.').
    reason = _text(reason, _("Reason"), limit=2000)
    db.add(ConflictOfInterest(case_id=case.id, member_id=member.id, reason=reason))
    audit.record(db, member, "case.conflict_declared", "case", case.id,
                 after={"member": member.username})


def record_decision(
    db: Session,
    case: Case,
    actor: User,
    access: CaseAccess,
    *,
    expected_version: Any,
    outcome: str,
    rationale: str,
    public_rationale: str,
    participant_ids: Iterable[int],
    group_ids: Sequence[int] = (),
    question: str = "",
) -> Decision:
    """A decision taken together, as at a meeting: the participants who have not voted
    yet are recorded as voting for `outcome` by `actor` (audited, each member may correct
    theirs), then `decide_on_votes` with them as the voters. Pages use `cast_vote` and
    `decide_on_votes`; this is for meetings' minutes, the demo data and tests."""
    if not access.can_decide:
        # Translators: an error: the member declared a conflict of interest on this case, or is not
        # on the committee.
        raise NotAllowed(_("Only Expert Committee members without a conflict of interest "
                           "take part in decisions on this case."))
    check_version(case, expected_version)
    stage = votes.open_stage(case)
    recused = recused_ids(db, case)
    eligible = votes.eligible_ids(db, case, recused)
    participants = set(participant_ids) | {actor.id}
    if participants & recused:
        # Translators: an error.
        raise WorkflowError(_("Members with a conflict of interest cannot take part."),
                            field="participants")
    if participants - eligible:
        # Translators: an error.
        raise WorkflowError(_("Only Expert Committee members can take part in a decision."),
                            field="participants")
    if stage is not None and outcome in votes.stage_outcomes(stage):
        given = votes.stage_votes(db, case, stage)
        voted = {vote.member_id for vote in given
                 if vote.recommendation in votes.stage_outcomes(stage)}
        comments = {vote.member_id: vote.comment for vote in given}  # an old review's words stay
        for member in db.scalars(select(User).where(User.id.in_(sorted(participants - voted)))):
            votes.cast_vote(db, case, member, stage, outcome, comments.get(member.id, ""), {},
                            recorded_by=None if member.id == actor.id else actor)
    return decide_on_votes(db, case, actor, access, stage=stage or "", outcome=outcome,
                           rationale=rationale, public_rationale=public_rationale,
                           voters=participants, group_ids=group_ids, question=question,
                           dissent_reason="", expected_version=case.version)


def decide_on_votes(
    db: Session,
    case: Case,
    actor: User,
    access: CaseAccess | None,
    *,
    stage: str,
    outcome: str,
    rationale: str,
    public_rationale: str,
    voters: Iterable[int] | None = None,
    group_ids: Sequence[int] = (),
    question: str = "",
    dissent_reason: str = "",
    expected_version: Any = None,
) -> Decision:
    """Record the committee's decision from its members' votes and apply its transition.

    Refused without a quorum of votes from members without a conflict of interest
    (`votes.quorum_for`: lower when conflicts left fewer members, never below the
    minimum); an outcome other than the majority's needs `dissent_reason`. `voters`
    limits the votes counted to those members (each must have voted); None counts
    every current vote. The decision keeps who voted what; the votes are closed.
    """
    recused = recused_ids(db, case)
    if not votes.may_vote(actor, case, recused) or (access is not None and not access.can_decide):
        # Translators: an error: the member declared a conflict of interest on this case, or is not
        # on the committee.
        raise NotAllowed(_("Only Expert Committee members without a conflict of interest "
                           "take part in decisions on this case."))
    if expected_version is not None:
        check_version(case, expected_version)
    if not outcome:
        # Translators: a form error: no outcome was chosen for a committee decision.
        raise WorkflowError(_("Choose the decision."), field="outcome")
    transition = _transition_for(case, outcome)
    if not transition.decision_stage or transition.decision_stage != stage:
        # Translators: an error.
        raise WorkflowError(_("This is not a committee decision."), field="outcome")
    eligible = votes.eligible_ids(db, case, recused)
    quorum = votes.quorum_for(len(eligible))
    if quorum is None:
        # Translators: an error; %(count)s members may vote after conflicts of interest, %(minimum)s
        # is the smallest quorum allowed.
        raise WrongState(_(
            "Only %(count)s committee members without a conflict of interest may vote on this "
            "request, fewer than the %(minimum)s a decision needs at least. An administrator "
            "can add a substitute reviewer.", count=len(eligible),
            minimum=current_app.config.get("COMMITTEE_MIN_QUORUM", 2)))
    counted = [vote for vote in votes.stage_votes(db, case, stage)
               if vote.member_id in eligible
               and vote.recommendation in votes.stage_outcomes(stage)]
    if voters is not None:
        wanted = set(voters)
        missing = wanted - {vote.member_id for vote in counted}
        if missing:
            # Translators: an error: every member named as voting must have cast a vote.
            raise WorkflowError(_("Some of the members named have not voted on this stage."),
                                field="participants")
        counted = [vote for vote in counted if vote.member_id in wanted]
    if len(counted) < quorum:
        # Translators: an error (the quorum rule); %(quorum)s and %(count)s are numbers of people.
        raise WrongState(_(
            "A decision needs at least %(quorum)s votes from committee members without a "
            "conflict of interest; %(count)s have voted.", quorum=quorum, count=len(counted),
        ))
    majority = votes.tally(counted).majority
    # Translators: a form label: why the committee decides otherwise than most of its votes.
    dissent = _text(dissent_reason, _("Why not the majority's vote"), name="dissent_reason",
                    required=outcome not in majority)
    # Translators: a form label and column heading: why the committee decided so; seen only by the
    # committee and the helpdesk.
    rationale = _text(rationale, _("Rationale (internal)"), required=True, name="rationale")
    # Translators: a form label and column heading: the reason for a committee decision as the
    # requester and the public see it.
    public_text = _text(public_rationale, _("Public rationale"),
                        required=transition.needs_message, name="public_rationale")
    groups: list[WorkingGroup] = []
    if outcome == "refer":
        groups = list(db.scalars(select(WorkingGroup).where(
            WorkingGroup.id.in_(list(group_ids)), WorkingGroup.archived.is_(False))))
        if not groups:
            # Translators: a form error; referring means asking working groups for help.
            raise WorkflowError(_("Choose at least one working group to refer the case to."),
                                field="groups")
        # Translators: a form label: the committee's question in a referral.
        question = _text(question, _("Question for the working groups"), required=True,
                         name="question")
    decision = Decision(case_id=case.id, stage=transition.decision_stage, outcome=outcome,
                        rationale=rationale, public_rationale=public_text,
                        participant_ids=sorted(vote.member_id for vote in counted),
                        recused_ids=sorted(recused), recorded_by_id=actor.id,
                        votes=votes.snapshot(counted), quorum=quorum,
                        dissent_reason=dissent)
    db.add(decision)
    db.flush()
    for vote in counted:
        vote.decision_id = decision.id
    audit.record(db, actor, "decision.record", "case", case.id, after={
        "decision": decision.id, "stage": decision.stage, "outcome": outcome,
        "participants": decision.participant_ids, "recused": decision.recused_ids,
        "quorum": quorum, "dissent": bool(dissent)})  # who voted what: on the decision
    for group in groups:
        db.add(Referral(case_id=case.id, group_id=group.id, question=question,
                        referred_by_id=actor.id))
        audit.record(db, actor, "case.referral", "case", case.id, after={"group": group.slug})
    move(db, case, actor, {"committee"}, outcome, message=public_text or None,
         decision=decision)
    if groups:
        notify.referred(db, case, groups)
    return decision


# -- working groups -----------------------------------------------------------

def answer_referral(db: Session, referral: Referral, user: User, answer: str) -> None:
    """A member of the referred group answers; when all are answered the case moves on."""
    is_member = db.scalar(select(Membership.id).where(Membership.group_id == referral.group_id,
                                                      Membership.user_id == user.id))
    if not is_member:
        # Translators: an error; a referral is the committee's question to a working group.
        raise NotAllowed(_("Only members of the working group answer its referrals."))
    if referral.answered_at is not None:
        # Translators: an error; a referral is the committee's question to a working group.
        raise WrongState(_("This referral has already been answered."))
    case = db.get(Case, referral.case_id)
    if case is None or case.state != "with_working_groups":
        # Translators: an error.
        raise WrongState(_("The case is no longer waiting for working groups."))
    # Translators: a form label and field name: a working group's answer to the committee's question
    # (a noun).
    referral.answer = _text(answer, _("Answer"), required=True)
    referral.answered_by_id, referral.answered_at = user.id, utcnow()
    _touch(case)
    audit.record(db, user, "case.referral_answered", "case", case.id,
                 after={"referral": referral.id})
    db.flush()
    open_left = db.scalar(select(func.count(Referral.id)).where(
        Referral.case_id == case.id, Referral.answered_at.is_(None)))
    if not open_left:
        move(db, case, None, {SYSTEM}, "referrals_answered")


# -- messages, priority, assignment, checklist, links --------------------------

def post_message(db: Session, case: Case, author: User, access: CaseAccess, body: str,
                 internal: bool) -> CaseMessage:
    """A message on the case: internal ones only between staff."""
    if internal and not access.is_staff:
        # Translators: an error; an internal note is a message only staff see.
        raise NotAllowed(_("Only the helpdesk and the committee write internal notes."))
    if not access.is_staff and "requester" not in access.roles:
        # Translators: an error.
        raise NotAllowed(_("You cannot write messages on this case."))
    text = _text(body, _("Message"), required=True)
    message = CaseMessage(case_id=case.id, author_id=author.id, internal=internal, body=text)
    db.add(message)
    _touch(case)
    db.flush()
    audit.record(db, author, "case.message", "case", case.id,
                 after={"message": message.id, "internal": internal})
    if not internal:
        notify.new_message(db, case, author, text, message)
    else:
        notify.internal_note(db, case, author, text)  # staff who watch it only
    return message


def set_priority(db: Session, case: Case, actor: User, access: CaseAccess, priority: str,
                 expected_version: Any) -> None:
    """The committee sets the priority; audited."""
    if "committee" not in access.workflow_roles:
        # Translators: an error.
        raise NotAllowed(_("Only the Expert Committee sets the priority."))
    check_version(case, expected_version)
    if priority not in PRIORITIES:
        # Translators: a form error.
        raise WorkflowError(_("Choose a priority."))
    before = {"priority": case.priority}
    case.priority = priority
    _touch(case)
    audit.record(db, actor, "case.priority", "case", case.id, before=before,
                 after={"priority": priority})


def assign(db: Session, case: Case, actor: User, access: CaseAccess, assignee: User | None,
           expected_version: Any) -> None:
    """The helpdesk assigns the case to one of its staff (or nobody); audited."""
    if "helpdesk" not in access.roles:
        # Translators: an error.
        raise NotAllowed(_("Only the helpdesk assigns cases."))
    check_version(case, expected_version)
    if assignee is not None and "helpdesk" not in roles_of(assignee):
        # Translators: an error.
        raise WorkflowError(_("Cases are assigned to helpdesk staff only."))
    before = {"assignee": case.assignee.username if case.assignee else None}
    case.assignee_id = assignee.id if assignee else None
    _touch(case)
    audit.record(db, actor, "case.assign", "case", case.id, before=before,
                 after={"assignee": assignee.username if assignee else None})


def set_public_summary(db: Session, case: Case, actor: User, access: CaseAccess, summary: str,
                       expected_version: Any) -> None:
    """Staff write the summary the public sees; audited."""
    if not access.is_staff:
        # Translators: an error.
        raise NotAllowed(_("Only the helpdesk and the committee write the public summary."))
    check_version(case, expected_version)
    _write_public_summary(db, case, actor, access, summary, always=True)


def _write_public_summary(db: Session, case: Case, actor: User, access: CaseAccess,
                          summary: str, *, always: bool = False) -> None:
    """Change the public summary (audited); with a workflow action only when the text
    changed, so accepting the summary as it was records nothing."""
    if not access.is_staff:
        raise NotAllowed(_("Only the helpdesk and the committee write the public summary."))
    # Translators: a form label and field name: the text about a request the public sees.
    text = _text(summary, _("Public summary"), limit=2000)
    if not always and text == (case.public_summary or ""):
        return
    before = {"public_summary": case.public_summary}
    case.public_summary = text
    _touch(case)
    audit.record(db, actor, "case.public_summary", "case", case.id, before=before,
                 after={"public_summary": text})


def tick_checklist(db: Session, case: Case, actor: User, access: CaseAccess, key: str,
                   done: bool, link: str, expected_version: Any) -> None:
    """The helpdesk ticks (or unticks) a checklist step, with an optional link."""
    if "helpdesk" not in access.roles:
        # Translators: an error; the support checklist of a request.
        raise NotAllowed(_("Only the helpdesk works through the checklist."))
    check_version(case, expected_version)
    if case.state not in ("approved", "in_support"):
        # Translators: an error: the checklist can be ticked only in the support stages.
        raise WrongState(_("The checklist is worked through during support."))
    item = db.scalars(select(ChecklistItem).where(ChecklistItem.case_id == case.id,
                                                  ChecklistItem.key == key)).first()
    if item is None:
        # Translators: an error.
        raise WorkflowError(_("There is no such checklist step."))
    # Translators: a field name (a noun): a web address recorded with a checklist step; shown in
    # errors like 'Please fill in: Link.'.
    link = _text(link, pgettext("field", "Link"), limit=500)
    if link and not link.startswith(("https://", "http://")):
        # Translators: a form error; keep https:// as it is.
        raise WorkflowError(_("A link must start with https://"))
    before = {"key": key, "done": item.done, "link": item.link}
    item.done, item.link = done, link
    item.done_by_id, item.done_at = (actor.id, utcnow()) if done else (None, None)
    _touch(case)
    audit.record(db, actor, "case.checklist", "case", case.id, before=before,
                 after={"key": key, "done": done, "link": link})


def link_cases(db: Session, case: Case, actor: User, access: CaseAccess, other_ref: str) -> Case:
    """Mark two cases as related; audited."""
    if not access.is_staff:
        # Translators: an error.
        raise NotAllowed(_("Only the helpdesk and the committee link cases."))
    other = find_case(db, other_ref)
    if other is None:
        # Translators: an error; %(reference)s is a case reference like CPH-2026-0042.
        raise WorkflowError(_("There is no case %(reference)s.", reference=other_ref[:40]))
    if other.id == case.id:
        # Translators: an error.
        raise WorkflowError(_("A case cannot be related to itself."))
    low, high = sorted((case.id, other.id))
    exists = db.scalar(select(CaseLink.id).where(CaseLink.case_id == low,
                                                 CaseLink.other_id == high))
    if exists:
        # Translators: an error.
        raise WrongState(_("These cases are already linked."))
    db.add(CaseLink(case_id=low, other_id=high))
    _touch(case)
    audit.record(db, actor, "case.link", "case", case.id, after={"related": other.reference})
    return other


def close_as_duplicate(db: Session, case: Case, actor: User, access: CaseAccess,
                       original_ref: str, message: str, expected_version: Any,
                       public_summary: str | None = None) -> None:
    """Close a case as a duplicate of another (and maybe write its public summary);
    audited."""
    if "helpdesk" not in access.roles:
        # Translators: an error.
        raise NotAllowed(_("Only the helpdesk closes a request as a duplicate."))
    check_version(case, expected_version)
    original = find_case(db, original_ref)
    if original is None or original.id == case.id:
        # Translators: a form error.
        raise WorkflowError(_("Give the reference of the case this one duplicates."))
    if public_summary is not None:
        _write_public_summary(db, case, actor, access, public_summary)
    case.duplicate_of_id = original.id
    move(db, case, actor, access.workflow_roles, "close_duplicate", message=message,
         outcome="duplicate")


# -- canned replies -------------------------------------------------------------

def _canned_fields(reply: CannedReply) -> dict[str, str]:
    return {"title": reply.title, "language": reply.language}


def add_canned_reply(db: Session, actor: User, values: dict[str, str]) -> CannedReply:
    """Keep a new canned reply (language, title, body already validated); audited."""
    reply = CannedReply(updated_by_id=actor.id, **values)
    db.add(reply)
    db.flush()
    audit.record(db, actor, "canned_reply.create", "canned_reply", reply.id,
                 after=_canned_fields(reply))
    return reply


def update_canned_reply(db: Session, actor: User, reply: CannedReply,
                        values: dict[str, str]) -> None:
    """Change a canned reply's language, title and body (already validated); audited."""
    before = {**_canned_fields(reply), "body": reply.body}
    reply.language, reply.title, reply.body = values["language"], values["title"], values["body"]
    reply.updated_by_id, reply.updated_at = actor.id, utcnow()
    audit.record(db, actor, "canned_reply.update", "canned_reply", reply.id,
                 before=before, after=values)


def delete_canned_reply(db: Session, actor: User, reply: CannedReply) -> None:
    """Remove a canned reply; audited (the event keeps its title and language)."""
    audit.record(db, actor, "canned_reply.delete", "canned_reply", reply.id,
                 before=_canned_fields(reply))
    db.delete(reply)
