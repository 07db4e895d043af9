"""Unit tests of the bot's pure parts: escaping, rendering, blocks, parsing, decisions,
state, configuration, and the sync's orchestration against fakes (no network)."""

from __future__ import annotations

import html
import json
import re
from copy import deepcopy
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import blocks, render
from bot.api_client import AppGarbage, AppUnavailable, HelpdeskApi
from bot.blocks import BEGIN, END, MarkerError, block_hash, find_block, inner_text, merge
from bot.config import BotConfig, ConfigError
from bot.model import GarbageError, parse_case, parse_cases_page, parse_groups
from bot.state import PageRecord, StateError, StateFile, WikiState, run_lock
from bot.sync import PlannedPage, decide, run_sync
from bot.wiki_types import EditConflict, LoadedPage, PageRejected, WikiUnavailable

TOOL = "https://cp-helpdesk.toolforge.org"

HOSTILE = [
    "[[Category:Hacked]]",
    "[[Main Page|click]] and [https://evil.example/x here]",
    "{{Template:Evil}} {{subst:Evil}} {{DISPLAYTITLE:Owned}} {{#if:1|x}} {{!}}",
    "~~~~ and ~~~ and ~~~~~",
    "__NOTOC__ __NOINDEX__ __FORCETOC__",
    "<script>alert(1)</script><b>bold</b><!-- comment --><nowiki>x</nowiki>",
    "<!-- END helpdesk-bot -->",
    "cell | cell || cell !! header",
    "line one\nline two\r\n* item\n# item\n: indent\n; term\n= heading =\n----",
    "* starts a list",
    "# numbered",
    ": indented",
    "; defined",
    "= heading =",
    " leading space (pre)",
    "'''bold''' ''italic''",
    "https://evil.example/free mailto:x@example.org irc://x news:x",
    "ISBN 9780306406157 RFC 1234 PMID 12345",
    "\u202eevil\u202c \u2066isolate\u2069 \u200fmark",
    "-{zh-hans:x}-",
    "&#91;&#91;Entity&#93;&#93; &lt;b&gt;",
    "#REDIRECT [[Main Page]]",
    "\x00\x07\x7f control\x1b[31m",
    "a\u00a0:\u2028b\u2029c",
]


def case_json(**overrides: Any) -> dict[str, Any]:
    """One case as the API sends it."""
    data: dict[str, Any] = {
        "reference": "CPH-2026-0042",
        "title": "Digitised maps of the Baltic",
        "organisation": {"name": "Museum of Examples", "kind": "glam"},
        "themes": ["heritage", "science"],
        "region": "western_europe",
        "target_projects": ["commons", "wikidata"],
        "state": "in_initial_review",
        "state_label": "In initial review",
        "open": True,
        "created_at": "2026-11-01T10:00:00Z",
        "updated_at": "2026-11-27T18:40:00Z",
        "state_changed_at": "2026-11-20T09:00:00Z",
        "days_in_state": 7,
        "public_summary": "",
        "url": f"{TOOL}/cases/CPH-2026-0042",
    }
    data.update(overrides)
    return data


def cases_body(cases: list[dict[str, Any]]) -> dict[str, Any]:
    return {"cases": cases, "page": 1, "per_page": 1000, "total": len(cases), "pages": 1,
            "next": None}


def group_json(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "slug": "communication",
        "name": "Communication",
        "description": "Tells the movement about the Hub.",
        "url": f"{TOOL}/groups/communication",
        "members": [
            {"username": "Leila Lead", "lead": True, "member_since": "2026-01-03"},
            {"username": "Omar Member", "lead": False, "member_since": "2026-02-04"},
        ],
        "open_referrals": [
            {"reference": "CPH-2026-0042", "title": "Digitised maps",
             "url": f"{TOOL}/cases/CPH-2026-0042"},
        ],
    }
    data.update(overrides)
    return data


