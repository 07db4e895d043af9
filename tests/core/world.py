"""A database with rows in every table, and scratch databases to copy it into.

Used by the backup round trip and by the migration tests (which insert the same rows,
cut down to the columns of an earlier revision).
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from alembic.script import ScriptDirectory
from flask import Flask
from sqlalchemy import (
    JSON,
    Column,
    MetaData,
    Table,
    bindparam,
    create_engine,
    func,
    inspect,
    null,
    select,
    text,
)
from sqlalchemy.engine import Connection, make_url

from app import create_app
from app.attachments.models import Attachment
from app.attention.models import CaseMark, SavedView
from app.auth.models import User, UserSession
from app.cases.models import Case, CaseLink, CaseMessage
from app.committee.models import (
    ConflictOfInterest,
    Guideline,
    GuidelineRevision,
    Review,
)
from app.core import schema
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from app.core.schema import metadata
from app.groups.models import JoinRequest, WorkingGroup
from app.mail.models import IncomingMail, MailAttachment, MailBounce
from app.meetings.models import AgendaMail, Meeting, MemberSettings, VoteNotice
from app.notifications.models import FailingAddress
from app.partners.models import Organisation, OrganisationContact, Placement
from app.search.index import is_index_object
from dev.demo import load_demo_data

# Text that has broken exports elsewhere: scripts, emoji, quotes, escapes, line breaks
# of every kind, a control character.
AWKWARD = ('مرحبا বাংলা 🦒🌍 "quoted" \\back\\slash\\ \'single\' <b>&amp;</b>\n'
           "second line\r\nthird\u2028fourth\u2029fifth\ttab \x07 end")


# Every migration revision, oldest first.
REVISIONS = [script.revision for script in reversed(list(
    ScriptDirectory.from_config(schema.alembic_config("sqlite://")).walk_revisions()))]


@contextlib.contextmanager
def scratch_database(folder: Path) -> Iterator[str]:
    """An empty database of the same engine as the suite's (a new schema on MariaDB)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        yield f"sqlite:///{folder / f'scratch-{uuid.uuid4().hex[:8]}.sqlite3'}"
        return
    name = f"helpdesk_scratch_{uuid.uuid4().hex[:8]}"
    server = create_engine(make_url(base).set(database=""))
    with server.begin() as conn:
        conn.execute(text(
            f"CREATE DATABASE {name} CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci"
        ))
    try:
        yield str(make_url(base).set(database=name).render_as_string(hide_password=False))
    finally:
        with server.begin() as conn:
            conn.execute(text(f"DROP DATABASE {name}"))
        server.dispose()


def app_on(url: str) -> Flask:
    """The app on the given database (dispose its engine when done)."""
    return create_app({"HELPDESK_ENV": "testing", "TESTING": True, "DATABASE_URL": url,
                       "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
                       "RATELIMIT_STORAGE_URI": "memory://"})


def build_world(url: str) -> None:
    """The demo data, plus a row in every table it leaves empty, and awkward values."""
    app = app_on(url)
    try:
        with app.app_context():
            db = get_session()
            assert load_demo_data(db)
            _fill_the_gaps(db)
            db.commit()
        with app.extensions["database"].engine.begin() as conn:
            # A JSON column holding SQL NULL (the ORM writes the JSON value null).
            conn.execute(AuditEvent.__table__.insert(), {
                "created_at": datetime(2026, 1, 2, 3, 4, 5, 123456), "actor_id": None,
                "action": "test.sql_null", "object_type": "case", "object_id": "1",
                "before": null(), "after": {"nested": {"list": [1, 2.5, None, True, AWKWARD]}}})
    finally:
        app.extensions["database"].engine.dispose()


