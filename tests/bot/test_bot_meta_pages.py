"""Issue 19 against the Debian MediaWiki: the pages as Meta-Wiki's community expects them,
in six languages, and each defect the independent test found.

1. a group name made of a bidi control no longer stops every run;
2. every page transcludes cleanly (action=parse: inline, in a list, on its own line);
3. names over 255 bytes, `.`, `..` and `%41%42` fall back to the slug;
4. maxlag while saving stops the run (exit 2); a 5xx is retried with backoff, then exit 2;
5. a day with no change makes no edit, in any language;
6. the drift record is keyed by the wiki's identity and the page id, not the URL;
7. moved pages, unreadable revisions, a wiki that is down or failing: one clear line.

And: hostile text stays inert on every page in every language; an unchanged run costs
the same number of requests whatever the number of cases and languages.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bs4 import BeautifulSoup

from bot.blocks import BEGIN, END, find_block
from bot.config import BotConfig
from bot.i18n import LANGUAGES, language, languages
from bot.plan import PlannedPage, plan_pages
from bot.state import WikiState
from bot.sync import SyncReport, run_sync
from bot.wiki import PywikibotWiki
from bot.wikitext import clean_text
from tests.bot_fixtures import (
    ServedApp,
    add_case,
    add_member,
    admin_session,
    bot_config,
    bulk_cases,
    clear_faults,
    close_case,
    dead_url,
    faults_seen,
    group_names,
    refer,
    rename_group,
    set_faults,
)
from tests.loopback import serve_wsgi
from tests.mediawiki import ThrowawayWiki

REPO = Path(__file__).resolve().parents[2]
DAY = date(2026, 12, 4)
HOSTILE_TITLE = (  # at most 255 characters: the column's size on MariaDB
    "[[Category:Hacked]] [[Main Page|x]] {{Template:Evil}} ~~~~ __NOTOC__ "
    "<script>x</script> <b>b</b> a | b || c !! d [https://evil.example y] "
    "https://evil.example/free ISBN 0306406152 <!-- END helpdesk-bot --> '''b''' "
    "\u202eevil\n* item\n{{DISPLAYTITLE:Owned}}"
)
HOSTILE_ORG = ("{{Evil org}}|[[User:Mallory]] [[Category:Orgs]] ~~~ __NOINDEX__ &lt;i&gt; "
               "<ref>x</ref> -{x}- #REDIRECT [[Main Page]]")
HOSTILE_NAMES = ["[[Category:Hacked]] {{Evil}}", "~~~~", "<onlyinclude>x</onlyinclude>",
                 "\u202e", "%41%42 | ''x'' __NOTOC__", "=Heading=", "* item"]


def quiet(_text: str) -> None:
    """Swallow dry-run output."""


def sync(config: BotConfig, **options: Any) -> SyncReport:
    """One in-process sync."""
    return run_sync(config, out=quiet, **options)


def planned_pages(config: BotConfig, served: ServedApp) -> list[PlannedPage]:
    """The pages the bot maintains now (as the app's API is)."""
    from bot.api_client import HelpdeskApi

    snapshot = HelpdeskApi(served.url, "HelpdeskBotTests/1").snapshot()
    return plan_pages(config, snapshot, WikiState(), languages(config.languages))


def revisions(wiki: ThrowawayWiki, titles: list[str]) -> dict[str, int]:
    return {title: wiki.revision_count(title) for title in titles}


def run_cli(config: BotConfig, *args: str, **overrides: str) -> subprocess.CompletedProcess[str]:
    """`python -m bot sync …` in a fresh process (its whole stderr, pywikibot's too)."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("BOT_", "TOOL_", "HELPDESK_", "PYWIKIBOT"))}
    env.update({
        "HELPDESK_URL": config.helpdesk_url, "BOT_WIKI_API": config.wiki_api,
        "BOT_USERNAME": config.username or "", "BOT_PASSWORD": config.password or "",
        "BOT_PAGE_PREFIX": config.page_prefix, "BOT_STATE_FILE": str(config.state_file),
        "BOT_THROTTLE": "0", "BOT_MAX_RETRIES": str(config.max_retries),
        "BOT_RETRY_WAIT": str(config.retry_wait), "BOT_TIMEOUT": "20",
        "BOT_LANGUAGES": ",".join(config.languages),
    })
    env.update(overrides)
    return subprocess.run([sys.executable, "-m", "bot", "sync", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=180, check=False)


def error_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if line.startswith(("FAILED", "NOT SAVED"))]


# -- 1. a bidi control as a group's name -------------------------------------------------------

def test_1_a_group_named_by_a_bidi_control_gets_its_slug_and_every_page_is_synced(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    app = served_app.app
    add_case(app, "Maps")
    rename_group(app, "communication", "\u202e")
    rename_group(app, "translation", "\u202eTranslation")  # the wiki would strip the control
    config = bot_config(bot_wiki, served_app.url, tmp_path, languages=("en", "ar"))

    report = sync(config)

    assert report.exit_code == 0, (report.fatal, report.pages)
    prefix = f"{config.page_prefix}/Working groups"
    for slug in ("communication", "translation"):
        for title in (f"{prefix}/{slug}", f"{prefix}/{slug}/ar"):
            assert bot_wiki.page_text(title) is not None, title
    assert bot_wiki.page_text(config.cases_title) is not None
    assert bot_wiki.page_text(f"{config.cases_title}/ar") is not None
    assert sync(config).edits == 0


# -- 2. transclusion ---------------------------------------------------------------------------

def test_2_every_page_transcludes_inline_in_a_list_and_on_its_own_line(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    app = served_app.app
    add_case(app, "Maps of the Baltic")
    add_case(app, "Old photographs", closed=True)
    add_member(app, "Leila Lead", "translation", lead=True)
    config = bot_config(bot_wiki, served_app.url, tmp_path, languages=("en", "ar"))
    status, cases = config.status_title, config.cases_title
    roster = config.group_title("Translation", "translation")
    bot_wiki.edit_as_human(status, "A human's introduction.\n[[Category:Helpdesk]]", "intro")
    assert sync(config).exit_code == 0

    page = BeautifulSoup(bot_wiki.parse_html(
        f"Before {{{{:{status}}}}} after.\n"
        f"* Item {{{{:{status}}}}} tail\n"
        f"* Second item\n"
        f"\n{{{{:{cases}}}}}\nOutro.\n\n{{{{:{roster}}}}}\n\n"
        f"Arabic: {{{{:{status}/ar}}}}"), "html.parser")

    assert page.find("pre") is None  # no stray space turned a line into a <pre>
    items = page.find_all("li")
    assert len(items) == 2, items  # the list was not split
    assert "Status:" in items[0].get_text() and items[0].get_text().endswith("tail")
    first = page.find("p")
    assert first is not None and re.fullmatch(r"Before Status: 1 open \(.*\); 1 closed \(.*\)\. "
                                              r"after\.", first.get_text().strip())
    assert page.find(string=re.compile("Outro")) is not None
    tables = page.find_all("table")
    assert len(tables) == 2  # the open requests and the roster's members
    text = page.get_text()
    for leaked in ("Languages:", "Maintained by", "helpdesk-bot", "human's introduction",
                   "Helpdesk]]"):
        assert leaked not in text  # only the data is transcluded
    arabic = page.find("span", attrs={"dir": "rtl", "lang": "ar"})
    assert arabic is not None and language("ar").gettext("Status:") in arabic.get_text()
    parsed = bot_wiki.api({"action": "parse", "text": f"{{{{:{status}}}}}", "contentmodel":
                           "wikitext", "prop": "categories"}, post=True)["parse"]
    assert parsed["categories"] == []  # the human's category stays on the page itself
    own = bot_wiki.api({"action": "parse", "page": f"{cases}/ar", "prop": "text"})["parse"]
    assert 'dir="rtl"' in own["text"] and 'lang="ar"' in own["text"]


# -- 3. names MediaWiki refuses or changes as titles -------------------------------------------

def test_3_names_too_long_in_bytes_relative_or_percent_encoded_use_the_slug(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    app = served_app.app
    add_case(app, "Maps")
    names = {"communication": "ব" * 120, "translation": ".", "implementation": "..",
             "evaluation": "%41%42"}
    for slug, name in names.items():
        rename_group(app, slug, name)
    assert len("ব" * 120) == 120 and len(("ব" * 120).encode()) == 360
    config = bot_config(bot_wiki, served_app.url, tmp_path, languages=("en", "bn"))

    report = sync(config, only="groups")

    assert report.exit_code == 0, (report.fatal, report.pages)
    prefix = f"{config.page_prefix}/Working groups"
    for slug in names:
        assert bot_wiki.page_text(f"{prefix}/{slug}") is not None, slug
        assert bot_wiki.page_text(f"{prefix}/{slug}/bn") is not None, slug
    assert bot_wiki.page_text(f"{prefix}/AB") is None
    assert sync(config, only="groups").edits == 0


# -- 4. maxlag and server errors while saving --------------------------------------------------

def test_4_every_request_carries_maxlag_and_edits_assert_bot(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    add_case(served_app.app)
    config = bot_config(bot_wiki, served_app.url, tmp_path)
    wiki = PywikibotWiki(config)
    report = run_sync(config, wiki=wiki, out=quiet, only="cases")
    assert report.exit_code == 0 and report.edits == 2
    assert wiki.transport is not None
    sent = list(wiki.transport.sent)
    assert len(sent) == report.wiki_requests
    assert all(params.get("maxlag") == "5" for params in sent), sent
    edits = [params for params in sent if params.get("action") == "edit"]
    assert len(edits) == 2 and all(params["assert"] == "bot" for params in edits)
    assert all(params["bot"] == "1" for params in edits)


def test_4_maxlag_while_saving_stops_the_run_with_exit_2(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    add_case(served_app.app)
    config = bot_config(bot_wiki, served_app.url, tmp_path)
    set_faults(bot_wiki, {"prefix": config.cases_title, "kind": "lag", "times": -1})
    try:
        result = run_cli(config)
    finally:
        clear_faults(bot_wiki)
    assert result.returncode == 2, result.stderr
    assert error_lines(result.stderr) == [
        f"FAILED: the wiki at {config.wiki_api} is lagged (7 s behind, more than maxlag 5 s) "
        f"while saving [[{config.cases_title}]]; stopping here, the next run will go on. The "
        "pages listed as updated were written in full; the others were not touched."]
    assert "Traceback" not in result.stderr and "refused the edit" not in result.stderr
    assert bot_wiki.page_text(config.cases_title) is None
    assert bot_wiki.page_text(config.status_title) is None  # the run stopped there


def test_4_server_errors_while_saving_are_retried_with_backoff_then_exit_2(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    add_case(served_app.app)
    config = bot_config(bot_wiki, served_app.url, tmp_path, max_retries=2, retry_wait=0.05)
    set_faults(bot_wiki, {"prefix": config.cases_title, "kind": "http", "status": 503,
                          "times": -1})
    try:
        result = run_cli(config)
        seen = faults_seen(bot_wiki)
    finally:
        clear_faults(bot_wiki)
    assert result.returncode == 2, result.stderr
    assert seen == [3]  # the first try and two retries
    assert error_lines(result.stderr) == [
        f"FAILED: the wiki at {config.wiki_api} answered HTTP 503 (Service Unavailable) to "
        f"saving [[{config.cases_title}]], 3 times in a row; stopping here, the next run will "
        "try again. The pages listed as updated were written in full; the others were not "
        "touched."]
    assert "Traceback" not in result.stderr
    assert bot_wiki.page_text(config.status_title) is None

    set_faults(bot_wiki, {"prefix": config.cases_title, "kind": "http", "status": 500,
                          "times": 1})
    try:
        report = sync(config)
        seen = faults_seen(bot_wiki)
    finally:
        clear_faults(bot_wiki)
    assert report.exit_code == 0, (report.fatal, report.pages)
    assert seen == [2]  # failed once, saved on the retry
    assert bot_wiki.revision_count(config.cases_title) == 1


# -- 5. a quiet day ----------------------------------------------------------------------------

def test_5_a_day_with_no_change_makes_no_edit_in_any_language(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    app = served_app.app
    ref = add_case(app, "Maps of the Baltic")
    closing = add_case(app, "Herbarium sheets")
    add_case(app, "Old photographs", closed=True)
    add_member(app, "Leila Lead", "translation", lead=True)
    refer(app, ref, "translation")
    config = bot_config(bot_wiki, served_app.url, tmp_path, languages=LANGUAGES)

    first = sync(config, today=DAY)

    assert first.exit_code == 0, (first.fatal, first.pages)
    titles = [page.title for page in planned_pages(config, served_app)]
    # overview, status, archive, the rosters and the (empty) list of meetings
    assert len(titles) == len(LANGUAGES) * (4 + len(group_names(app)))
    assert sorted(page.title for page in first.pages) == sorted(titles)
    before = revisions(bot_wiki, titles)
    assert set(before.values()) == {1}
    for later in (DAY + timedelta(days=1), DAY + timedelta(days=40)):
        quiet_day = sync(config, today=later)
        assert quiet_day.exit_code == 0 and quiet_day.edits == 0, quiet_day.pages
        assert quiet_day.wiki_reads == 1
    assert revisions(bot_wiki, titles) == before
    cases_page = bot_wiki.page_text(config.cases_title)
    assert cases_page is not None and "Last updated: 4 December 2026." in cases_page
    assert "days in stage" not in cases_page.lower()

    close_case(app, closing)  # news: only the pages that show it change
    news = sync(config, today=DAY + timedelta(days=41))
    changed = {page.title for page in news.pages if page.action == "updated"}
    roster = config.group_title("Translation", "translation")
    assert roster not in changed and f"{roster}/ar" not in changed
    assert config.cases_title in changed and f"{config.status_title}/bn" in changed
    assert "Last updated: 14 January 2027." in (bot_wiki.page_text(config.cases_title) or "")


# -- 6. the drift record: the wiki's identity and the page's id --------------------------------

def test_6_the_same_wiki_under_another_url_is_not_drift_and_old_state_files_migrate(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    add_case(served_app.app)
    config = bot_config(bot_wiki, served_app.url, tmp_path)
    assert sync(config, only="cases").exit_code == 0
    alias = bot_config(bot_wiki, served_app.url, tmp_path, page_prefix=config.page_prefix,
                       wiki_api=bot_wiki.api_url.replace("127.0.0.1", "localhost"))
    assert alias.wiki_api != config.wiki_api

    report = sync(alias, only="cases")

    assert report.exit_code == 0 and report.edits == 0, report.pages
    state = json.loads(config.state_file.read_text())
    assert state["version"] == 2 and len(state["wikis"]) == 1
    (identity, wiki_state), = state["wikis"].items()
    assert identity == f"my_wiki@127.0.0.1:{bot_wiki.port}"
    assert wiki_state["api_urls"] == [config.wiki_api, alias.wiki_api]
    page_ids = {record["title"]: key for key, record in wiki_state["pages"].items()}
    assert page_ids[config.cases_title].isdigit()

    # A version 1 file (keyed by the URL and by title) is read, then rewritten.
    old = {"version": 1, "wikis": {config.wiki_api: {
        "pages": {record["title"]: {key: record[key] for key in ("hash", "revid", "written_at")}
                  for record in wiki_state["pages"].values()},
        "published": wiki_state["published"], "case_count": wiki_state["case_count"]}}}
    config.state_file.write_text(json.dumps(old))
    migrated = sync(config, only="cases")
    assert migrated.exit_code == 0 and migrated.edits == 0, migrated.pages
    state = json.loads(config.state_file.read_text())
    assert state["version"] == 2 and list(state["wikis"]) == [identity]
    assert all(key.isdigit() for key in state["wikis"][identity]["pages"])


# -- 7. messages -------------------------------------------------------------------------------

def move_page(wiki: ThrowawayWiki, title: str, new_title: str) -> None:
    session = admin_session(wiki)
    wiki.api({"action": "move", "from": title, "to": new_title, "noredirect": "1",
              "reason": "test", "token": wiki.csrf_token(session)}, session=session, post=True)


def delete_page(wiki: ThrowawayWiki, title: str) -> None:
    session = admin_session(wiki)
    wiki.api({"action": "delete", "title": title, "reason": "test",
              "token": wiki.csrf_token(session)}, session=session, post=True)


def hide_revision(wiki: ThrowawayWiki, title: str, revid: int) -> None:
    session = admin_session(wiki)
    wiki.api({"action": "revisiondelete", "type": "revision", "target": title,
              "ids": str(revid), "hide": "content", "reason": "test",
              "token": wiki.csrf_token(session)}, session=session, post=True)


def first_revision(wiki: ThrowawayWiki, title: str) -> int:
    answer = wiki.api({"action": "query", "prop": "revisions", "titles": title,
                       "rvprop": "ids", "rvdir": "newer", "rvlimit": "1"})
    return int(answer["query"]["pages"][0]["revisions"][0]["revid"])


def test_7_moved_deleted_and_unreadable_pages_are_one_clear_line_each(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    add_case(served_app.app)
    config = bot_config(bot_wiki, served_app.url, tmp_path)
    assert sync(config).exit_code == 0
    moved_to = f"{config.page_prefix}/Moved cases"
    move_page(bot_wiki, config.cases_title, moved_to)
    delete_page(bot_wiki, config.status_title)
    roster = config.group_title("Translation", "translation")
    text = bot_wiki.page_text(roster) or ""
    bot_wiki.edit_as_human(roster, text.replace("Listed members", "Listed (by a human)"),
                           "inside the block")
    hide_revision(bot_wiki, roster, first_revision(bot_wiki, roster))

    result = run_cli(config)

    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("DRIFT")]
    assert len(lines) == 3, result.stderr
    by_page = {re.match(r"DRIFT on \[\[(.*?)\]\]", line).group(1): line  # type: ignore[union-attr]
               for line in lines}
    assert (f"the page was moved to [[{moved_to}]] without leaving a redirect"
            in by_page[config.cases_title])
    assert "deleted" not in by_page[config.cases_title]
    assert "the page was deleted after the bot last wrote it" in by_page[config.status_title]
    assert (f"the text of revision {first_revision(bot_wiki, roster)} of [[{roster}]] is hidden"
            in by_page[roster])
    assert "Traceback" not in result.stderr
    assert "Listed (by a human)" in result.stderr  # the diff of the human's edit


def test_7_a_wiki_that_is_down_or_not_a_wiki_is_one_line_without_traceback(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    add_case(served_app.app)
    config = bot_config(bot_wiki, served_app.url, tmp_path)
    down_api = f"{dead_url()}/api.php"
    down = run_cli(config, BOT_WIKI_API=down_api)
    assert down.returncode == 2
    assert "Traceback" not in down.stderr
    assert error_lines(down.stderr) == [
        f"FAILED: the wiki at {down_api} did not answer reading the site information "
        "([Errno 111] Connection refused); stopping here, the next run will try again. "
        "Nothing was written to the wiki."], down.stderr
    lines = [line for line in down.stderr.splitlines()
             if line.strip() and not line.startswith("app read")]
    assert len(lines) == 2, down.stderr  # the failure and the summary line

    with garbage_wiki() as url:
        garbage = run_cli(config, BOT_WIKI_API=f"{url}/api.php")
    assert garbage.returncode == 2 and "Traceback" not in garbage.stderr
    assert error_lines(garbage.stderr) == [
        f"FAILED: the wiki at {url}/api.php answered reading the site information with "
        "something that is not the MediaWiki API (HTTP 200, text/html). Nothing was written "
        "to the wiki."], garbage.stderr


@contextmanager
def garbage_wiki() -> Iterator[str]:
    """A server answering every request with an HTML page; yields its URL."""

    def wsgi(_environ: dict[str, Any], start: Callable[..., Any]) -> Iterator[bytes]:
        start("200 OK", [("Content-Type", "text/html")])
        yield b"<html>Not a wiki</html>"

    with serve_wsgi(wsgi) as url:
        yield url


# -- hostile text on every page, in every language ---------------------------------------------

def allowed_links(titles: list[str]) -> set[str]:
    """Links a block may hold: the bot's own pages, the bot, the listed lead."""
    return {*titles, "User:HelpdeskBot", "User talk:HelpdeskBot", "User:Leila Lead"}


def test_hostile_text_stays_inert_on_every_page_in_every_language(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    app = served_app.app
    ref = add_case(app, HOSTILE_TITLE, HOSTILE_ORG, kind="igo")
    add_case(app, HOSTILE_TITLE, HOSTILE_ORG, closed=True)
    add_member(app, "Leila Lead", "translation", lead=True)
    for name in HOSTILE_NAMES:
        add_member(app, name, "translation")
    rename_group(app, "communication", HOSTILE_TITLE[:120])
    refer(app, ref, "translation")
    config = bot_config(bot_wiki, served_app.url, tmp_path, languages=LANGUAGES)

    report = sync(config)

    assert report.exit_code == 0, (report.fatal, report.pages)
    titles = [page.title for page in planned_pages(config, served_app)]
    assert f"{config.page_prefix}/Working groups/communication" in titles  # the slug
    allowed = allowed_links(titles)
    for title in titles:
        parsed = bot_wiki.parse_links(title)
        assert parsed["templates"] == [], title
        assert parsed["categories"] == [], title
        links = {link["title"] for link in parsed["links"]}
        assert links <= allowed, (title, links - allowed)
        for url in parsed["externallinks"]:  # the tool, a case or a group in the tool
            assert url == served_app.url or url.startswith(f"{served_app.url}/"), url
        text = bot_wiki.page_text(title)
        assert text is not None and text.count(BEGIN) == 1 and text.count(END) == 1
        block = find_block(text)
        assert block is not None and block.inner.count("<onlyinclude>") == 1
        assert "~~~" not in text  # no signature was expanded
        rendered = bot_wiki.api({"action": "parse", "page": title,
                                 "prop": "text|displaytitle|sections"})["parse"]
        assert "Owned" not in rendered["displaytitle"]
        assert rendered["sections"] == []  # no heading in any block
        page_html = rendered["text"]
        assert "<script" not in page_html and 'class="toc"' not in page_html
        for table in re.findall(r"<table.*?</table>", page_html, re.S):
            counts = {row.count("<td") for row in re.findall(r"<tr>(.*?)</tr>", table, re.S)[1:]}
            assert len(counts) <= 1, title  # no cell was added or lost
    overview = bot_wiki.api({"action": "parse", "page": f"{config.cases_title}/ar",
                             "prop": "text"})["parse"]["text"]
    cells = [cell for cell in re.findall(r"<bdi>(.*?)</bdi>", overview, re.S) if "Hacked" in cell]
    assert len(cells) == 1  # the open case's title; the closed one is in the archive
    assert "<" not in cells[0]
    assert html.unescape(cells[0]).replace("\xa0", " ") == clean_text(HOSTILE_TITLE, 250)


# -- requests per unchanged run ----------------------------------------------------------------

def test_an_unchanged_run_costs_the_same_requests_whatever_the_cases_and_languages(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    app = served_app.app
    add_case(app, "One")
    add_case(app, "Two", closed=True)
    small = bot_config(bot_wiki, served_app.url, tmp_path / "small", languages=("en",))
    assert sync(small).exit_code == 0
    small_rerun = sync(small)
    bulk_cases(app, 400, first=3)
    large = bot_config(bot_wiki, served_app.url, tmp_path / "large", languages=LANGUAGES)
    assert sync(large).exit_code == 0
    large_rerun = sync(large)

    for rerun in (small_rerun, large_rerun):
        assert rerun.exit_code == 0 and rerun.edits == 0, rerun.pages
        assert (rerun.app_reads, rerun.wiki_reads) == (4, 1)
    assert len(large_rerun.pages) > 5 * len(small_rerun.pages)
    assert large_rerun.wiki_requests == small_rerun.wiki_requests, (
        small_rerun.summary_line(), large_rerun.summary_line())
    print(f"requests per unchanged run: {small_rerun.summary_line()} | "
          f"{large_rerun.summary_line()}")


def test_the_test_wikis_bot_is_a_bot(bot_wiki: ThrowawayWiki) -> None:
    rights = bot_wiki.user_rights(bot_wiki.bot_username, bot_wiki.bot_password)
    assert "bot" in rights["groups"] and "bot" in rights["rights"]  # assert=bot can pass
    assert "apihighlimits" in rights["rights"]  # 500 titles per read


def test_language_pages_come_from_the_catalogues(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    add_case(served_app.app, "Maps")
    config = bot_config(bot_wiki, served_app.url, tmp_path, languages=LANGUAGES)
    assert sync(config, only="cases", today=DAY).exit_code == 0
    texts = {code: bot_wiki.page_text(config.cases_title if code == "en"
                                      else f"{config.cases_title}/{code}") or ""
             for code in LANGUAGES}
    assert "In initial review" in texts["en"]
    assert "Under första granskning" in texts["sv"]
    assert "قيد المراجعة الأولية" in texts["ar"] and 'dir="rtl"' in texts["ar"]
    assert "৪ ডিসেম্বর, ২০২৬" in texts["bn"]  # the date, in Bengali digits
    assert "4 décembre 2026" in texts["fr"]
    for code, text in texts.items():  # a language bar links every version
        for other in LANGUAGES:
            if other != code and other != "en":
                assert f"[[{config.cases_title}/{other}|" in text, (code, other)
