"""The public projection of a case — the only view of cases that leaves the app.

The public pages, the JSON API, the Atom feed and (through the API) the bot all
read `public_cases()` and `project()`. A case appears only when its requester
consented to public listing and the helpdesk accepted it (triage) at some point
(`Case.accepted_at`); only the fields below are ever exposed. `app.public.queries`
reads the projection: narrowed by `CaseFilters` (public fields only), in its one order.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, select, true
from sqlalchemy.orm import joinedload, load_only

from app.cases.clock import stage_clock
from app.cases.labels import state_label
from app.cases.models import Case
from app.cases.transitions import CLOSED_STATES, TRANSITIONS
from app.core.models import utcnow
from app.partners.models import Organisation

PUBLIC_FIELDS = (
    "reference", "title", "organisation", "themes", "region", "target_projects", "state",
    "state_label", "open", "created_at", "updated_at", "state_changed_at", "days_in_state",
    "public_summary", "url", "place_in_line",
)


def is_public_clause() -> ColumnElement[bool]:
    """The SQL condition of the public projection (for joins from other tables).
    (`= true`, not `IS true`: MariaDB uses an index only for the former.)"""
    return and_(Case.public_listing == true(), Case.accepted_at.is_not(None))


# The columns `project()` and `project_stage()` read: nothing else is loaded (not the
# description, the contact details or the other JSON lists).
PROJECTED_COLUMNS = (
    Case.reference, Case.title, Case.version, Case.organisation_id, Case.themes, Case.region,
    Case.target_projects, Case.state, Case.public_listing, Case.public_summary,
    Case.created_at, Case.updated_at, Case.state_changed_at, Case.stage_started_at,
    Case.paused_seconds,
)


def public_cases() -> Select[tuple[Case]]:
    """The query of every publicly listed case (only the projected columns loaded)."""
    return select(Case).where(is_public_clause()).options(
        load_only(*PROJECTED_COLUMNS),
        joinedload(Case.organisation).load_only(Organisation.name, Organisation.kind))


def _iso(moment: datetime) -> str:
    return moment.replace(microsecond=0).isoformat() + "Z"


def project(case: Case, base_url: str, now: datetime | None = None,
            place: int | None = None) -> dict[str, Any]:
    """The public fields of a case, as plain JSON-ready values. `place` is an approved
    case's place in line for support (app.queue.queries.places), else None."""
    clock = stage_clock(case, now or utcnow())
    return {
        "reference": case.reference,
        "title": case.title,
        "organisation": {"name": case.organisation.name, "kind": case.organisation.kind},
        "themes": list(case.themes or []),
        "region": case.region,
        "target_projects": list(case.target_projects or []),
        "state": case.state,
        "state_label": state_label(case.state),
        "open": case.state not in CLOSED_STATES,
        "created_at": _iso(case.created_at),
        "updated_at": _iso(case.updated_at),
        "state_changed_at": _iso(case.state_changed_at),
        "days_in_state": clock.days,
        "public_summary": case.public_summary or "",
        "url": f"{base_url.rstrip('/')}/cases/{case.reference}",
        "place_in_line": place if case.state == "approved" else None,
    }


def project_stage(case: Case, now: datetime | None = None) -> dict[str, Any]:
    """The public stage clock of a case: whom it waits on and the stage's target."""
    clock = stage_clock(case, now or utcnow())
    return {
        "waiting_on": clock.waiting_on,
        "target_days": clock.target_days,
        "overdue": clock.overdue,
    }


# The public timeline of a case: when it entered each stage, and the public rationale
# of the committee decisions that moved it. Not who acted, not messages, not internal
# rationales, reviews or referral questions. A decision to ask the requester for
# information carries its question to the requester: that is part of the conversation
# with the requester, not a public rationale, and is left out too.
DECISION_ACTIONS = frozenset(t.action for t in TRANSITIONS if t.decision_stage)
PRIVATE_RATIONALES = frozenset({"ask_information"})
STATE_EVENTS = ("case.create", *sorted({f"case.{t.action}" for t in TRANSITIONS}))


def project_timeline(state_events: Iterable[tuple[datetime, str, Any]],
                     decisions: Iterable[tuple[str, str, str]]) -> list[dict[str, Any]]:
    """The public timeline, oldest first, from the case's state-change audit events
    (time, action, after-value) and its decisions (outcome, stage, public rationale),
    both in the order they were recorded."""
    waiting = list(decisions)
    entries: list[dict[str, Any]] = []
    for moment, action, after in state_events:
        code = action.removeprefix("case.")
        state = "submitted" if code == "create" else (
            after.get("state") if isinstance(after, dict) else None)
        if not isinstance(state, str):
            continue
        entry: dict[str, Any] = {"at": _iso(moment), "state": state, "decision_stage": None,
                                 "public_rationale": ""}
        if code in DECISION_ACTIONS:
            found = next((d for d in waiting if d[0] == code), None)
            if found is not None:
                waiting.remove(found)
                entry["decision_stage"] = found[1]
                if code not in PRIVATE_RATIONALES:
                    entry["public_rationale"] = found[2] or ""
        entries.append(entry)
    return entries


# The impact figures of a public case (app/wikicheck/): counts of its Commons files and
# their use, nothing about who asked or what was checked.
IMPACT_FIELDS = ("day", "taken_at", "files", "files_capped", "files_in_use", "wikis", "pages",
                 "views", "views_capped")


def project_impact(snapshots: Iterable[Any]) -> list[dict[str, Any]]:
    """The public impact of a case (its `ImpactSnapshot`s), oldest day first. Only for a
    case of the projection: callers find it with `find_public_case` first."""
    return [{field: (_iso(snapshot.taken_at) if field == "taken_at" else getattr(snapshot, field))
             for field in IMPACT_FIELDS} for snapshot in snapshots]
