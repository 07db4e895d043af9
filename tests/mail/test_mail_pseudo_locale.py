"""The mail pages and emails in the pseudo-locale (tests/pseudo.py): every visible word
comes through a message, with emails, held mail, files and badges on the page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from babel.units import format_unit
from flask import Flask
from sqlalchemy import select

from app import create_app
from app.mail.models import IncomingMail, MailAttachment
from app.notifications.models import OutboxMessage
from dev.standin.server import RunningServer
from tests.conftest import app_config, empty_all_tables
from tests.factories import make_user
from tests.helpers import SignIn
from tests.helpers import app_session as session
from tests.mail.conftest import HELPDESK, corpus, fetch, mail_settings
from tests.mail.dovecot import Dovecot
from tests.mail.test_mail_pages import claim_path
from tests.pseudo import PSEUDO_LOCALE
from tests.system.test_pseudo_locale import (  # noqa: F401 - a fixture used by name
    USER_DATA,
    _words,
    leftovers,
    pseudo_translations,
    untranslated,
)


@pytest.fixture
def pseudo_app(database_url: str, standin: RunningServer, standin_app: Flask,
               pseudo_translations: Path, dovecot: Dovecot,  # noqa: F811
               tmp_path: Path) -> Iterator[Flask]:
    application = create_app(app_config(
        database_url, standin, EXTRA_LANGUAGES=[PSEUDO_LOCALE],
        BABEL_TRANSLATION_DIRECTORIES=str(pseudo_translations),
        **mail_settings(dovecot, tmp_path / "attachments"), MAIL_SENDER_LIMIT=1))
    yield application
    application.extensions["database"].engine.dispose()
    empty_all_tables(database_url)
    standin_app.extensions["standin"].reset()


MAIL_DATA = ((IncomingMail, ("subject", "from_name", "from_address", "body", "headers",
                             "note")),
             (MailAttachment, ("filename",)))


def cldr_units() -> set[str]:
    """The size units as CLDR writes them in the pseudo-locale's language (not messages)."""
    return {re.sub(r"[\d\s.,\u202f]", "", format_unit(1, unit, length="short",
                                                       locale=PSEUDO_LOCALE))
            for unit in ("digital-kilobyte", "digital-megabyte")}


def user_data(app: Flask) -> re.Pattern[str]:
    """What people and their mail wrote, and the size units: never a message."""
    values: set[str] = cldr_units()
    with session(app) as db:
        for model, columns in (*USER_DATA, *MAIL_DATA):
            for row in db.execute(select(*(getattr(model, name) for name in columns))):
                for value in row:
                    if isinstance(value, str):
                        values.add(value.strip())
                        values.update(line.strip() for line in value.splitlines())
    return _words(values)


def test_the_mail_pages_in_the_pseudo_locale(
        pseudo_app: Flask, dovecot: Dovecot, sign_in: SignIn) -> None:
    with session(pseudo_app) as db:
        make_user(db, "Sven Helpdesk", "helpdesk")
        make_user(db, "Ngozi Committee", "committee")
        make_user(db, "Omar Requester")
    dovecot.append(corpus("outlook_html.eml"), corpus("arabic.eml"),
                   *(f"From: twice@example.com\r\nTo: {HELPDESK}\r\nSubject: S{n}\r\n"
                     f"Message-ID: <t{n}@e>\r\n\r\nText {n}\r\n".encode() for n in range(2)))
    assert fetch(pseudo_app).stdout.strip() == "read 4: held 1, new_request 3"
    with session(pseudo_app) as db:
        outlook = db.scalars(select(IncomingMail).where(
            IncomingMail.from_address == "camille.durand@musee-example.fr")).one()
        reference = outlook.case_id and db.scalar(
            select(OutboxMessage.subject).where(OutboxMessage.case_id == outlook.case_id))
        case_reference = re.search(r"CPH-\d{4}-\d{4}", str(reference)).group(0)  # type: ignore[union-attr]
        held = db.scalars(select(IncomingMail.id).where(IncomingMail.outcome == "held")).one()
        mail_id = outlook.id
    claim = claim_path(pseudo_app, "leila.hassan@archive.example.org")
    data = user_data(pseudo_app)
    pages: dict[str, list[str]] = {
        "Sven Helpdesk": ["/mail", f"/mail/{mail_id}", f"/mail/{held}", "/inbox",
                          f"/requests/{case_reference}", f"/requests/{case_reference}/mail"],
        "Ngozi Committee": [f"/requests/{case_reference}", f"/mail/{mail_id}"],
        "Omar Requester": [claim],
    }
    findings: list[str] = []
    for username, paths in pages.items():
        client = pseudo_app.test_client()
        client.get(f"/?uselang={PSEUDO_LOCALE}")
        sign_in(client, username)
        for path in paths:
            response = client.get(f"{path}{'&' if '?' in path else '?'}uselang={PSEUDO_LOCALE}")
            assert response.status_code == 200, (username, path, response.status_code)
            html = response.get_data(as_text=True)
            findings += [f"{username} {path}: {item}" for item in untranslated(html, data)]
    assert not findings, "\n".join(findings)


def test_the_automatic_answers_in_the_pseudo_locale(pseudo_app: Flask) -> None:
    from app.mail import notices

    with session(pseudo_app) as db:
        from tests.factories import make_case

        case = make_case(db, None, channel="email", contact_email="x@example.org")
        ack = notices.acknowledge(db, case, "x@example.org", PSEUDO_LOCALE, 180,
                                  ["scans.zip"])
        refusal = notices.refuse_too_large(db, "x@example.org", PSEUDO_LOCALE,
                                           31_000_000, 26_214_400, "Our scans")
        db.flush()
        data = _words([case.title, case.reference, "scans.zip", "Our scans", "x@example.org",
                       *cldr_units()])
        findings: list[Any] = []
        for row in (ack, refusal):
            for part, text in (("subject", row.subject), ("body", row.body)):
                for line in text.splitlines():
                    found = leftovers(line, data)
                    if found:
                        findings.append(f"{row.kind} {part}: {line!r} → {found}")
    assert not findings, "\n".join(findings)
