"""The public projection of a case — the only view of cases that leaves the app.

The public pages, the JSON API, the Atom feed and (through the API) the bot all
read `public_cases()` and `project()`. A case appears only when its requester
consented to public listing and the helpdesk has triaged it; only the fields
below are ever exposed.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Select, select

from .models import Case, utcnow
from .workflow.clock import stage_clock
from .workflow.transitions import CLOSED_STATES, STATES

PUBLIC_FIELDS = (
    "reference", "title", "organisation", "themes", "region", "target_projects", "state",
    "state_label", "open", "created_at", "updated_at", "state_changed_at", "days_in_state",
    "public_summary", "url",
)


def public_cases() -> Select[tuple[Case]]:
    """The query of every publicly listed case."""
    return select(Case).where(Case.public_listing.is_(True), Case.state != "submitted")


def is_public(case: Case) -> bool:
    """Does this case appear in the public projection?"""
    return bool(case.public_listing) and case.state != "submitted"


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
        "state_label": str(STATES.get(case.state, case.state)),
        "open": case.state not in CLOSED_STATES,
        "created_at": _iso(case.created_at),
        "updated_at": _iso(case.updated_at),
        "state_changed_at": _iso(case.state_changed_at),
        "days_in_state": clock.days,
        "public_summary": case.public_summary or "",
        "url": f"{base_url.rstrip('/')}/cases/{case.reference}",
    }
