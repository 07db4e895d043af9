"""Database faults: killed connections, a stopped server, a commit that fails half-way.

The tests that kill connections or stop the server use a private `mariadbd`
(tests/private_mariadb.py), never the shared one. The half-way-commit tests run on
the session's database (SQLite, or TEST_DATABASE_URL) and on the private server.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, func, select, text
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from app import create_app
from app.auth.models import User
from app.cases.models import Case, ChecklistItem
from app.core import audit, schema
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from app.core.schema import metadata
from app.notifications import service as notify
from app.notifications.models import OutboxMessage
from app.partners.models import Organisation
from dev.standin.server import RunningServer
from tests.conftest import SEEDED_TABLES, app_config
from tests.factories import make_case, make_user
from tests.helpers import SignIn, csrf_token
from tests.private_mariadb import PrivateMariaDB, private_mariadb

FRIENDLY_503 = "The helpdesk cannot reach its database right now"
FRIENDLY_503_SV = "Helpdesken kan inte nå sin databas just nu"
# What must never reach a visitor's browser when the database fails.
LEAKS = ("Traceback", "OperationalError", "pymysql", "sqlalchemy", "Lost connection",
         "Can't connect", "SELECT ")
WRITTEN_BY_FILING = (Case, ChecklistItem, AuditEvent, OutboxMessage, Organisation)


# -- the private server ----------------------------------------------------------

@pytest.fixture(scope="module")
def mariadb() -> Iterator[PrivateMariaDB]:
    """A private MariaDB server for this module (stopped, started and killed at will)."""
    with private_mariadb() as server:
        yield server


@pytest.fixture(scope="module")
def private_url(mariadb: PrivateMariaDB) -> str:
    """A migrated utf8mb4 database on the private server."""
    url = mariadb.create_database("helpdesk_faults")
    schema.upgrade(url)
    return url


def _empty(mariadb: PrivateMariaDB, database: str = "helpdesk_faults") -> None:
    conn = mariadb.connect(database)
    try:
        with conn.cursor() as cursor:
            cursor.execute("SET FOREIGN_KEY_CHECKS=0")
            for table in reversed(metadata().sorted_tables):
                if table.name not in SEEDED_TABLES:
                    cursor.execute(f"DELETE FROM `{table.name}`")
            cursor.execute("SET FOREIGN_KEY_CHECKS=1")
    finally:
        conn.close()


@pytest.fixture
def private_app(
    mariadb: PrivateMariaDB, private_url: str, standin: RunningServer, standin_app: Flask
) -> Iterator[Flask]:
    """The app on the private server (which is running when the test starts)."""
    mariadb.start()  # a failed test may have left it stopped
    application = create_app(app_config(private_url, standin))
    yield application
    application.extensions["database"].engine.dispose()
    mariadb.start()
    _empty(mariadb)
    standin_app.extensions["standin"].reset()


def _connection_id(application: Flask) -> int:
    """The server-side id of the connection the app's pool hands out next."""
    with application.extensions["database"].engine.connect() as conn:
        return int(conn.scalar(text("SELECT CONNECTION_ID()")))


def _kill(mariadb: PrivateMariaDB, connection_id: int) -> None:
    """KILL one connection from another one, and wait until it is gone."""
    mariadb.query(f"KILL {int(connection_id)}")
    deadline = time.monotonic() + 10
    while mariadb.query("SELECT 1 FROM information_schema.PROCESSLIST WHERE ID = %s",
                        connection_id):
        assert time.monotonic() < deadline, "the killed connection is still there"
        time.sleep(0.05)


def _pooled_connection_ids(mariadb: PrivateMariaDB) -> set[int]:
    """The ids of every client connection on the private server but the asking one."""
    rows = mariadb.query("SELECT ID FROM information_schema.PROCESSLIST "
                         "WHERE COMMAND <> 'Daemon' AND ID <> CONNECTION_ID()")
    return {int(row[0]) for row in rows}


def _sign_in_admin(application: Flask, client: FlaskClient) -> None:
    with application.app_context():
        db = get_session()
        make_user(db, "Admin Demo", "helpdesk")  # admin through HELPDESK_ADMINS
        db.commit()
    SignIn(application)(client, "Admin Demo")


def _assert_friendly_503(response: Any, expected: str = FRIENDLY_503) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == 503, body[:500]
    assert 'class="error-page"' in body
    assert expected in body
    for leak in LEAKS:
        assert leak not in body, f"{leak!r} leaked into the 503 page"


# -- a connection killed by the server -------------------------------------------

def test_the_killed_connection_really_breaks_an_engine_without_pre_ping(
    mariadb: PrivateMariaDB, private_url: str
) -> None:
    """The control experiment: KILL does break a pooled connection."""
    engine = create_engine(private_url, pool_pre_ping=False)
    try:
        with engine.connect() as conn:
            killed = conn.scalar(text("SELECT CONNECTION_ID()"))
        _kill(mariadb, killed)
        with pytest.raises(OperationalError), engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    finally:
        engine.dispose()


