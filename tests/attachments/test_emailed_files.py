"""The files of a public message go with its email (delivered by a real SMTP server):
the helpdesk's answer reaches the requester with its files, the requester's message
reaches the assignee with theirs; an internal note's files are never emailed; a file
that cannot go is named in the email, which points to the request's page."""

from __future__ import annotations

from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import pytest
from flask import Flask

from app.attachments.service import email_files
from app.core.db import get_session
from app.notifications.delivery import deliver_due
from tests.attachments.test_uploads import CSV, PDF, files_app, post_message, rows
from tests.factories import make_case, make_user
from tests.helpers import SignIn
from tests.helpers import app_session as session
from tests.notifications.test_outbox import SITE, SmtpServer

__all__ = ["files_app"]  # the fixture, shared with the upload tests


@pytest.fixture
def smtp(files_app: Flask) -> Iterator[SmtpServer]:
    server = SmtpServer()
    server.start()
    files_app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=server.port, SMTP_TIMEOUT=5,
                            HELPDESK_URL=SITE)
    yield server
    server.stop()


def a_case(app: Flask) -> str:
    """Ada's request, assigned to Sven (helpdesk); Mei (committee) watches it as a
    reviewer would. Returns its reference."""
    with session(app) as db:
        ada = make_user(db, "Ada Requester", email="ada@example.org")
        sven = make_user(db, "Sven Helpdesk", "helpdesk", email="sven@example.org")
        make_user(db, "Mei Committee", "committee", email="mei@example.org")
        case = make_case(db, ada, assignee_id=sven.id)
        return case.reference


def delivered(app: Flask, smtp: SmtpServer) -> dict[str, list[EmailMessage]]:
    """Deliver the outbox; the emails received, by address (the outbox's since the
    last call)."""
    with app.app_context():
        deliver_due(get_session())
    received: dict[str, list[EmailMessage]] = {}
    for message in smtp.handler.messages():
        received.setdefault(str(message["To"]), []).append(message)
    smtp.handler.envelopes.clear()
    return received


def attached(message: EmailMessage) -> dict[str, bytes]:
    """The email's attachments by file name."""
    found = {}
    for part in message.iter_attachments():
        content = part.get_payload(decode=True)
        assert isinstance(content, bytes)
        found[str(part.get_filename())] = content
    return found


def text_of_mail(message: EmailMessage) -> str:
    body = message.get_body(("plain",))
    assert body is not None
    return str(body.get_content()).replace("\r\n", "\n")


def test_the_helpdesks_answer_reaches_the_requester_with_its_files(
    files_app: Flask, smtp: SmtpServer, sign_in: SignIn
) -> None:
    reference = a_case(files_app)
    delivered(files_app, smtp)  # the emails about filing
    sven = files_app.test_client()
    sign_in(sven, "Sven Helpdesk")

    sent = post_message(sven, reference, [(PDF, "Avtal – signerat.pdf"), (CSV, "metadata.csv")],
                        body="Here is the agreement to sign.")

    assert sent.status_code == 302
    (to_ada,) = delivered(files_app, smtp)["ada@example.org"]
    assert "Here is the agreement to sign." in text_of_mail(to_ada)
    assert attached(to_ada) == {"Avtal – signerat.pdf": PDF, "metadata.csv": CSV}
    pdf = next(to_ada.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_content_disposition() == "attachment"


def test_the_requesters_message_reaches_the_assignee_with_its_files(
    files_app: Flask, smtp: SmtpServer, sign_in: SignIn
) -> None:
    reference = a_case(files_app)
    delivered(files_app, smtp)
    ada = files_app.test_client()
    sign_in(ada, "Ada Requester")

    assert post_message(ada, reference, [(CSV, "list.csv")]).status_code == 302

    received = delivered(files_app, smtp)
    (to_sven,) = received["sven@example.org"]
    assert attached(to_sven) == {"list.csv": CSV}
    assert "ada@example.org" not in received  # not to herself


def test_an_internal_notes_files_are_never_emailed(
    files_app: Flask, smtp: SmtpServer, sign_in: SignIn
) -> None:
    reference = a_case(files_app)
    delivered(files_app, smtp)
    mei = files_app.test_client()
    sign_in(mei, "Mei Committee")

    note = post_message(mei, reference, [(PDF, "draft contract.pdf")], visibility="internal",
                        body="Our draft, not for the requester.")

    assert note.status_code == 302
    received = delivered(files_app, smtp)
    assert "ada@example.org" not in received
    (to_sven,) = received["sven@example.org"]  # the assignee watches the case
    assert "Our draft" in text_of_mail(to_sven)
    assert attached(to_sven) == {}  # on the case page, for staff only


def test_a_file_that_cannot_go_is_named_in_the_email(
    files_app: Flask, smtp: SmtpServer, sign_in: SignIn
) -> None:
    reference = a_case(files_app)
    delivered(files_app, smtp)
    sven = files_app.test_client()
    sign_in(sven, "Sven Helpdesk")
    post_message(sven, reference, [(PDF, "agreement.pdf"), (CSV, "scans.csv")])
    scans = rows(files_app)[1]
    folder = Path(files_app.config["ATTACHMENTS_DIR"])
    (folder / scans.storage_name[:2] / scans.storage_name).unlink()  # gone before sending

    (to_ada,) = delivered(files_app, smtp)["ada@example.org"]

    assert attached(to_ada) == {"agreement.pdf": PDF}
    text = text_of_mail(to_ada)
    assert "Not attached to this email, on the request's page: scans.csv" in text
    assert f"{SITE}/requests/{reference}" in text
    assert text.index("scans.csv") < text.index("\n-- \n")  # before the signature


def test_files_beyond_the_emails_budget_stay_on_the_page(
    files_app: Flask, sign_in: SignIn
) -> None:
    reference = a_case(files_app)
    sven = files_app.test_client()
    sign_in(sven, "Sven Helpdesk")
    post_message(sven, reference, [(PDF, "agreement.pdf"), (CSV, "metadata.csv")])
    agreement, _metadata = rows(files_app)
    assert agreement.message_id is not None
    with files_app.app_context():
        files = email_files(get_session(), agreement.message_id, budget=len(PDF) + 1)
        assert [(row.filename, data) for row, data in files.attached] == [("agreement.pdf", PDF)]
        assert [row.filename for row in files.left_out] == ["metadata.csv"]