def config(tmp_path: Path, **extra: Any) -> BotConfig:
    settings_: dict[str, Any] = {
        "helpdesk_url": TOOL, "wiki_api": "http://wiki.invalid/w/api.php",
        "username": "HelpdeskBot@sync", "password": "p" * 32,
        "state_file": tmp_path / "state.json", "throttle": 0.0,
    }
    settings_.update(extra)
    return BotConfig(**settings_)


# -- escaping -------------------------------------------------------------------------

FORBIDDEN = ("[[", "]]", "{{", "}}", "[", "]", "{", "}", "|", "~~~", "__", "<", ">", "\n",
             "\r", "://", "ISBN ", "RFC ", "PMID ", "''", "-->", "\u202e", "\u2066", "\x7f")


def assert_inert(text: str) -> None:
    for bad in FORBIDDEN:
        assert bad not in text, (bad, text)
    assert text[:1] not in ("*", "#", ":", ";", "=", " ", "!", "-")
    assert not re.search(r"[\x00-\x1f]", text)


@pytest.mark.parametrize("value", HOSTILE)
def test_escape_makes_hostile_text_inert_and_shows_it_literally(value: str) -> None:
    escaped = render.escape(value)
    assert_inert(escaped)
    # A reader sees exactly the cleaned text: character references decode to it.
    assert html.unescape(escaped) == render.clean_text(value)


@given(st.text(alphabet=st.sampled_from(
    [*list("[]{}|~_<>&'\"=*#:;!- \n\tISBNRFCPMID/htps"), "\u202e", "\u2028", "\x00", "é", "ب"]
), max_size=60))
@settings(max_examples=300, deadline=None, database=None)
def test_escape_invariants_hold_for_any_text(value: str) -> None:
    escaped = render.escape(value)
    assert_inert(escaped)
    assert html.unescape(escaped) == render.clean_text(value)


def test_clean_text_normalises_and_truncates() -> None:
    assert render.clean_text("  a\n\tb  c ") == "a b c"
    assert render.clean_text("e\u0301") == "\u00e9"  # NFC, as MediaWiki stores it
    assert render.clean_text("x" * 20, limit=10) == "x" * 9 + "…"
    assert render.clean_text("\u202eabc\u202c") == "abc"
    assert render.clean_text("\u200cZWNJ\u200d") == "\u200cZWNJ\u200d"  # scripts need these


def test_safe_url_percent_encodes_everything_risky() -> None:
    assert render.safe_url(f"{TOOL}/cases/CPH-2026-0042") == f"{TOOL}/cases/CPH-2026-0042"
    url = render.safe_url("https://x.example/a b]c[d|e{f}g<h>i'j~~~~k__NOTOC__l\"m")
    assert url == ("https://x.example/a%20b%5Dc%5Bd%7Ce%7Bf%7Dg%3Ch%3Ei%27j%7E%7E%7E%7Ek"
                   "%5F%5FNOTOC%5F%5Fl%22m")
    assert render.safe_url("javascript:alert(1)") is None
    assert render.safe_url("//evil.example/x") is None
    assert render.safe_url("ftp://x.example/") is None
    assert render.external_link("javascript:x", "label") == "label"


def test_user_links_only_plain_names() -> None:
    assert render.user_link("Leila Lead") == "[[User:Leila Lead|<bdi>Leila Lead</bdi>]]"
    assert render.user_link("লায়লা").startswith("[[User:লায়লা|")
    assert render.user_link("O'Brien (WMSE)").startswith("[[User:O'Brien (WMSE)|")
    for name in ("A]]B", "A|B", "A{{B}}", "A~~~~", "A:B", "A/B", "A__B", "A''B", "<b>",
                 "\u202eA", "A\nB", " A"):
        link = render.user_link(name)
        assert "[[" not in link, name
        assert_inert(link.removeprefix("<bdi>").removesuffix("</bdi>"))


# -- rendering ----------------------------------------------------------------------------

def parsed_cases(*items: dict[str, Any]) -> list[Any]:
    return list(parse_cases_page(cases_body(list(items))).cases)