def test_requests_after_the_server_killed_the_connection_succeed(
    private_app: Flask, mariadb: PrivateMariaDB
) -> None:
    client = private_app.test_client()
    _sign_in_admin(private_app, client)
    assert client.get("/healthz").status_code == 200
    engine = private_app.extensions["database"].engine
    assert engine.pool.checkedin() >= 1
    # Every connection on the private server is the app's pool: kill them all.
    killed = _pooled_connection_ids(mariadb)
    assert _connection_id(private_app) in killed
    for connection_id in killed:
        _kill(mariadb, connection_id)

    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.get_json()["status"] == "ok"
    audit_page = client.get("/admin/audit")  # loads the user, then reads the audit log
    assert audit_page.status_code == 200
    assert "Role granted" in audit_page.get_data(as_text=True)  # read from the database
    assert client.get("/cases").status_code == 200
    assert _connection_id(private_app) not in killed  # pre-ping replaced them


def test_a_connection_killed_in_the_middle_of_a_request_session(
    private_app: Flask, mariadb: PrivateMariaDB
) -> None:
    """The connection dies while a session holds it: that request fails cleanly (503),
    the next one works."""
    client = private_app.test_client()

    @private_app.get("/_test/kill-my-connection")
    def kill_my_connection() -> str:
        db = get_session()
        own = db.scalar(text("SELECT CONNECTION_ID()"))
        _kill(mariadb, own)
        db.scalar(select(func.count()).select_from(Case))  # on the dead connection
        return "unreachable"

    _assert_friendly_503(client.get("/_test/kill-my-connection"))
    assert client.get("/healthz").status_code == 200
    assert client.get("/cases").status_code == 200


# -- the server stops and starts again ---------------------------------------------

def test_server_down_gives_503_and_the_same_app_recovers(
    private_app: Flask, mariadb: PrivateMariaDB
) -> None:
    visitor = private_app.test_client()
    admin = private_app.test_client()
    _sign_in_admin(private_app, admin)
    assert visitor.get("/healthz").status_code == 200
    assert visitor.get("/cases").status_code == 200
    assert admin.get("/admin/audit").status_code == 200

    mariadb.stop()

    started = time.monotonic()
    health = visitor.get("/healthz")
    assert time.monotonic() - started < 10, "/healthz must not hang on a dead database"
    assert health.status_code == 503
    assert health.get_json() == {"status": "unavailable", "database": "unreachable"}
    _assert_friendly_503(visitor.get("/cases"))
    _assert_friendly_503(visitor.get("/cases?uselang=sv"), FRIENDLY_503_SV)
    _assert_friendly_503(admin.get("/admin/audit"))  # fails while loading the user
    api = visitor.get("/api/v1/cases")
    assert api.status_code == 503
    assert api.get_json()["error"]["code"] == 503

    mariadb.start()

    health = visitor.get("/healthz")
    assert health.status_code == 200, health.get_data(as_text=True)
    assert health.get_json()["status"] == "ok"
    assert visitor.get("/cases").status_code == 200
    audit_page = admin.get("/admin/audit")  # still signed in, same app object
    assert audit_page.status_code == 200


def test_server_gone_after_the_user_was_loaded_gives_a_friendly_503(
    private_app: Flask, mariadb: PrivateMariaDB
) -> None:
    """The user came from the database, then the server went away during the view:
    the error page must not need the database to show who is signed in."""
    admin = private_app.test_client()

    @private_app.get("/_test/server-goes-away")
    def server_goes_away() -> str:
        mariadb.stop()
        get_session().scalar(select(func.count()).select_from(AuditEvent))
        return "unreachable"

    _sign_in_admin(private_app, admin)
    _assert_friendly_503(admin.get("/_test/server-goes-away"))
    mariadb.start()
    assert admin.get("/admin/audit").status_code == 200


# -- a commit that fails half-way ---------------------------------------------------

def _counts(db: Session) -> dict[str, int]:
    return {model.__tablename__: int(db.scalar(select(func.count()).select_from(model)) or 0)
            for model in WRITTEN_BY_FILING}


def _fresh_counts(application: Flask) -> dict[str, int]:
    """What another connection sees: only committed rows."""
    engine = create_engine(application.config["DATABASE_URL"])
    try:
        with Session(engine) as db:
            return _counts(db)
    finally:
        engine.dispose()


NOTHING = {model.__tablename__: 0 for model in WRITTEN_BY_FILING}


def _fail_in_notify(monkeypatch: pytest.MonkeyPatch, seen: dict[str, int]) -> None:
    """notify.case_created queues its emails, flushes, then fails."""
    original = notify.case_created

    def failing(db: Session, case: Case) -> None:
        original(db, case)
        db.flush()
        seen.update(_counts(db))
        raise RuntimeError("the mail template exploded")

    monkeypatch.setattr(notify, "case_created", failing)


