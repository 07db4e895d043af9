"""Which pages the bot maintains, in which languages, and what each should hold (pure).

For every language (English first; the others as subpages, `…/Cases/sv`):

- the cases overview `…/Cases` (status line, open requests, links to the archive);
- the status line `…/Status` (to transclude);
- one archive per year `…/Cases/Archive/2026` (the requests closed that year);
- one roster per working group `…/Working groups/<name>` (or `<slug>` when the
  name cannot be a title as it is), with the group's asks for volunteers;
- the list of committee meetings `…/Committee meetings` and one page of public
  minutes per meeting held `…/Committee meetings/2026-12-04` (a second meeting on
  the same day: `…/2026-12-04 (2)`).

Each `PlannedPage` carries a `render(day)` function: its block with `day` as the
date of the last change (see bot.render).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial

from . import minutes, render
from .api_client import Snapshot
from .config import BotConfig
from .i18n import SOURCE_LANGUAGE, Language
from .minutes import PublicMeeting
from .model import GroupAsk, PublicCase, WorkingGroup
from .state import WikiState
from .titles import TitleError, group_title, normal_title


@dataclass(frozen=True)
class PlannedPage:
    """A page the bot maintains and how to render its block."""

    title: str
    kind: str  # "cases", "status", "archive", "group", "meetings" or "meeting"
    language: str
    render: Callable[[date], str] = field(compare=False, repr=False)
    summary: str = ""
    key: str = ""  # the page in every language: "cases", "archive:2026", "group:<slug>",
    #                "meetings", "meeting:<id>"


def language_title(base: str, language: Language) -> str:
    """The title of `base` in `language` (English is the base page itself)."""
    return base if language.code == SOURCE_LANGUAGE else f"{base}/{language.code}"


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
        asks=[replace(ask, url=move(ask.url),
                      case_url=move(ask.case_url) if ask.case_url else None)
              for ask in snapshot.asks],
        meetings=[replace(meeting, url=move(meeting.url),
                          decisions=tuple(replace(decision, url=move(decision.url))
                                          for decision in meeting.decisions))
                  for meeting in snapshot.meetings],
        cases_read=snapshot.cases_read,
        groups_read=snapshot.groups_read,
        meetings_read=snapshot.meetings_read,
    )


class Planner:
    """Plans the pages of one run (languages, titles, contexts)."""

    def __init__(self, config: BotConfig, languages: Sequence[Language]) -> None:
        """Plan for `languages` (English first)."""
        self.config = config
        self.languages = tuple(languages)
        self.suffixes = tuple(language_title("", language) for language in self.languages)

    def versions(self, base: str) -> tuple[tuple[Language, str], ...]:
        """Every language version of a page: (language, title)."""
        return tuple((language, language_title(base, language)) for language in self.languages)

    def _pages(self, base: str, kind: str, key: str,
               body: Callable[[render.Context], str],
               summary: Callable[[Language], str]) -> list[PlannedPage]:
        pages = []
        for language, title in self.versions(base):
            ctx = render.Context(language, title, self.versions(base), self.config.tool_url,
                                 self.config.account)
            template = body(ctx)
            pages.append(PlannedPage(
                title=title, kind=kind, language=language.code,
                render=partial(render.stamp, template, language=language),
                summary=summary(language), key=key,
            ))
        return pages

    # -- the cases pages ---------------------------------------------------------------------

    def archive_base(self, year: int) -> str:
        """The title of one year's archive (English)."""
        return f"{self.config.cases_title}/Archive/{year}"

    def cases_pages(self, cases: Sequence[PublicCase], state: WikiState) -> list[PlannedPage]:
        """Overview, status line and yearly archives, in every language."""
        current = {case.reference for case in cases}
        unlisted = [ref for ref in state.published if ref not in current]
        years = sorted({render.closing_year(case) for case in cases if not case.open}
                       | set(state.archive_years), reverse=True)
        tool_url = self.config.tool_url

        def summary(language: Language) -> str:
            return render.summary_for_cases(cases, tool_url, language)

        def overview(ctx: render.Context) -> str:
            archives = [(year, language_title(self.archive_base(year), ctx.language))
                        for year in years]
            return render.render_cases(ctx, cases, archives, unlisted)

        pages = self._pages(self.config.cases_title, "cases", "cases", overview, summary)
        pages += self._pages(self.config.status_title, "status", "status",
                             lambda ctx: render.render_status(ctx, cases), summary)
        for year in years:
            pages += self._pages(self.archive_base(year), "archive", f"archive:{year}",
                                 partial(self._archive, year=year, cases=cases), summary)
        return pages

    def _archive(self, ctx: render.Context, *, year: int, cases: Sequence[PublicCase]) -> str:
        overview = language_title(self.config.cases_title, ctx.language)
        return render.render_archive(ctx, year, cases, overview)

    # -- the rosters ------------------------------------------------------------------------

    def group_base(self, group: WorkingGroup, *, use_slug: bool = False) -> str:
        """The title of a group's roster (English): its name if it makes a plain title."""
        config = self.config
        try:
            return group_title(config.group_page, config.page_prefix,
                               group.slug if use_slug else group.name, group.slug,
                               self.suffixes)
        except TitleError:  # even the slug's title is refused: the wiki will say why
            return config.group_page.format(prefix=config.page_prefix, name=group.slug,
                                            slug=group.slug)

    def group_pages(self, group: WorkingGroup, base: str,
                    asks: Sequence[GroupAsk] = ()) -> list[PlannedPage]:
        """One roster in every language (with the group's asks)."""
        tool_url = self.config.tool_url
        return self._pages(base, "group", f"group:{group.slug}",
                           lambda ctx: render.render_group(ctx, group, asks),
                           lambda language: render.summary_for_group(group, tool_url, language,
                                                                     asks))

    # -- the committee's meetings --------------------------------------------------------

    def meeting_bases(self, meetings: Sequence[PublicMeeting]) -> dict[int, str]:
        """Per meeting id, its page's title (English): the day, "(2)"… after it for a
        second meeting on the same day (in the order they started)."""
        index = self.config.meetings_title
        titles: dict[int, str] = {}
        seen: dict[str, int] = {}
        for meeting in sorted(meetings, key=lambda m: (m.starts_at, m.id)):
            day = minutes.meeting_day(meeting)
            seen[day] = seen.get(day, 0) + 1
            titles[meeting.id] = f"{index}/{day}" + (f" ({seen[day]})" if seen[day] > 1 else "")
        return titles

    def meeting_pages(self, meetings: Sequence[PublicMeeting]) -> list[PlannedPage]:
        """The list of the meetings held and one page of public minutes each."""
        tool_url, index = self.config.tool_url, self.config.meetings_title
        bases = self.meeting_bases(meetings)

        def summary(language: Language) -> str:
            return minutes.summary_for_meetings(meetings, tool_url, language)

        def listing(ctx: render.Context) -> str:
            return minutes.render_meeting_index(
                ctx, [(meeting, language_title(bases[meeting.id], ctx.language))
                      for meeting in meetings])

        pages = self._pages(index, "meetings", "meetings", listing, summary)
        for meeting in sorted(meetings, key=lambda m: (m.starts_at, m.id), reverse=True):
            pages += self._pages(bases[meeting.id], "meeting", f"meeting:{meeting.id}",
                                 partial(self._minutes, meeting=meeting), summary)
        return pages

    def _minutes(self, ctx: render.Context, *, meeting: PublicMeeting) -> str:
        index = language_title(self.config.meetings_title, ctx.language)
        return minutes.render_minutes(ctx, meeting, index)


