"""The pywikibot glue: a site for any api.php URL and the BotPassword login.

The page reads and the edits are the bot's own action-API requests on pywikibot's
HTTP session (bot.mwapi: maxlag, retries, assert=bot, one-line errors).

pywikibot is configured here without a user-config.py: `PYWIKIBOT_NO_USER_CONFIG=2`
and a private `PYWIKIBOT_DIR` (a temporary folder unless `BotConfig.pywikibot_dir`,
from `BOT_PYWIKIBOT_DIR`, names one) are set before pywikibot is imported — the
only way pywikibot takes them. Settings (maxlag, edit throttle, retries,
User-Agent) come from `BotConfig`.

Every HTTP request to the wiki is counted (`requests`); page reads — the one
batched query for all pages, and the rare reread after an edit conflict — are
counted separately (`reads`).
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
from pathlib import Path
from typing import Any

import requests

from .config import BotConfig, process_environment
from .mwapi import ActionApi, WikiTransport, mount_transport, short_reason
from .wiki_types import LoadedPage, LoginFailed, Saved, WikiError, WikiUnavailable

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


def prepare_pywikibot(folder: Path | None = None, verbose: bool = False) -> Any:
    """Import pywikibot with a private, user-config-free setup; return the module.

    `folder` is pywikibot's working folder (its cache, cookies, throttle file); by
    default a temporary one, removed at exit. The first call decides.
    """
    global _prepared
    if not _prepared:
        if folder is not None:
            directory = str(folder)
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
            environment = process_environment()
            environment["PYWIKIBOT_DIR"] = directory
            environment["PYWIKIBOT_NO_USER_CONFIG"] = "2"
    import pywikibot
    import pywikibot.bot
    from pywikibot.comms import http

    if not _prepared:
        http.session.hooks["response"].append(_count_response)
        pywikibot.bot.init_handlers()
        # Without -v the bot says what went wrong in one line of its own; pywikibot's
        # messages (tracebacks of failed requests among them) only show with -v.
        for handler in logging.getLogger("pywiki").handlers:
            handler.setLevel(logging.INFO if verbose else logging.CRITICAL)
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
        self.pywikibot = prepare_pywikibot(config.pywikibot_dir, verbose)
        self._start_count = _request_count
        self.site: Any = None
        self.api: ActionApi | None = None  # the bot's own reads and saves (bot.mwapi)
        self.transport: WikiTransport | None = None
        pwb_config = self.pywikibot.config
        pwb_config.put_throttle = config.throttle
        if hasattr(pwb_config, "write_maxlag"):
            pwb_config.write_maxlag = pwb_config.read_maxlag = config.maxlag
        else:  # pragma: no cover - pywikibot before 11.8
            pwb_config.maxlag = config.maxlag
        # pywikibot only signs in and reads the site; it does not retry (a wiki failing
        # then is tried again by the next run). bot.mwapi retries the bot's own requests.
        pwb_config.max_retries = 0
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
        """HTTP requests made to read pages (the batched query and any rereads)."""
        return self.api.reads if self.api is not None else 0

    @property
    def username(self) -> str | None:
        """The account the bot is logged in as (None when anonymous)."""
        return self.api.username if self.api is not None else None

    @property
    def identity(self) -> str:
        """The wiki's identity (`wikiid@host` from its site information)."""
        return self.api.identity if self.api is not None else ""

    # -- connecting -----------------------------------------------------------------

    def _errors(self) -> tuple[type[BaseException], ...]:
        return (self.pywikibot.exceptions.Error, OSError, requests.RequestException,
                RuntimeError, KeyError, ValueError)

    def connect(self, *, login: bool = True) -> None:
        """Build the site and, with credentials and `login`, log in (BotPassword)."""
        from pywikibot.comms import http

        config = self.config
        if self.transport is None:  # maxlag on every request to the wiki, pywikibot's too
            self.transport = mount_transport(http.session, config.wiki_api, config.maxlag)
        try:
            self.site = self.pywikibot.Site(url=config.wiki_api, fam=_family_name(config.wiki_api),
                                            user=config.account)
            # The site object is cached per process: set its throttle every time.
            throttle = self.site.throttle
            throttle.writedelay = config.throttle
            throttle.mindelay = min(throttle.mindelay, config.throttle)
            throttle.delay = min(throttle.delay, config.throttle)
        except self._errors() as error:
            raise self._unreachable("reach", error) from error
        if login and config.login_name and config.password:
            self._login()
        self._warm_up()

    def _unreachable(self, doing: str, error: BaseException) -> WikiError:
        """Why pywikibot failed, in one line: the wiki is asked once more, by bot.mwapi.

        (pywikibot reports a wiki that is down as "Maximum retries attempted".)
        """
        from pywikibot.comms import http

        config = self.config
        probe = ActionApi(config.wiki_api, http.session, http.user_agent(),
                          maxlag=config.maxlag, timeout=(min(config.timeout, 10.0),
                                                         config.timeout), max_retries=0)
        try:
            probe.connect()
        except WikiError as found:
            return found
        return WikiUnavailable(f"cannot {doing} the wiki at {config.wiki_api}: "
                               f"{short_reason(error)}")

    def _warm_up(self) -> None:
        """The bot's own client on pywikibot's session (cookies, User-Agent): the wiki's
        identity, the bot's name and rights and an edit token, in one request."""
        from pywikibot.comms import http

        config = self.config
        self.api = ActionApi(config.wiki_api, http.session, http.user_agent(self.site),
                             maxlag=config.maxlag, timeout=(min(config.timeout, 10.0),
                                                            config.timeout),
                             max_retries=config.max_retries, retry_wait=config.retry_wait,
                             throttle=config.throttle)
        self.api.connect()

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
            raise self._unreachable("log in to", error) from error
        if not site.logged_in():
            raise LoginFailed(f"the wiki at {config.wiki_api} did not keep the login of "
                              f"{config.login_name}")
        if not site.has_right("edit"):
            raise LoginFailed(f"{config.login_name} may not edit {config.wiki_api}: give the "
                              "BotPassword the grants listed in bot/README.md")
        log.info("logged in to %s as %s", config.wiki_api, site.username())

    # -- reading and writing (bot.mwapi) ----------------------------------------------

    def _client(self) -> ActionApi:
        if self.api is None:
            raise WikiUnavailable(f"not connected to the wiki at {self.config.wiki_api}")
        return self.api

    def load(self, titles: list[str]) -> dict[str, LoadedPage]:
        """All `titles` in one batched query (content, latest revision, page id, templates)."""
        return self._client().read_pages(titles)

    def reload(self, title: str) -> LoadedPage:
        """One page read again (a single query)."""
        return self.load([title])[title]

    def revision_text(self, title: str, revid: int) -> str:
        """The text of revision `revid` of `title` (RevisionUnavailable if it is gone)."""
        return self._client().revision_text(title, revid)

    def page_title(self, page_id: int) -> str | None:
        """The title of page `page_id` now (None when it no longer exists)."""
        return self._client().page_title(page_id)

    def save(self, page: LoadedPage, text: str, summary: str) -> Saved:
        """Save `text` to `page` as a bot edit based on the revision that was read."""
        return self._client().edit(page, text, summary)
