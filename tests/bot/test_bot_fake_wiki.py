"""Whole syncs against an in-memory wiki: every language, no edit on a quiet day, titles
that fall back to slugs, one bad page among good ones, clear drift messages."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.api_client import HelpdeskApi
from bot.blocks import BEGIN
from bot.config import BotConfig
from bot.i18n import LANGUAGES
from bot.state import StateFile
from bot.sync import SyncReport, run_sync
from bot.wiki_types import (
    EditConflict,
    LoadedPage,
    PageRejected,
    RevisionUnavailable,
    Saved,
    WikiLagged,
    WikiUnavailable,
)
from tests.bot.samples import (
    TOOL,
    FakeResponse,
    app_answers,
    ask_json,
    case_json,
    closed_case_json,
    config,
    fake_api,
    group_json,
    impact_json,
    meeting_json,
)

DAY = date(2026, 12, 4)


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


def fake_app(cases: list[dict[str, Any]], groups: list[dict[str, Any]],
             asks: list[dict[str, Any]] | None = None,
             meetings: list[dict[str, Any]] | None = None) -> HelpdeskApi:
    api, _session = fake_api(*app_answers(cases, groups, asks, meetings))
    return api


GROUPS = [group_json(), group_json(slug="translation", name="Translation",
                                   url=f"{TOOL}/groups/translation")]


def sync(cfg: BotConfig, wiki: FakeWiki, cases: list[dict[str, Any]] | None = None,
         groups: list[dict[str, Any]] | None = None, *,
         asks: list[dict[str, Any]] | None = None, meetings: list[dict[str, Any]] | None = None,
         **options: Any) -> SyncReport:
    api = fake_app([case_json()] if cases is None else cases,
                   GROUPS if groups is None else groups, asks, meetings)
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
                          cfg.group_title("Translation", "translation"),
                          cfg.meetings_title]
    assert report.edits == 5 and report.app_reads == 4 and report.wiki_reads == 1
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
             cfg.group_title("Translation", "translation"), cfg.meetings_title]
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
        assert quiet.wiki_reads == 1 and quiet.app_reads == 4


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
    api, session = fake_api(FakeResponse({"working_groups": [group_json()]}),
                            FakeResponse({"asks": [ask_json()]}))
    report = run_sync(cfg, wiki=wiki, api=api, only="groups", out=lambda _text: None,
                      language_codes=("en",))
    assert report.exit_code == 0 and report.app_reads == 2
    assert [call[0].rsplit("/", 1)[1] for call in session.calls] == ["working-groups", "asks"]
    assert wiki.saved == [cfg.group_title("Communication", "communication")]


def test_links_point_at_the_public_tool_url(tmp_path: Path) -> None:
    internal = "http://helpdesk.internal:8000"
    cfg = config(tmp_path, helpdesk_url=internal, tool_url=TOOL)
    group = group_json(url=f"{internal}/groups/communication", open_referrals=[
        {"reference": "CPH-2026-0042", "title": "Maps", "url": f"{internal}/cases/CPH-2026-0042"}
    ])
    ask = ask_json(url=f"{internal}/groups/communication#ask-3",
                   case={"reference": "CPH-2026-0042",
                         "url": f"{internal}/cases/CPH-2026-0042"})
    meeting = meeting_json(url=f"{internal}/meetings/5", decisions=[
        {"case": case_json(url=f"{internal}/cases/CPH-2026-0042"), "stage": "initial",
         "outcome": "proceed", "public_rationale": ""}])
    api = fake_app([case_json(url=f"{internal}/cases/CPH-2026-0042")], [group], [ask],
                   [meeting])
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


# -- committee meetings, asks and impact ---------------------------------------------------------

def test_meetings_held_get_a_page_each_and_an_index_newest_first(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    first = meeting_json(5, title="Morning meeting", starts_at="2026-12-02T09:00:00Z")
    second = meeting_json(6, title="Evening meeting", starts_at="2026-12-02T18:00:00Z",
                          decisions=[])
    older = meeting_json(2, title="November meeting", starts_at="2026-11-04T15:00:00Z")
    coming = meeting_json(9, title="January meeting", starts_at="2027-01-06T15:00:00Z",
                          held=False, decisions=[])
    meetings = [coming, second, first, older]

    report = sync(cfg, wiki, meetings=meetings, language_codes=("en", "sv"))

    assert report.exit_code == 0, report.pages
    index = cfg.meetings_title
    assert index == "Content Partnerships Hub/Helpdesk/Committee meetings"
    pages = [f"{index}/2026-12-02 (2)", f"{index}/2026-12-02", f"{index}/2026-11-04"]
    assert [title for title in wiki.saved if title.startswith(index)] == [
        index, f"{index}/sv", *(t for title in pages for t in (title, f"{title}/sv"))]
    assert report.app_reads == 4 + 3  # the list, then each meeting held
    listing = wiki.pages[index]
    assert "January meeting" not in listing
    assert listing.index("Evening meeting") < listing.index("Morning meeting") < listing.index(
        "November meeting")
    assert f"[[{index}/2026-12-02|<bdi>Morning meeting</bdi>]]" in listing
    assert f"[[{index}/2026-12-02 (2)/sv|<bdi>Evening meeting</bdi>]]" in wiki.pages[
        f"{index}/sv"]
    minutes = wiki.pages[f"{index}/2026-12-02"]
    assert "A clear, open licence." in minutes and "'''Proceed to final go'''" in minutes
    assert f"[[{index}|All committee meetings]]" in minutes
    assert "[[User:Ngozi Committee|<bdi>Ngozi Committee</bdi>]]" in minutes
    assert "took no decision" in wiki.pages[f"{index}/2026-12-02 (2)"]

    again = sync(cfg, wiki, meetings=meetings, language_codes=("en", "sv"),
                 today=DAY + timedelta(days=2))
    assert again.edits == 0 and {page.action for page in again.pages} == {"unchanged"}


def test_sync_only_meetings_reads_only_the_meetings(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    meeting = meeting_json()
    api, session = fake_api(*app_answers([], [], [], [meeting])[3:])
    report = run_sync(cfg, wiki=wiki, api=api, only="meetings", out=lambda _text: None,
                      language_codes=("en",))
    assert report.exit_code == 0 and report.app_reads == 2, report.pages
    assert [call[0].split("/api/v1/")[1] for call in session.calls] == ["meetings", "meetings/5"]
    assert wiki.saved == [cfg.meetings_title, f"{cfg.meetings_title}/2026-12-02"]


def test_rosters_list_the_groups_asks_and_their_count(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    asks = [ask_json(), ask_json(id=4, title="Check licences", status="taken", case=None,
                                 languages=[], skills=[], description=""),
            ask_json(id=7, title="Another group's ask",
                     group={"slug": "translation", "name": "Translation",
                            "url": f"{TOOL}/groups/translation"})]
    assert sync(cfg, wiki, asks=asks).exit_code == 0
    roster = wiki.pages[cfg.group_title("Communication", "communication")]
    assert "Open asks: 1" in roster
    assert f"[{TOOL}/groups/communication#ask-3 <bdi>Translate the upload guide</bdi>]" in roster
    assert "Check licences" in roster and "| Taken" in roster and "| Open\n" in roster
    assert "Swedish" in roster and "Arabic" in roster
    assert f"[{TOOL}/cases/CPH-2026-0042 CPH-2026-0042]" in roster
    assert "Another group" not in roster
    assert "Another group" in wiki.pages[cfg.group_title("Translation", "translation")]


def test_the_cases_page_shows_the_latest_impact_figures(tmp_path: Path) -> None:
    cfg = config(tmp_path)
    wiki = FakeWiki()
    cases = [case_json(impact=impact_json()),
             closed_case_json(impact=impact_json(files=10000, files_capped=True)),
             case_json(reference="CPH-2026-0050", title="No figures yet",
                       url=f"{TOOL}/cases/CPH-2026-0050")]
    assert sync(cfg, wiki, cases, language_codes=("en", "bn")).exit_code == 0
    page = wiki.pages[cfg.cases_title]
    impact = page.split("|+ Impact of the requests")[1].split("|}")[0]
    assert '| data-sort-value="1234" | 1,234\n| data-sort-value="56" | 56\n' in impact
    assert '| data-sort-value="123456" | 123,456\n' in impact
    assert '| data-sort-value="10000" | 10,000+\n' in impact
    assert "1 Dec 2026" in impact and "No figures yet" not in impact
    assert "১,২৩৪" in wiki.pages[f"{cfg.cases_title}/bn"]
    plain = FakeWiki()
    assert sync(config(tmp_path, state_file=tmp_path / "other.json"), plain,
                [case_json()]).exit_code == 0
    assert "Impact of the requests" not in plain.pages[cfg.cases_title]