def test_cases_block_lists_open_cases_then_the_archive() -> None:
    cases = parsed_cases(
        case_json(),
        case_json(reference="CPH-2026-0007", title="Old photos", state="withdrawn",
                  state_label="Withdrawn", open=False, url=f"{TOOL}/cases/CPH-2026-0007"),
    )
    body = render.render_cases_block(cases, TOOL)
    open_part, archive_part = body.split("== Archive ==")
    assert "CPH-2026-0042" in open_part and "CPH-2026-0007" not in open_part
    assert "CPH-2026-0007" in archive_part
    assert "'''Status:''' 1 open (In initial review: 1); 1 closed (Withdrawn: 1)." in body
    assert '{| class="wikitable sortable"' in open_part
    row = open_part.split("|-\n", 1)[1].split("\n|}")[0].splitlines()
    assert row == [
        "| CPH-2026-0042",
        "| <bdi>Digitised maps of the Baltic</bdi>",
        "| <bdi>Museum of Examples</bdi> (GLAM)",
        "| Cultural heritage, Science",
        "| Western Europe",
        "| In initial review",
        "| 7",
        "| 2026-11-27",
        f"| [{TOOL}/cases/CPH-2026-0042 view]",
    ]
    assert "| 2026-11-20" in archive_part  # closed on (the date of the last state change)


def test_cases_block_keeps_unlisted_references_and_handles_no_cases() -> None:
    body = render.render_cases_block([], TOOL, ["CPH-2026-0001"])
    assert "''There are no open requests.''" in body
    assert "''No longer publicly listed:'' CPH-2026-0001." in body
    assert render.render_status_line([]) == "'''Status:''' there are no public requests yet."


def test_hostile_values_cannot_break_the_table() -> None:
    hostile = " ".join(HOSTILE)
    cases = parsed_cases(case_json(title=hostile, organisation={"name": hostile,
                                                                  "kind": "igo"}))
    body = render.render_cases_block(cases, TOOL)
    table = body.split("|-\n", 1)[1].split("\n|}")[0].splitlines()
    assert len(table) == len(render.CASE_COLUMNS)
    assert all(line.startswith("| ") for line in table)
    for line in table[:-1]:
        assert_inert(line[2:].replace("<bdi>", "").replace("</bdi>", ""))
    assert END not in body and BEGIN not in body
    assert "<!--" not in body.split("\n", 1)[1]  # only the bot's own note is a comment


def test_group_block_shows_leads_members_and_open_asks() -> None:
    group = parse_groups({"working_groups": [group_json()]})[0]
    body = render.render_group_block(group)
    assert "'''Leads:''' [[User:Leila Lead|<bdi>Leila Lead</bdi>]]" in body
    assert "'''Listed members:''' 2" in body and "'''Open asks:''' 1" in body
    assert "| [[User:Omar Member|<bdi>Omar Member</bdi>]]\n| Member\n| 2026-02-04" in body
    assert f"* [{TOOL}/cases/CPH-2026-0042 CPH-2026-0042] <bdi>Digitised maps</bdi>" in body
    empty = parse_groups({"working_groups": [group_json(members=[], open_referrals=[])]})[0]
    text = render.render_group_block(empty)
    assert "''No member has chosen to be listed.''" in text and "''No open asks.''" in text


def test_rendering_is_deterministic_and_summaries_carry_no_data() -> None:
    cases = parsed_cases(case_json(title="[[Evil]]"))
    assert render.render_cases_block(cases, TOOL) == render.render_cases_block(cases, TOOL)
    summary = render.summary_for_cases(cases, TOOL)
    assert "Evil" not in summary and TOOL in summary
    group = parse_groups({"working_groups": [group_json(name="[[Evil]]")]})[0]
    assert "Evil" not in render.summary_for_group(group, TOOL)


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

PLANNED = PlannedPage("Hub/Cases", "cases", "fresh body", "summary")
FRESH = inner_text("fresh body")


def loaded(text: str | None, **extra: Any) -> LoadedPage:
    if text is None:
        return LoadedPage(title="Hub/Cases", exists=False, **extra)
    return LoadedPage(title="Hub/Cases", exists=True, text=text, revid=10, **extra)


