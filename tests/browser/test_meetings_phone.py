"""Committee meetings on a 390×844 phone: the chair runs the agenda of the demo's coming
meeting and the public reads last month's minutes, without sideways scrolling, with
axe content (the full audit of every page is test_pages_axe)."""

from __future__ import annotations

from typing import Any

from flask import Flask
from sqlalchemy import select

from app.core.db import get_session
from app.meetings.models import Meeting
from tests.browser.conftest import OpenVisitor
from tests.browser.test_phone import check_fits, demo, on_a_phone

__all__ = ["demo"]


def meeting_ids(app: Flask) -> list[int]:
    with app.app_context():
        return list(get_session().scalars(select(Meeting.id).order_by(Meeting.starts_at)))


def test_the_chair_and_the_public_read_meetings_on_a_phone(
        app: Flask, visitor: OpenVisitor, demo: dict[str, Any]) -> None:
    past, coming = meeting_ids(app)
    chair = on_a_phone(visitor, "Ngozi Committee")
    for path in ("/committee/meetings", f"/committee/meetings/{past}",
                 f"/committee/meetings/{coming}", f"/committee/meetings/{coming}/run"):
        check_fits(chair, path)
    public = on_a_phone(visitor)
    for path in ("/meetings", f"/meetings/{past}"):
        check_fits(public, path)
    assert "Public minutes" in public.page.inner_text("main")
