"""Property: random sequences of committee work on a case — members' own votes, meetings
planned and re-planned with their attendees, votes given aloud that the chair records,
decisions taken at a meeting or on the case page, a member correcting what the chair
recorded for them, conflicts of interest, agenda items and minutes — keep the rules:

- every decision rests on a quorum of votes from members without a conflict of
  interest, and a decision taken at a meeting counts only the meeting's attendees;
- a member with a conflict of interest never has a vote counted, on the case page or on
  a meeting's agenda, and casts none after declaring it;
- a vote on a stage no longer open is only a member correcting the vote the chair
  recorded for them;
- replaying the audit log gives the votes, the decisions (with who voted what) and the
  meetings (attendees, chair, agenda items, minutes) stored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from flask import Flask
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases import service as cases_service
from app.cases.access import case_access
from app.cases.errors import WorkflowError
from app.cases.models import Case
from app.committee import service as committee_service
from app.committee import votes
from app.committee.models import Decision, Review
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from app.core.models import utcnow
from app.meetings import queries
from app.meetings import service as meeting_service
from app.meetings.models import AgendaItem, Meeting
from tests.factories import make_case, make_user

MEMBERS = ("Ngozi Committee", "Mei Committee", "Carlos Committee", "Amara Committee")
OTHERS = ("Sven Helpdesk", "Ada Requester")
# True four times in five (Hypothesis favours the first of the values it samples).
USUALLY = st.sampled_from((True, True, True, True, False))
# Votes and decisions weigh more, so that decisions are taken often.
ACTIONS = (*["vote"] * 3, *["vote_aloud"] * 3, "everyone_votes", "votes_aloud", "correct",
           *["decide_at_meeting"] * 3, *["decide_on_case_page"] * 2, "attendees",
           "new_meeting", "conflict", "answer", "reopen", "week_passes", "add_case",
           "add_topic", "case_minute", "topic_minute", "notes")
ALL_OUTCOMES = sorted({*votes.stage_outcomes("initial"), *votes.stage_outcomes("final")}
                      - {"refer"})


@dataclass
class World:
    """The people, this example's case and meetings, and a source of random choices."""

    db: Session
    data: st.DataObject
    people: dict[str, User]
    case: Case
    meetings: list[Meeting] = field(default_factory=list)

    def member(self) -> User:
        return self.people[self.data.draw(st.sampled_from(MEMBERS))]

    def anyone(self) -> User:
        """Mostly a committee member, sometimes someone else."""
        usually = self.data.draw(USUALLY)
        return self.member() if usually else self.people[self.data.draw(st.sampled_from(OTHERS))]

    def attendee(self, meeting: Meeting) -> User:
        """Mostly someone attending the meeting, sometimes anyone."""
        present = queries.attendees(self.db, meeting)
        usually = self.data.draw(USUALLY)
        return self.data.draw(st.sampled_from(present)) if present and usually else self.anyone()

    def meeting(self) -> Meeting:
        return self.data.draw(st.sampled_from(self.meetings))

    def outcome(self) -> str:
        """Mostly an outcome of the stage open now (so decisions happen), sometimes any."""
        stage = votes.open_stage(self.case)
        legal = [o for o in votes.stage_outcomes(stage) if o != "refer"] if stage else []
        usually = self.data.draw(USUALLY)
        if legal and usually:
            return self.data.draw(st.sampled_from(legal))
        return self.data.draw(st.sampled_from(ALL_OUTCOMES))

    def fields(self) -> meeting_service.MeetingFields:
        # Everyone, everyone but one (a quorum still may attend), or any of them.
        kind = self.data.draw(st.sampled_from(("all_but_one", "all", "any")))
        attendees = set(MEMBERS) - {self.data.draw(st.sampled_from(MEMBERS))}
        if kind != "all_but_one":
            attendees = (set(MEMBERS) if kind == "all"
                         else self.data.draw(st.sets(st.sampled_from(MEMBERS))))
        chair = self.data.draw(st.sampled_from((None, *MEMBERS)))
        return meeting_service.MeetingFields(
            title="Monthly meeting", starts_at=utcnow() - timedelta(hours=1),
            duration_minutes=90, location="https://meet.example/x",
            chair_id=self.people[chair].id if chair else None,
            attendee_ids=sorted(self.people[name].id for name in attendees))


