"""Fixtures and helpers of the bot's integration tests (tests/bot/test_bot_sync.py,
tests/bot/test_bot_meta_pages.py; registered for them by tests/bot/conftest.py).

A real MediaWiki (tests/mediawiki.py) for the whole session — with AbuseFilter,
SpamBlacklist, and faults on demand (maxlag, HTTP 5xx on saving chosen pages) —
the real app served over HTTP on a loopback port per test, seeding helpers, and a
BotConfig pointing the bot at both with a page prefix of its own (so tests never
share pages).
"""

from __future__ import annotations

import itertools
import json
import sqlite3
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import requests
from flask import Flask
from sqlalchemy import insert, select
from werkzeug.serving import make_server

from app.auth.models import User
from app.cases import service
from app.cases.models import Case
from app.core.db import get_session
from app.core.models import utcnow
from app.groups.models import Referral, WorkingGroup
from bot.config import BotConfig
from tests.factories import join_group, make_case, make_organisation, make_user
from tests.mediawiki import ThrowawayWiki, _run_maintenance, free_port, start_wiki

_prefixes = itertools.count(1)


@pytest.fixture(scope="session")
def bot_wiki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThrowawayWiki]:
    """A real MediaWiki on a loopback port for the whole session."""
    running = start_wiki(tmp_path_factory.mktemp("bot-mediawiki"))
    try:
        enable_refusals(running)
        enable_faults(running)
    except BaseException:
        running.stop()
        raise
    yield running
    running.stop()


@dataclass
class ServedApp:
    """The app served over HTTP in a thread."""

    app: Flask
    url: str


