"""Outgoing threading: every email about a case goes out in its thread, and the answer to
one comes back onto the case — the whole round trip through real SMTP and IMAP servers."""

from __future__ import annotations

from email.message import EmailMessage
from email.policy import default as default_policy

from flask import Flask

from app.cases.models import Case, CaseMessage
from app.mail import threads
from app.notifications.models import OutboxMessage
from tests.case_client import post_on_case
from tests.factories import make_user
from tests.helpers import SignIn
from tests.helpers import app_session as session
from tests.mail.conftest import HELPDESK, corpus, deliver, fetch
from tests.mail.dovecot import Dovecot
from tests.mail.test_mailbox import rows
from tests.notifications.test_outbox import SmtpServer

ORIGINAL = "<ar-20260308093000@archive.example.org>"


def test_the_acknowledgement_goes_out_in_the_senders_thread(
        mail_app: Flask, dovecot: Dovecot, smtp: SmtpServer) -> None:
    dovecot.append(corpus("arabic.eml"))
    assert fetch(mail_app).exit_code == 0
    assert deliver(mail_app).exit_code == 0
    [sent] = smtp.handler.messages()
    [case] = rows(mail_app, Case)
    assert sent["To"] == "leila.hassan@archive.example.org"
    assert case.reference in sent["Subject"]
    assert sent["In-Reply-To"] == ORIGINAL
    assert sent["References"].split() == [threads_root(mail_app, case.id), ORIGINAL]
    assert sent["Reply-To"] == HELPDESK
    assert sent["Content-Language"] == "ar" and sent["Auto-Submitted"] == "auto-generated"
    with mail_app.app_context():
        assert threads.signed_case(sent["Message-ID"]) == case.id


def threads_root(app: Flask, case_id: int) -> str:
    with app.app_context():
        return threads.case_thread_id(case_id)


def test_a_reply_by_email_from_the_case_page_and_its_answer_come_back(
        mail_app: Flask, dovecot: Dovecot, smtp: SmtpServer, sign_in: SignIn) -> None:
    mail_app.config["MAIL_PLUS_ADDRESSING"] = True
    with session(mail_app) as db:
        make_user(db, "Sven Helpdesk", "helpdesk")
    dovecot.append(corpus("arabic.eml"))
    assert fetch(mail_app).exit_code == 0
    [case] = rows(mail_app, Case)
    assert deliver(mail_app).exit_code == 0  # the acknowledgement
    smtp.handler.envelopes.clear()

    sven = mail_app.test_client()
    sign_in(sven, "Sven Helpdesk")
    answer = post_on_case(sven, case.reference, "message", body="Which licence, please?",
                          visibility="public")
    assert answer.status_code == 302
    [row] = rows(mail_app, OutboxMessage, OutboxMessage.kind == "message")
    assert (row.to_address, row.language) == ("leila.hassan@archive.example.org", "ar")
    assert deliver(mail_app).exit_code == 0
    [sent] = smtp.handler.messages()
    assert "Which licence, please?" in sent.get_content()
    assert sent["Reply-To"] == f"helpdesk+{case.reference}@example.org"
    assert sent["In-Reply-To"] == ORIGINAL and case.reference in sent["Subject"]

    # the requester answers from another address of theirs: the thread's token lets it in
    reply = EmailMessage()
    reply["From"] = "Leila <leila@home.example.net>"
    reply["To"] = sent["Reply-To"]
    reply["Subject"] = f"Re: {sent['Subject']}"
    reply["Message-ID"] = "<answer-1@home.example.net>"
    reply["In-Reply-To"] = sent["Message-ID"]
    reply["References"] = f"{sent['References']} {sent['Message-ID']}"
    reply.set_content("CC BY-SA 4.0.\n\n> Which licence, please?\n")
    dovecot.append(reply.as_bytes(policy=default_policy.clone(linesep="\r\n")))
    assert fetch(mail_app).stdout.strip() == "read 1: reply 1"
    messages = rows(mail_app, CaseMessage, CaseMessage.case_id == case.id)
    assert [m.body for m in messages][-2:] == ["Which licence, please?", "CC BY-SA 4.0."]


def test_emails_to_staff_carry_no_token_and_no_reply_to(
        mail_app: Flask, dovecot: Dovecot, smtp: SmtpServer) -> None:
    with session(mail_app) as db:
        make_user(db, "Sven Helpdesk", "helpdesk", email="sven@example.org")
    dovecot.append(corpus("bengali.eml"))
    assert fetch(mail_app).exit_code == 0
    assert deliver(mail_app).exit_code == 0
    sent = {message["To"]: message for message in smtp.handler.messages()}
    to_staff = sent["sven@example.org"]
    [case] = rows(mail_app, Case)
    assert case.reference in to_staff["Subject"]
    assert to_staff["Reply-To"] is None
    with mail_app.app_context():
        assert threads.signed_case(to_staff["Message-ID"]) is None
        assert threads.signed_case(sent["rahim@library.example.bd"]["Message-ID"]) == case.id
    assert sent["rahim@library.example.bd"]["Content-Language"] == "bn"
