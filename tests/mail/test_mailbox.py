"""The mailbox job against a real Dovecot: each message of the corpus ends where it
should, nothing is lost, nothing is answered twice, and a second run or a run that dies
half-way changes nothing."""

from __future__ import annotations

import email
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from app.cases import service as cases
from app.cases.access import case_access
from app.cases.models import Case, CaseMessage
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from app.mail import threads
from app.mail.imap import Mailbox
from app.mail.models import IncomingMail, MailAttachment, MailBounce
from app.notifications.models import FailingAddress, OutboxMessage
from tests.factories import make_case, make_user
from tests.helpers import app_session as session
from tests.mail.conftest import HELPDESK, corpus, fetch
from tests.mail.dovecot import Dovecot
from tests.notifications.test_outbox import SmtpServer

NEW_REQUESTS = {
    # file: (sender, title, language of the acknowledgement, words of the description)
    "outlook_html.eml": ("camille.durand@musee-example.fr",
                         "Demande d’aide – versement de photographies", "fr",
                         ["Musée des Beaux-Arts", "4 000 photographies", "« Wikidata »"]),
    "apple_mail.eml": ("sara.lind@kartarkivet.example.se", "Kartor från 1700-talet till Commons",
                       "sv", ["Kartarkivet i Uppsala", "10 000 skannade kartor"]),
    "japanese_iso2022jp.eml": ("hanako.yamada@museum.example.jp",
                               "コモンズへの画像のアップロードについて", "en",
                               ["奈良の博物館", "ウィキメディア・コモンズ"]),
    "russian_koi8r.eml": ("irina@library.example.ru", "Передача данных в Викиданные", "en",
                          ["Наша библиотека в Казани", "Ирина Петрова"]),
    "arabic.eml": ("leila.hassan@archive.example.org", "طلب مساعدة في رفع الصور", "ar",
                   ["ويكيميديا كومنز"]),
    "bengali.eml": ("rahim@library.example.bd", "পুঁথির ছবি", "bn", ["উইকিমিডিয়া কমন্সে"]),
    "no_message_id.eml": ("webform@partner.example.org", "Contact form: data donation", "es",
                          ["José García", "catálogo", "“Es posible?”"]),
}


def rows(app: Flask, model: Any, *where: Any) -> list[Any]:
    with session(app) as db:
        found = list(db.scalars(select(model).where(*where).order_by(model.id)))
        db.expunge_all()
        return found


def count(app: Flask, model: Any, *where: Any) -> int:
    with session(app) as db:
        return int(db.scalar(select(func.count()).select_from(model).where(*where)) or 0)


def case_of(app: Flask, reference: str) -> Case:
    with session(app) as db:
        case = db.scalars(select(Case).where(Case.reference == reference)).one()
        db.expunge(case)
        return case


# -- new requests ----------------------------------------------------------------------------

def test_the_corpus_of_new_requests_opens_one_request_each(
        mail_app: Flask, dovecot: Dovecot, smtp: SmtpServer) -> None:
    with session(mail_app) as db:
        make_user(db, "Sven Helpdesk", "helpdesk", email="sven@example.org")
    dovecot.append(*(corpus(name) for name in NEW_REQUESTS))

    result = fetch(mail_app)

    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == f"read {len(NEW_REQUESTS)}: new_request {len(NEW_REQUESTS)}"
    assert dovecot.count("INBOX") == 0 and dovecot.count("Processed") == len(NEW_REQUESTS)
    for name, (sender, title, language, words) in NEW_REQUESTS.items():
        mail = rows(mail_app, IncomingMail, IncomingMail.from_address == sender)
        assert [m.outcome for m in mail] == ["new_request"], name
        case = rows(mail_app, Case, Case.id == mail[0].case_id)[0]
        assert (case.title, case.state, case.channel) == (title, "submitted", "email"), name
        assert case.contact_email == sender and case.requester_id is None, name
        assert not case.public_listing, name
        for word in words:
            assert word in case.description, (name, word)
        acks = rows(mail_app, OutboxMessage, OutboxMessage.to_address == sender)
        assert [(row.kind, row.language) for row in acks] == [("mail_received", language)], name
        assert case.reference in acks[0].subject and "/requests/claim/" in acks[0].body
    # the helpdesk hears of each new request, as of one filed on the web
    assert count(mail_app, OutboxMessage, OutboxMessage.kind == "new_request") == len(NEW_REQUESTS)


