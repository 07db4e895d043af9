"""The public projection of working groups' asks for volunteers.

An ask's title, description, languages, skills, status and group are public (the lead
wrote them for everyone). Its case appears only while that case is itself in the case
projection; who took it never appears.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from app.people.queries import AskView, open_asks, skill_names


def project_ask(ask: AskView, skills: dict[str, str], base_url: str) -> dict[str, Any]:
    """The public fields of one ask."""
    base = base_url.rstrip("/")
    case = None
    if ask.public_case:
        case = {"reference": ask.public_case, "url": f"{base}/cases/{ask.public_case}"}
    return {
        "id": ask.id,
        "title": ask.title,
        "description": ask.description,
        "group": {"slug": ask.group_slug, "name": ask.group_name,
                  "url": f"{base}/groups/{ask.group_slug}"},
        "languages": list(ask.languages),
        "skills": [{"code": code, "name": skills.get(code, code)} for code in ask.skills],
        "status": ask.status,
        "created_at": ask.created_at.replace(microsecond=0).isoformat() + "Z",
        "case": case,
        "url": f"{base}/groups/{ask.group_slug}#ask-{ask.id}",
    }


def public_asks(db: Session, base_url: str) -> list[dict[str, Any]]:
    """Every ask not done yet, of groups that are not archived (two statements)."""
    skills = skill_names(db)
    return [project_ask(ask, skills, base_url) for ask in open_asks(db)]