def _scores(world: World) -> dict[int, tuple[int | None, str]]:
    criteria = [criterion.id for criterion in votes.active_criteria(world.db)]
    chosen = world.data.draw(st.sets(st.sampled_from(criteria), max_size=3))
    return {criterion: (world.data.draw(st.integers(1, 5)), "") for criterion in chosen}


def _chair(world: World, meeting: Meeting) -> User:
    """Mostly whoever may run the meeting (so it runs), sometimes anyone."""
    runners = [p for p in world.people.values() if meeting_service.may_run(meeting, p)]
    usually = world.data.draw(USUALLY)
    if runners and usually:
        return world.data.draw(st.sampled_from(runners))
    return world.anyone()


def _run_only(meeting: Meeting, person: User) -> None:
    """The minutes' pages refuse whoever may not run the meeting (403)."""
    if not meeting_service.may_run(meeting, person):
        raise WorkflowError("not the chair")


def _topic(world: World, meeting: Meeting) -> AgendaItem:
    topics = [item for item in queries.items(world.db, meeting) if item.case_id is None]
    if not topics:
        raise WorkflowError("no topic")
    return world.data.draw(st.sampled_from(topics))


def _step(world: World, action: str) -> None:
    db, case = world.db, world.case
    if action == "vote":
        # A member's own vote; on a stage not open now only a correction may pass.
        stage = votes.open_stage(case)
        if stage is None or not world.data.draw(USUALLY):
            stage = world.data.draw(st.sampled_from(("initial", "final")))
        votes.cast_vote(db, case, world.anyone(), stage, world.outcome(), "c", _scores(world))
    elif action == "everyone_votes":
        # Each member without a conflict of interest votes on the open stage.
        recused = votes.recused_ids(db, case)
        for name in MEMBERS:
            if world.people[name].id not in recused and votes.open_stage(case):
                votes.cast_vote(db, case, world.people[name], votes.open_stage(case) or "",
                                world.outcome(), "c", {})
    elif action == "votes_aloud":
        # The chair records the vote of each attendee without a conflict of interest.
        meeting = world.meeting()
        chair, recused = _chair(world, meeting), votes.recused_ids(db, case)
        for member in queries.attendees(db, meeting):
            if member.id not in recused:
                meeting_service.record_vote_aloud(db, meeting, chair, case, member,
                                                  world.outcome(), "aloud")
    elif action == "correct":
        # A member corrects a vote the chair recorded for them (within the week, even
        # after the decision; later it is closed like any other).
        recorded = db.scalars(select(Review).where(Review.case_id == case.id,
                                                   Review.recorded_by_id.is_not(None))).all()
        if not recorded:
            raise WorkflowError("no vote recorded by a chair")
        review = world.data.draw(st.sampled_from(recorded))
        outcome = world.data.draw(st.sampled_from(votes.stage_outcomes(review.stage)))
        votes.cast_vote(db, case, review.member, review.stage, outcome, "I said so.", {})
    elif action == "vote_aloud":
        meeting = world.meeting()
        meeting_service.record_vote_aloud(db, meeting, _chair(world, meeting), case,
                                          world.attendee(meeting), world.outcome(), "aloud")
    elif action == "decide_at_meeting":
        meeting = world.meeting()
        meeting_service.record_decision(
            db, meeting, _chair(world, meeting), case, outcome=world.outcome(), rationale="r",
            public_rationale="p", dissent_reason=world.data.draw(st.sampled_from(("d", ""))))
    elif action == "decide_on_case_page":
        committee_service.decide(db, case, votes.open_stage(case) or "initial", world.anyone(),
                                 world.outcome(), "r", "p",
                                 dissent_reason=world.data.draw(st.sampled_from(("d", ""))))
    elif action == "attendees":
        meeting_service.edit_meeting(db, world.meeting(), world.member(), world.fields())
    elif action == "new_meeting":
        world.meetings.append(meeting_service.create_meeting(db, world.member(), world.fields()))
    elif action == "conflict":
        cases_service.declare_conflict(db, case, world.anyone(), "random")
    elif action in ("answer", "reopen"):
        person = world.people["Ada Requester" if action == "answer" else "Sven Helpdesk"]
        cases_service.take_action(db, case, person, case_access(db, person, case), action,
                                  case.version, message="m")
    elif action == "week_passes":
        # Eight days later: what the chair recorded can no longer be corrected.
        for review in db.scalars(select(Review).where(Review.case_id == case.id)):
            review.updated_at -= timedelta(days=8)
    elif action == "add_case":
        meeting_service.add_case(db, world.meeting(), world.member(), case.reference)
    elif action == "add_topic":
        meeting_service.add_topic(db, world.meeting(), world.member(), "Budget")
    else:
        meeting = world.meeting()
        person = _chair(world, meeting)
        _run_only(meeting, person)
        notes = world.data.draw(st.sampled_from(("", "Discussed.", "Agreed.")))
        if action == "case_minute":
            meeting_service.save_case_minute(db, meeting, person, case, notes)
        elif action == "topic_minute":
            meeting_service.save_topic_minute(db, meeting, person, _topic(world, meeting), notes)
        else:
            meeting_service.save_notes(db, meeting, person, notes)


