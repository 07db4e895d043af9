"""What the dashboard tests share: people, moving cases along, reading the tables."""


from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases import service
from app.cases.access import case_access
from app.cases.models import Case
from app.committee import votes
from app.core.models import utcnow
from tests.factories import make_user

# The vote that lets a case go on, per stage.
GO_AHEAD = {"initial": "proceed", "final": "approve"}


def people(db: Session) -> dict[str, User]:
    """The demo users with their roles (made before anyone signs in)."""
    return {
        "ada": make_user(db, "Ada Requester"),
        "omar": make_user(db, "Omar Requester"),
        "ngozi": make_user(db, "Ngozi Committee", "committee"),
        "mei": make_user(db, "Mei Committee", "committee"),
        "carlos": make_user(db, "Carlos Committee", "committee"),
        "sven": make_user(db, "Sven Helpdesk", "helpdesk"),
        "leila": make_user(db, "Leila Lead", "helpdesk"),
    }


def triage(db: Session, case: Case, sven: User) -> None:
    service.move(db, case, sven, {"helpdesk"}, "triage")


def decide(db: Session, case: Case, outcome: str, by: list[User]) -> None:
    """A committee decision with quorum (the first member records it)."""
    actor = by[0]
    service.record_decision(
        db, case, actor, case_access(db, actor, case), expected_version=case.version,
        outcome=outcome, rationale="Discussed.", public_rationale="Go ahead.",
        participant_ids=[member.id for member in by],
    )


def review(db: Session, case: Case, member: User) -> None:
    """The member votes to go ahead at the case's open stage: proceed to the final go in
    initial review, approve at the final go."""
    stage = votes.open_stage(case)
    assert stage is not None, f"no vote is open on a case {case.state}"
    votes.cast_vote(db, case, member, stage, GO_AHEAD[stage], "ok", {})


def advance(db: Session, case: Case, state: str, u: dict[str, User]) -> None:
    """Move a case forward through the workflow, from where it is, to `state`."""
    committee = [u["mei"], u["carlos"], u["ngozi"]]
    steps = {
        "submitted": lambda: triage(db, case, u["sven"]),
        "in_initial_review": lambda: decide(db, case, "proceed", committee),
        "awaiting_final_go": lambda: decide(db, case, "approve", committee),
        "approved": lambda: service.move(db, case, u["sven"], {"helpdesk"}, "start_support"),
    }
    while case.state != state:
        assert case.state in steps, f"the workflow moved the case to {case.state}, not {state}"
        steps[case.state]()
        db.flush()


def assign(db: Session, case: Case, sven: User, assignee: User | None) -> None:
    service.assign(db, case, sven, case_access(db, sven, case), assignee, case.version)


def set_priority(db: Session, case: Case, member: User, priority: str) -> None:
    service.set_priority(db, case, member, case_access(db, member, case), priority,
                         case.version)


def age(case: Case, days: float) -> None:
    """Pretend the case entered its state `days` ago."""
    then = utcnow() - timedelta(days=days)
    case.state_changed_at = then
    case.stage_started_at = then


class _Tables(HTMLParser):
    """Every table of a page: its caption and its body rows as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict[str, Any]] = []
        self._in: str | None = None
        self._text: list[str] = []
        self._row: list[str] | None = None
        self._body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "table":
            self.tables.append({"caption": "", "rows": [], "headers": []})
        elif tag == "caption" or (tag in ("th", "td") and self.tables):
            self._in, self._text = tag, []
        elif tag == "tbody":
            self._body = True
        elif tag == "tr" and self._body:
            self._row = []

    def handle_endtag(self, tag: str) -> None:
        if not self.tables:
            return
        text = " ".join("".join(self._text).split())
        if tag == "caption" and self._in == "caption":
            self.tables[-1]["caption"] = text
            self._in = None
        elif tag in ("th", "td") and self._in == tag:
            if self._row is not None:
                self._row.append(text)
            else:
                self.tables[-1]["headers"].append(text)
            self._in = None
        elif tag == "tr" and self._row is not None:
            self.tables[-1]["rows"].append(self._row)
            self._row = None
        elif tag == "tbody":
            self._body = False

    def handle_data(self, data: str) -> None:
        if self._in:
            self._text.append(data)


def tables(html: str) -> list[dict[str, Any]]:
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def queue_rows(client: FlaskClient, query: str = "", *, default: bool = False
               ) -> list[list[str]]:
    """The body rows of the dashboard's queue table ([] when no case matches), of every
    open state unless `query` names states (or `default`: the queue as it opens)."""
    if "state=" not in query and not default:
        query = f"{query}&state=open" if query else "?state=open"
    response = client.get(f"/dashboard{query}")
    assert response.status_code == 200
    found = [t for t in tables(response.get_data(as_text=True))
             if t["caption"].startswith("Cases")]
    return found[0]["rows"] if found else []


def refs(rows: list[list[str]]) -> list[str]:
    return [row[0] for row in rows]


def titles(rows: list[list[str]]) -> list[str]:
    return [row[1] for row in rows]


def page_text(client: FlaskClient, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)
