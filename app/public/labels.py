"""Labels and dates for showing projected cases to people (pages only, not the API).

Works on what `projection.project()` returned, never on the Case itself, so a
public page cannot show more than the projection holds.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from app.cases.labels import ORGANISATION_KINDS, TARGET_PROJECTS, THEMES, choices
from app.cases.transitions import STATES
from app.core.babel_cache import labels
from app.core.regions import region_choices, region_label

_BLANK_LINE = re.compile(r"\r?\n[ \t]*\r?\n")


def parse_timestamp(value: str) -> datetime:
    """A projection timestamp ("2026-11-27T18:40:00Z") as a naive UTC datetime."""
    return datetime.fromisoformat(value.removesuffix("Z"))


def paragraphs(text: str) -> list[str]:
    """Plain text split into paragraphs at blank lines."""
    return [part.strip() for part in _BLANK_LINE.split(text.strip()) if part.strip()]


def labelled(projected: dict[str, Any]) -> dict[str, Any]:
    """The projected case plus translated labels and datetimes for templates."""
    region = projected["region"]
    themes, projects = labels(THEMES), labels(TARGET_PROJECTS)
    kind = projected["organisation"]["kind"]
    return {
        **projected,
        "theme_labels": [themes.get(code, code) for code in projected["themes"]],
        "project_labels": [projects.get(code, code) for code in projected["target_projects"]],
        "region_label": region_label(region) if region else "",
        "summary_paragraphs": paragraphs(projected["public_summary"]),
        "kind_label": labels(ORGANISATION_KINDS).get(kind, kind) if kind is not None else "",
        "created": parse_timestamp(projected["created_at"]),
        "updated": parse_timestamp(projected["updated_at"]),
        "state_changed": parse_timestamp(projected["state_changed_at"]),
    }


def filter_choices() -> dict[str, list[tuple[str, str]]]:
    """Options of the public list's filter form (no `submitted`: never public)."""
    return {
        "state": [(code, name) for code, name in labels(STATES).items() if code != "submitted"],
        "theme": choices(THEMES),
        "region": region_choices(),
    }


def labelled_timeline(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The public timeline (`projection.project_timeline`) with stage names, datetimes
    and the public rationales split into paragraphs, for the public case page."""
    states = labels(STATES)
    return [{
        **entry,
        "state_label": states.get(entry["state"], entry["state"]),
        "when": parse_timestamp(entry["at"]),
        "rationale_paragraphs": paragraphs(entry["public_rationale"]),
    } for entry in entries]
