"""The people's side of email: claiming an emailed request, its files, the raw message,
the held mail, and privacy (nothing of an email is ever public)."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from app.cases import service as cases
from app.cases.models import Case
from app.core.audit_log import AuditEvent
from app.mail.models import IncomingMail, MailAttachment
from app.notifications.models import OutboxMessage
from tests.factories import make_user
from tests.helpers import SignIn, csrf_token
from tests.helpers import app_session as session
from tests.mail.conftest import HELPDESK, corpus, fetch
from tests.mail.dovecot import Dovecot
from tests.mail.test_mailbox import case_of, count, rows

MARKER = "Zq-mail-secret-7731"


def claim_path(app: Flask, address: str) -> str:
    """The claim link of the acknowledgement sent to `address`."""
    [ack] = rows(app, OutboxMessage, OutboxMessage.to_address == address,
                 OutboxMessage.kind == "mail_received")
    match = re.search(r"https?://\S+(/requests/claim/\S+)", ack.body)
    assert match, ack.body
    return match.group(1)


def signed_in(app: Flask, sign_in: SignIn, username: str) -> FlaskClient:
    client = app.test_client()
    sign_in(client, username)
    return client


def post(client: FlaskClient, path: str, token_from: str | None = None) -> Any:
    return client.post(path, data={"csrf_token": csrf_token(client, token_from or path)})


@pytest.fixture
def people(mail_app: Flask) -> None:
    with session(mail_app) as db:
        for name in ("Omar Requester", "Ada Requester", "Leila Lead"):
            make_user(db, name)
        make_user(db, "Sven Helpdesk", "helpdesk")
        make_user(db, "Ngozi Committee", "committee")


def test_the_sender_claims_their_emailed_request(
        mail_app: Flask, dovecot: Dovecot, sign_in: SignIn, people: None) -> None:
    dovecot.append(corpus("apple_mail.eml"))
    assert fetch(mail_app).exit_code == 0
    path = claim_path(mail_app, "sara.lind@kartarkivet.example.se")
    [case] = rows(mail_app, Case)
    omar = signed_in(mail_app, sign_in, "Omar Requester")
    assert omar.get(f"/requests/{case.reference}").status_code == 403

    page = omar.get(path)
    assert page.status_code == 200 and case.title in page.get_data(as_text=True)
    answer = post(omar, path)
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/requests/{case.reference}")
    claimed = case_of(mail_app, case.reference)
    assert claimed.requester_id is not None and claimed.contact_username == "Omar Requester"
    assert omar.get(f"/requests/{case.reference}").status_code == 200
    events = rows(mail_app, AuditEvent, AuditEvent.action == "case.claim")
    assert [(e.object_id, e.after["requester"]) for e in events] == [
        (str(case.id), "Omar Requester")]
    # again: nothing changes; someone else with the same link: refused
    assert post(omar, path).status_code == 303
    assert count(mail_app, AuditEvent, AuditEvent.action == "case.claim") == 1
    ada = signed_in(mail_app, sign_in, "Ada Requester")
    assert ada.get(path).status_code == 409


def test_a_claim_link_that_is_forged_expired_or_stale_is_refused(
        mail_app: Flask, dovecot: Dovecot, sign_in: SignIn, people: None,
        monkeypatch: pytest.MonkeyPatch) -> None:
    dovecot.append(corpus("arabic.eml"))
    assert fetch(mail_app).exit_code == 0
    path = claim_path(mail_app, "leila.hassan@archive.example.org")
    omar = signed_in(mail_app, sign_in, "Omar Requester")
    assert omar.get(path[:-3] + "abc").status_code == 404
    assert omar.get("/requests/claim/not-a-token").status_code == 404

    [case] = rows(mail_app, Case)
    with mail_app.app_context():
        from app.mail.notices import claim_url

        with monkeypatch.context() as patched:
            patched.setattr(time, "time", lambda: 1_600_000_000.0)  # long ago
            old = claim_url(case, "leila.hassan@archive.example.org")
    assert omar.get(old[old.index("/requests/"):]).status_code == 410

    with session(mail_app) as db:
        db.get_one(Case, case.id).contact_email = "new-address@example.org"
    assert omar.get(path).status_code == 409
    assert case_of(mail_app, case.reference).requester_id is None


def test_emailed_files_are_for_staff_and_the_requester_only(
        mail_app: Flask, dovecot: Dovecot, sign_in: SignIn, people: None) -> None:
    dovecot.append(corpus("apple_mail.eml"))
    assert fetch(mail_app).exit_code == 0
    path = claim_path(mail_app, "sara.lind@kartarkivet.example.se")
    [case] = rows(mail_app, Case)
    [file] = rows(mail_app, MailAttachment)
    omar = signed_in(mail_app, sign_in, "Omar Requester")
    post(omar, path)
    download = f"/requests/{case.reference}/attachments/{file.id}"

    for client in (omar, signed_in(mail_app, sign_in, "Sven Helpdesk"),
                   signed_in(mail_app, sign_in, "Ngozi Committee")):
        answer = client.get(download)
        assert answer.status_code == 200
        assert answer.data.startswith(b"\xff\xd8") and answer.mimetype == "image/jpeg"
        assert answer.headers["Content-Disposition"].startswith("attachment;")
        assert "Karta%20%C3%B6ver%20Uppsala%201702.jpg" in answer.headers["Content-Disposition"]
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert "no-store" in answer.headers["Cache-Control"]
        assert "sandbox" in answer.headers["Content-Security-Policy"]
    assert signed_in(mail_app, sign_in, "Leila Lead").get(download).status_code == 403
    assert mail_app.test_client().get(download).status_code == 302
    assert omar.get(f"/requests/{case.reference}/attachments/{file.id + 1}").status_code == 404

    # the requester's page of files; the staff's also lists the email, one click from raw
    mine = omar.get(f"/requests/{case.reference}/mail").get_data(as_text=True)
    assert "Karta över Uppsala 1702.jpg" in mine and "/mail/" not in mine.split("<main")[-1]
    staff = signed_in(mail_app, sign_in, "Sven Helpdesk")
    theirs = staff.get(f"/requests/{case.reference}/mail").get_data(as_text=True)
    [mail] = rows(mail_app, IncomingMail)
    assert f'href="/mail/{mail.id}"' in theirs


def test_the_raw_message_is_one_click_away_for_staff(
        mail_app: Flask, dovecot: Dovecot, sign_in: SignIn, people: None) -> None:
    dovecot.append(corpus("outlook_html.eml"))
    assert fetch(mail_app).exit_code == 0
    [mail] = rows(mail_app, IncomingMail)
    raw = signed_in(mail_app, sign_in, "Sven Helpdesk").get(f"/mail/{mail.id}")
    text = raw.get_data(as_text=True)
    assert raw.status_code == 200
    assert "Thread-Index: AdqpQ1zXn2kX8a0bTxS3tA==" in text  # the headers as they came
    assert "Liste des œuvres.pdf" in text and "OUTLOOK-SCRIPT-MARKER" not in text
    assert signed_in(mail_app, sign_in, "Omar Requester").get(f"/mail/{mail.id}").status_code == 403


def test_held_mail_is_listed_and_let_through_or_discarded(
        mail_app: Flask, dovecot: Dovecot, sign_in: SignIn, people: None) -> None:
    mail_app.config["MAIL_SENDER_LIMIT"] = 1
    dovecot.append(*(f"From: eager@example.com\r\nTo: {HELPDESK}\r\nSubject: Ask {n}\r\n"
                     f"Message-ID: <eager{n}@example.com>\r\n\r\nHelp {n}\r\n".encode()
                     for n in range(3)))
    assert fetch(mail_app).stdout.strip() == "read 3: held 2, new_request 1"
    sven = signed_in(mail_app, sign_in, "Sven Helpdesk")
    page = sven.get("/mail").get_data(as_text=True)
    assert "Ask 1" in page and "Ask 2" in page
    first, second = rows(mail_app, IncomingMail, IncomingMail.outcome == "held")

    assert post(sven, f"/mail/{first.id}/release", "/mail").status_code == 303
    assert post(sven, f"/mail/{second.id}/discard", "/mail").status_code == 303
    released, discarded = (rows(mail_app, IncomingMail, IncomingMail.id == m.id)[0]
                           for m in (first, second))
    assert released.outcome == "new_request" and released.case_id is not None
    assert discarded.outcome == "discarded" and discarded.raw_name is None
    assert count(mail_app, Case) == 2
    assert count(mail_app, OutboxMessage, OutboxMessage.kind == "mail_received") == 2
    actions = [e.action for e in rows(mail_app, AuditEvent, AuditEvent.object_type == "mail")]
    assert actions == ["mail.release", "mail.discard"]
    assert post(sven, f"/mail/{first.id}/release", "/mail").status_code == 409
    assert not list(Path(mail_app.config["ATTACHMENTS_DIR"]).rglob("*.eml"))  # both gone


PUBLIC_PAGES = ("/", "/cases", "/cases.atom", "/api/v1/cases", "/stats", "/stats.csv", "/gaps",
                "/groups", "/api/v1/working-groups")


def test_nothing_of_an_emailed_request_is_ever_public(
        mail_app: Flask, dovecot: Dovecot, people: None) -> None:
    """A marker in an emailed request's body, its sender, its file's name and content
    reaches no public page, feed or API answer — also once the helpdesk accepted the
    request and it were listed publicly."""
    message = (f"From: {MARKER} <{MARKER.lower()}@example.org>\r\nTo: {HELPDESK}\r\n"
               f"Subject: Public title\r\nMessage-ID: <privacy@example.org>\r\n"
               "MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
               f"--b\r\nContent-Type: text/plain\r\n\r\nOur secret plan: {MARKER}\r\n"
               f"--b\r\nContent-Type: text/csv\r\nContent-Disposition: attachment; "
               f"filename={MARKER}.csv\r\n\r\nid,{MARKER}\r\n--b--\r\n").encode()
    dovecot.append(message)
    assert fetch(mail_app).exit_code == 0
    [case] = rows(mail_app, Case)
    assert MARKER in case.description and rows(mail_app, MailAttachment)[0].kept

    def public_text() -> str:
        client = mail_app.test_client()
        pages = [*PUBLIC_PAGES, f"/cases/{case.reference}", f"/api/v1/cases/{case.reference}"]
        return "\n".join(client.get(page).get_data(as_text=True) for page in pages)

    assert MARKER.lower() not in public_text().lower()
    with session(mail_app) as db:
        stored = db.get_one(Case, case.id)
        cases.move(db, stored, make_user(db, "Sven Helpdesk"), {"helpdesk"}, "triage")
        stored.public_listing = True  # as if the requester had agreed since
    shown = public_text()
    assert "Public title" in shown  # the projection is there…
    assert MARKER.lower() not in shown.lower()  # …and nothing private with it


# -- the staff's side: the case page and the inbox --------------------------------------------

def test_the_case_page_lists_the_emailed_files_and_the_emails(
        mail_app: Flask, dovecot: Dovecot, sign_in: SignIn, people: None) -> None:
    dovecot.append(corpus("apple_mail.eml"))
    assert fetch(mail_app).exit_code == 0
    post(signed_in(mail_app, sign_in, "Omar Requester"),
         claim_path(mail_app, "sara.lind@kartarkivet.example.se"))
    [case] = rows(mail_app, Case)
    [file] = rows(mail_app, MailAttachment)
    [mail] = rows(mail_app, IncomingMail)
    download = f'href="/requests/{case.reference}/attachments/{file.id}"'
    page = f"/requests/{case.reference}"

    helpdesk = signed_in(mail_app, sign_in, "Sven Helpdesk").get(page).get_data(as_text=True)
    assert download in helpdesk and f'href="/mail/{mail.id}"' in helpdesk  # one click to raw
    requester = signed_in(mail_app, sign_in, "Omar Requester").get(page).get_data(as_text=True)
    assert download in requester and "/mail/" not in requester.replace(
        f"/requests/{case.reference}/mail", "")
    committee = signed_in(mail_app, sign_in, "Ngozi Committee").get(page).get_data(as_text=True)
    assert f'href="/requests/{case.reference}/mail"' in committee


def test_the_inbox_shows_the_source_and_new_replies(
        mail_app: Flask, dovecot: Dovecot, sign_in: SignIn, people: None) -> None:
    from tests.html import parse

    dovecot.append(corpus("arabic.eml"))
    assert fetch(mail_app).exit_code == 0
    [case] = rows(mail_app, Case)
    reply = ("From: leila.hassan@archive.example.org\r\nTo: helpdesk@example.org\r\n"
             f"Subject: Re: {case.reference}\r\nMessage-ID: <r1@archive.example.org>\r\n\r\n"
             "We have 500 photographs.\r\n").encode()
    dovecot.append(reply)
    assert fetch(mail_app).stdout.strip() == "read 1: reply 1"
    sven = signed_in(mail_app, sign_in, "Sven Helpdesk")

    def row_of_case() -> str:
        html = parse(sven.get("/inbox"))
        cell = html.find("a", string=case.reference)
        assert cell is not None
        return cell.find_parent("tr").get_text(" ", strip=True)

    assert "Email" in row_of_case() and "New reply" in row_of_case()
    # the helpdesk answers: the mark goes
    with session(mail_app) as db:
        from app.cases.access import case_access

        staff = make_user(db, "Sven Helpdesk")
        stored = db.get_one(Case, case.id)
        cases.post_message(db, stored, staff, case_access(db, staff, stored), "Thank you!",
                           internal=False)
    assert "New reply" not in row_of_case()
    # a flood is announced in the inbox
    mail_app.config["MAIL_SENDER_LIMIT"] = 1
    dovecot.append(*(f"From: x@example.com\r\nSubject: {n}\r\nMessage-ID: <x{n}@e>\r\n\r\nx"
                     .encode() for n in range(3)))
    fetch(mail_app)
    assert "2 emails held back" in sven.get("/inbox").get_data(as_text=True)