def plan_pages(config: BotConfig, snapshot: Snapshot, state: WikiState,
               languages: Sequence[Language]) -> list[PlannedPage]:
    """Every page to maintain with its freshly rendered block, in editing order."""
    snapshot = public_snapshot(config, snapshot)
    planner = Planner(config, languages)
    planned: list[PlannedPage] = []
    if snapshot.cases_read:
        planned += planner.cases_pages(snapshot.cases, state)
    if snapshot.groups_read:
        taken = {page.title for page in planned}
        asks = asks_by_group(snapshot)
        for group in snapshot.groups:
            base = planner.group_base(group)
            if base in taken:
                base = planner.group_base(group, use_slug=True)
            if base in taken:
                continue
            taken.add(base)
            planned += planner.group_pages(group, base, asks.get(group.slug, []))
    if snapshot.meetings_read:
        planned += planner.meeting_pages(snapshot.meetings)
    return planned


def asks_by_group(snapshot: Snapshot) -> dict[str, list[GroupAsk]]:
    """The asks of each group (by slug), in the API's order."""
    found: dict[str, list[GroupAsk]] = {}
    for ask in snapshot.asks:
        found.setdefault(ask.group_slug, []).append(ask)
    return found


def slug_pages(config: BotConfig, snapshot: Snapshot, languages: Sequence[Language],
               slugs: set[str], taken: set[str]) -> list[PlannedPage]:
    """The rosters of `slugs` under their slug titles (their names' titles failed)."""
    snapshot = public_snapshot(config, snapshot)
    planner = Planner(config, languages)
    pages: list[PlannedPage] = []
    asks = asks_by_group(snapshot)
    for group in snapshot.groups:
        if group.slug not in slugs:
            continue
        base = planner.group_base(group, use_slug=True)
        if base not in taken:
            pages += planner.group_pages(group, base, asks.get(group.slug, []))
    return pages


def safe_normal(title: str) -> str:
    """`title` as MediaWiki stores it, or as it is when MediaWiki would refuse it."""
    try:
        return normal_title(title)
    except TitleError:
        return title
