"""The mirror bot against a real MediaWiki and the real app served on loopback.

Everything is checked through the wiki's API: page text, revision counts, recent
changes, the parse API's links/templates/categories. Each test has its own page
prefix on the session's wiki and its own state file.
"""

from __future__ import annotations

import logging
import os
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.__main__ import main
from bot.api_client import HelpdeskApi
from bot.blocks import BEGIN, END, find_block, inner_text
from bot.config import BotConfig
from bot.i18n import languages
from bot.plan import PlannedPage, plan_pages
from bot.state import WikiState
from bot.sync import SyncReport, run_sync
from bot.wiki import PywikibotWiki
from bot.wiki_types import LoadedPage, Saved
from tests.bot_fixtures import (
    ABUSE_FILTERED_TITLE,
    REFUSAL_PREFIX,
    ServedApp,
    add_case,
    add_member,
    bot_config,
    bulk_cases,
    close_case,
    dead_url,
    group_names,
    protect_title,
    refer,
    set_spam_blacklist,
    unlist_case,
)
from tests.loopback import serve_wsgi
from tests.mediawiki import ThrowawayWiki

REPO = Path(__file__).resolve().parents[2]

def quiet(_text: str) -> None:
    """Swallow dry-run output."""


def sync(config: BotConfig, **options: Any) -> SyncReport:
    """One in-process sync; fails the test on an unexpected fatal error."""
    return run_sync(config, out=quiet, **options)


def block_of(wiki: ThrowawayWiki, title: str) -> str:
    """The inner text of a page's block."""
    text = wiki.page_text(title)
    assert text is not None, f"{title} does not exist"
    block = find_block(text)
    assert block is not None, f"{title} has no block"
    return block.inner


def fetch(served: ServedApp) -> HelpdeskApi:
    return HelpdeskApi(served.url, "HelpdeskBotTests/1 (tests)")


def run_cli(
    config: BotConfig, *args: str, **overrides: str
) -> subprocess.CompletedProcess[str]:
    """`python -m bot sync …` in a fresh subprocess, configured like `config`."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("BOT_", "TOOL_", "HELPDESK_", "PYWIKIBOT"))}
    env.update(cli_env(config, **overrides))
    return subprocess.run(
        [sys.executable, "-m", "bot", "sync", *args], cwd=REPO, env=env,
        capture_output=True, text=True, timeout=120, check=False,
    )


def cli_env(config: BotConfig, **overrides: str) -> dict[str, str]:
    """The environment variables that configure the bot like `config`."""
    env = {
        "HELPDESK_URL": config.helpdesk_url,
        "BOT_WIKI_API": config.wiki_api,
        "BOT_USERNAME": config.username or "",
        "BOT_PASSWORD": config.password or "",
        "BOT_PAGE_PREFIX": config.page_prefix,
        "BOT_STATE_FILE": str(config.state_file),
        "BOT_THROTTLE": "0",
        "BOT_MAX_RETRIES": "0",
        "BOT_RETRY_WAIT": "0.1",
        "BOT_TIMEOUT": "20",
        "BOT_LANGUAGES": ",".join(config.languages),
    }
    env.update(overrides)
    return env


class MainRunner:
    """`bot.__main__.main()` in this process (faster than a subprocess), its log as stderr."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
                 capsys: pytest.CaptureFixture[str]) -> None:
        self.monkeypatch, self.caplog, self.capsys = monkeypatch, caplog, capsys

    def __call__(self, config: BotConfig, *args: str,
                 **overrides: str) -> subprocess.CompletedProcess[str]:
        for name in list(os.environ):
            if name.startswith(("BOT_", "TOOL_", "HELPDESK_")):
                self.monkeypatch.delenv(name)
        for name, value in cli_env(config, **overrides).items():
            self.monkeypatch.setenv(name, value)
        self.caplog.clear()
        self.caplog.set_level(logging.INFO)
        self.capsys.readouterr()
        code = main(["sync", *args])
        stdout = self.capsys.readouterr().out
        stderr = "\n".join(record.getMessage() for record in self.caplog.records
                           if record.name == "bot" or record.name.startswith("bot."))
        return subprocess.CompletedProcess(["python", "-m", "bot", "sync", *args], code,
                                           stdout, stderr)