def record(inner: str) -> PageRecord:
    return PageRecord(hash=block_hash(inner), revid=9)


def test_decide_creates_appends_updates_and_keeps() -> None:
    assert decide(PLANNED, loaded(None), None).action == "create"
    assert decide(PLANNED, loaded(None), None).new_text == f"{BEGIN}{FRESH}{END}"
    appended = decide(PLANNED, loaded("Human intro."), None)
    assert appended.action == "append"
    assert appended.new_text == f"Human intro.\n\n{BEGIN}{FRESH}{END}"
    old = "\nold body\n"
    text = f"Intro\n{BEGIN}{old}{END}\nOutro"
    update = decide(PLANNED, loaded(text), record(old))
    assert update.action == "update"
    assert update.new_text == f"Intro\n{BEGIN}{FRESH}{END}\nOutro"
    same = f"Intro\n{BEGIN}{FRESH}{END}"
    assert decide(PLANNED, loaded(same), record(FRESH)).action == "unchanged"
    assert decide(PLANNED, loaded(same), None).action == "unchanged"


def test_decide_reports_drift() -> None:
    written = "\nwhat the bot wrote\n"
    edited = f"{BEGIN}\nwhat a human wrote\n{END}"
    assert decide(PLANNED, loaded(edited), record(written)).action == "drift"
    assert decide(PLANNED, loaded(edited), record(written), accepted=True).action == "update"
    assert decide(PLANNED, loaded("markers removed"), record(written)).action == "drift"
    assert decide(PLANNED, loaded(None), record(written)).action == "drift"
    assert decide(PLANNED, loaded(None), record(written), accepted=True).action == "create"
    # No record: adopt an empty block or the bot's own last revision, else drift.
    assert decide(PLANNED, loaded(f"{BEGIN}\n\n{END}"), None).action == "update"
    assert decide(PLANNED, loaded(edited), None).action == "drift"
    assert decide(PLANNED, loaded(edited, last_user="HelpdeskBot"), None,
                  bot_user="HelpdeskBot").action == "update"


def test_decide_honours_nobots_and_refuses_broken_pages() -> None:
    assert decide(PLANNED, loaded("{{nobots}}", bot_may_edit=False), None).action == "skipped"
    assert decide(PLANNED, loaded(f"{BEGIN} only"), None).action == "error"
    assert decide(PLANNED, loaded("x", problem="redirect"), None).action == "error"


# -- state ------------------------------------------------------------------------------------

