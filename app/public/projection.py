"""The public projection of a case — the only view of cases that leaves the app.

The public pages, the JSON API, the Atom feed and (through the API) the bot all
read `public_cases()` and `project()`. A case appears only when its requester
consented to public listing and the helpdesk accepted it (triage) at some point
(`Case.accepted_at`); only the fields below are ever exposed. `app.public.queries`
reads the projection: narrowed by `CaseFilters` (public fields only), in its one order.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, select, true
from sqlalchemy.orm import joinedload, load_only

from app.cases.clock import stage_clock
from app.cases.labels import state_label
from app.cases.models import Case
from app.cases.transitions import CLOSED_STATES
from app.core.models import utcnow
from app.partners.models import Organisation

PUBLIC_FIELDS = (
    "reference", "title", "organisation", "themes", "region", "target_projects", "state",
    "state_label", "open", "created_at", "updated_at", "state_changed_at", "days_in_state",
    "public_summary", "url",
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


def project(case: Case, base_url: str, now: datetime | None = None) -> dict[str, Any]:
    """The public fields of a case, as plain JSON-ready values."""
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
    }


def project_stage(case: Case, now: datetime | None = None) -> dict[str, Any]:
    """The public stage clock of a case: whom it waits on and the stage's target."""
    clock = stage_clock(case, now or utcnow())
    return {
        "waiting_on": clock.waiting_on,
        "target_days": clock.target_days,
        "overdue": clock.overdue,
    }
