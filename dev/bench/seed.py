"""Fill a freshly migrated database with many plausible rows, fast.

Bulk inserts with SQLAlchemy Core (`insert()` + executemany), rows shaped like the
ones `app.cases.service` writes: organisations, users with committee/helpdesk
role grants, cases in every state (mostly publicly listed) with their checklists,
messages, decisions, referrals, reviews and conflicts, and an append-only audit log
of `case.create` and state-change events whose before/after carry the states.

    python -m dev.bench.seed sqlite:////tmp/x.sqlite3 --cases 1000 --events 10000
"""

from __future__ import annotations

import argparse
import random
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Table, create_engine, insert, select, text, update
from sqlalchemy.engine import Connection, Engine

from app.cases.checklists import template_for
from app.core.models import utcnow
from app.core.regions import REGIONS
from app.core.schema import metadata
from app.partners.models import normalise_name
from app.public.projection import is_public_clause

# The stand-in's demo accounts (tests/factories.py DEMO_IDS): signing in finds these.
DEMO_USERS = {
    "Ada Requester": 1001, "Ngozi Committee": 1002, "Mei Committee": 1003,
    "Carlos Committee": 1004, "Sven Helpdesk": 1005, "Leila Lead": 1006,
    "Admin Demo": 1007, "Blocked Example": 1008, "Omar Requester": 1009,
}
COMMITTEE = ("Ngozi Committee", "Mei Committee", "Carlos Committee")
HELPDESK = ("Sven Helpdesk",)
COMMITTEE_SIZE, HELPDESK_SIZE = 7, 4

# How the cases are spread over the states (weights), and a path to each state.
STATE_WEIGHTS = {
    "submitted": 5, "in_initial_review": 10, "needs_information": 5,
    "with_working_groups": 5, "awaiting_final_go": 7, "approved": 5, "in_support": 13,
    "closed": 30, "declined": 10, "withdrawn": 10,
}
PATHS: dict[str, list[list[tuple[str, str]]]] = {
    "submitted": [[]],
    "in_initial_review": [[("triage", "in_initial_review")]],
    "needs_information": [[("triage", "in_initial_review"),
                           ("ask_information", "needs_information")]],
    "with_working_groups": [[("triage", "in_initial_review"), ("refer", "with_working_groups")]],
    "awaiting_final_go": [[("triage", "in_initial_review"), ("proceed", "awaiting_final_go")]],
    "approved": [[("triage", "in_initial_review"), ("proceed", "awaiting_final_go"),
                  ("approve", "approved")]],
    "in_support": [[("triage", "in_initial_review"), ("proceed", "awaiting_final_go"),
                    ("approve", "approved"), ("start_support", "in_support")]],
    "closed": [[("triage", "in_initial_review"), ("proceed", "awaiting_final_go"),
                ("approve", "approved"), ("start_support", "in_support"),
                ("close_resolved", "closed")]],
    "declined": [[("triage", "in_initial_review"), ("decline", "declined")],
                 [("triage", "in_initial_review"), ("proceed", "awaiting_final_go"),
                  ("decline", "declined")]],
    "withdrawn": [[("withdraw", "withdrawn")],
                  [("triage", "in_initial_review"), ("withdraw", "withdrawn")]],
}
DECISIONS = {"ask_information": "initial", "refer": "initial", "proceed": "initial",
             "decline": "initial", "approve": "final"}
CLOSED = {"closed", "declined", "withdrawn"}
INFO_DETOUR = [("ask_information", "needs_information"), ("answer", "in_initial_review")]

KINDS = ("igo", "ingo", "glam", "government", "academic", "other")
THEMES = ("climate", "gender", "health", "education", "heritage", "science", "biodiversity",
          "human_rights", "indigenous", "sustainable_development", "humanitarian")
PROJECTS = ("commons", "wikidata", "wikipedia", "wikisource")
LICENCES = ("cc0", "cc_by", "cc_by_sa", "pd", "other")
REQUEST_TYPES = ("commons_upload", "wikidata_donation", "other")
SUPPORT = ("mass_upload", "community", "best_practices", "wir", "funding")
PRIORITIES = {"low": 10, "normal": 70, "high": 15, "urgent": 5}
WORDS = ("maps", "photographs", "herbarium", "posters", "manuscripts", "census", "field notes",
         "satellite images", "oral histories", "botanical drawings", "newspapers", "statistics")
CHUNK = 2000


@dataclass
class SeedReport:
    """What was written, and how long it took."""

    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    public_cases: int = 0


def _chunks(rows: list[dict[str, Any]], size: int = CHUNK) -> Iterable[list[dict[str, Any]]]:
    for start in range(0, len(rows), size):
        yield rows[start:start + size]