def test_html_only_mail_becomes_safe_text_and_its_files_are_kept(
        mail_app: Flask, dovecot: Dovecot) -> None:
    dovecot.append(corpus("outlook_html.eml"), corpus("apple_mail.eml"))
    assert fetch(mail_app).exit_code == 0
    outlook = rows(mail_app, Case, Case.contact_email == "camille.durand@musee-example.fr")[0]
    assert "OUTLOOK-SCRIPT-MARKER" not in outlook.description
    assert "<" not in outlook.description and "&nbsp;" not in outlook.description
    assert "• Peintures – 2 500" in outlook.description
    files = {f.filename: f for f in rows(mail_app, MailAttachment)}
    # the signature's logo (an inline image) is no file anyone sent
    assert set(files) == {"Liste des œuvres.pdf", "Karta över Uppsala 1702.jpg"}
    assert all(f.kept and f.storage_name and f.size for f in files.values())
    stored = Path(mail_app.config["ATTACHMENTS_DIR"])
    pdf = files["Liste des œuvres.pdf"]
    path = stored / pdf.storage_name[:2] / pdf.storage_name
    assert path.read_bytes().startswith(b"%PDF") and path.stat().st_mode & 0o077 == 0
    assert (stored.stat().st_mode & 0o077) == 0


# -- twice, and dying half-way ---------------------------------------------------------------

def test_fetching_twice_changes_nothing(mail_app: Flask, dovecot: Dovecot) -> None:
    dovecot.append(corpus("arabic.eml"), corpus("bengali.eml"))
    assert fetch(mail_app).stdout.strip() == "read 2: new_request 2"
    again = fetch(mail_app)
    assert again.exit_code == 0 and again.stdout.strip() == "read 0"
    # the same messages delivered once more (a server that redelivers) are duplicates
    dovecot.append(corpus("arabic.eml"), corpus("bengali.eml"))
    assert fetch(mail_app).stdout.strip() == "read 2: duplicate 2"
    assert count(mail_app, Case) == 2 and count(mail_app, IncomingMail) == 2
    assert count(mail_app, OutboxMessage, OutboxMessage.kind == "mail_received") == 2
    assert dovecot.count("INBOX") == 0 and dovecot.count("Processed") == 4


def test_dying_after_a_commit_loses_and_duplicates_nothing(
        mail_app: Flask, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch) -> None:
    from app.mail import fetch as job
    from app.mail.settings import mail_config

    names = list(NEW_REQUESTS)
    dovecot.append(*(corpus(name) for name in names))
    monkeypatch.setattr(job, "MOVE_BATCH", 3)
    moves: list[list[int]] = []
    real_done = Mailbox.done

    def die_on_the_second_move(self: Mailbox, uids: list[int]) -> None:
        if moves:  # six messages are committed, three moved: the job is killed
            raise KeyboardInterrupt
        real_done(self, uids)
        moves.append(uids)

    monkeypatch.setattr(Mailbox, "done", die_on_the_second_move)
    with pytest.raises(KeyboardInterrupt), mail_app.app_context():
        job.fetch_mail(get_session(), mail_config())
    assert count(mail_app, IncomingMail) == 6 and dovecot.count("INBOX") == len(names) - 3

    monkeypatch.setattr(Mailbox, "done", real_done)
    result = fetch(mail_app)
    assert result.stdout.strip() == f"read {len(names) - 3}: duplicate 3, new_request 1"
    assert count(mail_app, Case) == len(names) == count(mail_app, IncomingMail)
    assert count(mail_app, OutboxMessage, OutboxMessage.kind == "mail_received") == len(names)
    assert dovecot.count("INBOX") == 0 and dovecot.count("Processed") == len(names)


def test_a_message_that_cannot_be_stored_stays_in_the_mailbox(
        mail_app: Flask, dovecot: Dovecot, monkeypatch: pytest.MonkeyPatch) -> None:
    dovecot.append(corpus("arabic.eml"), corpus("bengali.eml"))
    from app.mail import service

    real_record = service.record

    def fail_for_bengali(db: Any, parsed: Any, config: Any, raw: bytes) -> IncomingMail:
        if "bd" in parsed.from_address:
            raise RuntimeError("the disk is full")
        return real_record(db, parsed, config, raw)

    monkeypatch.setattr(service, "record", fail_for_bengali)
    result = fetch(mail_app)
    assert result.exit_code == 1 and "1 message(s) could not be stored" in result.stderr
    assert count(mail_app, Case) == 1 and dovecot.count("INBOX") == 1

    monkeypatch.setattr(service, "record", real_record)
    assert fetch(mail_app).stdout.strip() == "read 1: new_request 1"
    assert count(mail_app, Case) == 2 and dovecot.count("INBOX") == 0


