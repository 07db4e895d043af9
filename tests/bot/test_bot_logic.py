"""Unit tests of the bot's logic without a wiki: blocks, parsing the API, deciding what
to do with a page, the state file (and its old format), configuration, and whole
syncs against an in-memory wiki (every language, no edit on a quiet day, titles
that fall back to slugs, one bad page among good ones, clear drift messages)."""

from __future__ import annotations

import json
from copy import deepcopy
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import blocks
from bot.api_client import AppGarbage, AppUnavailable, HelpdeskApi
from bot.blocks import BEGIN, END, MarkerError, block_hash, find_block, inner_text, merge
from bot.config import BotConfig, ConfigError
from bot.i18n import LANGUAGES
from bot.model import GarbageError, parse_case, parse_cases_page, parse_groups
from bot.plan import PlannedPage
from bot.state import PageRecord, StateError, StateFile, WikiState, run_lock
from bot.sync import SyncReport, decide, run_sync
from bot.wiki_types import (
    EditConflict,
    LoadedPage,
    PageRejected,
    RevisionUnavailable,
    Saved,
    WikiLagged,
    WikiUnavailable,
)
from tests.bot.samples import TOOL, case_json, cases_body, closed_case_json, group_json

DAY = date(2026, 12, 4)


def config(tmp_path: Path, **extra: Any) -> BotConfig:
    settings_: dict[str, Any] = {
        "helpdesk_url": TOOL, "wiki_api": "http://wiki.invalid/w/api.php",
        "username": "HelpdeskBot@sync", "password": "p" * 32,
        "state_file": tmp_path / "state.json", "throttle": 0.0,
    }
    settings_.update(extra)
    return BotConfig(**settings_)


# -- blocks -----------------------------------------------------------------------------------

def test_merge_replaces_only_the_block_byte_for_byte() -> None:
    before = "Intro with {{template}} and trailing spaces   \n\n"
    after = "\n\n== Talk ==\nÜnïcödé footer\t"
    text = f"{before}{BEGIN}\nold\n{END}{after}"
    merged = merge(text, "new body")
    assert merged == f"{before}{BEGIN}\nnew body\n{END}{after}"
    assert merge(merged, "new body") == merged


def test_merge_appends_a_block_once() -> None:
    assert merge("", "body") == f"{BEGIN}\nbody\n{END}"
    appended = merge("Human text.", "body")
    assert appended == f"Human text.\n\n{BEGIN}\nbody\n{END}"
    assert merge(appended, "body 2") == f"Human text.\n\n{BEGIN}\nbody 2\n{END}"
    assert merge("Text\n", "b").startswith("Text\n\n" + BEGIN)


@pytest.mark.parametrize("text", [
    f"{BEGIN} no end", f"no begin {END}", f"{END} {BEGIN}", f"{BEGIN}{END}{BEGIN}{END}",
])
def test_broken_markers_are_refused(text: str) -> None:
    with pytest.raises(MarkerError):
        find_block(text)


def test_block_hash_and_diff() -> None:
    assert block_hash("a") != block_hash("b")
    assert block_hash("a").startswith("sha256:")
    diff = blocks.unified_diff("a\nb\n", "a\nc\n", "old", "new")
    assert "-b" in diff and "+c" in diff and diff.startswith("--- old")
    assert blocks.unified_diff("same", "same", "x", "y") == ""


# -- parsing the API (garbage) -------------------------------------------------------------

def test_parse_accepts_the_documented_shapes() -> None:
    page = parse_cases_page(cases_body([case_json(extra_field="ignored")]))
    case = page.cases[0]
    assert case.reference == "CPH-2026-0042" and case.themes == ("heritage", "science")
    assert case.updated_at.isoformat() == "2026-11-27T18:40:00+00:00"
    groups = parse_groups({"working_groups": [group_json()]})
    assert groups[0].members[0].member_since == date(2026, 1, 3)


GARBAGE_CASES: list[tuple[str, Any]] = [
    ("reference", "not a reference"), ("reference", None), ("title", 42),
    ("organisation", "Museum"), ("organisation", {"name": "M"}), ("themes", "heritage"),
    ("themes", ["Has Spaces"]), ("region", 5), ("state", "exploded"), ("open", "yes"),
    ("open", False), ("created_at", "yesterday"), ("updated_at", "2026-13-45T00:00:00Z"),
    ("days_in_state", -1), ("days_in_state", True), ("days_in_state", "3"),
    ("url", "javascript:alert(1)"), ("url", "https://x.example/a b"),
]


