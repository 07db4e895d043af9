"""Every ordinal category's sentence of the place in line comes through the catalogue:
in the pseudo-locale each one is a translated message around the number."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from app.auth.models import User
from tests.helpers import SignIn
from tests.helpers import app_session as session
from tests.pseudo import CLOSE, OPEN, PSEUDO_LOCALE
from tests.queue.support import approved_case, people
from tests.queue.test_place_in_line_ordinals import places_on_my_requests
from tests.system.test_pseudo_locale import app, pseudo_translations  # noqa: F401 - fixtures


def test_the_place_in_line_is_a_message_in_the_pseudo_locale(
        app: Flask, sign_in: SignIn) -> None:  # noqa: F811
    with session(app) as db:
        ada = people(db)["ada"]
        for place in range(1, 24):
            approved_case(db, ada, f"Case {place}")
        user = db.scalars(select(User).where(User.username == "Ada Requester")).one()
        user.language = PSEUDO_LOCALE
    client = app.test_client()
    sign_in(client, "Ada Requester")
    shown = places_on_my_requests(client, f"?uselang={PSEUDO_LOCALE}")
    assert len(shown) == 23
    for place in range(1, 24):
        text = shown[f"Case {place}"]
        assert text.startswith(OPEN + str(place)) and text.endswith(CLOSE), text
        assert "in line" not in text  # the English words were translated
