"""Demo data for `make run`: the stand-in's accounts with their roles."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from .models import User
from .roles import grant_role

# (username, central id, roles) — the same accounts the OAuth stand-in offers.
DEMO_USERS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("Ada Requester", 1001, ()),
    ("Ngozi Committee", 1002, ("committee",)),
    ("Mei Committee", 1003, ("committee",)),
    ("Carlos Committee", 1004, ("committee",)),
    ("Sven Helpdesk", 1005, ("helpdesk",)),
    ("Leila Lead", 1006, ()),
    ("Admin Demo", 1007, ("admin",)),
    ("Blocked Example", 1008, ()),
    ("Omar Requester", 1009, ()),
)


def load_demo_data(db: Session) -> bool:
    """Create the demo users and roles; False when they were already there."""
    if db.scalars(select(User).where(User.central_id == DEMO_USERS[0][1])).first():
        return False
    for username, central_id, roles in DEMO_USERS:
        blocked = username.startswith("Blocked")
        user = User(central_id=central_id, username=username, blocked=blocked)
        db.add(user)
        db.flush()
        for role in roles:
            grant_role(db, user, role, None)
    db.commit()
    return True