# -- replies --------------------------------------------------------------------------------

def waiting_case(app: Flask) -> tuple[str, int, str]:
    """Ada's case, waiting on her (needs_information), and the Message-ID of the email
    that asked her: (reference, case id, Message-ID)."""
    with session(app) as db:
        ada = make_user(db, "Ada Requester", email="ada.user@example.org")
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        case = make_case(db, ada, contact_email="ada@example.org")
        cases.move(db, case, sven, {"helpdesk"}, "triage")
        members = [make_user(db, name, "committee")
                   for name in ("Ngozi Committee", "Mei Committee", "Carlos Committee")]
        cases.record_decision(db, case, members[0], case_access(db, members[0], case),
                              expected_version=case.version, outcome="ask_information",
                              rationale="r", public_rationale="Which licence?",
                              participant_ids=[m.id for m in members])
        db.flush()
        asked = db.scalars(select(OutboxMessage).where(
            OutboxMessage.case_id == case.id, OutboxMessage.kind == "state_changed")
            .order_by(OutboxMessage.id.desc())).first()
        assert asked is not None and case.state == "needs_information"
        message_id = threads.outbox_message_id(asked.id, int(asked.created_at.timestamp()),
                                               case.id, to_requester=True)
        return case.reference, case.id, message_id.strip("<>")


def test_a_gmail_reply_answers_the_committee_like_the_web_answer(
        mail_app: Flask, dovecot: Dovecot) -> None:
    reference, case_id, thread_id = waiting_case(mail_app)
    dovecot.append(corpus("gmail_reply.eml", FROM="ada@example.org", REF=reference,
                          THREAD_ID=thread_id))
    assert fetch(mail_app).stdout.strip() == "read 1: answer 1"
    case = case_of(mail_app, reference)
    assert case.state == "in_initial_review"
    messages = rows(mail_app, CaseMessage, CaseMessage.case_id == case_id)
    answer = messages[-1]
    assert answer.body.startswith("Hello,\n\nHere is the information") and not answer.internal
    assert "wrote:" not in answer.body and "> Which licence" not in answer.body
    assert answer.author_id == case.requester_id  # Ada's account: the case is hers
    mail = rows(mail_app, IncomingMail)[0]
    assert mail.case_message_id == answer.id
    assert "> Your request" in mail.body  # the quoted history is kept, folded away
    events = [e.action for e in rows(mail_app, AuditEvent, AuditEvent.object_id == str(case_id))]
    assert events[-1] == "case.answer"
    # nothing is answered: the requester is told the case moved, as after a web answer
    kinds = [r.kind for r in rows(mail_app, OutboxMessage, OutboxMessage.case_id == case_id)]
    assert "mail_received" not in kinds


def test_a_vacation_notice_is_stored_and_never_answered(
        mail_app: Flask, dovecot: Dovecot) -> None:
    reference, case_id, thread_id = waiting_case(mail_app)
    before = count(mail_app, OutboxMessage)
    dovecot.append(corpus("vacation.eml", FROM="ada@example.org", REF=reference,
                          THREAD_ID=thread_id))
    assert fetch(mail_app).stdout.strip() == "read 1: auto_reply 1"
    assert case_of(mail_app, reference).state == "needs_information"
    assert count(mail_app, OutboxMessage) == before
    assert count(mail_app, CaseMessage, CaseMessage.case_id == case_id) == 1  # the question


def test_a_reply_by_subject_or_plus_address_from_an_address_on_the_case(
        mail_app: Flask, dovecot: Dovecot) -> None:
    reference, case_id, _thread = waiting_case(mail_app)
    with session(mail_app) as db:
        case = db.get_one(Case, case_id)
        cases.move(db, case, make_user(db, "Ada Requester"), {"requester"}, "answer",
                   message="First answer.")
    by_subject = (f"From: Ada <ADA@example.org>\r\nTo: {HELPDESK}\r\n"
                  f"Subject: Re: {reference.lower()} more photos\r\nMessage-ID: <s1@example.org>"
                  "\r\n\r\nWe found 200 more photographs.\r\n").encode()
    by_plus = (f"From: ada.user@example.org\r\nTo: helpdesk+{reference}@example.org\r\n"
               "Subject: one more thing\r\nMessage-ID: <p1@example.org>\r\n\r\n"
               "And a list of photographers.\r\n").encode()
    dovecot.append(by_subject, by_plus)
    assert fetch(mail_app).stdout.strip() == "read 2: reply 2"
    bodies = [m.body for m in rows(mail_app, CaseMessage, CaseMessage.case_id == case_id)]
    assert bodies[-2:] == ["We found 200 more photographs.", "And a list of photographers."]
    assert case_of(mail_app, reference).state == "in_initial_review"


