"""One sync run: read the app, plan every page, read the wiki once, edit what changed.

Order of work, so that a failure never leaves a partial or blanked page:

1. read the whole public projection from the app (any error: stop, nothing written);
2. connect to the wiki (sign in; its identity keys the state file);
3. render every page's block in every language (bot.plan, bot.render: pure);
4. read all pages in ONE batched query; rosters whose name the wiki refuses or
   changes as a title move to their slug's title (one more query, only then);
5. per page, decide (`decide()`, pure): unchanged, create, append, update, drift,
   skipped ({{bots}}/{{nobots}}), or error (broken markers, redirect, bad title);
6. save changed pages one by one (bot edits); an edit conflict rereads that page
   and decides again; a refused edit, or anything unexpected on one page, is
   reported and the other pages go on; maxlag or a wiki that stops answering
   ends the run (exit status 2; the pages saved so far are whole);
7. remember the hash of each block written (bot.state) for drift detection.

`run_sync()` returns a `SyncReport` with what happened and the request counts.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Literal

from . import render
from .api_client import AppError, HelpdeskApi, Snapshot
from .blocks import MarkerError, block_hash, find_block, inner_text, merge, unified_diff
from .config import BotConfig
from .i18n import Language, languages
from .plan import PlannedPage, plan_pages, safe_normal, slug_pages
from .state import PageRecord, StateError, StateFile, WikiState, run_lock
from .wiki_types import (
    EditConflict,
    LoadedPage,
    PageRejected,
    RevisionUnavailable,
    Wiki,
    WikiError,
)

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 3
ONLY_CHOICES = ("cases", "groups", "meetings")
Only = Literal["cases", "groups", "meetings"] | None

EXIT_OK, EXIT_PAGES, EXIT_FATAL = 0, 1, 2


@dataclass(frozen=True)
class Decision:
    """What to do with one page (see `decide`)."""

    action: str  # unchanged | create | append | update | drift | skipped | error
    reason: str = ""
    new_text: str | None = None
    body: str | None = None  # the block's body to write (its hash is remembered)
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
        wanted = safe_normal(title)
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


# -- deciding ------------------------------------------------------------------------------

def decide(
    planned: PlannedPage,
    page: LoadedPage,
    record: PageRecord | None,
    *,
    today: date,
    accepted: bool = False,
    bot_user: str | None = None,
) -> Decision:
    """What to do with a page, given what the bot last wrote there (pure).

    The block is unchanged when it equals the new rendering with the date of its
    last change (so a day without news makes no edit); otherwise it is rendered
    with `today`. Drift: the block on the wiki is not the one the bot last wrote
    (its hash differs from `record`), the block was removed, or the page was
    deleted. A page the state file does not know is adopted when its block is
    empty or its latest revision is the bot's own; otherwise it counts as drift
    too. `accepted` (from --accept-drift) overrides drift.
    """
    if page.title_problem:
        return Decision("error", f"the title cannot be used: {page.title_problem}")
    if page.problem:
        return Decision("error", page.problem)
    if not page.exists:
        if record is not None and not accepted:
            return Decision("drift", "the page was deleted after the bot last wrote it",
                            current_inner="")
        body = planned.render(today)
        return Decision("create", new_text=merge("", body), body=body)
    try:
        block = find_block(page.text)
    except MarkerError as error:
        return Decision("error", f"{error}; fix the markers by hand")
    if block is not None:
        previous = render.changed_on(block.inner)
        if previous is not None and inner_text(planned.render(previous)) == block.inner:
            return Decision("unchanged", current_inner=block.inner)
    body = planned.render(today)
    if block is not None and block.inner == inner_text(body):
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
    return Decision(action, new_text=merge(page.text, body), body=body,
                    current_inner=block.inner if block else None)


# -- running --------------------------------------------------------------------------------

def _normal_set(titles: Iterable[str]) -> set[str]:
    return {safe_normal(title) for title in titles}


class _Run:
    """The mutable parts of one run (kept together so run_sync stays readable)."""

    def __init__(self, wiki: Wiki, state: WikiState, report: SyncReport, accept: set[str],
                 out: Callable[[str], None], today: date, bot_user: str | None) -> None:
        self.wiki = wiki
        self.state = state
        self.report = report
        self.accept = accept
        self.out = out
        self.today = today
        self.bot_user = bot_user

    def _old_block(self, planned: PlannedPage, record: PageRecord) -> tuple[str | None, str]:
        """The block as the bot last wrote it, or None and why it cannot be shown."""
        if not record.revid:
            return None, ""
        try:
            old_text = self.wiki.revision_text(planned.title, record.revid)
        except RevisionUnavailable as error:
            return None, str(error)
        try:
            old_block = find_block(old_text)
        except MarkerError:
            old_block = None
        return (old_block.inner if old_block else None), ""

    def _reason(self, planned: PlannedPage, page: LoadedPage, decision: Decision,
                record: PageRecord | None) -> str:
        """Why the page drifted; a missing page may have been moved, not deleted."""
        if page.exists or record is None or record.page_id is None:
            return decision.reason
        moved_to = self.wiki.page_title(record.page_id)
        if moved_to and moved_to != planned.title:
            return (f"the page was moved to [[{moved_to}]] without leaving a redirect after "
                    f"the bot last wrote it (move it back to keep it up to date)")
        return decision.reason

    def drift_outcome(self, planned: PlannedPage, page: LoadedPage, decision: Decision,
                      record: PageRecord | None) -> PageOutcome:
        current = decision.current_inner if decision.current_inner is not None else ""
        diff, note = "", ""
        if record is not None:
            old, note = self._old_block(planned, record)
            if old is not None:
                diff = unified_diff(
                    old, current,
                    f"{planned.title} (block as the bot wrote it, revision {record.revid})",
                    f"{planned.title} (block on the wiki now"
                    + (f", revision {page.revid})" if page.revid else ")"),
                )
        if not diff:
            diff = unified_diff(current, inner_text(planned.render(self.today)),
                                f"{planned.title} (block on the wiki now)",
                                f"{planned.title} (block the bot would write)")
        reason = self._reason(planned, page, decision, record)
        message = (
            f"DRIFT on [[{planned.title}]]: {reason}. The bot leaves this page alone. "
            "Move any wanted change into the tool, then rerun with "
            f"--accept-drift '{planned.title}' to overwrite the block."
            + (f" ({note}; the diff shows the block the bot would write instead.)"
               if note else "")
        )
        return PageOutcome(planned.title, "drift", message, diff)

    def sync_page(self, planned: PlannedPage, page: LoadedPage) -> PageOutcome:
        """Decide, then save (rereading after an edit conflict); never raises but WikiError."""
        try:
            return self._sync_page(planned, page)
        except WikiError:
            raise
        except Exception as error:  # one bad page never stops the others
            log.debug("unexpected error on %s", planned.title, exc_info=True)
            return PageOutcome(planned.title, "error",
                               f"unexpected error: {type(error).__name__}: {error}")

    def _sync_page(self, planned: PlannedPage, page: LoadedPage) -> PageOutcome:
        accepted = planned.title in self.accept
        for _attempt in range(MAX_ATTEMPTS):
            record = self.state.find(planned.title, page.page_id)
            decision = decide(planned, page, record, today=self.today, accepted=accepted,
                              bot_user=self.bot_user)
            if decision.action == "unchanged":
                inner = decision.current_inner or ""
                if record is None or record.hash != block_hash(inner) or (
                        record.page_id != page.page_id):
                    self.state.record(planned.title, page.page_id, block_hash(inner),
                                      page.revid)
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
                saved = self.wiki.save(page, new_text, planned.summary)
            except EditConflict as conflict:
                self.report.conflicts += 1
                log.info("edit conflict on %s (%s): reading it again and merging again",
                         planned.title, conflict)
                page = self.wiki.reload(planned.title)
                continue
            except PageRejected as rejected:
                return PageOutcome(planned.title, "error", rejected.reason)
            self.report.edits += 1
            self.state.record(planned.title, saved.page_id or page.page_id,
                              block_hash(inner_text(decision.body or "")), saved.revid)
            done = {"create": "created", "append": "appended", "update": "updated"}
            return PageOutcome(planned.title, done[decision.action], revid=saved.revid)
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
    today: date | None = None,
    language_codes: Iterable[str] | None = None,
) -> SyncReport:
    """Run one sync and report; never raises for app, wiki or state failures.

    `today` (UTC by default) is the date a changed block is stamped with;
    `language_codes` default to the configured languages (all six).
    """
    report = SyncReport(dry_run=dry_run)
    if only is not None and only not in ONLY_CHOICES:
        report.fatal = f"--only must be one of {', '.join(ONLY_CHOICES)}, not {only!r}"
        return report
    api = api or HelpdeskApi(config.helpdesk_url, config.user_agent, timeout=config.timeout)
    codes = tuple(language_codes or config.languages)
    job = _Job(config, report, api, wiki, only, _normal_set(accept_drift), allow_empty, out,
               verbose, today or datetime.now(UTC).date(), languages(codes))
    try:
        if dry_run:  # writes nothing, so it needs no lock
            job.run()
        else:
            with run_lock(config.state_file):
                job.run()
    except StateError as error:
        report.fatal = str(error)
    finally:
        report.app_reads = api.reads
    return report


class _Job:
    """The steps of one run (see the module docstring)."""

    def __init__(self, config: BotConfig, report: SyncReport, api: HelpdeskApi,
                 wiki: Wiki | None, only: Only, accept: set[str], allow_empty: bool,
                 out: Callable[[str], None], verbose: bool, today: date,
                 langs: tuple[Language, ...]) -> None:
        self.config, self.report, self.api, self.wiki = config, report, api, wiki
        self.only, self.accept, self.allow_empty = only, accept, allow_empty
        self.out, self.verbose, self.today, self.languages = out, verbose, today, langs

    def run(self) -> None:
        report = self.report
        try:
            snapshot = self.api.snapshot(cases=self.only in (None, "cases"),
                                         groups=self.only in (None, "groups"),
                                         meetings=self.only in (None, "meetings"),
                                         per_page=self.config.per_page)
        except AppError as error:
            report.fatal = f"{_sentence(error)} Nothing was written to the wiki."
            return
        wiki = self.wiki
        if wiki is None:
            from .wiki import PywikibotWiki

            wiki = PywikibotWiki(self.config, verbose=self.verbose)
        reads, requests = wiki.reads, wiki.requests
        try:
            self._with_wiki(wiki, snapshot)
        finally:
            report.wiki_reads = wiki.reads - reads
            report.wiki_requests = wiki.requests - requests

    def _with_wiki(self, wiki: Wiki, snapshot: Snapshot) -> None:
        report = self.report
        store = StateFile(self.config.state_file)
        try:
            connect = getattr(wiki, "connect", None)
            if connect is not None:
                connect(login=True)
            state = store.load(wiki.identity, self.config.wiki_api)
            if self._refuse_empty(snapshot, state):
                return
            planned = plan_pages(self.config, snapshot, state, self.languages)
            loaded = wiki.load([page.title for page in planned])
            planned, loaded = self._slug_titles(wiki, snapshot, planned, loaded)
        except WikiError as error:
            report.fatal = f"{_sentence(error)} Nothing was written to the wiki."
            return
        for unknown in sorted(self.accept - {page.title for page in planned}):
            report.warnings.append(f"--accept-drift {unknown!r}: the bot does not maintain "
                                   "a page of that title (titles are case-sensitive)")
        run = _Run(wiki, state, report, self.accept, self.out, self.today,
                   wiki.username or self.config.account)
        try:
            for page in planned:
                report.pages.append(run.sync_page(page, loaded[page.title]))
        except WikiError as error:
            report.fatal = (f"{_sentence(error)} The pages listed as updated were written "
                            "in full; the others were not touched.")
        if not report.dry_run:
            _remember_cases(state, snapshot, planned, report, self.config)
            store.save(wiki.identity, state)

    def _refuse_empty(self, snapshot: Snapshot, state: WikiState) -> bool:
        if (snapshot.cases_read and not snapshot.cases and state.case_count
                and not self.allow_empty):
            self.report.fatal = (
                f"the Helpdesk API lists no public cases, but the bot listed "
                f"{state.case_count} last time; refusing to empty the pages (rerun with "
                "--allow-empty if that is right). Nothing was written to the wiki."
            )
            return True
        return False

    def _slug_titles(self, wiki: Wiki, snapshot: Snapshot, planned: list[PlannedPage],
                     loaded: dict[str, LoadedPage],
                     ) -> tuple[list[PlannedPage], dict[str, LoadedPage]]:
        """Rosters whose name's title the wiki refuses or changes move to their slug."""
        failed = {page.key.removeprefix("group:") for page in planned
                  if page.kind == "group" and loaded[page.title].title_problem}
        if not failed:
            return planned, loaded
        kept = [page for page in planned
                if not (page.kind == "group" and page.key.removeprefix("group:") in failed)]
        extra = slug_pages(self.config, snapshot, self.languages, failed,
                           {page.title for page in kept})
        for slug in sorted(failed):
            title = next(page.title for page in planned if page.key == f"group:{slug}")
            self.report.warnings.append(
                f"working group {slug}: {loaded[title].title_problem} for [[{title}]]; "
                "its roster uses the group's slug as title instead")
        if extra:
            loaded = {**loaded, **wiki.load([page.title for page in extra])}
        return kept + extra, loaded


def _sentence(error: BaseException) -> str:
    """An error's message as one sentence (ending with exactly one full stop)."""
    return " ".join(str(error).split()).rstrip(".") + "."


def _remember_cases(state: WikiState, snapshot: Snapshot, planned: list[PlannedPage],
                    report: SyncReport, config: BotConfig) -> None:
    """After the cases page is in sync: remember which cases and archive years it lists."""
    if not snapshot.cases_read:
        return
    outcome = report.outcome(config.cases_title)
    if outcome is None or outcome.action not in ("created", "appended", "updated", "unchanged"):
        return
    known = set(state.published)
    state.published.extend(case.reference for case in snapshot.cases
                           if case.reference not in known)
    state.case_count = len(snapshot.cases)
    state.archive_years = sorted({int(page.key.removeprefix("archive:")) for page in planned
                                  if page.kind == "archive"})