@pytest.mark.parametrize(("key", "value"), GARBAGE_CASES)
def test_parse_refuses_garbage_cases(key: str, value: Any) -> None:
    with pytest.raises(GarbageError):
        parse_case(case_json(**{key: value}))


def test_parse_refuses_missing_keys_and_garbage_bodies() -> None:
    for key in case_json():
        data = case_json()
        del data[key]
        with pytest.raises(GarbageError):
            parse_case(data)
    for body in ([], "cases", {"cases": {}}, {**cases_body([]), "total": "0"},
                 {**cases_body([]), "next": "ftp://x"}):
        with pytest.raises(GarbageError):
            parse_cases_page(body)
    for body in ({}, {"working_groups": [group_json(members=[{"username": "A"}])]},
                 {"working_groups": [group_json(), group_json()]},
                 {"working_groups": [group_json(slug="Bad Slug")]}):
        with pytest.raises(GarbageError):
            parse_groups(body)


class FakeResponse:
    def __init__(self, body: Any, status: int = 200, mimetype: str = "application/json",
                 url: str = "http://app.invalid/x") -> None:
        self.body, self.status_code, self.url = body, status, url
        self.headers = {"Content-Type": f"{mimetype}; charset=utf-8"}
        self.history: list[Any] = []

    def json(self) -> Any:
        if isinstance(self.body, str):
            return json.loads(self.body)
        return deepcopy(self.body)


class FakeSession:
    """Answers GETs from a list of responses, recording the parameters."""

    def __init__(self, *responses: FakeResponse) -> None:
        self.responses = list(responses)
        self.calls: list[tuple[str, dict[str, Any] | None]] = []
        self.headers: dict[str, str] = {}

    def get(self, url: str, params: dict[str, Any] | None = None, **_: Any) -> FakeResponse:
        self.calls.append((url, params))
        if not self.responses:
            raise AssertionError("unexpected request")
        return self.responses.pop(0)

    def close(self) -> None:
        pass


def fake_api(*responses: FakeResponse) -> tuple[HelpdeskApi, FakeSession]:
    session = FakeSession(*responses)
    api = HelpdeskApi(TOOL, "TestAgent/1 (test)", session=session)  # type: ignore[arg-type]
    return api, session


def test_api_client_reads_1000_cases_per_request_and_counts() -> None:
    first = [case_json(reference=f"CPH-2026-{n:04d}") for n in range(1, 1001)]
    second = [case_json(reference="CPH-2026-1001")]
    api, session = fake_api(
        FakeResponse({**cases_body(first), "total": 1001, "pages": 2,
                      "next": f"{TOOL}/api/v1/cases?page=2&per_page=1000"}),
        FakeResponse({**cases_body(second), "page": 2, "total": 1001, "pages": 2}),
        FakeResponse({"working_groups": [group_json()]}),
    )
    snapshot = api.snapshot()
    assert len(snapshot.cases) == 1001 and len(snapshot.groups) == 1
    assert api.reads == 3
    assert session.calls[0] == (f"{TOOL}/api/v1/cases", {"page": 1, "per_page": 1000})
    assert session.calls[1] == (f"{TOOL}/api/v1/cases", {"page": 2, "per_page": 1000})
    assert session.headers["User-Agent"] == "TestAgent/1 (test)"


@pytest.mark.parametrize("response", [
    FakeResponse("<html>oops</html>", mimetype="text/html"),
    FakeResponse("{not json", mimetype="application/json"),
    FakeResponse({"cases": "nope"}),
    FakeResponse({**cases_body([case_json(), case_json()]), "total": 2}),  # twice the same
    FakeResponse({**cases_body([case_json()]), "total": 5}),  # fewer than announced
])
def test_api_client_calls_anything_else_garbage(response: FakeResponse) -> None:
    api, _session = fake_api(response)
    with pytest.raises(AppGarbage):
        api.fetch_cases()


def test_api_client_reports_http_errors_and_refused_connections() -> None:
    api, _session = fake_api(FakeResponse({"error": "x"}, status=500))
    with pytest.raises(AppUnavailable, match="HTTP 500"):
        api.fetch_cases()
    dead = HelpdeskApi("http://127.0.0.1:9", "TestAgent/1", timeout=2)
    with pytest.raises(AppUnavailable, match="did not answer"):
        dead.fetch_groups()
    assert dead.reads == 1


# -- deciding what to do with a page ------------------------------------------------------

def planned(body: str = "fresh body") -> PlannedPage:
    return PlannedPage("Hub/Cases", "cases", "en", lambda _day: body, "summary")


PLANNED = planned()
FRESH = inner_text("fresh body")


