"""What the attention tests share: people with addresses, moving cases, reading pages."""

from __future__ import annotations

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases import service
from app.cases.access import case_access
from app.cases.models import Case
from app.notifications.models import OutboxMessage
from tests.factories import make_user
from tests.html import parse, text_of


def people(db: Session) -> dict[str, User]:
    """The demo users with their roles and email addresses."""
    found = {
        "ada": make_user(db, "Ada Requester", email="ada@example.org"),
        "omar": make_user(db, "Omar Requester", email="omar@example.org"),
        "ngozi": make_user(db, "Ngozi Committee", "committee", email="ngozi@example.org"),
        "mei": make_user(db, "Mei Committee", "committee", email="mei@example.org"),
        "carlos": make_user(db, "Carlos Committee", "committee", email="carlos@example.org"),
        "sven": make_user(db, "Sven Helpdesk", "helpdesk", email="sven@example.org"),
        "leila": make_user(db, "Leila Lead", email="leila@example.org"),
    }
    return found


def act(db: Session, case: Case, user: User, action: str, message: str | None = None) -> None:
    service.take_action(db, case, user, case_access(db, user, case), action, case.version,
                        message=message)
    db.flush()


def decide(db: Session, case: Case, outcome: str, members: list[User], **extra: object) -> None:
    actor = members[0]
    service.record_decision(
        db, case, actor, case_access(db, actor, case), expected_version=case.version,
        outcome=outcome, rationale="Discussed.", public_rationale=str(extra.pop("text", "")),
        participant_ids=[member.id for member in members], **extra)  # type: ignore[arg-type]
    db.flush()


def say(db: Session, case: Case, user: User, text: str, internal: bool = False) -> None:
    service.post_message(db, case, user, case_access(db, user, case), text, internal=internal)
    db.flush()


def panel(client: FlaskClient, key: str) -> list[str]:
    """The references listed in a panel of the home page (None: no such panel)."""
    soup = parse(client.get("/").get_data(as_text=True))
    section = soup.select_one(f"#panel-{key}")
    if section is None:
        return []
    return [text_of(link) for link in section.select("li > a")]


def panels(client: FlaskClient) -> set[str]:
    soup = parse(client.get("/").get_data(as_text=True))
    return {str(section.get("id", "")).removeprefix("panel-")
            for section in soup.select("section.attention__panel")}


def menu_count(client: FlaskClient, href: str, page: str = "/") -> int:
    """The count on a menu item (0 when it has none)."""
    soup = parse(client.get(page).get_data(as_text=True))
    link = soup.select_one(f'nav.site-nav a[href="{href}"]')
    assert link is not None, href
    badge = link.parent.select_one(".need-badge") if link.parent is not None else None
    return int(text_of(badge)) if badge is not None else 0


def unread_on(client: FlaskClient, path: str) -> set[str]:
    """The references marked unread on a list page."""
    soup = parse(client.get(path).get_data(as_text=True))
    return {text_of(link) for cell in soup.select("th[scope=row]")
            if (link := cell.select_one("a")) is not None
            and cell.select_one(".badge--unread") is not None}


def mail_to(db: Session, address: str, kind: str | None = None) -> list[OutboxMessage]:
    statement = select(OutboxMessage).where(OutboxMessage.to_address == address)
    if kind:
        statement = statement.where(OutboxMessage.kind == kind)
    return list(db.scalars(statement.order_by(OutboxMessage.id)))