def test_the_threads_signed_token_lets_a_reply_in_from_another_address(
        mail_app: Flask, dovecot: Dovecot) -> None:
    reference, _case_id, thread_id = waiting_case(mail_app)
    dovecot.append(corpus("gmail_reply.eml", FROM="ada.private@example.net", REF=reference,
                          THREAD_ID=thread_id))
    assert fetch(mail_app).stdout.strip() == "read 1: answer 1"
    assert case_of(mail_app, reference).state == "in_initial_review"


def test_a_forged_reference_to_another_persons_case_opens_a_new_request(
        mail_app: Flask, dovecot: Dovecot) -> None:
    reference, case_id, _thread = waiting_case(mail_app)
    dovecot.append(corpus("forged_reference.eml", REF=reference, CASE_ID=case_id))
    assert fetch(mail_app).stdout.strip() == "read 1: new_request 1"
    assert case_of(mail_app, reference).state == "needs_information"
    assert count(mail_app, CaseMessage, CaseMessage.case_id == case_id) == 1
    new = rows(mail_app, Case, Case.contact_email == "mallory@example.net")[0]
    note = rows(mail_app, CaseMessage, CaseMessage.case_id == new.id)[0]
    assert note.internal and reference in note.body
    assert rows(mail_app, IncomingMail)[0].note == reference


# -- loops and floods -------------------------------------------------------------------------

def test_a_delivery_report_marks_the_message_and_the_address(
        mail_app: Flask, dovecot: Dovecot) -> None:
    with session(mail_app) as db:
        case = make_case(db, None, contact_email="gone@example.net", channel="email")
        db.flush()
        row = OutboxMessage(case_id=case.id, to_address="gone@example.net", kind="message",
                            subject=f"New message on {case.reference}", body="Hello")
        db.add(row)
        db.flush()
        message_id = threads.outbox_message_id(row.id, 1, case.id, to_requester=True)
        reference, row_id, case_id = case.reference, row.id, case.id
    before = count(mail_app, OutboxMessage)
    dovecot.append(corpus("dsn_bounce.eml", BOUNCED="gone@example.net", REF=reference,
                          OUTBOX_MESSAGE_ID=message_id.strip("<>")))
    assert fetch(mail_app).stdout.strip() == "read 1: bounce 1"
    bounce = rows(mail_app, MailBounce)[0]
    assert (bounce.address, bounce.outbox_id, bounce.status) == ("gone@example.net", row_id,
                                                                 "5.1.1")
    assert "User unknown" in bounce.diagnostic
    outgoing = rows(mail_app, OutboxMessage, OutboxMessage.id == row_id)[0]
    assert outgoing.last_error.startswith("Bounced: 5.1.1")
    assert rows(mail_app, IncomingMail)[0].case_id == case_id
    assert count(mail_app, OutboxMessage) == before  # a bounce is never answered
    # the address is failing, as after a permanent SMTP refusal (shown to staff)
    [failing] = rows(mail_app, FailingAddress)
    assert (failing.address, failing.outbox_id) == ("gone@example.net", row_id)
    assert failing.error.startswith("Bounced: 5.1.1")
    assert rows(mail_app, Case, Case.id == case_id)[0].contact_email_failing == failing.error


def test_mail_from_the_tools_own_address_is_ignored(mail_app: Flask, dovecot: Dovecot) -> None:
    own = [f"From: {address}\r\nTo: {HELPDESK}\r\nSubject: loop\r\nMessage-ID: <own{n}@x>\r\n"
           "\r\nHello\r\n" for n, address in enumerate((
               HELPDESK, "Helpdesk+CPH-2026-0001@example.org",
               "tools.cp-helpdesk@toolforge.org"))]
    dovecot.append(*(message.encode() for message in own))
    assert fetch(mail_app).stdout.strip() == "read 3: own 3"
    assert count(mail_app, Case) == 0 and count(mail_app, OutboxMessage) == 0