def loaded(text: str | None, **extra: Any) -> LoadedPage:
    if text is None:
        return LoadedPage(title="Hub/Cases", exists=False, **extra)
    return LoadedPage(title="Hub/Cases", exists=True, text=text, revid=10, page_id=3, **extra)


def record(inner: str) -> PageRecord:
    return PageRecord(hash=block_hash(inner), revid=9, title="Hub/Cases", page_id=3)


def test_decide_creates_appends_updates_and_keeps() -> None:
    assert decide(PLANNED, loaded(None), None, today=DAY).action == "create"
    assert decide(PLANNED, loaded(None), None, today=DAY).new_text == f"{BEGIN}{FRESH}{END}"
    appended = decide(PLANNED, loaded("Human intro."), None, today=DAY)
    assert appended.action == "append"
    assert appended.new_text == f"Human intro.\n\n{BEGIN}{FRESH}{END}"
    old = "\nold body\n"
    text = f"Intro\n{BEGIN}{old}{END}\nOutro"
    update = decide(PLANNED, loaded(text), record(old), today=DAY)
    assert update.action == "update" and update.body == "fresh body"
    assert update.new_text == f"Intro\n{BEGIN}{FRESH}{END}\nOutro"
    same = f"Intro\n{BEGIN}{FRESH}{END}"
    assert decide(PLANNED, loaded(same), record(FRESH), today=DAY).action == "unchanged"
    assert decide(PLANNED, loaded(same), None, today=DAY).action == "unchanged"


def test_decide_keeps_the_date_of_the_last_change_on_a_quiet_day() -> None:
    def dated(day: date) -> str:
        return f"<!-- last changed {day.isoformat()} -->\nUpdated {day.isoformat()}."

    page = PlannedPage("Hub/Cases", "cases", "en", dated, "summary")
    written = inner_text(dated(DAY))
    text = f"{BEGIN}{written}{END}"
    later = DAY + timedelta(days=30)
    assert decide(page, loaded(text), record(written), today=later).action == "unchanged"
    changed = PlannedPage("Hub/Cases", "cases", "en", lambda day: dated(day) + " News.", "s")
    update = decide(changed, loaded(text), record(written), today=later)
    assert update.action == "update" and later.isoformat() in (update.new_text or "")


def test_decide_reports_drift() -> None:
    written = "\nwhat the bot wrote\n"
    edited = f"{BEGIN}\nwhat a human wrote\n{END}"
    assert decide(PLANNED, loaded(edited), record(written), today=DAY).action == "drift"
    assert decide(PLANNED, loaded(edited), record(written), today=DAY,
                  accepted=True).action == "update"
    assert decide(PLANNED, loaded("markers removed"), record(written), today=DAY).action == (
        "drift")
    assert decide(PLANNED, loaded(None), record(written), today=DAY).action == "drift"
    assert decide(PLANNED, loaded(None), record(written), today=DAY,
                  accepted=True).action == "create"
    # No record: adopt an empty block or the bot's own last revision, else drift.
    assert decide(PLANNED, loaded(f"{BEGIN}\n\n{END}"), None, today=DAY).action == "update"
    assert decide(PLANNED, loaded(edited), None, today=DAY).action == "drift"
    assert decide(PLANNED, loaded(edited, last_user="HelpdeskBot"), None, today=DAY,
                  bot_user="HelpdeskBot").action == "update"


def test_decide_honours_nobots_and_refuses_broken_pages() -> None:
    assert decide(PLANNED, loaded("{{nobots}}", bot_may_edit=False), None,
                  today=DAY).action == "skipped"
    assert decide(PLANNED, loaded(f"{BEGIN} only"), None, today=DAY).action == "error"
    assert decide(PLANNED, loaded("x", problem="redirect"), None, today=DAY).action == "error"
    bad = decide(PLANNED, loaded(None, title_problem="the wiki refuses the title"), None,
                 today=DAY)
    assert bad.action == "error" and "cannot be used" in bad.reason


# -- state ------------------------------------------------------------------------------------