def _insert(conn: Connection, table: Table, rows: list[dict[str, Any]],
            report: SeedReport) -> None:
    for chunk in _chunks(rows):
        conn.execute(insert(table), chunk)  # executemany
    report.counts[table.name] = report.counts.get(table.name, 0) + len(rows)


class _Builder:
    """Generates the rows in memory (deterministic for a given seed)."""

    def __init__(self, cases: int, events: int, users: int, organisations: int,
                 group_ids: list[int], seed: int) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - test data, not cryptography
        self.n_cases, self.n_events, self.n_users = cases, events, max(users, 20)
        self.n_orgs = organisations
        self.group_ids = group_ids
        self.now = utcnow() - timedelta(hours=1)
        self.tables: dict[str, list[dict[str, Any]]] = {}
        self.events: list[dict[str, Any]] = []

    # -- people and organisations -------------------------------------------------

    def users(self) -> None:
        rng, rows, grants = self.rng, [], []
        names = list(DEMO_USERS)
        names += [f"Bench User {i}" for i in range(1, self.n_users - len(names) + 1)]
        for uid, name in enumerate(names, start=1):
            created = self.now - timedelta(days=rng.randint(400, 1500))
            rows.append({"id": uid, "central_id": DEMO_USERS.get(name, 20000 + uid),
                         "username": name, "blocked": name == "Blocked Example",
                         "email_notifications": rng.random() < 0.8, "language": None,
                         "email": f"user{uid}@example.org", "created_at": created,
                         "last_login_at": created + timedelta(days=rng.randint(0, 300))})
            self.events.append(self._event(created, uid, "user.create", "user", uid, None,
                                           {"username": name, "blocked": False}))
        by_name = {row["username"]: row["id"] for row in rows}
        extra = [n for n in names if n.startswith("Bench User")]
        committee = list(COMMITTEE) + extra[:COMMITTEE_SIZE - len(COMMITTEE)]
        helpdesk = list(HELPDESK) + extra[COMMITTEE_SIZE:COMMITTEE_SIZE + HELPDESK_SIZE - 1]
        admin = by_name["Admin Demo"]
        for role, members in (("committee", committee), ("helpdesk", helpdesk),
                              ("admin", ["Admin Demo"])):
            for name in members:
                at = self.now - timedelta(days=rng.randint(300, 390))
                grants.append({"user_id": by_name[name], "role": role,
                               "granted_by_id": admin, "granted_at": at})
                self.events.append(self._event(at, admin, "role.grant", "user", by_name[name],
                                               None, {"username": name, "role": role}))
        self.tables["users"], self.tables["role_grants"] = rows, grants
        self.committee_ids = [by_name[n] for n in committee]
        self.helpdesk_ids = [by_name[n] for n in helpdesk]
        staff = set(self.committee_ids) | set(self.helpdesk_ids) | {admin}
        self.requester_ids = [row["id"] for row in rows if row["id"] not in staff]

    def organisations(self, countries: list[str]) -> None:
        rng, rows = self.rng, []
        for oid in range(1, self.n_orgs + 1):
            name = f"{rng.choice(('National', 'City', 'Royal', 'Open', 'United'))} " \
                   f"{rng.choice(('Museum', 'Library', 'Archive', 'Institute', 'Agency'))} {oid}"
            rows.append({"id": oid, "name": name, "normalised_name": normalise_name(name),
                         "kind": rng.choice(KINDS), "country": rng.choice(countries),
                         "website": f"https://org{oid}.example.org",
                         "wikidata_item": f"Q{100000 + oid}", "themes": [], "notes": None,
                         "created_by_id": None, "created_at": self.now - timedelta(days=1500)})
        self.tables["organisations"] = rows

    # -- cases ----------------------------------------------------------------------

    def _event(self, at: datetime, actor: int | None, action: str, object_type: str,
               object_id: int, before: Any, after: Any) -> dict[str, Any]:
        return {"created_at": at, "actor_id": actor, "action": action,
                "object_type": object_type, "object_id": str(object_id),
                "before": before, "after": after}

    def _step(self, at: datetime) -> datetime:
        return min(at + timedelta(days=self.rng.uniform(0.2, 20)), self.now)

    def cases(self, countries: dict[str, str]) -> None:
        rng = self.rng
        states = rng.choices(list(STATE_WEIGHTS), weights=list(STATE_WEIGHTS.values()),
                             k=self.n_cases)
        created = sorted(self.now - timedelta(days=rng.uniform(5, 1200))
                         for _ in range(self.n_cases))
        numbers: dict[int, int] = {}
        cases, checklist, decisions, referrals, reviews, conflicts = [], [], [], [], [], []
        codes = list(countries)
        for cid, (state, born) in enumerate(zip(states, created, strict=True), start=1):
            path = list(rng.choice(PATHS[state]))
            if len(path) > 1 and path[0][0] == "triage" and rng.random() < 0.2:
                path[1:1] = INFO_DETOUR  # asked for information once, answered
            year = born.year
            numbers[year] = numbers.get(year, 0) + 1
            reference = f"CPH-{year}-{numbers[year]:04d}"
            email = rng.random() < 0.1
            requester = None if email else rng.choice(self.requester_ids)
            request_type = rng.choice(REQUEST_TYPES)
            country = rng.choice(codes)
            self.events.append(self._event(born, requester, "case.create", "case", cid, None,
                                           {"reference": reference, "state": "submitted",
                                            "channel": "email" if email else "web"}))
            at, current, outcome, accepted = born, "submitted", None, None
            for action, next_state in path:
                at = self._step(at)
                if accepted is None and next_state not in CLOSED:
                    accepted = at  # triage (or a reopen into review)
                actor = (rng.choice(self.committee_ids) if action in DECISIONS else
                         requester if action in ("withdraw", "answer") else
                         rng.choice(self.helpdesk_ids))
                if action in DECISIONS:
                    did = len(decisions) + 1
                    participants = sorted(rng.sample(self.committee_ids, 3))
                    decisions.append({"id": did, "case_id": cid, "stage": DECISIONS[action],
                                      "outcome": action, "rationale": "Discussed in the meeting.",
                                      "public_rationale": "", "participant_ids": participants,
                                      "recused_ids": [], "recorded_by_id": actor,
                                      "created_at": at})
                    self.events.append(self._event(at, actor, "decision.record", "case", cid,
                                                   None, {"decision": did, "outcome": action,
                                                          "stage": DECISIONS[action],
                                                          "participants": participants,
                                                          "recused": []}))
                new_outcome = action if next_state in CLOSED else None
                self.events.append(self._event(at, actor, f"case.{action}", "case", cid,
                                               {"state": current, "outcome": outcome},
                                               {"state": next_state, "outcome": new_outcome}))
                current, outcome = next_state, new_outcome
                if action == "refer":
                    group = rng.choice(self.group_ids)
                    referrals.append({"case_id": cid, "group_id": group, "question": "Advice?",
                                      "answer": None, "referred_by_id": actor,
                                      "answered_by_id": None, "created_at": at,
                                      "answered_at": None})
            public = rng.random() < 0.85
            assignee = (rng.choice(self.helpdesk_ids)
                        if state in ("approved", "in_support", "closed") and rng.random() < 0.8
                        else None)
            cases.append({
                "id": cid, "reference": reference, "year": year, "number": numbers[year],
                "version": len(path) + 1,
                "title": f"{rng.choice(WORDS).capitalize()} of {rng.choice(WORDS)} {cid}",
                "description": "A collection we would like to share. " * 5,
                "organisation_id": rng.randint(1, self.n_orgs), "request_type": request_type,
                "content_kinds": ["images"], "content_volume": f"about {rng.randint(1, 90)}000",
                "licence": rng.choice(LICENCES), "licence_details": "",
                "licence_flagged": False,
                "target_projects": rng.sample(PROJECTS, rng.randint(1, 2)),
                "themes": rng.sample(THEMES, rng.randint(1, 3)), "countries": [country],
                "region": countries[country], "languages": ["en"],
                "support_types": rng.sample(SUPPORT, rng.randint(1, 2)), "support_details": "",
                "timeline": "Next year", "public_listing": public,
                "public_summary": "Summary for the public." if rng.random() < 0.5 else "",
                "requester_id": requester, "contact_name": "Contact person",
                "contact_email": f"contact{cid}@example.org", "contact_username": "",
                "channel": "email" if email else "web", "state": state, "outcome": outcome,
                "is_open": state not in CLOSED,
                "priority": rng.choices(list(PRIORITIES), weights=list(PRIORITIES.values()))[0],
                "assignee_id": assignee, "duplicate_of_id": None, "created_at": born,
                "updated_at": at, "state_changed_at": at, "stage_started_at": at,
                "paused_seconds": 0, "closed_at": at if state in CLOSED else None,
                "accepted_at": accepted, "reminded_at": None,
            })
            done = state in ("closed",)
            for position, key in enumerate(template_for(request_type)):
                ticked = done or (state == "in_support" and rng.random() < 0.5)
                checklist.append({"case_id": cid, "key": key, "position": position,
                                  "done": ticked, "link": "",
                                  "done_by_id": rng.choice(self.helpdesk_ids) if ticked else None,
                                  "done_at": at if ticked else None})
            if state in ("in_initial_review", "awaiting_final_go"):
                stage = "initial" if state == "in_initial_review" else "final"
                for member in rng.sample(self.committee_ids, rng.randint(0, 3)):
                    reviews.append({"case_id": cid, "member_id": member, "stage": stage,
                                    "recommendation": "support", "comment": "Looks good.",
                                    "created_at": at, "updated_at": at})
            if rng.random() < 0.02:
                conflicts.append({"case_id": cid, "member_id": rng.choice(self.committee_ids),
                                  "reason": "Former employer.", "created_at": born})
        self.tables.update(cases=cases, checklist_items=checklist, decisions=decisions,
                           referrals=referrals, reviews=reviews, conflicts_of_interest=conflicts)

    def filler(self) -> None:
        """Messages, priorities, assignments: events up to the number asked for."""
        rng, cases, messages = self.rng, self.tables["cases"], []
        for _ in range(max(0, self.n_events - len(self.events))):
            case = rng.choice(cases)
            at = case["created_at"] + (case["updated_at"] - case["created_at"]) * rng.random()
            kind = rng.random()
            if kind < 0.6:
                mid = len(messages) + 1
                internal = rng.random() < 0.3
                author = rng.choice(self.helpdesk_ids + self.committee_ids)
                messages.append({"id": mid, "case_id": case["id"], "author_id": author,
                                 "internal": internal, "body": "Thank you, we will look at it.",
                                 "created_at": at})
                self.events.append(self._event(at, author, "case.message", "case", case["id"],
                                               None, {"message": mid, "internal": internal}))
            elif kind < 0.8:
                self.events.append(self._event(at, rng.choice(self.committee_ids),
                                               "case.priority", "case", case["id"],
                                               {"priority": "normal"}, {"priority": "high"}))
            else:
                self.events.append(self._event(at, rng.choice(self.helpdesk_ids), "case.assign",
                                               "case", case["id"], {"assignee": None},
                                               {"assignee": "Sven Helpdesk"}))
        self.tables["case_messages"] = messages
        self.events.sort(key=lambda event: event["created_at"])  # ids follow time
        self.tables["audit_events"] = self.events