@pytest.fixture
def run_main(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture,
             capsys: pytest.CaptureFixture[str]) -> MainRunner:
    """Run the command line in this process."""
    return MainRunner(monkeypatch, caplog, capsys)


def all_titles(config: BotConfig, served: ServedApp) -> list[str]:
    """The English pages (the base pages: no archive yet, English only by default)."""
    names = group_names(served.app)
    return [config.cases_title, config.status_title,
            *(config.group_title(name, slug) for slug, name in names.items()),
            config.meetings_title]


def planned_pages(config: BotConfig, served: ServedApp) -> list[PlannedPage]:
    """What the bot should have written, rendered from the app's API now."""
    api = fetch(served)
    return plan_pages(config, api.snapshot(), WikiState(), languages(config.languages))


def today() -> date:
    return datetime.now(UTC).date()


# -- the pages, their blocks, and a rerun -------------------------------------------------

def test_pages_hold_exactly_the_rendered_blocks_and_a_rerun_makes_no_revision(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    app = served_app.app
    open_ref = add_case(app, "Maps of the Baltic", "Museum of Examples")
    add_case(app, "Old photographs", "City Archive", closed=True)
    add_member(app, "Leila Lead", "communication", lead=True)
    refer(app, open_ref, "communication")
    config = bot_config(bot_wiki, served_app.url, tmp_path)

    report = sync(config)

    assert report.exit_code == 0, (report.fatal, report.pages)
    titles = [page.title for page in planned_pages(config, served_app)]
    assert f"{config.cases_title}/Archive/{today().year}" in titles
    assert sorted(page.title for page in report.pages) == sorted(titles)
    assert {page.action for page in report.pages} == {"created"}
    assert report.edits == len(titles)
    for planned in planned_pages(config, served_app):
        expected = inner_text(planned.render(today()))
        assert bot_wiki.page_text(planned.title) == f"{BEGIN}{expected}{END}", planned.title

    changes = bot_wiki.api({"action": "query", "list": "recentchanges",
                            "rctitle": config.cases_title, "rcprop": "user|flags|comment"})
    change = changes["query"]["recentchanges"][0]
    assert change["user"] == "HelpdeskBot" and change["bot"] is True
    assert change["minor"] is False
    assert served_app.url in change["comment"] and "Helpdesk" in change["comment"]
    assert "Status" not in change["comment"]  # counts only, no data

    revisions = {title: bot_wiki.revision_count(title) for title in titles}
    again = sync(config)
    assert again.exit_code == 0
    assert again.edits == 0
    assert {page.action for page in again.pages} == {"unchanged"}
    # cases, working groups, asks, meetings (none held: no meeting read) and one wiki read
    assert (again.app_reads, again.wiki_reads) == (4, 1)
    assert {title: bot_wiki.revision_count(title) for title in titles} == revisions


def test_text_outside_the_markers_is_kept_byte_for_byte(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    add_case(served_app.app, "Herbarium sheets", "Botanic Garden")
    config = bot_config(bot_wiki, served_app.url, tmp_path)
    before = "Intro by a human with {{tl|x}}, [[a link]] and   trailing spaces   \n\n"
    after = "\n\n== Discussion ==\nÜnïcödé remark. ~~~~ stays as the human signed it."
    bot_wiki.edit_as_human(config.cases_title, f"{before}{BEGIN}\nplaceholder\n{END}{after}",
                           "prepare")
    # MediaWiki expands the human's signature on save: read back what is really there.
    prepared = bot_wiki.page_text(config.cases_title)
    assert prepared is not None
    head, tail = prepared.split(BEGIN)[0], prepared.split(END)[1]
    bot_wiki.edit_as_human(config.status_title, "Just a human page.", "prepare")

    # The placeholder is text the bot never wrote: taking the block over is explicit.
    report = sync(config, only="cases", accept_drift=[config.cases_title])

    assert report.exit_code == 0, report.pages
    text = bot_wiki.page_text(config.cases_title)
    assert text is not None
    assert text.startswith(head + BEGIN) and text.endswith(END + tail)
    assert "placeholder" not in text
    status = bot_wiki.page_text(config.status_title)
    assert status is not None
    assert status.startswith(f"Just a human page.\n\n{BEGIN}\n") and status.endswith(END)
    assert status.count(BEGIN) == 1
    assert sync(config, only="cases").edits == 0  # appended once, never again

    # A human edits outside the block, the data changes: only the block changes.
    bot_wiki.edit_as_human(config.cases_title, text.replace("Intro by", "Intro, edited, by"),
                           "outside the block")
    add_case(served_app.app, "Seed collection", "Botanic Garden")
    update = sync(config, only="cases")
    assert update.exit_code == 0 and update.edits == 2, update.pages
    final = bot_wiki.page_text(config.cases_title)
    assert final is not None and "Seed collection" in final
    assert final.startswith(head.replace("Intro by", "Intro, edited, by") + BEGIN)
    assert final.endswith(END + tail)


def test_a_placeholder_block_is_filled_without_accepting_drift(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    add_case(served_app.app)
    config = bot_config(bot_wiki, served_app.url, tmp_path)
    bot_wiki.edit_as_human(config.cases_title, f"Intro.\n{BEGIN}\n{END}\nOutro.", "prepare")
    report = sync(config, only="cases")
    assert report.exit_code == 0, report.pages
    text = bot_wiki.page_text(config.cases_title)
    assert text is not None and text.startswith(f"Intro.\n{BEGIN}\n<!--")
    assert text.endswith(f"{END}\nOutro.")


# -- concurrent edits and drift ---------------------------------------------------------------

class InterferingWiki(PywikibotWiki):
    """The real wiki glue, with a hook that runs just before a page is saved."""

    def __init__(self, config: BotConfig, hooks: dict[str, Callable[[], None]]) -> None:
        super().__init__(config)
        self.hooks = hooks

    def save(self, page: LoadedPage, text: str, summary: str) -> Saved:
        hook = self.hooks.pop(page.title, None)
        if hook is not None:
            hook()
        return super().save(page, text, summary)


def test_a_concurrent_human_edit_outside_the_block_survives(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    app = served_app.app
    add_case(app, "First request")
    config = bot_config(bot_wiki, served_app.url, tmp_path)
    assert sync(config, only="cases").exit_code == 0
    add_case(app, "Second request")  # the block must change

    def human_edits_meanwhile() -> None:
        text = bot_wiki.page_text(config.cases_title)
        bot_wiki.edit_as_human(config.cases_title,
                               f"Human intro written meanwhile.\n\n{text}\n\nHuman footer.",
                               "concurrent human edit")

    def human_creates_meanwhile() -> None:
        bot_wiki.edit_as_human(extra_title, "Created by a human meanwhile.", "concurrent")

    extra_title = config.group_title("Translation", "translation")
    hooks = {config.cases_title: human_edits_meanwhile, extra_title: human_creates_meanwhile}
    wiki = InterferingWiki(config, hooks)
    report = run_sync(config, wiki=wiki, out=quiet)

    assert report.exit_code == 0, (report.fatal, report.pages)
    assert hooks == {}
    text = bot_wiki.page_text(config.cases_title)
    assert text is not None
    assert text.startswith("Human intro written meanwhile.\n\n" + BEGIN)
    assert text.endswith(END + "\n\nHuman footer.")
    assert "Second request" in text
    overview = next(page for page in planned_pages(config, served_app) if page.kind == "cases")
    assert block_of(bot_wiki, config.cases_title) == inner_text(overview.render(today()))
    assert bot_wiki.revision_count(config.cases_title) == 3
    created = bot_wiki.page_text(extra_title)
    assert created is not None and created.startswith("Created by a human meanwhile.\n\n" + BEGIN)
    assert report.conflicts >= 1  # the page created meanwhile is a real conflict
    assert report.outcome(extra_title).action == "appended"  # type: ignore[union-attr]
    again = sync(config)
    assert again.exit_code == 0 and again.edits == 0, again.pages


def test_a_human_edit_inside_the_block_is_drift_until_accepted(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path,
    run_main: MainRunner,
) -> None:
    app = served_app.app
    add_case(app, "First request")
    config = bot_config(bot_wiki, served_app.url, tmp_path)
    assert sync(config, only="cases").exit_code == 0
    text = bot_wiki.page_text(config.cases_title)
    assert text is not None
    human = text.replace("'''Status:'''", "'''Status (corrected by a human):'''")
    bot_wiki.edit_as_human(config.cases_title, human, "fix inside the block")
    add_case(app, "Second request")

    result = run_main(config, "--only", "cases")

    assert result.returncode == 1, result.stderr
    assert f"DRIFT on [[{config.cases_title}]]" in result.stderr
    assert "-'''Status:''' 1 open" in result.stderr
    assert "+'''Status (corrected by a human):''' 1 open" in result.stderr
    assert f"--accept-drift '{config.cases_title}'" in result.stderr
    assert bot_wiki.page_text(config.cases_title) == human
    assert bot_wiki.revision_count(config.cases_title) == 2
    status = bot_wiki.page_text(config.status_title)
    assert status is not None and "2 open" in status  # the other page went on

    assert run_main(config, "--only", "cases").returncode == 1  # still drift, still untouched
    assert bot_wiki.revision_count(config.cases_title) == 2

    accepted = run_main(config, "--only", "cases", "--accept-drift", config.cases_title)
    assert accepted.returncode == 0, accepted.stderr
    text = bot_wiki.page_text(config.cases_title)
    assert text is not None and "corrected by a human" not in text
    assert "Second request" in text
    final = run_main(config, "--only", "cases")
    assert final.returncode == 0, final.stderr
    assert bot_wiki.revision_count(config.cases_title) == 3


def test_nobots_and_bots_deny_are_honoured(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    add_case(served_app.app)
    config = bot_config(bot_wiki, served_app.url, tmp_path)
    bot_wiki.edit_as_human(config.cases_title, "{{nobots}}\nHands off, bots.", "nobots")
    denied = config.group_title("Translation", "translation")
    bot_wiki.edit_as_human(denied, "{{bots|deny=HelpdeskBot}}\nNot this one.", "deny")

    report = sync(config)

    assert report.exit_code == 0
    assert report.outcome(config.cases_title).action == "skipped"  # type: ignore[union-attr]
    assert report.outcome(denied).action == "skipped"  # type: ignore[union-attr]
    assert bot_wiki.page_text(config.cases_title) == "{{nobots}}\nHands off, bots."
    assert bot_wiki.revision_count(config.cases_title) == 1
    assert bot_wiki.revision_count(denied) == 1
    assert bot_wiki.page_text(config.status_title) is not None  # the others went on


# -- rosters and the archive ------------------------------------------------------------------

def test_rosters_show_only_listed_members_and_open_asks(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    app = served_app.app
    ref = add_case(app, "Needs translators")
    add_member(app, "Leila Lead", "translation", lead=True)
    add_member(app, "Mei Listed", "translation")
    add_member(app, "Hidden Member", "translation", listed=False)
    add_member(app, "Omar Elsewhere", "communication")
    refer(app, ref, "translation")
    config = bot_config(bot_wiki, served_app.url, tmp_path)

    assert sync(config, only="groups").exit_code == 0

    roster = block_of(bot_wiki, config.group_title("Translation", "translation"))
    assert "[[User:Leila Lead|<bdi>Leila Lead</bdi>]]\n| Lead\n" in roster
    assert "[[User:Mei Listed|<bdi>Mei Listed</bdi>]]\n| Member\n" in roster
    assert "Hidden Member" not in roster and "Omar Elsewhere" not in roster
    assert "Listed members: 2" in roster
    assert f"/cases/{ref} {ref}] <bdi>Needs translators</bdi>" in roster
    other = block_of(bot_wiki, config.group_title("Communication", "communication"))
    assert "Omar Elsewhere" in other and "''No open asks.''" in other
    assert bot_wiki.page_text(config.cases_title) is None  # --only groups


def test_closed_and_unlisted_cases_move_to_the_archive(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    app = served_app.app
    closing = add_case(app, "Will close")
    leaving = add_case(app, "Will leave the public list")
    config = bot_config(bot_wiki, served_app.url, tmp_path)
    assert sync(config, only="cases").exit_code == 0
    close_case(app, closing)
    unlist_case(app, leaving)

    assert sync(config, only="cases").exit_code == 0

    block = block_of(bot_wiki, config.cases_title)
    assert "''There are no open requests.''" in block
    year = today().year  # closed today: archived under this year
    archive_title = f"{config.cases_title}/Archive/{year}"
    assert f"[[{archive_title}|{year}]]" in block
    archive = block_of(bot_wiki, archive_title)
    assert closing in archive and "Will close" in archive
    assert f"''No longer publicly listed:'' {leaving}" in block
    assert "Will leave the public list" not in block + archive  # no longer public


# -- refusals and failures --------------------------------------------------------------------

def test_refused_edits_are_reported_and_the_other_pages_go_on(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    add_case(served_app.app)
    config = bot_config(bot_wiki, served_app.url, tmp_path, page_prefix=REFUSAL_PREFIX)
    protected = config.group_title("Communication", "communication")
    protect_title(bot_wiki, protected)
    spammy = config.group_title("Evaluation and research", "evaluation")
    assert config.group_title("Implementation", "implementation") == ABUSE_FILTERED_TITLE
    host = served_app.url.removeprefix("http://")
    set_spam_blacklist(bot_wiki, re.escape(f"{host}/groups/evaluation"))
    try:
        report = sync(config)
    finally:
        set_spam_blacklist(bot_wiki, "")

    assert report.fatal is None
    assert report.exit_code == 1
    errors = {page.title: page.message for page in report.errors}
    assert set(errors) == {protected, spammy, ABUSE_FILTERED_TITLE}, report.pages
    assert "protected" in errors[protected]
    assert "spam blacklist" in errors[spammy]
    assert "abuse filter" in errors[ABUSE_FILTERED_TITLE]
    for title in errors:
        assert bot_wiki.page_text(title) is None
    assert bot_wiki.page_text(config.cases_title) is not None
    assert report.edits == len(report.pages) - 3


def test_app_down_or_answering_garbage_exits_non_zero_and_edits_nothing(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path,
    run_main: MainRunner,
) -> None:
    add_case(served_app.app)
    config = bot_config(bot_wiki, served_app.url, tmp_path)
    assert sync(config).exit_code == 0
    revisions = {title: bot_wiki.revision_count(title) for title in all_titles(config,
                                                                              served_app)}

    down = run_cli(config, HELPDESK_URL=dead_url())
    assert down.returncode == 2
    assert "did not answer" in down.stderr and "Nothing was written" in down.stderr

    with garbage_server('{"cases": [{"reference": "CPH-2026-0001"}], "page": 1}') as url:
        garbage = run_main(config, HELPDESK_URL=url)
    assert garbage.returncode == 2
    assert "garbage" in garbage.stderr and "Nothing was written" in garbage.stderr
    with garbage_server("<html>Service unavailable</html>", "text/html") as url:
        not_json = run_main(config, HELPDESK_URL=url)
    assert not_json.returncode == 2 and "instead of JSON" in not_json.stderr

    assert {title: bot_wiki.revision_count(title) for title in revisions} == revisions


def test_wiki_down_or_bad_credentials_exit_non_zero_and_edit_nothing(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path,
    run_main: MainRunner,
) -> None:
    add_case(served_app.app)
    config = bot_config(bot_wiki, served_app.url, tmp_path)

    down = run_main(config, BOT_WIKI_API=f"{dead_url()}/api.php")
    assert down.returncode == 2
    assert "wiki" in down.stderr and "Nothing was written" in down.stderr

    refused = run_main(config, BOT_PASSWORD="0" * 32)
    assert refused.returncode == 2
    assert "refused the credentials of HelpdeskBot@sync" in refused.stderr
    assert "0" * 32 not in refused.stderr

    with garbage_server("<html>Not a wiki</html>", "text/html") as url:
        not_a_wiki = run_main(config, BOT_WIKI_API=f"{url}/api.php")
    assert not_a_wiki.returncode == 2 and "Nothing was written" in not_a_wiki.stderr

    missing = run_main(config, BOT_PASSWORD="")
    assert missing.returncode == 2 and "BOT_PASSWORD" in missing.stderr

    for title in all_titles(config, served_app):
        assert bot_wiki.page_text(title) is None


def test_dry_run_prints_a_diff_per_page_and_edits_nothing(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    add_case(served_app.app, "Dry maps")
    config = bot_config(bot_wiki, served_app.url, tmp_path)
    bot_wiki.edit_as_human(config.status_title, "Human status page.", "prepare")

    result = run_cli(config, "--dry-run", BOT_USERNAME="", BOT_PASSWORD="")

    assert result.returncode == 0, result.stderr
    assert f"--- {config.cases_title} (on the wiki)" in result.stdout
    assert f"+++ {config.cases_title} (after the sync)" in result.stdout
    assert "+| <bdi>Dry maps</bdi>" in result.stdout
    assert " Human status page.\n" in result.stdout  # context of the appended block
    assert result.stdout.count("--- ") == len(all_titles(config, served_app))
    assert bot_wiki.page_text(config.cases_title) is None
    assert bot_wiki.revision_count(config.status_title) == 1
    assert not config.state_file.exists()


# -- performance ------------------------------------------------------------------------------

def test_rerun_with_1000_cases_makes_no_edit_and_five_reads(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    bulk_cases(served_app.app, 1000)
    config = bot_config(bot_wiki, served_app.url, tmp_path)
    first = sync(config)
    assert first.exit_code == 0, (first.fatal, first.pages)
    text = bot_wiki.page_text(config.cases_title)
    assert text is not None and text.count("\n|-\n") == 900  # open; 100 closed in the archive
    archive = bot_wiki.page_text(f"{config.cases_title}/Archive/{today().year}")
    assert archive is not None and archive.count("\n|-\n") == 100

    api = fetch(served_app)
    again = run_sync(config, api=api, out=quiet)

    assert again.exit_code == 0
    assert again.edits == 0
    assert again.app_reads + again.wiki_reads <= 5
    assert (again.app_reads, again.wiki_reads) == (4, 1)
    assert api.requested[0].endswith("/api/v1/cases?page=1&per_page=1000")


# -- a tiny server that answers garbage ---------------------------------------------------------

@contextmanager
def garbage_server(body: str, mimetype: str = "application/json") -> Iterator[str]:
    """Serve `body` with `mimetype` for every request on a loopback port; yield its URL."""

    def wsgi(_environ: dict[str, Any], start: Callable[..., Any]) -> Iterator[bytes]:
        start("200 OK", [("Content-Type", mimetype)])
        yield body.encode()

    with serve_wsgi(wsgi) as url:
        yield url
