"""What the sync needs from a wiki, without pywikibot (so sync.py stays testable).

`bot.wiki.PywikibotWiki` implements `Wiki` with pywikibot; tests may pass any
object with the same methods.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol


class WikiError(RuntimeError):
    """The wiki cannot be used at all (exit status 2, nothing more is written)."""


class WikiUnavailable(WikiError):
    """The wiki did not answer, or answered with errors, before or between edits."""


class LoginFailed(WikiError):
    """The bot's credentials were refused."""


class EditConflict(Exception):
    """Someone else saved the page after the bot read it; reload and merge again."""


class PageRejected(Exception):
    """The wiki refused this one edit (protection, abuse filter, spam blacklist…)."""

    def __init__(self, title: str, reason: str) -> None:
        """Name the page and say why."""
        super().__init__(f"{title}: {reason}")
        self.title = title
        self.reason = reason


@dataclass
class LoadedPage:
    """A page as read from the wiki (one revision; `handle` is the wiki's own object)."""

    title: str
    exists: bool
    text: str = ""
    revid: int | None = None
    last_user: str | None = None
    bot_may_edit: bool = True
    redirect: bool = False
    problem: str | None = None  # e.g. an invalid title: the page cannot be edited
    handle: Any = None


class Wiki(Protocol):
    """The few operations the sync uses."""

    @property
    def username(self) -> str | None:
        """The account the bot is logged in as (None when reading anonymously)."""

    @property
    def reads(self) -> int:
        """How many page reads (batched queries of page content) were made."""

    @property
    def requests(self) -> int:
        """How many HTTP requests were made to the wiki in all."""

    def load(self, titles: list[str]) -> dict[str, LoadedPage]:
        """Read all `titles` in one batched query; keyed by the titles given."""

    def reload(self, title: str) -> LoadedPage:
        """Read one page again (after an edit conflict)."""

    def revision_text(self, title: str, revid: int) -> str | None:
        """The text of an old revision, or None if it cannot be read."""

    def save(self, page: LoadedPage, text: str, summary: str) -> int | None:
        """Save `text` as a bot edit based on `page`'s revision; return the new revision id.

        Raises EditConflict, PageRejected or WikiUnavailable.
        """