def test_state_round_trips_per_wiki_and_refuses_corruption(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "state.json"
    store = StateFile(path)
    state = store.load("wiki-a")
    assert state.pages == {} and state.case_count is None
    state.record("Page", "sha256:x", 5)
    state.published = ["CPH-2026-0001"]
    state.case_count = 1
    store.save("wiki-a", state)
    other = StateFile(path)
    assert other.load("wiki-b").pages == {}
    other.save("wiki-b", WikiState())
    again = StateFile(path).load("wiki-a")
    assert again.pages["Page"].hash == "sha256:x" and again.pages["Page"].revid == 5
    assert again.published == ["CPH-2026-0001"] and again.case_count == 1
    assert not list(path.parent.glob(".state-*"))  # no temporary file left
    path.write_text("{broken")
    with pytest.raises(StateError, match="corrupt"):
        StateFile(path).load("wiki-a")


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
    env = {
        "HELPDESK_URL": "http://127.0.0.1:5000", "BOT_WIKI_API": "http://127.0.0.1:8080/api.php",
        "BOT_USERNAME": "HelpdeskBot@sync", "TOOL_BOT_PASSWORD": "secret",
        "BOT_PAGE_PREFIX": "Test/Helpdesk", "BOT_STATE_FILE": str(tmp_path / "s.json"),
        "BOT_MAXLAG": "3", "BOT_THROTTLE": "0.5",
    }
    cfg = BotConfig.from_env(env)
    assert (cfg.username, cfg.password, cfg.account) == ("HelpdeskBot@sync", "secret",
                                                         "HelpdeskBot")
    assert cfg.cases_title == "Test/Helpdesk/Cases" and cfg.maxlag == 3
    assert "User_talk:HelpdeskBot" in cfg.user_agent
    assert "secret" not in repr(cfg)
    data_dir = BotConfig.from_env({"HELPDESK_URL": TOOL, "TOOL_DATA_DIR": str(tmp_path)})
    assert data_dir.state_file == tmp_path / "helpdesk-bot-state.json"


@pytest.mark.parametrize("env", [
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


# -- the sync against fakes ---------------------------------------------------------------------

class FakeWiki:
    """An in-memory wiki: pages by title, optional scripted failures on save."""

    def __init__(self, pages: dict[str, str] | None = None) -> None:
        self.pages = dict(pages or {})
        self.revid = 100
        self.saved: list[str] = []
        self.conflicts: dict[str, int] = {}
        self.rejected: dict[str, str] = {}
        self.down_after: int | None = None
        self.load_calls = 0
        self.reloads = 0

    username = "HelpdeskBot"
    requests = 0

    @property
    def reads(self) -> int:
        return self.load_calls + self.reloads

    def _page(self, title: str) -> LoadedPage:
        if title not in self.pages:
            return LoadedPage(title=title, exists=False)
        text = self.pages[title]
        return LoadedPage(title=title, exists=True, text=text, revid=self.revid,
                          bot_may_edit="{{nobots}}" not in text)

    def load(self, titles: list[str]) -> dict[str, LoadedPage]:
        self.load_calls += 1
        return {title: self._page(title) for title in titles}

    def reload(self, title: str) -> LoadedPage:
        self.reloads += 1
        return self._page(title)

    def revision_text(self, title: str, revid: int) -> str | None:
        return None

    def save(self, page: LoadedPage, text: str, summary: str) -> int | None:
        if self.down_after is not None and len(self.saved) >= self.down_after:
            raise WikiUnavailable("the wiki stopped answering")
        if self.conflicts.get(page.title):
            self.conflicts[page.title] -= 1
            self.pages[page.title] = self.pages.get(page.title, "") + "\n\nHuman edit."
            raise EditConflict("conflict")
        if page.title in self.rejected:
            raise PageRejected(page.title, self.rejected[page.title])
        self.pages[page.title] = text
        self.saved.append(page.title)
        self.revid += 1
        return self.revid


def snapshot_api(cases: list[dict[str, Any]], groups: list[dict[str, Any]]) -> HelpdeskApi:
    api, _session = fake_api(FakeResponse(cases_body(cases)),
                             FakeResponse({"working_groups": groups}))
    return api


def sync(cfg: BotConfig, wiki: FakeWiki, cases: list[dict[str, Any]] | None = None,
         **options: Any) -> Any:
    groups = [group_json(), group_json(slug="translation", name="Translation",
                                       url=f"{TOOL}/groups/translation")]
    api = snapshot_api([case_json()] if cases is None else cases, groups)
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
    assert report.outcome(cfg.cases_title).action == "error"  # gave up after 3 tries


def test_sync_reports_refused_pages_and_goes_on(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    wiki.rejected[cfg.status_title] = "an abuse filter refused the edit"
    report = sync(cfg, wiki)
    assert report.exit_code == 1
    assert report.outcome(cfg.status_title).action == "error"
    assert "abuse filter" in report.outcome(cfg.status_title).message
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
    state = StateFile(cfg.state_file).load(cfg.wiki_key)
    assert list(state.pages) == [cfg.cases_title]


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
    assert "''No longer publicly listed:'' CPH-2026-0042." in text


def test_sync_dry_run_prints_diffs_and_touches_nothing(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki({cfg.cases_title: "Intro."})
    printed: list[str] = []
    groups = [group_json()]
    report = run_sync(cfg, wiki=wiki, api=snapshot_api([case_json()], groups), dry_run=True,
                      out=printed.append)
    assert report.exit_code == 0 and wiki.saved == [] and report.edits == 0
    assert not cfg.state_file.exists()
    assert {page.action for page in report.pages} == {"would-append", "would-create"}
    assert printed[0].startswith(f"--- {cfg.cases_title} (on the wiki)")
    assert f"+{BEGIN}" in printed[0]


def test_sync_only_groups_reads_only_the_groups(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    api, session = fake_api(FakeResponse({"working_groups": [group_json()]}))
    report = run_sync(cfg, wiki=wiki, api=api, only="groups", out=lambda _text: None)
    assert report.exit_code == 0 and report.app_reads == 1
    assert session.calls[0][0].endswith("/api/v1/working-groups")
    assert wiki.saved == [cfg.group_title("Communication", "communication")]


def test_links_point_at_the_public_tool_url(tmp_path: Path) -> None:
    internal = "http://helpdesk.internal:8000"
    cfg = config(tmp_path, helpdesk_url=internal, tool_url=TOOL)
    group = group_json(url=f"{internal}/groups/communication", open_referrals=[
        {"reference": "CPH-2026-0042", "title": "Maps", "url": f"{internal}/cases/CPH-2026-0042"}
    ])
    api = snapshot_api([case_json(url=f"{internal}/cases/CPH-2026-0042")], [group])
    wiki = FakeWiki()
    assert run_sync(cfg, wiki=wiki, api=api, out=lambda _text: None).exit_code == 0
    assert all(internal not in text for text in wiki.pages.values())
    assert f"[{TOOL}/cases/CPH-2026-0042 view]" in wiki.pages[cfg.cases_title]


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


class StubHandle:
    """Stands in for a pywikibot Page: records save() calls, raises `error`."""

    latest_revision_id = 12

    def __init__(self, error: BaseException | None = None) -> None:
        self.error = error
        self.calls: list[dict[str, Any]] = []
        self.text = ""

    def save(self, **kwargs: Any) -> None:
        self.calls.append(kwargs)
        if self.error is not None:
            raise self.error


def test_wiki_save_sends_the_base_revision_and_maps_refusals(tmp_path: Path) -> None:
    from bot.wiki import PywikibotWiki

    wiki = PywikibotWiki(config(tmp_path))
    newer: dict[str, bool] = {"T": False}
    wiki._changed_since_read = lambda page: newer[page.title]  # type: ignore[method-assign]
    handle = StubHandle()
    page = LoadedPage(title="T", exists=True, text="old", revid=11, handle=handle)
    newer["T"] = True  # someone saved after we read: a conflict, nothing sent
    with pytest.raises(EditConflict):
        wiki.save(page, "new text", "the summary")
    assert handle.calls == []
    newer["T"] = False
    assert wiki.save(page, "new text", "the summary") == 12
    assert handle.text == "new text"
    assert handle.calls == [{"summary": "the summary", "minor": False, "bot": True,
                             "watch": "nochange", "quiet": True, "nocreate": True,
                             "baserevid": 11}]
    created = StubHandle()
    wiki.save(LoadedPage(title="T", exists=False, handle=created), "x", "s")
    assert created.calls[0]["createonly"] is True and "baserevid" not in created.calls[0]

    errors = wiki.pywikibot.exceptions
    cases: list[tuple[BaseException, type[BaseException], str]] = [
        (errors.EditConflictError(1), EditConflict, ""),
        (errors.PageCreatedConflictError(1), EditConflict, ""),
        (errors.LockedPageError(1), PageRejected, "protected"),
        (errors.CascadeLockedPageError(1), PageRejected, "protected"),
        (errors.AbuseFilterDisallowedError(1, info="filter 7"), PageRejected, "abuse filter"),
        (errors.SpamblacklistError(1, url="https://spam.example"), PageRejected,
         "spam blacklist"),
        (errors.APIError("badtags", "no such tag"), PageRejected, "badtags"),
        (errors.APIError("readonly", "database locked"), WikiUnavailable, "readonly"),
        (ConnectionError("connection refused"), WikiUnavailable, "stopped answering"),
    ]
    for error, expected, words in cases:
        failing = LoadedPage(title="T", exists=True, revid=1, handle=StubHandle(error))
        with pytest.raises(expected, match=words):
            wiki.save(failing, "x", "s")