def _countries() -> dict[str, str]:
    import csv

    from app.core.regions import REGIONS_CSV

    with REGIONS_CSV.open(encoding="utf-8") as handle:
        return {row["country"]: row["region"] for row in csv.DictReader(handle)
                if row["region"] in REGIONS}


INSERT_ORDER = ("users", "role_grants", "organisations", "cases", "checklist_items",
                "case_messages", "decisions", "referrals", "reviews", "conflicts_of_interest",
                "audit_events")


def seed(url: str, *, cases: int = 10_000, events: int = 100_000, users: int = 200,
         organisations: int | None = None, seed_value: int = 20261101) -> SeedReport:
    """Fill the migrated (empty) database at `url`; return counts and timing."""
    started = time.perf_counter()
    report = SeedReport()
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            if conn.dialect.name == "sqlite":
                conn.execute(text("PRAGMA foreign_keys=OFF"))
            group_ids = list(conn.scalars(select(metadata().tables["working_groups"].c.id)))
            countries = _countries()
            builder = _Builder(cases, events, users, organisations or max(10, cases // 6),
                               group_ids, seed_value)
            builder.users()
            builder.organisations(list(countries))
            builder.cases(countries)
            builder.filler()
            for name in INSERT_ORDER:
                _insert(conn, metadata().tables[name], builder.tables[name], report)
        report.public_cases = count_public(engine)
    finally:
        engine.dispose()
    report.seconds = time.perf_counter() - started
    return report


def count_public(engine: Engine) -> int:
    """How many cases the public projection lists."""
    cases = metadata().tables["cases"]
    with engine.connect() as conn:
        return len(list(conn.scalars(select(cases.c.id).where(is_public_clause()))))


def limit_public(url: str, wanted: int) -> int:
    """Make exactly `wanted` cases public (fewer if there are not enough); return how many."""
    cases = metadata().tables["cases"]
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            ids = list(conn.scalars(select(cases.c.id).where(is_public_clause())
                .order_by(cases.c.id)))
            extra = ids[wanted:]
            for start in range(0, len(extra), 1000):
                conn.execute(update(cases).where(cases.c.id.in_(extra[start:start + 1000]))
                             .values(public_listing=False))
        return count_public(engine)
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m dev.bench.seed", description=__doc__)
    parser.add_argument("url", help="a migrated, empty database")
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--events", type=int, default=100_000)
    parser.add_argument("--users", type=int, default=200)
    args = parser.parse_args()
    report = seed(args.url, cases=args.cases, events=args.events, users=args.users)
    print(f"seeded in {report.seconds:.1f} s: {report.counts}; public {report.public_cases}")


if __name__ == "__main__":
    main()