def test_a_flood_is_held_for_the_helpdesk_not_dropped(
        mail_app: Flask, dovecot: Dovecot) -> None:
    mail_app.config["MAIL_SENDER_LIMIT"] = 3
    flood = [(f"From: flood@example.com\r\nTo: {HELPDESK}\r\nSubject: Request {n}\r\n"
              f"Message-ID: <flood{n}@example.com>\r\n\r\nPlease help {n}.\r\n").encode()
             for n in range(5)]
    dovecot.append(*flood)
    assert fetch(mail_app).stdout.strip() == "read 5: held 2, new_request 3"
    held = rows(mail_app, IncomingMail, IncomingMail.outcome == "held")
    assert [m.subject for m in held] == ["Request 3", "Request 4"]
    assert count(mail_app, OutboxMessage, OutboxMessage.kind == "mail_received") == 3
    stored = Path(mail_app.config["ATTACHMENTS_DIR"])
    assert all((stored / m.raw_name[:2] / m.raw_name).is_file() for m in held)


# -- sizes ----------------------------------------------------------------------------------

def with_attachment(size: int, name: str = "scans.zip", n: int = 1) -> bytes:
    """A message with one attachment of `size` bytes (base64 on the wire)."""
    message = email.message.EmailMessage()
    message["From"] = "big@example.org"
    message["To"] = HELPDESK
    message["Subject"] = f"Our scans {n}"
    message["Message-ID"] = f"<big{n}@example.org>"
    message.set_content("The scans are attached.")
    message.add_attachment(b"\0" * size, maintype="application", subtype="zip", filename=name)
    return message.as_bytes(policy=default_policy.clone(linesep="\r\n"))


def test_a_30_mb_message_is_refused_politely_and_never_read(
        mail_app: Flask, dovecot: Dovecot) -> None:
    dovecot.append(with_attachment(30 * 1024 * 1024))
    result = fetch(mail_app)
    assert result.stdout.strip() == "read 1: too_large 1"
    assert count(mail_app, Case) == 0 and count(mail_app, MailAttachment) == 0
    refusal = rows(mail_app, OutboxMessage)
    assert [(r.kind, r.to_address) for r in refusal] == [("mail_too_large", "big@example.org")]
    assert "too large" in refusal[0].body and "Our scans 1" in refusal[0].body
    assert dovecot.count("Processed") == 1
    assert fetch(mail_app).stdout.strip() == "read 0"  # and not refused twice


def test_files_over_the_limits_are_listed_not_kept(mail_app: Flask, dovecot: Dovecot) -> None:
    mail_app.config["MAIL_MAX_ATTACHMENT_BYTES"] = 1000
    dovecot.append(with_attachment(2000, n=1), with_attachment(10, "setup.exe", n=2))
    assert fetch(mail_app).stdout.strip() == "read 2: new_request 2"
    files = rows(mail_app, MailAttachment)
    assert [(f.filename, f.kept, f.refused, f.storage_name) for f in files] == [
        ("scans.zip", False, "too_large", None), ("setup.exe", False, "type", None)]
    acks = rows(mail_app, OutboxMessage, OutboxMessage.kind == "mail_received")
    assert "- scans.zip" in acks[0].body and "- setup.exe" in acks[1].body


# -- the job's exit statuses ----------------------------------------------------------------

def test_an_unreachable_server_is_said_and_nothing_is_lost(
        mail_app: Flask, dovecot: Dovecot) -> None:
    from tests.mail.dovecot import free_port

    mail_app.config["IMAP_PORT"] = free_port()  # nobody listens there
    result = fetch(mail_app)
    assert result.exit_code == 0
    assert f"IMAP server 127.0.0.1:{mail_app.config['IMAP_PORT']} unreachable" in result.stderr
    assert result.stdout.strip() == "read 0"


def test_a_refused_sign_in_or_no_mailbox_fails_the_job(mail_app: Flask, dovecot: Dovecot) -> None:
    mail_app.config["IMAP_PASSWORD"] = "wrong"
    refused = fetch(mail_app)
    assert refused.exit_code == 1 and "refused us" in refused.stderr and "LOGIN" in refused.stderr
    mail_app.config["IMAP_HOST"] = ""
    unset = fetch(mail_app)
    assert unset.exit_code == 1 and "IMAP_HOST is not set" in unset.stderr
