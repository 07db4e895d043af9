"""What the sync needs from a wiki, without pywikibot (so sync.py stays testable).

`bot.wiki.PywikibotWiki` implements `Wiki` (pywikibot signs in; `bot.mwapi`
makes the reads and edits); tests may pass any object with the same methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol


class WikiError(RuntimeError):
    """The wiki cannot be used at all (exit status 2, nothing more is written)."""


class WikiUnavailable(WikiError):
    """The wiki did not answer, or answered with errors, before or between edits."""


class WikiLagged(WikiUnavailable):
    """The wiki's databases lag behind more than maxlag: stop, the next run goes on."""


class LoginFailed(WikiError):
    """The bot's credentials were refused, or it may not edit as a bot."""


class EditConflict(Exception):
    """Someone else saved the page after the bot read it; reload and merge again."""


class PageRejected(Exception):
    """The wiki refused this one edit (protection, abuse filter, spam blacklist…)."""

    def __init__(self, title: str, reason: str) -> None:
        """Name the page and say why."""
        super().__init__(f"{title}: {reason}")
        self.title = title
        self.reason = reason


class RevisionUnavailable(Exception):
    """An old revision cannot be read (deleted or hidden); the message says which."""


@dataclass
class LoadedPage:
    """A page as read from the wiki (its latest revision)."""

    title: str
    exists: bool
    text: str = ""
    revid: int | None = None
    page_id: int | None = None
    last_user: str | None = None
    bot_may_edit: bool = True
    redirect: bool = False
    problem: str | None = None  # e.g. a redirect, or not wikitext: the page cannot be edited
    title_problem: str | None = None  # the wiki refuses the title, or reads it differently


@dataclass(frozen=True)
class Saved:
    """What an edit made: the new revision and the page's id."""

    revid: int | None
    page_id: int | None


class Wiki(Protocol):
    """The few operations the sync uses."""

    @property
    def username(self) -> str | None:
        """The account the bot is logged in as (None when reading anonymously)."""

    @property
    def identity(self) -> str:
        """Which wiki this is, however it was reached (its wikiid and server)."""

    @property
    def reads(self) -> int:
        """How many requests read pages (the batched query and any rereads)."""

    @property
    def requests(self) -> int:
        """How many HTTP requests were made to the wiki in all."""

    def load(self, titles: list[str]) -> dict[str, LoadedPage]:
        """Read all `titles` in one batched query; keyed by the titles given."""

    def reload(self, title: str) -> LoadedPage:
        """Read one page again (after an edit conflict)."""

    def revision_text(self, title: str, revid: int) -> str:
        """The text of an old revision; RevisionUnavailable when it cannot be read."""

    def page_title(self, page_id: int) -> str | None:
        """The title of a page now (it may have moved), or None when it is gone."""

    def save(self, page: LoadedPage, text: str, summary: str) -> Saved:
        """Save `text` as a bot edit based on `page`'s revision.

        Raises EditConflict, PageRejected, or a WikiError (stop the run).
        """