def test_state_round_trips_per_wiki_and_refuses_corruption(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "state.json"
    store = StateFile(path)
    state = store.load("wiki-a@a.example", "https://a.example/w/api.php")
    assert state.pages == {} and state.case_count is None
    state.record("Page", 17, "sha256:x", 5)
    state.published = ["CPH-2026-0001"]
    state.case_count = 1
    state.archive_years = [2026, 2025]
    store.save("wiki-a@a.example", state)
    other = StateFile(path)
    assert other.load("wiki-b@b.example").pages == {}
    other.save("wiki-b@b.example", WikiState())
    again = StateFile(path).load("wiki-a@a.example")
    assert again.pages["Page"].hash == "sha256:x" and again.pages["Page"].revid == 5
    assert again.pages["Page"].page_id == 17
    assert again.published == ["CPH-2026-0001"] and again.case_count == 1
    assert again.archive_years == [2025, 2026]
    saved = json.loads(path.read_text())
    assert saved["version"] == 2 and "17" in saved["wikis"]["wiki-a@a.example"]["pages"]
    assert not list(path.parent.glob(".state-*"))  # no temporary file left
    path.write_text("{broken")
    with pytest.raises(StateError, match="corrupt"):
        StateFile(path).load("wiki-a@a.example")


def test_records_are_found_by_page_id_then_by_title() -> None:
    state = WikiState()
    state.record("A", 1, "sha256:a", 10)
    state.record("Old title", None, "sha256:b", 11)  # from a version 1 file: no id yet
    assert state.find("Moved here", 1) is not None  # the same page, whatever its title
    assert state.find("A", 2) is None  # another page now stands at that title
    assert state.find("Old title", 5) is not None  # matched by title, until it has an id
    state.record("Old title", 5, "sha256:c", 12)
    assert [(r.title, r.page_id) for r in state.records] == [("A", 1), ("Old title", 5)]


def test_a_version_1_state_file_is_read_and_moved_to_the_wikis_identity(
    tmp_path: Path,
) -> None:
    path = tmp_path / "state.json"
    api_url = "https://meta.wikimedia.org/w/api.php"
    path.write_text(json.dumps({"version": 1, "wikis": {
        api_url: {"pages": {"Hub/Cases": {"hash": "sha256:x", "revid": 5,
                                          "written_at": "2026-11-01T00:00:00+00:00"}},
                  "published": ["CPH-2026-0001"], "case_count": 1},
        "https://other.example/w/api.php": {"pages": {}, "published": [], "case_count": None},
    }}))
    store = StateFile(path)
    state = store.load("metawiki@meta.wikimedia.org", api_url)
    assert state.pages["Hub/Cases"].hash == "sha256:x" and state.pages["Hub/Cases"].revid == 5
    assert state.published == ["CPH-2026-0001"] and state.case_count == 1
    store.save("metawiki@meta.wikimedia.org", state)
    saved = json.loads(path.read_text())
    assert saved["version"] == 2
    assert list(saved["wikis"]) == ["metawiki@meta.wikimedia.org"]
    assert list(saved["legacy"]) == ["https://other.example/w/api.php"]  # kept for its run
    assert saved["wikis"]["metawiki@meta.wikimedia.org"]["api_urls"] == [api_url]
    # Reached under another URL later: the same records (keyed by the identity).
    again = StateFile(path).load("metawiki@meta.wikimedia.org", "https://alias.example/api.php")
    assert again.pages["Hub/Cases"].hash == "sha256:x"


def test_run_lock_refuses_a_second_run(tmp_path: Path) -> None:
    with run_lock(tmp_path / "state.json"), pytest.raises(StateError, match="another sync"), \
            run_lock(tmp_path / "state.json"):
        pass
    with run_lock(tmp_path / "state.json"):
        pass


# -- configuration ----------------------------------------------------------------------------

def test_config_from_env_defaults_and_overrides(tmp_path: Path) -> None:
    cfg = BotConfig.from_env({"HELPDESK_URL": "https://cp-helpdesk.toolforge.org/"})
    assert cfg.wiki_api == "https://meta.wikimedia.org/w/api.php"
    assert cfg.cases_title == "Content Partnerships Hub/Helpdesk/Cases"
    assert cfg.status_title == "Content Partnerships Hub/Helpdesk/Status"
    assert cfg.group_title("Use of the content", "use-of-content") == (
        "Content Partnerships Hub/Helpdesk/Working groups/Use of the content")
    assert cfg.group_title("Bad [name]", "bad") == (
        "Content Partnerships Hub/Helpdesk/Working groups/bad")
    assert cfg.helpdesk_url == "https://cp-helpdesk.toolforge.org"
    assert cfg.maxlag == 5 and cfg.throttle == 10.0
    assert cfg.user_agent.startswith("ContentPartnershipsHelpdeskBot/")
    assert "https://cp-helpdesk.toolforge.org" in cfg.user_agent
    assert cfg.pywikibot_dir is None  # a temporary folder
    env = {
        "HELPDESK_URL": "http://127.0.0.1:5000", "BOT_WIKI_API": "http://127.0.0.1:8080/api.php",
        "BOT_USERNAME": "HelpdeskBot@sync", "TOOL_BOT_PASSWORD": "secret",
        "BOT_PAGE_PREFIX": "Test/Helpdesk", "BOT_STATE_FILE": str(tmp_path / "s.json"),
        "BOT_MAXLAG": "3", "BOT_THROTTLE": "0.5",
        "TOOL_BOT_PYWIKIBOT_DIR": str(tmp_path / "pwb"),
    }
    cfg = BotConfig.from_env(env)
    assert (cfg.username, cfg.password, cfg.account) == ("HelpdeskBot@sync", "secret",
                                                         "HelpdeskBot")
    assert cfg.cases_title == "Test/Helpdesk/Cases" and cfg.maxlag == 3
    assert "User_talk:HelpdeskBot" in cfg.user_agent
    assert cfg.pywikibot_dir == tmp_path / "pwb"
    contact = BotConfig.from_env({"HELPDESK_URL": TOOL, "BOT_CONTACT": "bot@example.org"})
    assert contact.user_agent.endswith(f"({TOOL}; bot@example.org)")
    assert "secret" not in repr(cfg)
    data_dir = BotConfig.from_env({"HELPDESK_URL": TOOL, "TOOL_DATA_DIR": str(tmp_path)})
    assert data_dir.state_file == tmp_path / "helpdesk-bot-state.json"


def test_config_reads_the_languages() -> None:
    assert BotConfig.from_env({"HELPDESK_URL": TOOL}).languages == LANGUAGES
    cfg = BotConfig.from_env({"HELPDESK_URL": TOOL, "BOT_LANGUAGES": " en, ar ,bn"})
    assert cfg.languages == ("en", "ar", "bn")
    name = "x" * (255 - len("Content Partnerships Hub/Helpdesk/Working groups/"))
    english = BotConfig.from_env({"HELPDESK_URL": TOOL, "BOT_LANGUAGES": "en"})
    assert english.group_title(name, "slug").endswith(name)  # 255 bytes: fits
    assert cfg.group_title(name, "slug").endswith("/slug")  # but not with "/bn"


@pytest.mark.parametrize("env", [
    {"HELPDESK_URL": TOOL, "BOT_LANGUAGES": "en,Swedish"},
    {},
    {"HELPDESK_URL": "not a url"},
    {"HELPDESK_URL": TOOL, "BOT_WIKI_API": "https://meta.wikimedia.org/wiki/Main_Page"},
    {"HELPDESK_URL": TOOL, "BOT_USERNAME": "HelpdeskBot@sync"},
    {"HELPDESK_URL": TOOL, "BOT_MAXLAG": "soon"},
    {"HELPDESK_URL": TOOL, "BOT_PAGE_PREFIX": "Bad [[prefix]]"},
    {"HELPDESK_URL": TOOL, "BOT_CASES_PAGE": "{unknown}/Cases"},
])
def test_config_refuses_bad_settings(env: dict[str, str]) -> None:
    with pytest.raises(ConfigError):
        BotConfig.from_env(env)


# -- whole syncs against an in-memory wiki -----------------------------------------------------

class FakeWiki:
    """An in-memory wiki: pages by title (with ids), scripted failures on save."""

    identity = "fakewiki@wiki.invalid"
    username = "HelpdeskBot"
    requests = 0

    def __init__(self, pages: dict[str, str] | None = None) -> None:
        self.pages: dict[str, str] = {}
        self.ids: dict[str, int] = {}
        self.revisions: dict[int, str] = {}
        self.latest: dict[str, int] = {}
        self.revid = 100
        self.saved: list[str] = []
        self.conflicts: dict[str, int] = {}
        self.rejected: dict[str, str] = {}
        self.invalid: set[str] = set()
        self.explode: set[str] = set()
        self.down_after: int | None = None
        self.lagged = False
        self.load_calls = 0
        self.reloads = 0
        for title, text in (pages or {}).items():
            self.put(title, text)

    def put(self, title: str, text: str) -> int:
        self.revid += 1
        self.pages[title] = text
        self.ids.setdefault(title, 1000 + len(self.ids))
        self.revisions[self.revid] = text
        self.latest[title] = self.revid
        return self.revid

    def move(self, title: str, new_title: str) -> None:
        self.pages[new_title] = self.pages.pop(title)
        self.ids[new_title] = self.ids.pop(title)
        self.latest[new_title] = self.latest.pop(title)

    @property
    def reads(self) -> int:
        return self.load_calls + self.reloads

    def _page(self, title: str) -> LoadedPage:
        if title in self.invalid:
            return LoadedPage(title=title, exists=False,
                              title_problem="the wiki refuses the title (test)")
        if title in self.explode:
            return LoadedPage(title=title, exists=True, text=None, revid=1)  # type: ignore
        if title not in self.pages:
            return LoadedPage(title=title, exists=False)
        text = self.pages[title]
        return LoadedPage(title=title, exists=True, text=text, revid=self.latest[title],
                          page_id=self.ids[title], bot_may_edit="{{nobots}}" not in text)

    def load(self, titles: list[str]) -> dict[str, LoadedPage]:
        self.load_calls += 1
        return {title: self._page(title) for title in titles}

    def reload(self, title: str) -> LoadedPage:
        self.reloads += 1
        return self._page(title)

    def revision_text(self, title: str, revid: int) -> str:
        if revid not in self.revisions:
            raise RevisionUnavailable(f"revision {revid} of [[{title}]] no longer exists "
                                      "(it or its page was deleted)")
        return self.revisions[revid]

    def page_title(self, page_id: int) -> str | None:
        return next((title for title, known in self.ids.items() if known == page_id
                     and title in self.pages), None)

    def save(self, page: LoadedPage, text: str, summary: str) -> Saved:
        if self.lagged:
            raise WikiLagged("the wiki is lagged")
        if self.down_after is not None and len(self.saved) >= self.down_after:
            raise WikiUnavailable("the wiki stopped answering")
        if self.conflicts.get(page.title):
            self.conflicts[page.title] -= 1
            self.put(page.title, self.pages.get(page.title, "") + "\n\nHuman edit.")
            raise EditConflict("conflict")
        if page.title in self.rejected:
            raise PageRejected(page.title, self.rejected[page.title])
        revid = self.put(page.title, text)
        self.saved.append(page.title)
        return Saved(revid=revid, page_id=self.ids[page.title])


def fake_app(cases: list[dict[str, Any]], groups: list[dict[str, Any]]) -> HelpdeskApi:
    api, _session = fake_api(FakeResponse(cases_body(cases)),
                             FakeResponse({"working_groups": groups}))
    return api


GROUPS = [group_json(), group_json(slug="translation", name="Translation",
                                   url=f"{TOOL}/groups/translation")]


def sync(cfg: BotConfig, wiki: FakeWiki, cases: list[dict[str, Any]] | None = None,
         groups: list[dict[str, Any]] | None = None, **options: Any) -> SyncReport:
    api = fake_app([case_json()] if cases is None else cases,
                   GROUPS if groups is None else groups)
    options.setdefault("today", DAY)
    options.setdefault("language_codes", ("en",))
    return run_sync(cfg, wiki=wiki, api=api, out=lambda _text: None, **options)


def test_sync_writes_every_page_then_nothing(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    report = sync(cfg, wiki)
    assert report.exit_code == 0, report.pages
    assert wiki.saved == [cfg.cases_title, cfg.status_title,
                          cfg.group_title("Communication", "communication"),
                          cfg.group_title("Translation", "translation")]
    assert report.edits == 4 and report.app_reads == 2 and report.wiki_reads == 1
    again = sync(cfg, FakeWiki(wiki.pages))
    assert again.edits == 0 and again.exit_code == 0
    assert {page.action for page in again.pages} == {"unchanged"}


def test_every_page_is_written_in_six_languages_and_a_quiet_day_edits_none(
    tmp_path: Path,
) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    cases = [case_json(), closed_case_json()]
    first = sync(cfg, wiki, cases, language_codes=LANGUAGES)
    assert first.exit_code == 0, first.pages
    bases = [cfg.cases_title, cfg.status_title, f"{cfg.cases_title}/Archive/2026",
             cfg.group_title("Communication", "communication"),
             cfg.group_title("Translation", "translation")]
    expected = [base if code == "en" else f"{base}/{code}" for base in bases
                for code in LANGUAGES]
    assert wiki.saved == expected and first.wiki_reads == 1
    assert 'lang="ar" dir="rtl"' in wiki.pages[f"{cfg.cases_title}/ar"]
    # The next days: the app's "days in stage" grows, nothing else changes.
    for days in (1, 2, 45):
        aged = [case_json(days_in_state=7 + days), closed_case_json(days_in_state=days)]
        quiet = sync(cfg, wiki, aged, language_codes=LANGUAGES,
                     today=DAY + timedelta(days=days))
        assert quiet.edits == 0 and {p.action for p in quiet.pages} == {"unchanged"}
        assert quiet.wiki_reads == 1 and quiet.app_reads == 2


def test_only_the_pages_whose_block_changed_are_edited(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    assert sync(cfg, wiki, language_codes=LANGUAGES).exit_code == 0
    wiki.saved.clear()
    later = DAY + timedelta(days=3)
    renamed = [group_json(description="Tells everyone."), GROUPS[1]]
    report = sync(cfg, wiki, groups=renamed, language_codes=LANGUAGES, today=later)
    roster = cfg.group_title("Communication", "communication")
    assert wiki.saved == [roster if code == "en" else f"{roster}/{code}" for code in LANGUAGES]
    assert report.edits == 6
    assert "last changed 2026-12-07" in wiki.pages[roster]  # the date it changed
    assert "last changed 2026-12-04" in wiki.pages[cfg.cases_title]  # untouched


def test_a_roster_whose_title_the_wiki_refuses_moves_to_the_slug(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    by_name = cfg.group_title("Communication", "communication")
    wiki.invalid.add(by_name)
    report = sync(cfg, wiki)
    assert report.exit_code == 0, report.pages
    by_slug = cfg.group_title("communication", "communication")
    assert by_slug in wiki.saved and by_name not in wiki.pages
    assert any("its roster uses the group's slug" in warning for warning in report.warnings)
    assert wiki.load_calls == 2  # the one batched read, and one for the slug titles only


def test_one_bad_page_never_stops_the_others(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    wiki.explode.add(cfg.status_title)  # the wiki sends something the bot cannot handle
    report = sync(cfg, wiki)
    assert report.exit_code == 1 and report.fatal is None
    failed = report.outcome(cfg.status_title)
    assert failed is not None and failed.action == "error"
    assert failed.message.startswith("unexpected error: ") and "\n" not in failed.message
    assert cfg.cases_title in wiki.saved
    assert cfg.group_title("Translation", "translation") in wiki.saved


def test_sync_retries_edit_conflicts_and_keeps_the_other_edit(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki({cfg.cases_title: "Intro."})
    wiki.conflicts[cfg.cases_title] = 1
    report = sync(cfg, wiki)
    assert report.exit_code == 0 and report.conflicts == 1 and wiki.reloads == 1
    text = wiki.pages[cfg.cases_title]
    assert text.startswith("Intro.\n\nHuman edit.\n\n" + BEGIN)
    wiki.conflicts[cfg.cases_title] = 5
    report = sync(cfg, wiki, cases=[case_json(title="Changed")])
    assert report.outcome(cfg.cases_title).action == "error"  # type: ignore[union-attr]


def test_sync_reports_refused_pages_and_goes_on(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    wiki.rejected[cfg.status_title] = "an abuse filter refused the edit"
    report = sync(cfg, wiki)
    assert report.exit_code == 1
    outcome = report.outcome(cfg.status_title)
    assert outcome is not None and outcome.action == "error"
    assert "abuse filter" in outcome.message
    assert cfg.group_title("Translation", "translation") in wiki.saved


def test_sync_stops_when_the_wiki_goes_away_and_remembers_what_it_wrote(
    tmp_path: Path,
) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    wiki.down_after = 1
    report = sync(cfg, wiki)
    assert report.exit_code == 2 and "stopped answering" in (report.fatal or "")
    assert wiki.saved == [cfg.cases_title]
    state = StateFile(cfg.state_file).load(wiki.identity)
    assert list(state.pages) == [cfg.cases_title]


def test_maxlag_stops_the_run_with_exit_status_2(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    wiki.lagged = True
    report = sync(cfg, wiki)
    assert report.exit_code == 2 and "lagged" in (report.fatal or "")
    assert len(report.pages) == 0 and wiki.saved == []  # stopped at the first edit


def test_drift_messages_say_moved_deleted_or_unreadable(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    assert sync(cfg, wiki).exit_code == 0
    wiki.move(cfg.cases_title, "Somewhere else")  # moved without leaving a redirect
    del wiki.pages[cfg.status_title]  # deleted
    roster = cfg.group_title("Translation", "translation")
    wiki.put(roster, wiki.pages[roster].replace("Translation", "Edited"))
    wiki.revisions.clear()  # the revision the bot wrote is gone too (revision deletion)
    wiki.put(roster, wiki.pages[roster])
    report = sync(cfg, wiki)
    assert report.exit_code == 1
    moved = report.outcome(cfg.cases_title)
    assert moved is not None and moved.action == "drift"
    assert "moved to [[Somewhere else]] without leaving a redirect" in moved.message
    deleted = report.outcome(cfg.status_title)
    assert deleted is not None and "was deleted after the bot last wrote it" in deleted.message
    edited = report.outcome(roster)
    assert edited is not None and edited.action == "drift"
    assert "no longer exists (it or its page was deleted)" in edited.message
    for outcome in (moved, deleted, edited):
        assert "\n" not in outcome.message


def test_the_same_wiki_under_another_url_is_not_drift(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    assert sync(cfg, wiki).exit_code == 0
    alias = config(tmp_path, wiki_api="http://alias.invalid/w/api.php")
    report = sync(alias, wiki)
    assert report.exit_code == 0 and report.edits == 0, report.pages


def test_sync_with_garbage_from_the_app_writes_nothing(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    api, _session = fake_api(FakeResponse({"cases": [{"reference": "x"}]}))
    report = run_sync(cfg, wiki=wiki, api=api, out=lambda _text: None)
    assert report.exit_code == 2 and "garbage" in (report.fatal or "")
    assert wiki.load_calls == 0 and wiki.saved == []


def test_sync_refuses_to_blank_the_cases_page(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    assert sync(cfg, wiki).exit_code == 0
    report = sync(cfg, wiki, cases=[])
    assert report.exit_code == 2 and "--allow-empty" in (report.fatal or "")
    assert sync(cfg, wiki, cases=[], allow_empty=True).exit_code == 0
    text = wiki.pages[cfg.cases_title]
    assert "''No longer publicly listed:'' CPH-2026-0042" in text


def test_an_archive_year_is_kept_when_its_last_case_leaves_the_list(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    assert sync(cfg, wiki, cases=[case_json(), closed_case_json()]).exit_code == 0
    archive = f"{cfg.cases_title}/Archive/2026"
    assert "CPH-2026-0007" in wiki.pages[archive]
    assert sync(cfg, wiki, cases=[case_json()]).exit_code == 0  # it left the projection
    assert "CPH-2026-0007" not in wiki.pages[archive].split("No longer")[0]
    assert "Old photos" not in wiki.pages[archive]


def test_sync_dry_run_prints_diffs_and_touches_nothing(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki({cfg.cases_title: "Intro."})
    printed: list[str] = []
    report = run_sync(cfg, wiki=wiki, api=fake_app([case_json()], [group_json()]),
                      dry_run=True, out=printed.append, language_codes=("en",))
    assert report.exit_code == 0 and wiki.saved == [] and report.edits == 0
    assert not cfg.state_file.exists()
    assert {page.action for page in report.pages} == {"would-append", "would-create"}
    assert printed[0].startswith(f"--- {cfg.cases_title} (on the wiki)")
    assert f"+{BEGIN}" in printed[0]


def test_sync_only_groups_reads_only_the_groups(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    api, session = fake_api(FakeResponse({"working_groups": [group_json()]}))
    report = run_sync(cfg, wiki=wiki, api=api, only="groups", out=lambda _text: None,
                      language_codes=("en",))
    assert report.exit_code == 0 and report.app_reads == 1
    assert session.calls[0][0].endswith("/api/v1/working-groups")
    assert wiki.saved == [cfg.group_title("Communication", "communication")]


def test_links_point_at_the_public_tool_url(tmp_path: Path) -> None:
    internal = "http://helpdesk.internal:8000"
    cfg = config(tmp_path, helpdesk_url=internal, tool_url=TOOL)
    group = group_json(url=f"{internal}/groups/communication", open_referrals=[
        {"reference": "CPH-2026-0042", "title": "Maps", "url": f"{internal}/cases/CPH-2026-0042"}
    ])
    api = fake_app([case_json(url=f"{internal}/cases/CPH-2026-0042")], [group])
    wiki = FakeWiki()
    assert run_sync(cfg, wiki=wiki, api=api, out=lambda _text: None).exit_code == 0
    assert all(internal not in text for text in wiki.pages.values())
    assert f"[{TOOL}/cases/CPH-2026-0042 CPH-2026-0042]" in wiki.pages[cfg.cases_title]


def test_cli_refuses_bad_configuration(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                       caplog: pytest.LogCaptureFixture) -> None:
    from bot.__main__ import main

    for name in ("HELPDESK_URL", "TOOL_HELPDESK_URL", "BOT_USERNAME", "BOT_PASSWORD",
                 "TOOL_BOT_USERNAME", "TOOL_BOT_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    assert main(["sync"]) == 2
    assert "HELPDESK_URL is not set" in caplog.text
    monkeypatch.setenv("HELPDESK_URL", TOOL)
    monkeypatch.setenv("BOT_STATE_FILE", str(tmp_path / "state.json"))
    assert main(["sync"]) == 2  # editing needs credentials
    assert "BOT_USERNAME and BOT_PASSWORD are needed" in caplog.text
    with pytest.raises(SystemExit):
        main(["sync", "--only", "everything"])