def _fail_in_audit(monkeypatch: pytest.MonkeyPatch, seen: dict[str, int]) -> None:
    """The audit event of the new case violates a NOT NULL constraint."""
    original = audit.record

    def broken(db: Session, actor: Any, action: str, *args: Any, **kwargs: Any) -> Any:
        if action == "case.create":
            db.flush()
            seen.update(_counts(db))
            return original(db, actor, None, *args, **kwargs)  # type: ignore[arg-type]
        return original(db, actor, action, *args, **kwargs)

    monkeypatch.setattr(audit, "record", broken)


def _fail_at_commit(db: Session, seen: dict[str, int]) -> None:
    """Everything is flushed; then the COMMIT itself fails."""

    def refuse(session: Session) -> None:
        session.flush()
        seen.update(_counts(session))
        raise OperationalError("COMMIT", {}, Exception("server went away during commit"))

    event.listen(db, "before_commit", refuse)


@pytest.mark.parametrize("where", ["notify", "audit", "commit"])
def test_a_failed_filing_leaves_nothing_half_written(
    app: Flask, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    seen: dict[str, int] = {}
    with app.app_context():
        db = get_session()
        ada = make_user(db, "Ada Requester")
        db.commit()
        if where == "notify":
            _fail_in_notify(monkeypatch, seen)
        elif where == "audit":
            _fail_in_audit(monkeypatch, seen)
        else:
            _fail_at_commit(db, seen)
        expected: type[BaseException] = {
            "notify": RuntimeError, "audit": IntegrityError, "commit": OperationalError,
        }[where]
        with pytest.raises(expected):
            make_case(db, ada)  # the organisation, the case, its checklist …
            db.commit()
        db.rollback()
    # The failure came after rows of the filing had been written …
    assert seen["cases"] == 1 and seen["organisations"] == 1
    assert seen["checklist_items"] > 0
    if where != "audit":
        assert seen["audit_events"] >= 1 and seen["outbox"] >= 1
    # … and none of them survived.
    assert _fresh_counts(app) == NOTHING
    with app.app_context():
        assert get_session().scalar(select(func.count()).select_from(User)) == 1


def _request_form(token: str) -> dict[str, Any]:
    return {
        "csrf_token": token,
        "title": "Digitised maps of the Baltic",
        "description": "Ten thousand scanned maps from our collection, 1600-1900.",
        "request_type": "commons_upload",
        "timeline": "Spring 2027",
        "organisation_id": "",
        "org_name": "Sjöhistoriska museet",
        "org_kind": "glam",
        "org_country": "SE",
        "content_kinds": ["images"],
        "content_volume": "about 10,000 files",
        "licence": "cc_by_sa",
        "target_projects": ["commons"],
        "themes": ["heritage"],
        "countries": ["SE"],
        "languages": ["sv"],
        "support_types": ["mass_upload"],
        "contact_name": "Ada Lovelace",
        "contact_email": "ada@example.org",
        "public_listing": "y",
    }


def test_a_request_form_that_fails_half_way_files_nothing(
    app: Flask, client: FlaskClient, sign_in: SignIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context():
        db = get_session()
        make_user(db, "Ada Requester")
        db.commit()
    sign_in(client, "Ada Requester")
    token = csrf_token(client, "/requests/new")
    seen: dict[str, int] = {}
    _fail_in_notify(monkeypatch, seen)
    app.config["PROPAGATE_EXCEPTIONS"] = False

    response = client.post("/requests/new", data=_request_form(token))

    body = response.get_data(as_text=True)
    assert response.status_code == 500, body[:800]
    assert "Something went wrong" in body
    assert "the mail template exploded" not in body and "Traceback" not in body
    assert seen["cases"] == 1 and seen["outbox"] >= 1
    assert _fresh_counts(app) == NOTHING
    monkeypatch.undo()
    # The same form, now working, files the request as number 1.
    response = client.post("/requests/new", data=_request_form(token))
    assert response.status_code == 302, response.get_data(as_text=True)[:800]
    assert response.headers["Location"].endswith("-0001")


def test_a_commit_on_a_connection_killed_after_the_flush_keeps_nothing(
    private_app: Flask, mariadb: PrivateMariaDB
) -> None:
    """The real thing on MariaDB: every row is flushed, the server kills the connection,
    COMMIT fails; the server rolls the transaction back."""
    with private_app.app_context():
        db = get_session()
        ada = make_user(db, "Ada Requester")
        db.commit()
        make_case(db, ada)
        db.flush()
        assert _counts(db)["cases"] == 1 and _counts(db)["outbox"] >= 1
        _kill(mariadb, int(db.scalar(text("SELECT CONNECTION_ID()"))))
        with pytest.raises(OperationalError):
            db.commit()
        db.rollback()
        assert db.scalar(select(func.count()).select_from(User)) == 1  # usable again
    assert _fresh_counts(private_app) == NOTHING
    # and the app files the next case normally
    with private_app.app_context():
        db = get_session()
        ada = db.scalars(select(User)).one()
        case = make_case(db, ada)
        db.commit()
        assert case.number == 1
    assert _fresh_counts(private_app)["cases"] == 1
