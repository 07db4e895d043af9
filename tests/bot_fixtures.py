"""Fixtures and helpers of the bot's integration tests (tests/test_bot_sync.py).

A real MediaWiki (tests/mediawiki.py) for the whole session, the real app served
over HTTP on a loopback port per test, seeding helpers, and a BotConfig pointing
the bot at both with a page prefix of its own (so tests never share pages).
"""

from __future__ import annotations

import itertools
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
    """A BotConfig for the throwaway wiki with a page prefix no other test uses."""
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


def group_names(app: Flask) -> dict[str, str]:
    """slug → name of every working group."""
    with app.app_context():
        db = get_session()
        return dict(db.execute(select(WorkingGroup.slug, WorkingGroup.name)).tuples().all())


def bulk_cases(app: Flask, count: int, *, closed_every: int = 10) -> None:
    """`count` public cases inserted in one statement (fast; for the request-count test)."""
    with app.app_context():
        db = get_session()
        org = make_organisation(db, "Bulk Archive")
        requester = db.scalars(select(User)).first() or make_user(db, "Ada Requester")
        now = utcnow()
        rows = []
        for number in range(1, count + 1):
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