@pytest.fixture
def served_app(app: Flask) -> Iterator[ServedApp]:
    """The real app (migrated, emptied DB) on a free loopback port."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield ServedApp(app, f"http://127.0.0.1:{server.server_port}")
    server.shutdown()
    thread.join(10)
    server.server_close()


def bot_config(wiki: ThrowawayWiki, helpdesk_url: str, state_dir: Path, **extra: Any) -> BotConfig:
    """A BotConfig for the throwaway wiki with a page prefix no other test uses.

    English only unless `languages` says otherwise (six languages make six times the
    edits; the tests about languages ask for them).
    """
    settings: dict[str, Any] = {
        "helpdesk_url": helpdesk_url,
        "wiki_api": wiki.api_url,
        "username": wiki.bot_username,
        "password": wiki.bot_password,
        "page_prefix": f"Hub test {next(_prefixes)}/Helpdesk",
        "state_file": state_dir / "bot-state.json",
        "throttle": 0.0,
        "maxlag": 5,
        "max_retries": 0,
        "retry_wait": 0.1,
        "timeout": 20.0,
        "languages": ("en",),
    }
    settings.update(extra)
    return BotConfig(**settings)


def dead_url() -> str:
    """An http URL on loopback where nothing listens."""
    return f"http://127.0.0.1:{free_port()}"


# -- seeding the app through its own services ---------------------------------------

def add_case(
    app: Flask,
    title: str = "Digitised maps of the Baltic",
    organisation: str = "Museum of Examples",
    *,
    kind: str = "glam",
    public: bool = True,
    closed: bool = False,
    themes: tuple[str, ...] = ("heritage",),
    region: str = "western_europe",
) -> str:
    """A triaged case (public when `public`), withdrawn when `closed`; its reference."""
    with app.app_context():
        db = get_session()
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        ada = make_user(db, "Ada Requester")
        org = make_organisation(db, organisation, kind=kind)
        case = make_case(db, ada, title=title, organisation=org, public_listing=public,
                         themes=list(themes), region=region)
        service.move(db, case, sven, {"helpdesk"}, "triage")
        if closed:
            service.move(db, case, ada, {"requester"}, "withdraw")
        db.commit()
        return case.reference


def close_case(app: Flask, reference: str) -> None:
    """The requester withdraws the case (it moves to the archive)."""
    with app.app_context():
        db = get_session()
        case = db.scalars(select(Case).where(Case.reference == reference)).one()
        ada = make_user(db, "Ada Requester")
        service.move(db, case, ada, {"requester"}, "withdraw")
        db.commit()


def unlist_case(app: Flask, reference: str) -> None:
    """The requester withdraws consent to public listing."""
    with app.app_context():
        db = get_session()
        case = db.scalars(select(Case).where(Case.reference == reference)).one()
        case.public_listing = False
        db.commit()


def add_member(app: Flask, username: str, slug: str, *, lead: bool = False,
               listed: bool = True) -> None:
    """`username` joins the seeded working group `slug`."""
    with app.app_context():
        db = get_session()
        join_group(db, make_user(db, username), slug, lead=lead, listed=listed)
        db.commit()


def refer(app: Flask, reference: str, slug: str) -> None:
    """An unanswered referral of the case to the group (an open ask)."""
    with app.app_context():
        db = get_session()
        case = db.scalars(select(Case).where(Case.reference == reference)).one()
        group = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == slug)).one()
        db.add(Referral(case_id=case.id, group_id=group.id, question="Can you help?"))
        db.commit()


def rename_group(app: Flask, slug: str, name: str) -> None:
    """Give the seeded working group `slug` another name (any text at all)."""
    with app.app_context():
        db = get_session()
        group = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == slug)).one()
        group.name = name
        db.commit()


def group_names(app: Flask) -> dict[str, str]:
    """slug → name of every working group."""
    with app.app_context():
        db = get_session()
        return dict(db.execute(select(WorkingGroup.slug, WorkingGroup.name)).tuples().all())


def bulk_cases(app: Flask, count: int, *, closed_every: int = 10, first: int = 1) -> None:
    """`count` public cases inserted in one statement (fast; for the request-count tests).

    Their numbers start at `first` (cases already made take the first numbers).
    """
    with app.app_context():
        db = get_session()
        org = make_organisation(db, "Bulk Archive")
        requester = db.scalars(select(User)).first() or make_user(db, "Ada Requester")
        now = utcnow()
        rows = []
        for number in range(first, first + count):
            closed = number % closed_every == 0
            moment = now - timedelta(hours=number)
            rows.append({
                "reference": f"CPH-{now.year}-{number:04d}", "year": now.year, "number": number,
                "version": 1, "title": f"Bulk request {number}", "description": "Bulk.",
                "organisation_id": org.id, "request_type": "commons_upload",
                "content_kinds": ["images"], "content_volume": "", "licence": "cc0",
                "licence_details": "", "licence_flagged": False,
                "target_projects": ["commons"], "themes": ["science"], "countries": ["SE"],
                "region": "western_europe", "languages": ["en"], "support_types": [],
                "support_details": "", "timeline": "", "public_listing": True,
                "public_summary": "", "requester_id": requester.id, "contact_name": "",
                "contact_email": "", "contact_username": "", "channel": "web",
                "state": "withdrawn" if closed else "in_initial_review",
                "outcome": "withdraw" if closed else None, "priority": "normal",
                "created_at": moment, "updated_at": moment, "state_changed_at": moment,
                "stage_started_at": moment, "paused_seconds": 0,
                "closed_at": moment if closed else None, "accepted_at": moment,
            })
        db.execute(insert(Case), rows)
        db.commit()


# -- refusals: protection, AbuseFilter, SpamBlacklist on the throwaway wiki -------------

REFUSAL_PREFIX = "Refusal zone/Helpdesk"
ABUSE_FILTERED_TITLE = f"{REFUSAL_PREFIX}/Working groups/Implementation"
REFUSAL_SETTINGS = r"""
# ---- Added by tests/bot_fixtures.py: edits the wiki may refuse ----
wfLoadExtension( 'AbuseFilter' );
wfLoadExtension( 'SpamBlacklist' );
# Only the local MediaWiki:Spam-blacklist page (no fetching of Meta's list).
$wgBlacklistSettings = [ 'spam' => [ 'files' => [] ] ];
"""


def enable_refusals(wiki: ThrowawayWiki) -> None:
    """Load AbuseFilter and SpamBlacklist; one filter disallows edits of one title."""
    with wiki.config_file.open("a", encoding="utf-8") as settings:
        settings.write(REFUSAL_SETTINGS)
    _run_maintenance("update.php", ["--quick"], config_file=wiki.config_file,
                     log_dir=wiki.log_dir, secrets_=())
    database = wiki.root / "db" / "my_wiki.sqlite"
    with sqlite3.connect(database) as conn:
        cursor = conn.execute(
            "INSERT INTO abuse_filter (af_pattern, af_user, af_user_text, af_timestamp, "
            "af_enabled, af_comments, af_public_comments, af_hidden, af_hit_count, "
            "af_throttled, af_deleted, af_actions, af_global, af_group) "
            "VALUES (?, 1, 'Admin', '20260101000000', 1, '', 'Bot test filter', 0, 0, 0, 0, "
            "'disallow', 0, 'default')",
            (f'page_title == "{ABUSE_FILTERED_TITLE}"',),
        )
        conn.execute(
            "INSERT INTO abuse_filter_action (afa_filter, afa_consequence, afa_parameters) "
            "VALUES (?, 'disallow', '')",
            (cursor.lastrowid,),
        )


def admin_session(wiki: ThrowawayWiki) -> requests.Session:
    """A logged-in session of the wiki's sysop."""
    return wiki.api_session(wiki.admin_username, wiki.admin_password)


