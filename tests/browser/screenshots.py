"""Screenshots of the main pages for the README: `make screenshots`
(or `python -m tests.browser.screenshots [folder]`).

Serves the app on a fresh SQLite database filled with the demo data (cases in every
state), signs in through the local OAuth stand-in like the browser tests, and writes
PNGs to docs/screenshots/ with Debian's headless chromium."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path
from typing import Any, NamedTuple

from playwright.sync_api import Browser, ViewportSize, sync_playwright
from sqlalchemy import select

from app import create_app
from app.cases.models import Case
from app.core import schema
from app.core.db import get_session
from dev.demo import load_demo_data
from dev.standin import create_standin_app
from dev.standin.server import serve_in_thread
from tests.browser.support import REPO, Visitor, launch

OUTPUT = REPO / "docs" / "screenshots"
CONSUMER = ("screenshots-consumer", "screenshots-consumer-secret-0123456789")
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PHONE: ViewportSize = {"width": 390, "height": 844}


class Shot(NamedTuple):
    """One PNG: who looks at which path ("{state}" for the demo case in that state), the
    whole page or the screen, on a desktop or a phone, with the menu opened or not."""

    name: str
    who: str
    path: str
    full_page: bool = False
    phone: bool = False
    menu: bool = False


SHOTS: tuple[Shot, ...] = (
    Shot("home.png", "anonymous", "/"),
    Shot("public-cases.png", "anonymous", "/cases"),
    Shot("working-groups.png", "anonymous", "/groups"),
    Shot("statistics.png", "anonymous", "/stats"),
    Shot("request-form.png", "Ada Requester", "/requests/new"),
    Shot("committee-dashboard.png", "Ngozi Committee", "/dashboard"),
    Shot("case-page.png", "Ngozi Committee", "{in_initial_review}", full_page=True),
    Shot("helpdesk-inbox.png", "Sven Helpdesk", "/inbox"),
    Shot("public-cases-ar.png", "anonymous", "/cases?uselang=ar"),
    Shot("phone-home.png", "anonymous", "/", phone=True),
    Shot("phone-menu.png", "Sven Helpdesk", "/inbox", phone=True, menu=True),
    Shot("phone-public-cases.png", "anonymous", "/cases", phone=True),
    Shot("phone-request-form.png", "Ada Requester", "/requests/new", phone=True),
    Shot("phone-committee-dashboard.png", "Ngozi Committee", "/dashboard", phone=True),
    Shot("phone-case-page.png", "Sven Helpdesk", "{in_support}", phone=True),
    Shot("committee-home.png", "Mei Committee", "/"),
    Shot("meetings.png", "Ngozi Committee", "/committee/meetings"),
    Shot("support-queue.png", "Ngozi Committee", "/committee/queue"),
    Shot("search.png", "Sven Helpdesk", "/search?q=archive"),
    Shot("people.png", "Ada Requester", "/people"),
)


def _take(browser: Browser, base_url: str, references: dict[str, str], folder: Path) -> None:
    tabs: dict[str, Visitor] = {}
    for shot in SHOTS:
        tab = tabs.get(shot.who)
        if tab is None:
            tab = tabs[shot.who] = Visitor(browser, base_url, who=shot.who)
            if shot.who != "anonymous":
                tab.sign_in(shot.who)
        tab.page.set_viewport_size(PHONE if shot.phone else DESKTOP)
        path = shot.path
        if path.startswith("{"):
            path = f"/requests/{references[path.strip('{}')]}"
        tab.goto(path)
        if shot.menu:
            tab.page.locator("header summary").click()
        tab.page.screenshot(path=str(folder / shot.name), full_page=shot.full_page,
                            animations="disabled")
        print(f"  {folder / shot.name}")
    for tab in tabs.values():
        tab.close()


def main(argv: list[str]) -> int:
    folder = Path(argv[0]) if argv else OUTPUT
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="helpdesk-screenshots-") as tmp:
        url = f"sqlite:///{Path(tmp) / 'demo.sqlite3'}"
        schema.upgrade(url)
        standin = serve_in_thread(create_standin_app({CONSUMER[0]: CONSUMER[1]}))
        config: dict[str, Any] = {
            "HELPDESK_ENV": "development", "SECRET_KEY": "screenshots-only-not-a-secret-0123",
            "DATABASE_URL": url, "OAUTH_MWURI": standin.mw_uri,
            "OAUTH_CONSUMER_KEY": CONSUMER[0], "OAUTH_CONSUMER_SECRET": CONSUMER[1],
            "HELPDESK_ADMINS": ["Admin Demo"], "RATELIMIT_ENABLED": False,
        }
        app = create_app(config)
        with app.app_context():
            db = get_session()
            load_demo_data(db)
            references = dict(db.execute(
                select(Case.state, Case.reference).order_by(Case.id.desc())).tuples().all())
        server = serve_in_thread(app)
        try:
            with sync_playwright() as playwright:
                browser = launch(playwright)
                print(f"Writing screenshots to {folder}:")
                _take(browser, server.base_url, references, folder)
                browser.close()
        finally:
            server.shutdown()
            standin.shutdown()
            app.extensions["database"].engine.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
