"""The pywikibot glue: a site for any api.php URL, BotPassword login, batched reads, saves.

pywikibot is configured here without a user-config.py: `PYWIKIBOT_NO_USER_CONFIG=2`
and a private `PYWIKIBOT_DIR` (a temporary folder unless `BOT_PYWIKIBOT_DIR` names
one) are set before pywikibot is imported. Settings (maxlag, edit throttle,
retries, User-Agent) come from `BotConfig`.

Every HTTP request pywikibot makes is counted (`requests`); page reads — the one
batched query for all pages, and the rare single-page reload after an edit
conflict — are counted separately (`reads`).
"""

from __future__ import annotations

import atexit
import logging
import os
import re
import shutil
import sys
import tempfile
from contextlib import suppress
from typing import Any

import requests

from .config import BotConfig
from .wiki_types import EditConflict, LoadedPage, LoginFailed, PageRejected, WikiUnavailable

log = logging.getLogger(__name__)

_request_count = 0
_prepared = False


_SECRETS = re.compile(r"((?:lg)?(?:password|token)=)[^&]*", re.IGNORECASE)


def _count_response(response: requests.Response, *args: Any, **kwargs: Any) -> None:
    global _request_count
    _request_count += 1
    if log.isEnabledFor(logging.DEBUG):
        body = response.request.body or response.request.url or ""
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        log.debug("wiki request %d: %s %s -> %s", _request_count, response.request.method,
                  _SECRETS.sub(r"\1***", body)[:300], response.status_code)