def protect_title(wiki: ThrowawayWiki, title: str) -> None:
    """Only sysops may create `title` (the bot is not one)."""
    session = admin_session(wiki)
    wiki.api({"action": "protect", "title": title, "protections": "create=sysop",
              "expiry": "infinite", "reason": "test", "token": wiki.csrf_token(session)},
             session=session, post=True)


def set_spam_blacklist(wiki: ThrowawayWiki, lines: str) -> None:
    """Replace the local spam blacklist (regular expressions, one per line)."""
    session = admin_session(wiki)
    wiki.edit(session, "MediaWiki:Spam-blacklist", lines or "# empty", "test blacklist")


# -- faults on demand: maxlag and server errors while saving --------------------------------

FAULT_SETTINGS = r"""
# ---- Added by tests/bot_fixtures.py: faults on demand ----
# Sysops may hide a revision's text (a revision the bot wrote can become unreadable).
$wgGroupPermissions['sysop']['deleterevision'] = true;

# A test writes @FAULTS@ as a list of {"prefix", "kind", "status", "times"}: edits of
# titles starting with a prefix then meet the fault. "lag": the databases look 7 s
# behind (MediaWiki's own maxlag answer); "http": the request ends with that HTTP
# status before MediaWiki handles it. "times" counts down (-1: always); "seen"
# counts the edits of those titles that arrived.
function helpdeskTestFault(): ?array {
    $file = '@FAULTS@';
    if ( ( $_POST['action'] ?? '' ) !== 'edit' || !is_file( $file ) ) {
        return null;
    }
    $faults = json_decode( (string)file_get_contents( $file ), true ) ?: [];
    $title = (string)( $_POST['title'] ?? '' );
    $found = null;
    foreach ( $faults as $i => $one ) {
        if ( strpos( $title, $one['prefix'] ) !== 0 ) {
            continue;
        }
        $faults[$i]['seen'] = ( $one['seen'] ?? 0 ) + 1;
        $left = $one['times'] ?? -1;
        if ( $left !== 0 ) {
            $faults[$i]['times'] = $left > 0 ? $left - 1 : $left;
            $found = $one;
        }
        file_put_contents( $file, json_encode( $faults ) );
        break;
    }
    return $found;
}
$helpdeskFault = helpdeskTestFault();
if ( $helpdeskFault && $helpdeskFault['kind'] === 'http' ) {
    http_response_code( (int)$helpdeskFault['status'] );
    header( 'Content-Type: text/html; charset=utf-8' );
    echo '<html><body><h1>Server error (test fault)</h1></body></html>';
    exit;
}
$wgHooks['ApiMaxLagInfo'][] = static function ( array &$lagInfo ) use ( $helpdeskFault ): void {
    if ( $helpdeskFault && $helpdeskFault['kind'] === 'lag' ) {
        $lagInfo['host'] = 'db-test';
        $lagInfo['lag'] = 7;
    }
};
"""


def faults_file(wiki: ThrowawayWiki) -> Path:
    """Where the throwaway wiki reads its faults from."""
    return wiki.root / "faults.json"


def enable_faults(wiki: ThrowawayWiki) -> None:
    """Let tests make the wiki lag or fail while saving chosen pages (see set_faults)."""
    with wiki.config_file.open("a", encoding="utf-8") as settings:
        settings.write(FAULT_SETTINGS.replace("@FAULTS@", str(faults_file(wiki))))


def set_faults(wiki: ThrowawayWiki, *faults: dict[str, Any]) -> None:
    """Edits of titles under each fault's `prefix` meet it (`kind` lag or http)."""
    faults_file(wiki).write_text(json.dumps(list(faults)), encoding="utf-8")


def faults_seen(wiki: ThrowawayWiki) -> list[int]:
    """How many edits met each fault (or passed it once its `times` ran out)."""
    path = faults_file(wiki)
    if not path.exists():
        return []
    return [int(fault.get("seen", 0)) for fault in json.loads(path.read_text(encoding="utf-8"))]


def clear_faults(wiki: ThrowawayWiki) -> None:
    """No more faults."""
    faults_file(wiki).unlink(missing_ok=True)