def _fill_the_gaps(db: Any) -> None:
    users = {user.username: user for user in db.scalars(select(User))}
    cases = list(db.scalars(select(Case).order_by(Case.id)))
    groups = {group.slug: group for group in db.scalars(select(WorkingGroup))}
    organisation = db.scalars(select(Organisation).order_by(Organisation.id)).first()
    ngozi, mei, carlos = (users[f"{name} Committee"] for name in ("Ngozi", "Mei", "Carlos"))
    omar, leila = users["Omar Requester"], users["Leila Lead"]
    db.add(User(central_id=2**40 + 7, username="Zoë 🦒 مستخدم", language="ar",
                email="zoe@example.org", email_notifications=False))
    db.add(UserSession(sid_hash="0" * 64, user_id=ngozi.id, last_seen_at=datetime(2026, 12, 1)))
    db.add(UserSession(sid_hash="f" * 64, user_id=omar.id, ended_at=datetime(2026, 12, 2),
                       end_reason="signed_out"))
    guideline = Guideline(slug="awkward", title="Guideline « 🦒 »", body=AWKWARD)
    db.add(guideline)
    db.flush()
    db.add(GuidelineRevision(guideline_id=guideline.id, title=guideline.title, body=AWKWARD,
                             summary="first", author_id=ngozi.id))
    ngozi.country, ngozi.languages, ngozi.regions = "NG", ["ar", "bn"], ["mena", "ssa"]
    db.add(JoinRequest(group_id=groups["translation"].id, user_id=omar.id, note=AWKWARD))
    db.add(JoinRequest(group_id=groups["implementation"].id, user_id=omar.id, note="",
                       status="declined", decided_by_id=leila.id,
                       decided_at=datetime(2026, 11, 30, 12, 0, 0, 999999)))
    db.add(OrganisationContact(organisation_id=organisation.id, name="Ana Ñandú",
                               email="ana@example.org", role="Archivist"))
    db.add(Placement(organisation_id=organisation.id, person="Wiki Resident",
                     start_date=date(2026, 1, 31), end_date=date(2027, 2, 28),
                     description=AWKWARD))
    db.add(Placement(organisation_id=organisation.id, person="Open-ended", end_date=None,
                     start_date=date(2026, 6, 1)))
    db.add(CaseLink(case_id=cases[1].id, other_id=cases[2].id))
    db.add(ConflictOfInterest(case_id=cases[1].id, member_id=carlos.id, reason=AWKWARD))
    db.add(Review(case_id=cases[1].id, member_id=mei.id, stage="initial",
                  recommendation="approve", comment=AWKWARD))
    db.add(CaseMessage(case_id=cases[2].id, author_id=None, internal=True, body=AWKWARD))
    _mail_rows(db, cases[2])
    _meeting_rows(db, cases[1], mei)
    _attachment_rows(db, cases[2], omar)
    db.add(FailingAddress(address="gone@example.org", error=AWKWARD[:300], outbox_id=None))
    db.add(CaseMark(user_id=mei.id, case_id=cases[1].id, watching=None,
                    seen_at=datetime(2026, 12, 3, 1, 2, 3, 4)))
    db.add(CaseMark(user_id=omar.id, case_id=cases[2].id, seen_at=None, watching=False))
    db.add(SavedView(user_id=ngozi.id, name="Heritage « 🦒 »", uses=3,
                     query="theme=heritage&q=%F0%9F%A6%92"))
    # A self-reference to a *later* row: the first case duplicates the last one.
    first = cases[0]
    first.state, first.outcome, first.duplicate_of_id = "closed", "duplicate", cases[-1].id
    first.closed_at = datetime(2026, 12, 1, 8, 30, 0, 1)


def _mail_rows(db: Any, case: Case) -> None:
    """An email that came in on a case, its files (one kept, one not) and a bounce."""
    mail = IncomingMail(message_key="awkward-🦒@example.org", message_id="awkward-🦒@example.org",
                        from_address="ana@example.org", from_name="Ana Ñandú",
                        subject="Re: « 🦒 »", language="ar", size=1234, outcome="reply",
                        note="", case_id=case.id, headers=AWKWARD, body=AWKWARD,
                        received_at=datetime(2026, 12, 1, 9, 0, 0, 5))
    db.add(mail)
    db.flush()
    db.add(MailAttachment(mail_id=mail.id, case_id=case.id, filename="Ärende 🦒.pdf",
                          content_type="application/pdf", size=3, sha256="0" * 64, kept=True,
                          refused="", storage_name="0" * 32))
    db.add(MailAttachment(mail_id=mail.id, case_id=case.id, filename="setup.exe",
                          content_type="application/octet-stream", size=10, kept=False,
                          refused="type", storage_name=None))
    db.add(MailBounce(address="gone@example.org", mail_id=mail.id, outbox_id=None,
                      action="failed", status="5.1.1", diagnostic=AWKWARD[:400]))