def _world(db: Session, data: st.DataObject) -> World:
    people = {name: make_user(db, name, "committee") for name in MEMBERS}
    people["Sven Helpdesk"] = make_user(db, "Sven Helpdesk", "helpdesk")
    people["Ada Requester"] = make_user(db, "Ada Requester")
    case = make_case(db, people["Ada Requester"])
    cases_service.move(db, case, people["Sven Helpdesk"], {"helpdesk"}, "triage")
    world = World(db, data, people, case)
    ngozi = people["Ngozi Committee"]
    world.meetings.append(meeting_service.create_meeting(db, ngozi, world.fields()))
    db.commit()
    return world


@settings(max_examples=50, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), length=st.integers(5, 40))
def test_random_committee_work_with_meetings_keeps_the_rules(app: Flask, data: st.DataObject,
                                                             length: int) -> None:
    with app.app_context():
        db = get_session()
        world = _world(db, data)
        for _ in range(length):
            action = data.draw(st.sampled_from(ACTIONS))
            try:
                with db.begin_nested():
                    _step(world, action)
            except WorkflowError:
                pass
            db.expire_all()
            _decisions_rest_on_votes(db, world.case)
            _recused_votes_never_count(db, world)
        db.commit()
        Replay(db, world).check()


def _decisions_rest_on_votes(db: Session, case: Case) -> None:
    """Each decision: a quorum of votes from members without a conflict of interest then;
    the voters are its participants."""
    for decision in db.scalars(select(Decision).where(Decision.case_id == case.id)):
        snapshot = decision.votes or []
        assert decision.quorum is not None and decision.quorum >= 2
        assert len(snapshot) >= decision.quorum
        voters = sorted(int(str(vote["member_id"])) for vote in snapshot)
        assert voters == sorted(decision.participant_ids)
        assert not set(voters) & set(decision.recused_ids)


def _recused_votes_never_count(db: Session, world: World) -> None:
    """A recused member's vote counts neither on the case page's tally nor on the
    agenda's."""
    recused = votes.recused_ids(db, world.case)
    stage = votes.open_stage(world.case)
    if stage is None:
        return
    counted = {vote.member_id for vote in votes.stage_votes(db, world.case, stage)
               if vote.member_id in votes.eligible_ids(db, world.case)}
    assert not counted & recused
    tally = queries.tallies(db, [world.case]).get(world.case.id)
    assert tally is None or tally.voter_ids == counted


@dataclass
class ReplayedVote:
    outcome: str
    recorded_by: bool
    meeting: int | None
    scores: dict[str, int]
    decision: int | None = None


