"""A watcher's email carries List-Unsubscribe (RFC 2369) and one-click unsubscribing
(RFC 8058): the mail program POSTs to the signed address without a session or CSRF
token, and the person stops watching; nothing else goes without the CSRF check."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.attention.models import CaseMark
from app.cases.models import Case
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from app.notifications.delivery import deliver_due
from tests.attention.support import act, mail_to, people, say
from tests.factories import make_case
from tests.helpers import SignIn, csrf_token
from tests.helpers import app_session as session
from tests.notifications.test_outbox import SITE, SmtpServer

ONE_CLICK = {"List-Unsubscribe": "One-Click"}


@pytest.fixture
def smtp(app: Flask) -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_TIMEOUT=5,
                      HELPDESK_URL=SITE)
    yield server
    server.stop()


def delivered(app: Flask, smtp: SmtpServer, address: str) -> list[EmailMessage]:
    """Deliver the outbox to the real SMTP server; the emails `address` received."""
    with app.app_context():
        deliver_due(get_session())
    return [message for message in smtp.handler.messages() if message["To"] == address]


def a_watched_case(app: Flask) -> int:
    """Ada's request, triaged by Sven; Mei (committee) watches it; Sven writes to Ada."""
    with session(app) as db:
        u = people(db)
        case = make_case(db, u["ada"], title="Maps")
        act(db, case, u["sven"], "triage")
        db.add(CaseMark(user_id=u["mei"].id, case_id=case.id, watching=True))
        say(db, case, u["sven"], "Which licence do the scans have?")
        return case.id


def the_case(db: Session, case_id: int) -> Case:
    case = db.get(Case, case_id)
    assert case is not None
    return case


def one_click_path(message: EmailMessage) -> str:
    """The path of the email's List-Unsubscribe address (one address, in angle brackets,
    on one line: a mail program reads no encoded words there)."""
    header = str(message["List-Unsubscribe"])
    assert header.startswith("<https://") and header.endswith(">"), header
    assert "=?" not in header and " " not in header
    address = urlsplit(header[1:-1])
    assert f"{address.scheme}://{address.netloc}" == SITE
    return address.path


def watched_mail_count(app: Flask, address: str) -> int:
    with session(app) as db:
        return len(mail_to(db, address, "watched"))


def test_a_watchers_email_has_a_one_click_unsubscribe_header(
    app: Flask, smtp: SmtpServer
) -> None:
    a_watched_case(app)
    (to_mei,) = delivered(app, smtp, "mei@example.org")
    path = one_click_path(to_mei)
    assert path.startswith("/unwatch/") and path.endswith("/one-click")
    assert to_mei["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    # The body's link is the same signed token, for a person to open.
    assert f"{SITE}{path.removesuffix('/one-click')}" in to_mei.get_content()
    # Ada's email is about her own request, not a subscription: no such header.
    to_ada = delivered(app, smtp, "ada@example.org")
    assert to_ada and all(m["List-Unsubscribe"] is None for m in to_ada)


def test_the_mail_programs_one_click_post_unwatches_without_a_session(
    app: Flask, smtp: SmtpServer
) -> None:
    case_id = a_watched_case(app)
    (to_mei,) = delivered(app, smtp, "mei@example.org")
    path = one_click_path(to_mei)
    mail_program = app.test_client()  # no cookies, no form token

    # Opened in a browser, the address shows the confirmation page; nothing changes.
    opened = mail_program.get(path)
    assert opened.status_code == 303
    assert opened.headers["Location"].endswith(path.removesuffix("/one-click"))
    # A POST without the one-click body is not a mail program's: refused, still watching.
    assert mail_program.post(path, data={"other": "x"}).status_code == 400
    # A damaged token is refused.
    damaged = path.replace("/one-click", "x/one-click")
    assert mail_program.post(damaged, data=ONE_CLICK).status_code == 404
    with session(app) as db:
        say(db, the_case(db, case_id), people(db)["sven"], "Still there?")
    assert watched_mail_count(app, "mei@example.org") == 2

    done = mail_program.post(path, data=ONE_CLICK)
    assert done.status_code == 200
    assert "no more emails" in done.get_data(as_text=True)
    with session(app) as db:
        say(db, the_case(db, case_id), people(db)["sven"], "And now?")
        mei = people(db)["mei"]
        events = db.scalars(select(AuditEvent).where(AuditEvent.action == "case.unwatch")).all()
        assert [(e.actor_id, e.object_id) for e in events] == [(mei.id, str(case_id))]
    assert watched_mail_count(app, "mei@example.org") == 2  # no email about "And now?"


def test_no_other_route_goes_without_the_csrf_check(
    app: Flask, smtp: SmtpServer, sign_in: SignIn
) -> None:
    case_id = a_watched_case(app)
    (to_mei,) = delivered(app, smtp, "mei@example.org")
    path = one_click_path(to_mei)
    unwatch_page = path.removesuffix("/one-click")
    mei = app.test_client()
    sign_in(mei, "Mei Committee")
    with session(app) as db:
        reference = the_case(db, case_id).reference
    # The unwatch page's own form and the case page's watch button keep their check.
    assert mei.post(unwatch_page, data=ONE_CLICK).status_code == 400
    assert mei.post(f"/requests/{reference}/watch", data={"watch": "0"}).status_code == 400
    assert watched_mail_count(app, "mei@example.org") == 1
    with session(app) as db:
        say(db, the_case(db, case_id), people(db)["sven"], "Still watching?")
    assert watched_mail_count(app, "mei@example.org") == 2
    # …and with the token the page's form works as before.
    token = csrf_token(mei, unwatch_page)
    assert mei.post(unwatch_page, data={"csrf_token": token}).status_code == 200
