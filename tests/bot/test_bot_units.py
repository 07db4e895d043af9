"""Unit tests of the bot's logic without a wiki: blocks, parsing the API, the API client,
deciding what to do with a page, the state file (and its old format), configuration."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot import blocks
from bot.api_client import AppGarbage, AppUnavailable, HelpdeskApi
from bot.blocks import BEGIN, END, MarkerError, block_hash, find_block, inner_text, merge
from bot.config import BotConfig, ConfigError
from bot.i18n import LANGUAGES
from bot.minutes import parse_meeting_list
from bot.model import (
    GarbageError,
    Impact,
    parse_asks,
    parse_case,
    parse_cases_page,
    parse_groups,
)
from bot.plan import PlannedPage
from bot.state import PageRecord, StateError, StateFile, WikiState, run_lock
from bot.sync import decide
from bot.wiki_types import (
    LoadedPage,
)
from tests.bot.samples import (
    TOOL,
    FakeResponse,
    app_answers,
    ask_json,
    case_json,
    cases_body,
    config,
    fake_api,
    group_json,
    impact_json,
    meeting_json,
    meeting_list_json,
)

DAY = date(2026, 12, 4)


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
    garbage: tuple[Any, ...] = ([], "cases", {"cases": {}}, {**cases_body([]), "total": "0"},
                                {**cases_body([]), "next": "ftp://x"})
    for body in garbage:
        with pytest.raises(GarbageError):
            parse_cases_page(body)
    for body in ({}, {"working_groups": [group_json(members=[{"username": "A"}])]},
                 {"working_groups": [group_json(), group_json()]},
                 {"working_groups": [group_json(slug="Bad Slug")]}):
        with pytest.raises(GarbageError):
            parse_groups(body)


def test_api_client_reads_1000_cases_per_request_and_counts() -> None:
    first = [case_json(reference=f"CPH-2026-{n:04d}") for n in range(1, 1001)]
    second = [case_json(reference="CPH-2026-1001")]
    api, session = fake_api(
        FakeResponse({**cases_body(first), "total": 1001, "pages": 2,
                      "next": f"{TOOL}/api/v1/cases?page=2&per_page=1000"}),
        FakeResponse({**cases_body(second), "page": 2, "total": 1001, "pages": 2}),
        FakeResponse({"working_groups": [group_json()]}),
    )
    snapshot = api.snapshot(meetings=False, groups=False)
    snapshot.groups = api.fetch_groups()
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


def test_api_client_reads_the_asks_and_each_meeting_held() -> None:
    held, coming = meeting_json(5), meeting_json(6, held=False, decisions=[])
    api, session = fake_api(*app_answers([case_json(impact=impact_json())], [group_json()],
                                         [ask_json()], [coming, held]))
    snapshot = api.snapshot()
    assert [call[0].split("/api/v1/")[1] for call in session.calls] == [
        "cases", "working-groups", "asks", "meetings", "meetings/5"]
    assert api.reads == 5
    assert snapshot.cases[0].impact is not None and snapshot.cases[0].impact.views == 123456
    assert [ask.id for ask in snapshot.asks] == [3]
    assert snapshot.asks[0].case_reference == "CPH-2026-0042"
    assert [meeting.id for meeting in snapshot.meetings] == [5]
    assert snapshot.meetings[0].decisions[0].public_rationale == "A clear, open licence."


@pytest.mark.parametrize("body", [
    {"asks": [ask_json(status="done")]},
    {"asks": [ask_json(languages=["not a code!"])]},
    {"asks": [ask_json(case={"reference": "nope", "url": f"{TOOL}/cases/x"})]},
    {"asks": [ask_json(group={"slug": "Bad Slug"})]},
    {"asks": [{**ask_json(), "title": ""}]},
    {"asks": "nope"},
])
def test_asks_garbage_is_refused(body: dict[str, Any]) -> None:
    with pytest.raises(GarbageError):
        parse_asks(body)


@pytest.mark.parametrize("impact", [
    {**impact_json(), "files": -1}, {**impact_json(), "files_capped": "no"},
    {key: value for key, value in impact_json().items() if key != "views"},
    {**impact_json(), "taken_at": "yesterday"}, "1234",
])
def test_impact_garbage_is_refused(impact: Any) -> None:
    with pytest.raises(GarbageError):
        parse_case(case_json(impact=impact))


def test_impact_is_optional_in_the_case_list() -> None:
    assert parse_case(case_json()).impact is None
    assert parse_case(case_json(impact=None)).impact is None
    assert parse_case(case_json(impact=impact_json())).impact == Impact(
        day=30, taken_at=datetime(2026, 12, 1, 3, tzinfo=UTC), files=1234, files_capped=False,
        files_in_use=56, wikis=7, pages=89, views=123456, views_capped=False)


@pytest.mark.parametrize("body", [
    {"meetings": "nope"}, {"meetings": [{"id": 0}]},
    meeting_list_json(meeting_json(5), meeting_json(5)),
    {"meetings": [{**meeting_list_json(meeting_json())["meetings"][0], "held": "yes"}]},
])
def test_meeting_list_garbage_is_refused(body: dict[str, Any]) -> None:
    with pytest.raises(GarbageError):
        parse_meeting_list(body)


def test_a_meeting_answered_for_another_id_is_garbage() -> None:
    api, _session = fake_api(FakeResponse(meeting_list_json(meeting_json(5))),
                             FakeResponse(meeting_json(6)))
    with pytest.raises(AppGarbage, match="meeting 5"):
        api.fetch_meetings()


def test_the_meetings_page_title_is_configurable(tmp_path: Path) -> None:
    assert config(tmp_path).meetings_title == (
        "Content Partnerships Hub/Helpdesk/Committee meetings")
    env = {"HELPDESK_URL": TOOL, "BOT_MEETINGS_PAGE": "{prefix}/Minutes",
           "BOT_PAGE_PREFIX": "Hub"}
    assert BotConfig.from_env(env).meetings_title == "Hub/Minutes"
    with pytest.raises(ConfigError, match="BOT_MEETINGS_PAGE"):
        BotConfig.from_env({**env, "BOT_MEETINGS_PAGE": "{prefix}/[x]"})


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