@dataclass
class ReplayedMeeting:
    chair_id: int | None = None
    attendees: set[int] = field(default_factory=set)
    notes: str = ""
    # case reference → (minute, decision); topic item id → (topic, minute)
    case_items: dict[str, tuple[str, int | None]] = field(default_factory=dict)
    topics: dict[int, tuple[str, str]] = field(default_factory=dict)


class Replay:
    """The votes, decisions and meetings as the audit log tells them, checked against
    the rules as each event comes and against what is stored at the end."""

    def __init__(self, db: Session, world: World) -> None:
        self.db, self.world = db, world
        self.names = {user.id: name for name, user in world.people.items()}
        self.ids = {name: user.id for name, user in world.people.items()}
        self.state: str | None = None
        self.recused: set[int] = set()
        self.votes: dict[tuple[str, str], ReplayedVote] = {}
        self.decisions: dict[int, dict[str, object]] = {}
        self.meetings: dict[int, ReplayedMeeting] = {m.id: ReplayedMeeting()
                                                     for m in world.meetings}

    def events(self) -> list[AuditEvent]:
        case_events = ((AuditEvent.object_type == "case")
                       & (AuditEvent.object_id == str(self.world.case.id)))
        meeting_events = ((AuditEvent.object_type == "meeting")
                          & AuditEvent.object_id.in_([str(m) for m in self.meetings]))
        return list(self.db.scalars(select(AuditEvent).where(case_events | meeting_events)
                                    .order_by(AuditEvent.id)))

    def check(self) -> None:
        for event in self.events():
            after = event.after or {}
            if "state" in after:
                self.state = after["state"]
            handler = getattr(self, "on_" + event.action.replace(".", "_"), None)
            if handler is not None:
                handler(event, after)
        assert self.state == self.world.case.state
        self.check_votes()
        self.check_decisions()
        self.check_meetings()

    # -- the case's events --------------------------------------------------------------

    def on_case_conflict_declared(self, event: AuditEvent, after: dict) -> None:  # type: ignore[type-arg]
        self.recused.add(self.ids[after["member"]])

    def on_case_vote(self, event: AuditEvent, after: dict) -> None:  # type: ignore[type-arg]
        member, stage = after["member"], after["stage"]
        member_id = self.ids[member]
        assert member_id not in self.recused, "a recused member voted"
        known = self.votes.get((member, stage))
        open_now = votes.STAGE_STATES[stage] == self.state
        if after["recorded_by"]:
            assert event.actor_id != member_id and open_now
        else:
            assert event.actor_id == member_id, "someone voted for another"
        if after["meeting"] is not None:  # given aloud: the case joins the meeting's agenda
            assert member_id in self.meetings[after["meeting"]].attendees
            self.meetings[after["meeting"]].case_items.setdefault(
                self.world.case.reference, ("", None))
        if not open_now:  # only a correction of what the chair recorded
            assert known is not None and known.recorded_by and not after["recorded_by"]
        decision = known.decision if known is not None and not open_now else None
        self.votes[(member, stage)] = ReplayedVote(after["outcome"], after["recorded_by"],
                                                   after["meeting"], after["scores"], decision)

    def on_decision_record(self, event: AuditEvent, after: dict) -> None:  # type: ignore[type-arg]
        participants = set(after["participants"])
        assert not participants & self.recused
        assert set(after["recused"]) == self.recused
        assert len(participants) >= after["quorum"]
        voted = {}
        for member_id in participants:
            vote = self.votes[(self.names[member_id], after["stage"])]
            assert vote.decision is None, "a vote counted twice"
            vote.decision = after["decision"]
            voted[member_id] = vote.outcome
        self.decisions[after["decision"]] = {**after, "votes": voted}

    # -- the meetings' events ------------------------------------------------------------

    def _attendance(self, meeting: ReplayedMeeting, after: dict) -> None:  # type: ignore[type-arg]
        meeting.chair_id, meeting.attendees = after["chair_id"], set(after["attendees"])

    def on_meeting_create(self, event: AuditEvent, after: dict) -> None:  # type: ignore[type-arg]
        self._attendance(self.meetings[int(event.object_id)], after)

    def on_meeting_edit(self, event: AuditEvent, after: dict) -> None:  # type: ignore[type-arg]
        meeting = self.meetings[int(event.object_id)]
        assert (event.before or {})["attendees"] == sorted(meeting.attendees)
        self._attendance(meeting, after)

    def on_meeting_add_case(self, event: AuditEvent, after: dict) -> None:  # type: ignore[type-arg]
        items = self.meetings[int(event.object_id)].case_items
        assert after["case"] not in items
        items[after["case"]] = ("", None)

    def on_meeting_add_topic(self, event: AuditEvent, after: dict) -> None:  # type: ignore[type-arg]
        self.meetings[int(event.object_id)].topics[after["item"]] = (after["topic"], "")

    def on_meeting_minute(self, event: AuditEvent, after: dict) -> None:  # type: ignore[type-arg]
        meeting = self.meetings[int(event.object_id)]
        if "case" in after:
            minute, decision = meeting.case_items.get(after["case"], ("", None))
            assert (event.before or {})["notes"] == minute
            meeting.case_items[after["case"]] = (after["notes"], decision)
        else:
            topic, minute = meeting.topics[after["item"]]
            assert (event.before or {})["notes"] == minute
            meeting.topics[after["item"]] = (topic, after["notes"])

    def on_meeting_notes(self, event: AuditEvent, after: dict) -> None:  # type: ignore[type-arg]
        meeting = self.meetings[int(event.object_id)]
        assert (event.before or {})["notes"] == meeting.notes
        meeting.notes = after["notes"]

    def on_meeting_decision(self, event: AuditEvent, after: dict) -> None:  # type: ignore[type-arg]
        meeting = self.meetings[int(event.object_id)]
        decision = self.decisions[after["decision"]]
        assert decision["outcome"] == after["outcome"]
        assert set(decision["participants"]) <= meeting.attendees, "a non-attendee counted"  # type: ignore[call-overload]
        assert event.actor_id == meeting.chair_id or meeting.chair_id is None
        minute, _ = meeting.case_items.get(after["case"], ("", None))
        meeting.case_items[after["case"]] = (minute, after["decision"])

    # -- against what is stored ----------------------------------------------------------

    def check_votes(self) -> None:
        stored = {(r.member.username, r.stage): ReplayedVote(
            r.recommendation, r.recorded_by_id is not None, r.meeting_id,
            {str(s.criterion_id): s.score for s in r.scores}, r.decision_id)
            for r in self.db.scalars(select(Review).where(Review.case_id == self.world.case.id))}
        assert stored == self.votes

    def check_decisions(self) -> None:
        stored = self.db.scalars(select(Decision).where(Decision.case_id == self.world.case.id))
        found = {d.id: {"stage": d.stage, "outcome": d.outcome, "quorum": d.quorum,
                        "participants": sorted(d.participant_ids),
                        "recused": sorted(d.recused_ids),
                        "votes": {int(str(v["member_id"])): v["outcome"] for v in d.votes or []}}
                 for d in stored}
        replayed = {key: {name: value for name, value in decision.items() if name in
                          ("stage", "outcome", "quorum", "participants", "recused", "votes")}
                    for key, decision in self.decisions.items()}
        assert found == replayed

    def check_meetings(self) -> None:
        for meeting in self.world.meetings:
            replayed = self.meetings[meeting.id]
            assert meeting.chair_id == replayed.chair_id
            assert {u.id for u in queries.attendees(self.db, meeting)} == replayed.attendees
            assert meeting.notes == replayed.notes
            items = queries.items(self.db, meeting)
            assert {item.case.reference: (item.notes, item.decision_id)
                    for item in items if item.case is not None} == replayed.case_items
            assert {item.id: (item.topic, item.notes)
                    for item in items if item.case is None} == replayed.topics