class _DropTracebacks(logging.Filter):
    """Keep pywikibot's own console messages short: no tracebacks, warnings and up."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info = None
        record.exc_text = None
        return True


def prepare_pywikibot(verbose: bool = False) -> Any:
    """Import pywikibot with a private, user-config-free setup; return the module."""
    global _prepared
    if not _prepared:
        directory = os.environ.get("BOT_PYWIKIBOT_DIR", "").strip()
        if directory:
            os.makedirs(directory, mode=0o700, exist_ok=True)
        else:
            directory = tempfile.mkdtemp(prefix="helpdesk-bot-pywikibot-")
            # Registered before pywikibot's own exit handlers, so it runs after them.
            atexit.register(shutil.rmtree, directory, True)
        if "pywikibot" not in sys.modules:
            # pywikibot only honours PYWIKIBOT_DIR when it holds a user-config.py
            # (otherwise it writes into the current directory); an empty one, which
            # PYWIKIBOT_NO_USER_CONFIG=2 keeps it from even reading.
            config_file = os.path.join(directory, "user-config.py")
            if not os.path.exists(config_file):
                with open(config_file, "w", encoding="utf-8") as stream:
                    stream.write("# Empty: the Helpdesk bot configures pywikibot itself.\n")
            os.environ["PYWIKIBOT_DIR"] = directory
            os.environ["PYWIKIBOT_NO_USER_CONFIG"] = "2"
    import pywikibot
    import pywikibot.bot
    from pywikibot.comms import http

    if not _prepared:
        http.session.hooks["response"].append(_count_response)
        pywikibot.bot.init_handlers()
        for handler in logging.getLogger("pywiki").handlers:
            handler.setLevel(logging.INFO if verbose else logging.WARNING)
            if not verbose:
                handler.addFilter(_DropTracebacks())
        _prepared = True
    return pywikibot


def _family_name(api_url: str) -> str:
    """A family name for a wiki pywikibot has no family file for (e.g. a local one)."""
    host = re.sub(r"[^a-z0-9]+", "", api_url.split("://", 1)[-1].lower())
    return f"helpdesk{host}"[:60]


class PywikibotWiki:
    """The bot's view of one wiki (see `bot.wiki_types.Wiki`)."""

    def __init__(self, config: BotConfig, *, verbose: bool = False) -> None:
        """Configure pywikibot and build the site; `connect()` logs in."""
        self.config = config
        self.pywikibot = prepare_pywikibot(verbose)
        self._start_count = _request_count
        self._reads = 0
        self.site: Any = None
        pwb_config = self.pywikibot.config
        pwb_config.put_throttle = config.throttle
        if hasattr(pwb_config, "write_maxlag"):
            pwb_config.write_maxlag = config.maxlag
        else:  # pragma: no cover - pywikibot before 11.8
            pwb_config.maxlag = config.maxlag
        pwb_config.max_retries = config.max_retries
        pwb_config.retry_wait = config.retry_wait
        pwb_config.retry_max = max(config.retry_wait, 60)
        pwb_config.socket_timeout = (min(config.timeout, 10.0), config.timeout)
        pwb_config.cosmetic_changes = False
        pwb_config.ignore_bot_templates = False
        pwb_config.simulate = False
        pwb_config.user_agent_description = None
        agent = config.user_agent.replace("{", "{{").replace("}", "}}")
        pwb_config.user_agent_format = agent + " {pwb} {python} {http_backend}"

    # -- counts ------------------------------------------------------------------

    @property
    def requests(self) -> int:
        """HTTP requests made to the wiki since this object was made."""
        return _request_count - self._start_count

    @property
    def reads(self) -> int:
        """HTTP requests made to read pages (the batched query and any reloads)."""
        return self._reads

    @property
    def username(self) -> str | None:
        """The account the bot is logged in as (None when anonymous)."""
        if self.site is None or not self.site.logged_in():
            return None
        return str(self.site.username())

    # -- connecting -----------------------------------------------------------------

    def _errors(self) -> tuple[type[BaseException], ...]:
        return (self.pywikibot.exceptions.Error, OSError, requests.RequestException,
                RuntimeError, KeyError, ValueError)

    def connect(self, *, login: bool = True) -> None:
        """Build the site and, with credentials and `login`, log in (BotPassword)."""
        config = self.config
        try:
            self.site = self.pywikibot.Site(url=config.wiki_api, fam=_family_name(config.wiki_api),
                                            user=config.account)
            # The site object is cached per process: set its throttle every time.
            throttle = self.site.throttle
            throttle.writedelay = config.throttle
            throttle.mindelay = min(throttle.mindelay, config.throttle)
            throttle.delay = min(throttle.delay, config.throttle)
        except self._errors() as error:
            raise WikiUnavailable(f"cannot reach the wiki at {config.wiki_api}: {error}") from error
        if login and config.login_name and config.password:
            self._login()
        self._warm_up()

    def _warm_up(self) -> None:
        """Fetch the site metadata the batched page query needs, before it is made.

        pywikibot asks for siteinfo and paraminfo lazily on first use; doing it here
        keeps those requests out of the page-read phase, which is then exactly one
        query. (They are a few small, cacheable requests per process.)
        """
        try:
            self.site.siteinfo.get("extensions")
            paraminfo = getattr(self.site, "_paraminfo", None)
            if paraminfo is not None:
                paraminfo.fetch(["query+info", "query+revisions", "query+templates",
                                 "query+categoryinfo"])
        except self._errors() as error:
            raise WikiUnavailable(
                f"cannot read the wiki's metadata at {self.config.wiki_api}: {error}"
            ) from error

    def _login(self) -> None:
        from pywikibot.comms import http
        from pywikibot.login import ClientLoginManager

        config, site = self.config, self.site
        NoUsernameError = self.pywikibot.exceptions.NoUsernameError
        try:
            # A fresh session each run: the credentials are checked every time.
            http.cookie_jar.clear()
            site.tokens.clear()
            with suppress(AttributeError):
                del site.userinfo
            manager = ClientLoginManager(site=site, user=config.login_name,
                                         password=config.password)
            if not manager.login(retry=False):
                raise LoginFailed(f"logging in to {config.wiki_api} as {config.login_name} "
                                  "failed")
            del site.userinfo
            site.login(cookie_only=True)
        except NoUsernameError as error:
            raise LoginFailed(
                f"the wiki at {config.wiki_api} refused the credentials of "
                f"{config.login_name} ({error}). Check BOT_USERNAME and BOT_PASSWORD (a "
                "BotPassword from Special:BotPasswords)"
            ) from error
        except LoginFailed:
            raise
        except self._errors() as error:
            raise WikiUnavailable(
                f"cannot log in to the wiki at {config.wiki_api}: {error}"
            ) from error
        if not site.logged_in():
            raise LoginFailed(f"the wiki at {config.wiki_api} did not keep the login of "
                              f"{config.login_name}")
        if not site.has_right("edit"):
            raise LoginFailed(f"{config.login_name} may not edit {config.wiki_api}: give the "
                              "BotPassword the grants listed in bot/README.md")
        log.info("logged in to %s as %s", config.wiki_api, site.username())

    # -- reading ----------------------------------------------------------------------

    def load(self, titles: list[str]) -> dict[str, LoadedPage]:
        """All `titles` in one batched query (content, latest revision, templates)."""
        exceptions = self.pywikibot.exceptions
        result: dict[str, LoadedPage] = {}
        pages: list[tuple[str, Any]] = []
        for title in titles:
            try:
                page = self.pywikibot.Page(self.site, title)
                page.title()
            except (exceptions.InvalidTitleError, exceptions.Error, ValueError) as error:
                result[title] = LoadedPage(title=title, exists=False,
                                           problem=f"invalid page title: {error}")
                continue
            pages.append((title, page))
        if pages:
            before = _request_count
            try:
                list(self.site.preloadpages([page for _, page in pages], templates=True))
            except self._errors() as error:
                raise WikiUnavailable(
                    f"cannot read pages from the wiki at {self.config.wiki_api}: {error}"
                ) from error
            finally:
                self._reads += _request_count - before
        for title, page in pages:
            result[title] = self._describe(title, page)
        return result

    def _describe(self, title: str, page: Any) -> LoadedPage:
        if not page.exists():  # known from the batched query: no request
            return LoadedPage(title=title, exists=False, handle=page)
        if page.isRedirectPage():
            return LoadedPage(title=title, exists=True, redirect=True, handle=page,
                              problem="the page is a redirect; configure its target instead")
        revision = page.latest_revision
        return LoadedPage(
            title=title,
            exists=True,
            text=page.text,
            revid=int(revision.revid),
            last_user=str(getattr(revision, "user", "") or "") or None,
            bot_may_edit=bool(page.botMayEdit()),
            handle=page,
        )

    def reload(self, title: str) -> LoadedPage:
        """One page read again (a single query)."""
        return self.load([title])[title]

    def revision_text(self, title: str, revid: int) -> str | None:
        """The text of revision `revid` of `title` (None when it cannot be read)."""
        before = _request_count
        try:
            page = self.pywikibot.Page(self.site, title)
            return str(page.get_revision(revid, content=True).text)
        except self._errors() as error:
            log.warning("cannot read revision %s of %s: %s", revid, title, error)
            return None
        finally:
            self._reads += _request_count - before

    # -- writing ----------------------------------------------------------------------

    def _changed_since_read(self, page: LoadedPage) -> bool:
        """Has the page a newer revision than the one read? (One small query.)"""
        before = _request_count
        try:
            fresh = self.pywikibot.Page(self.site, page.title)
            latest = fresh.latest_revision_id
        except self._errors() as error:
            raise WikiUnavailable(f"cannot read {page.title}: {error}") from error
        finally:
            self._reads += _request_count - before
        return page.revid is not None and int(latest) != int(page.revid)

    def save(self, page: LoadedPage, text: str, summary: str) -> int | None:
        """Save `text` to `page` as a bot edit based on the revision that was read."""
        exceptions = self.pywikibot.exceptions
        handle = page.handle
        handle.text = text
        options: dict[str, Any] = {"createonly": True}
        if page.exists and self._changed_since_read(page):
            # MediaWiki compares timestamps of one-second resolution, so an edit made in
            # the same second as the revision we read could slip through: look first.
            raise EditConflict(f"{page.title} changed after it was read")
        if page.exists:
            # The revision id as well as pywikibot's basetimestamp: timestamps have
            # one-second resolution, so an edit in the same second as the revision read
            # would not count as a conflict on its own.
            options = {"nocreate": True, "baserevid": page.revid}
        try:
            handle.save(summary=summary, minor=False, bot=True, watch="nochange", quiet=True,
                        **options)
        except exceptions.EditConflictError as error:
            raise EditConflict(str(error)) from error
        except exceptions.LockedPageError as error:
            raise PageRejected(page.title, f"the page is protected ({error})") from error
        except exceptions.AbuseFilterDisallowedError as error:
            raise PageRejected(page.title, f"an abuse filter refused the edit ({error})") \
                from error
        except exceptions.SpamblacklistError as error:
            raise PageRejected(page.title, f"the spam blacklist refused the edit ({error})") \
                from error
        except exceptions.TitleblacklistError as error:
            raise PageRejected(page.title, f"the title blacklist refused the edit ({error})") \
                from error
        except exceptions.NoCreateError as error:
            raise PageRejected(page.title, "the page was deleted after it was read") from error
        except exceptions.PageSaveRelatedError as error:
            raise PageRejected(page.title, f"the wiki refused the edit ({error})") from error
        except exceptions.APIError as error:
            if error.code in ("readonly", "maxlag", "assertuserfailed", "assertbotfailed"):
                raise WikiUnavailable(f"the wiki refused edits: {error.code}: {error.info}") \
                    from error
            raise PageRejected(page.title, f"{error.code}: {error.info}") from error
        except (exceptions.ServerError, exceptions.ApiTimeoutError, OSError,
                requests.RequestException) as error:
            raise WikiUnavailable(f"the wiki stopped answering: {error}") from error
        except exceptions.Error as error:
            raise PageRejected(page.title, str(error)) from error
        revid = None
        with suppress(AttributeError, exceptions.Error):
            revid = handle.latest_revision_id
        return int(revid) if revid else None