def _attachment_rows(db: Any, case: Case, author: User) -> None:
    """Files added to a request: one with it, one with an internal note."""
    note = CaseMessage(case_id=case.id, author_id=author.id, internal=True, body="See file.")
    db.add(note)
    db.flush()
    db.add(Attachment(case_id=case.id, message_id=None, internal=False,
                      filename="Métadonnées 🦒.csv", content_type="text/csv", size=12,
                      sha256="1" * 64, storage_name="1" * 32, uploaded_by_id=author.id))
    db.add(Attachment(case_id=case.id, message_id=note.id, internal=True,
                      filename="contract.pdf", content_type="application/pdf", size=3,
                      sha256="2" * 64, storage_name="2" * 32, uploaded_by_id=None))


def _meeting_rows(db: Any, case: Case, member: User) -> None:
    """A meeting's agenda sent, a member's settings and calendar token, a vote notice."""
    meeting = db.scalars(select(Meeting).order_by(Meeting.id)).first()
    db.add(AgendaMail(meeting_id=meeting.id, member_id=member.id,
                      sent_at=datetime(2026, 11, 28, 7, 0, 0, 1)))
    db.add(MemberSettings(user_id=member.id, vote_mail="digest", calendar_token="t" * 43))
    db.add(VoteNotice(case_id=case.id, member_id=member.id, kind="needed",
                      stage_key="in_initial_review:2026-11-20T10:00:00",
                      sent_at=datetime(2026, 11, 20, 10, 5)))
    meeting.notes = AWKWARD


def tables_with_rows(url: str) -> dict[str, int]:
    """The number of rows of every table of the app."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {table.name: conn.execute(select(func.count()).select_from(table)).scalar_one()
                    for table in metadata().sorted_tables}
    finally:
        engine.dispose()


def snapshot(url: str) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table (all columns, by primary key), and for each nullable
    JSON column whether it holds SQL NULL."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {table.name: [tuple(row) for row in conn.execute(
                select(table, *[column.is_(None) for column in table.columns
                                if isinstance(column.type, JSON)])
                .order_by(*table.primary_key.columns))]
                for table in metadata().sorted_tables}
    finally:
        engine.dispose()


def rows_of(url: str, columns: dict[str, set[str]] | None = None
            ) -> dict[str, list[dict[str, Any]]]:
    """Every row of every table as dictionaries, parents first; with `columns`, only
    those tables and columns (the schema of an earlier revision), typed as today."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return {table.name: [dict(row._mapping) for row in conn.execute(
                select(table).order_by(*table.primary_key.columns))]
                for table in (metadata().sorted_tables if columns is None else
                              [cut_down(t, columns[t.name]) for t in metadata().sorted_tables
                               if t.name in columns])}
    finally:
        engine.dispose()


def columns_of(url: str) -> dict[str, set[str]]:
    """The tables of the database at `url` as it is now, and their columns."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            return columns_at(conn)
    finally:
        engine.dispose()


def columns_at(conn: Connection) -> dict[str, set[str]]:
    """The tables of the database as it is now, and their columns."""
    found = inspect(conn)
    return {name: {column["name"] for column in found.get_columns(name)}
            for name in found.get_table_names()
            if name != "alembic_version" and not is_index_object(name)}


def cut_down(table: Table, columns: set[str]) -> Table:
    """The table with only the given columns, typed as today, with no defaults (the
    columns of an earlier revision)."""
    return Table(table.name, MetaData(),
                 *[Column(column.name, column.type, primary_key=column.primary_key)
                   for column in table.columns if column.name in columns])


def insert_rows(conn: Connection, rows: dict[str, list[dict[str, Any]]],
                replace: tuple[str, ...] = ()) -> None:
    """Insert the rows into the tables and columns the database has now (Core).

    The rows of the tables in `replace` (the ones the migrations seed) go first;
    self-references are set once their table is in."""
    present = columns_at(conn)
    for table in metadata().sorted_tables:
        if table.name not in present:
            continue
        short = cut_down(table, present[table.name])
        if table.name in replace:
            conn.execute(short.delete())
        selfish = [fk.parent.name for fk in table.foreign_keys
                   if fk.column.table is table and fk.parent.name in present[table.name]]
        kept = [{key: (None if key in selfish else value) for key, value in row.items()
                 if key in present[table.name]} for row in rows.get(table.name, [])]
        if kept:
            conn.execute(short.insert(), kept)
        later = [{"pk": row["id"], **{f"v_{name}": row[name] for name in selfish}}
                 for row in rows.get(table.name, []) if any(row[name] for name in selfish)]
        if later:
            conn.execute(short.update().where(short.c.id == bindparam("pk"))
                         .values({name: bindparam(f"v_{name}") for name in selfish}), later)
