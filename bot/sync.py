"""One sync run: read the app, plan every page, read the wiki once, edit what changed.

Order of work, so that a failure never leaves a partial or blanked page:

1. read the whole public projection from the app (any error: stop, nothing written);
2. render every page's block (pure functions in bot.render);
3. read all pages in ONE batched query;
4. per page, decide (`decide()`, pure): unchanged, create, append, update, drift,
   skipped ({{bots}}/{{nobots}}), or error (broken markers, redirect, bad title);
5. save changed pages one by one (bot edits, maxlag, throttle); an edit conflict
   reloads that page and decides again; a refused edit is reported and the other
   pages go on;
6. remember the hash of each block written (bot.state) for drift detection.

`run_sync()` returns a `SyncReport` with what happened and the request counts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from typing import Literal

from . import render
from .api_client import AppError, HelpdeskApi, Snapshot
from .blocks import MarkerError, block_hash, find_block, inner_text, merge, unified_diff
from .config import BotConfig, normal_title
from .state import PageRecord, StateError, StateFile, WikiState, run_lock
from .wiki_types import (
    EditConflict,
    LoadedPage,
    PageRejected,
    Wiki,
    WikiError,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
Only = Literal["cases", "groups"] | None

EXIT_OK, EXIT_PAGES, EXIT_FATAL = 0, 1, 2


@dataclass(frozen=True)
class PlannedPage:
    """A page the bot maintains and the block it should hold now."""

    title: str
    kind: str  # "cases", "status" or "group"
    body: str
    summary: str


@dataclass(frozen=True)
class Decision:
    """What to do with one page (see `decide`)."""

    action: str  # unchanged | create | append | update | drift | skipped | error
    reason: str = ""
    new_text: str | None = None
    current_inner: str | None = None


@dataclass
class PageOutcome:
    """What happened to one page in this run."""

    title: str
    action: str  # created | appended | updated | unchanged | drift | skipped | error,
    #              or would-create | would-append | would-update in a dry run
    message: str = ""
    diff: str = ""
    revid: int | None = None


@dataclass
class SyncReport:
    """The result of a run: page outcomes and the HTTP request counts."""

    dry_run: bool = False
    pages: list[PageOutcome] = field(default_factory=list)
    app_reads: int = 0
    wiki_reads: int = 0
    wiki_requests: int = 0
    edits: int = 0
    conflicts: int = 0
    fatal: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def drift(self) -> list[PageOutcome]:
        """Pages left alone because their block was edited on the wiki."""
        return [page for page in self.pages if page.action == "drift"]

    @property
    def errors(self) -> list[PageOutcome]:
        """Pages that could not be written."""
        return [page for page in self.pages if page.action == "error"]

    @property
    def exit_code(self) -> int:
        """0: all good; 1: drift or page errors; 2: config, app, wiki or state failure."""
        if self.fatal:
            return EXIT_FATAL
        if self.drift or self.errors:
            return EXIT_PAGES
        return EXIT_OK

    def outcome(self, title: str) -> PageOutcome | None:
        """The outcome of one page, by title."""
        wanted = normal_title(title)
        return next((page for page in self.pages if page.title == wanted), None)

    def counts(self) -> dict[str, int]:
        """How many pages ended in each action."""
        counted: dict[str, int] = {}
        for page in self.pages:
            counted[page.action] = counted.get(page.action, 0) + 1
        return counted

    def summary_line(self) -> str:
        """One line for the log."""
        actions = ", ".join(f"{count} {action}" for action, count in sorted(self.counts().items()))
        return (f"{'dry run' if self.dry_run else 'sync'}: {actions or 'no pages'}; "
                f"app reads {self.app_reads}, wiki page reads {self.wiki_reads}, "
                f"wiki requests {self.wiki_requests}, edits {self.edits}")


# -- planning ---------------------------------------------------------------------------

def public_snapshot(config: BotConfig, snapshot: Snapshot) -> Snapshot:
    """The snapshot with links pointing at BOT_TOOL_URL when the app was read elsewhere.

    (E.g. the bot reads the app at an internal address; the wiki must link to the
    public one.)
    """
    internal, public = config.helpdesk_url, config.tool_url
    if internal == public:
        return snapshot

    def move(url: str) -> str:
        return public + url[len(internal):] if url.startswith(internal + "/") else url

    return Snapshot(
        cases=[replace(case, url=move(case.url)) for case in snapshot.cases],
        groups=[replace(group, url=move(group.url),
                        open_referrals=tuple(replace(ask, url=move(ask.url))
                                             for ask in group.open_referrals))
                for group in snapshot.groups],
        cases_read=snapshot.cases_read,
        groups_read=snapshot.groups_read,
    )


def plan_pages(config: BotConfig, snapshot: Snapshot, state: WikiState) -> list[PlannedPage]:
    """Every page to maintain with its freshly rendered block, in editing order."""
    snapshot = public_snapshot(config, snapshot)
    planned: list[PlannedPage] = []
    if snapshot.cases_read:
        cases = snapshot.cases
        current = {case.reference for case in cases}
        unlisted = [ref for ref in state.published if ref not in current]
        summary = render.summary_for_cases(cases, config.tool_url)
        planned.append(PlannedPage(
            config.cases_title, "cases",
            render.render_cases_block(cases, config.tool_url, unlisted), summary))
        planned.append(PlannedPage(
            config.status_title, "status", render.render_status_block(cases, config.tool_url),
            summary))
    if snapshot.groups_read:
        taken = {page.title for page in planned}
        for group in snapshot.groups:
            title = config.group_title(group.name, group.slug)
            if title in taken:
                title = config.group_title(group.slug, group.slug)
            if title in taken:
                continue
            taken.add(title)
            planned.append(PlannedPage(title, "group", render.render_group_block(group),
                                       render.summary_for_group(group, config.tool_url)))
    return planned


def decide(
    planned: PlannedPage,
    page: LoadedPage,
    record: PageRecord | None,
    *,
    accepted: bool = False,
    bot_user: str | None = None,
) -> Decision:
    """What to do with a page, given what the bot last wrote there (pure).

    Drift: the block on the wiki is not the one the bot last wrote (its hash
    differs from `record`), the block was removed, or the page was deleted. A page
    the state file does not know is adopted when its block is empty or its latest
    revision is the bot's own; otherwise it counts as drift too. `accepted`
    (from --accept-drift) overrides drift.
    """
    if page.problem:
        return Decision("error", page.problem)
    new_inner = inner_text(planned.body)
    if not page.exists:
        if record is not None and not accepted:
            return Decision("drift", "the page was deleted after the bot last wrote it")
        return Decision("create", new_text=merge("", planned.body))
    try:
        block = find_block(page.text)
    except MarkerError as error:
        return Decision("error", f"{error}; fix the markers by hand")
    if block is not None and block.inner == new_inner:
        return Decision("unchanged", current_inner=block.inner)
    if block is None:
        if record is not None and not accepted:
            return Decision("drift", "the bot's block (and its markers) was removed from the "
                                     "page after the bot last wrote it", current_inner="")
        action = "append"
    else:
        action = "update"
        if not accepted:
            current_hash = block_hash(block.inner)
            if record is not None and record.hash != current_hash:
                return Decision("drift", "the block was edited on the wiki after the bot last "
                                         "wrote it", current_inner=block.inner)
            if record is None and block.inner.strip() and not (
                bot_user and page.last_user == bot_user
            ):
                return Decision("drift", "the page has a block the bot has no record of "
                                         "writing (its state file does not know this page)",
                                current_inner=block.inner)
    if not page.bot_may_edit:
        return Decision("skipped", "{{bots}} or {{nobots}} on the page excludes this bot")
    return Decision(action, new_text=merge(page.text, planned.body),
                    current_inner=block.inner if block else None)


# -- running --------------------------------------------------------------------------------

def _normal_set(titles: Iterable[str]) -> set[str]:
    return {normal_title(title) for title in titles}


class _Run:
    """The mutable parts of one run (kept together so run_sync stays readable)."""

    def __init__(self, config: BotConfig, wiki: Wiki, state: WikiState, report: SyncReport,
                 accept: set[str], out: Callable[[str], None]) -> None:
        self.config = config
        self.wiki = wiki
        self.state = state
        self.report = report
        self.accept = accept
        self.out = out

    def drift_outcome(self, planned: PlannedPage, page: LoadedPage, decision: Decision,
                      record: PageRecord | None) -> PageOutcome:
        current = decision.current_inner if decision.current_inner is not None else ""
        diff = ""
        if record is not None and record.revid:
            old_text = self.wiki.revision_text(planned.title, record.revid)
            old_block = None
            if old_text is not None:
                try:
                    old_block = find_block(old_text)
                except MarkerError:
                    old_block = None
            if old_block is not None:
                diff = unified_diff(
                    old_block.inner, current,
                    f"{planned.title} (block as the bot wrote it, revision {record.revid})",
                    f"{planned.title} (block on the wiki now"
                    + (f", revision {page.revid})" if page.revid else ")"),
                )
        if not diff:
            diff = unified_diff(current, inner_text(planned.body),
                                f"{planned.title} (block on the wiki now)",
                                f"{planned.title} (block the bot would write)")
        message = (
            f"DRIFT on [[{planned.title}]]: {decision.reason}. The bot leaves this page alone. "
            "Move any wanted change into the tool, then rerun with "
            f"--accept-drift '{planned.title}' to overwrite the block."
        )
        return PageOutcome(planned.title, "drift", message, diff)

    def sync_page(self, planned: PlannedPage, page: LoadedPage) -> PageOutcome:
        accepted = planned.title in self.accept
        record = self.state.pages.get(planned.title)
        for _attempt in range(MAX_ATTEMPTS):
            decision = decide(planned, page, record, accepted=accepted,
                              bot_user=self.wiki.username or self.config.account)
            if decision.action == "unchanged":
                new_hash = block_hash(inner_text(planned.body))
                if record is None or record.hash != new_hash:
                    self.state.record(planned.title, new_hash, page.revid)
                return PageOutcome(planned.title, "unchanged", revid=page.revid)
            if decision.action == "drift":
                return self.drift_outcome(planned, page, decision, record)
            if decision.action in ("error", "skipped"):
                return PageOutcome(planned.title, decision.action, decision.reason)
            new_text = decision.new_text or ""
            if self.report.dry_run:
                diff = unified_diff(page.text, new_text,
                                    f"{planned.title} (on the wiki)",
                                    f"{planned.title} (after the sync)")
                self.out(diff)
                return PageOutcome(planned.title, f"would-{decision.action}", diff=diff)
            try:
                revid = self.wiki.save(page, new_text, planned.summary)
            except EditConflict as conflict:
                self.report.conflicts += 1
                log.info("edit conflict on %s (%s): reloading and merging again",
                         planned.title, conflict)
                page = self.wiki.reload(planned.title)
                continue
            except PageRejected as rejected:
                return PageOutcome(planned.title, "error", rejected.reason)
            self.report.edits += 1
            self.state.record(planned.title, block_hash(inner_text(planned.body)), revid)
            done = {"create": "created", "append": "appended", "update": "updated"}
            return PageOutcome(planned.title, done[decision.action], revid=revid)
        return PageOutcome(planned.title, "error",
                           f"edit conflicts {MAX_ATTEMPTS} times in a row; try again later")


def run_sync(
    config: BotConfig,
    *,
    dry_run: bool = False,
    only: Only = None,
    accept_drift: Iterable[str] = (),
    allow_empty: bool = False,
    wiki: Wiki | None = None,
    api: HelpdeskApi | None = None,
    out: Callable[[str], None] = print,
    verbose: bool = False,
) -> SyncReport:
    """Run one sync and report; never raises for app, wiki or state failures."""
    report = SyncReport(dry_run=dry_run)
    if only not in (None, "cases", "groups"):
        report.fatal = f"--only must be cases or groups, not {only!r}"
        return report
    api = api or HelpdeskApi(config.helpdesk_url, config.user_agent, timeout=config.timeout)
    accept = _normal_set(accept_drift)
    try:
        if dry_run:  # writes nothing, so it needs no lock
            _run(config, report, api, wiki, only, accept, allow_empty, out, verbose)
        else:
            with run_lock(config.state_file):
                _run(config, report, api, wiki, only, accept, allow_empty, out, verbose)
    except StateError as error:
        report.fatal = str(error)
    finally:
        report.app_reads = api.reads
    return report


def _run(config: BotConfig, report: SyncReport, api: HelpdeskApi, wiki: Wiki | None,
         only: Only, accept: set[str], allow_empty: bool, out: Callable[[str], None],
         verbose: bool) -> None:
    store = StateFile(config.state_file)
    state = store.load(config.wiki_key)

    try:
        snapshot = api.snapshot(cases=only != "groups", groups=only != "cases",
                                per_page=config.per_page)
    except AppError as error:
        report.fatal = f"{error}. Nothing was written to the wiki."
        return
    if (snapshot.cases_read and not snapshot.cases and state.case_count
            and not allow_empty):
        report.fatal = (
            f"the Helpdesk API lists no public cases, but the bot listed {state.case_count} "
            "last time; refusing to empty the pages (rerun with --allow-empty if that is "
            "right). Nothing was written to the wiki."
        )
        return
    planned = plan_pages(config, snapshot, state)

    if wiki is None:
        from .wiki import PywikibotWiki

        wiki = PywikibotWiki(config, verbose=verbose)
    try:
        try:
            connect = getattr(wiki, "connect", None)
            if connect is not None:
                connect(login=True)
            loaded = wiki.load([page.title for page in planned])
        except WikiError as error:
            report.fatal = f"{error}. Nothing was written to the wiki."
            return
        run = _Run(config, wiki, state, report, accept, out)
        for unknown in sorted(accept - {page.title for page in planned}):
            report.warnings.append(f"--accept-drift {unknown!r}: the bot does not maintain "
                                   "a page of that title (titles are case-sensitive)")
        try:
            for page in planned:
                report.pages.append(run.sync_page(page, loaded[page.title]))
        except WikiError as error:
            report.fatal = (f"{error}. The pages listed as updated were written in full; "
                            "the others were not touched.")
        if not report.dry_run:
            _remember_cases(state, snapshot, report, config)
            store.save(config.wiki_key, state)
    finally:
        report.wiki_reads = wiki.reads
        report.wiki_requests = wiki.requests


def _remember_cases(state: WikiState, snapshot: Snapshot, report: SyncReport,
                    config: BotConfig) -> None:
    """After the cases page is in sync: remember which cases it lists."""
    if not snapshot.cases_read:
        return
    outcome = report.outcome(config.cases_title)
    if outcome is None or outcome.action not in ("created", "appended", "updated", "unchanged"):
        return
    known = set(state.published)
    state.published.extend(case.reference for case in snapshot.cases
                           if case.reference not in known)
    state.case_count = len(snapshot.cases)
