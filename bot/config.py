"""The bot's configuration, read from environment variables (pure: no I/O besides `env`).

`BotConfig.from_env()` reads them, once per run; nothing else in the bot looks at
the environment (`process_environment()` is the one place that names it). Every
variable may also be given with a `TOOL_` prefix (the naming `toolforge envvars`
uses for secrets), e.g. `TOOL_BOT_PASSWORD`; the unprefixed name wins.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from useragent import BOT_CLIENT
from useragent import user_agent as build_user_agent

from . import __version__
from .i18n import LANGUAGES as DEFAULT_LANGUAGES
from .titles import group_title as roster_title

DEFAULT_WIKI_API = "https://meta.wikimedia.org/w/api.php"
DEFAULT_PAGE_PREFIX = "Content Partnerships Hub/Helpdesk"
DEFAULT_CASES_PAGE = "{prefix}/Cases"
DEFAULT_STATUS_PAGE = "{prefix}/Status"
DEFAULT_MEETINGS_PAGE = "{prefix}/Committee meetings"
DEFAULT_GROUP_PAGE = "{prefix}/Working groups/{name}"
DEFAULT_MAXLAG = 5
DEFAULT_THROTTLE = 10.0
DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_RETRIES = 3
DEFAULT_RETRY_WAIT = 5.0
STATE_FILE_NAME = "helpdesk-bot-state.json"
BOT_NAME = BOT_CLIENT

_LANGUAGE = re.compile(r"^[a-z]{2,3}(_[A-Z]{2})?$")
# Characters MediaWiki never allows in a page title (plus controls).
_BAD_TITLE = re.compile(r"[#<>\[\]|{}\x00-\x1f\x7f\ufffd]")


class ConfigError(ValueError):
    """The configuration is missing or invalid (exit status 2)."""


def process_environment() -> MutableMapping[str, str]:
    """The process's environment variables: read by `BotConfig.from_env()`, and given
    pywikibot's own two variables by `bot.wiki` before it imports pywikibot."""
    return os.environ


@dataclass(frozen=True)
class BotConfig:
    """Everything a sync needs to know. Build it with `BotConfig.from_env()`."""

    helpdesk_url: str
    wiki_api: str = DEFAULT_WIKI_API
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    page_prefix: str = DEFAULT_PAGE_PREFIX
    cases_page: str = DEFAULT_CASES_PAGE
    status_page: str = DEFAULT_STATUS_PAGE
    meetings_page: str = DEFAULT_MEETINGS_PAGE
    group_page: str = DEFAULT_GROUP_PAGE
    state_file: Path = Path("instance") / STATE_FILE_NAME
    maxlag: int = DEFAULT_MAXLAG
    throttle: float = DEFAULT_THROTTLE
    tool_url: str = ""
    contact: str = ""  # how to reach the operators (User-Agent); default: the bot's talk page
    timeout: float = DEFAULT_TIMEOUT
    max_retries: int = DEFAULT_MAX_RETRIES
    retry_wait: float = DEFAULT_RETRY_WAIT
    per_page: int = 1000
    pywikibot_dir: Path | None = None  # pywikibot's working folder (None: a temporary one)
    languages: tuple[str, ...] = DEFAULT_LANGUAGES  # of the pages (English is always one)

    def __post_init__(self) -> None:
        """Check the values (raises ConfigError) and fill the derived defaults."""
        _check_http_url("HELPDESK_URL", self.helpdesk_url)
        _check_http_url("BOT_WIKI_API", self.wiki_api)
        if not urlsplit(self.wiki_api).path.endswith("api.php"):
            raise ConfigError(
                f"BOT_WIKI_API must be the wiki's api.php URL, e.g. {DEFAULT_WIKI_API} "
                f"(got {self.wiki_api!r})"
            )
        object.__setattr__(self, "helpdesk_url", self.helpdesk_url.rstrip("/"))
        object.__setattr__(self, "tool_url", (self.tool_url or self.helpdesk_url).rstrip("/"))
        _check_http_url("BOT_TOOL_URL", self.tool_url)
        if bool(self.username) != bool(self.password):
            raise ConfigError("set both BOT_USERNAME and BOT_PASSWORD, or neither")
        if self.username and not _valid_username(self.username):
            raise ConfigError(f"BOT_USERNAME {self.username!r} is not a valid user name")
        prefix = self.page_prefix.strip().strip("/")
        if not prefix or _BAD_TITLE.search(prefix):
            raise ConfigError(f"BOT_PAGE_PREFIX {self.page_prefix!r} is not a valid page title")
        object.__setattr__(self, "page_prefix", prefix)
        for name, pattern in (("BOT_CASES_PAGE", self.cases_page),
                              ("BOT_STATUS_PAGE", self.status_page),
                              ("BOT_MEETINGS_PAGE", self.meetings_page)):
            try:
                title = pattern.format(prefix=prefix)
            except (KeyError, IndexError, ValueError) as error:
                raise ConfigError(f"{name} {pattern!r}: only {{prefix}} may be used") from error
            if not title.strip() or _BAD_TITLE.search(title):
                raise ConfigError(f"{name} gives the invalid page title {title!r}")
        try:
            self.group_page.format(prefix=prefix, name="Name", slug="slug")
        except (KeyError, IndexError, ValueError) as error:
            raise ConfigError(
                f"BOT_GROUP_PAGE {self.group_page!r}: only {{prefix}}, {{name}} and {{slug}} "
                "may be used"
            ) from error
        if self.maxlag < 0 or self.throttle < 0 or self.timeout <= 0 or self.max_retries < 0:
            raise ConfigError("BOT_MAXLAG, BOT_THROTTLE, BOT_TIMEOUT, BOT_MAX_RETRIES: bad value")
        if not 1 <= self.per_page <= 1000:
            raise ConfigError("per_page must be between 1 and 1000")
        if not self.languages or not all(_LANGUAGE.match(code) for code in self.languages):
            raise ConfigError(f"BOT_LANGUAGES must be language codes such as en,sv,ar "
                              f"(got {','.join(self.languages)!r})")
        if not self.contact and self.username:
            account = self.username.partition("@")[0].replace(" ", "_")
            object.__setattr__(self, "contact",
                               f"https://meta.wikimedia.org/wiki/User_talk:{account}")

    # -- page titles ----------------------------------------------------------

    @property
    def cases_title(self) -> str:
        """The title of the cases overview page."""
        return normal_title(self.cases_page.format(prefix=self.page_prefix))

    @property
    def status_title(self) -> str:
        """The title of the one-line status page (meant to be transcluded)."""
        return normal_title(self.status_page.format(prefix=self.page_prefix))

    @property
    def meetings_title(self) -> str:
        """The title of the list of committee meetings (each meeting is a subpage of it)."""
        return normal_title(self.meetings_page.format(prefix=self.page_prefix))

    def group_title(self, name: str, slug: str) -> str:
        """The title of a working group's roster page.

        The group's name is used when it makes a plain title MediaWiki keeps as it
        is, in every language (bot.titles); otherwise its slug (which the app keeps
        to [a-z0-9-]).
        """
        suffixes = tuple("" if code == "en" else f"/{code}" for code in self.languages)
        return roster_title(self.group_page, self.page_prefix, name, slug, suffixes)

    @property
    def login_name(self) -> str | None:
        """The name to log in with (a BotPassword name such as HelpdeskBot@sync)."""
        return self.username

    @property
    def account(self) -> str | None:
        """The main account of the bot (the part before @ of a BotPassword name)."""
        return self.username.partition("@")[0] if self.username else None

    @property
    def user_agent(self) -> str:
        """A User-Agent following https://meta.wikimedia.org/wiki/User-Agent_policy."""
        return build_user_agent(BOT_NAME, self.tool_url, self.contact, version=__version__)

    # -- reading the environment ----------------------------------------------

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> BotConfig:
        """Read the configuration from environment variables (see bot/README.md)."""
        env = process_environment() if env is None else env

        def get(name: str, default: str = "") -> str:
            value = env.get(name)
            if value is None or value.strip() == "":
                value = env.get(f"TOOL_{name}")
            if value is None or value.strip() == "":
                return default
            return value.strip()

        helpdesk_url = get("HELPDESK_URL")
        if not helpdesk_url:
            raise ConfigError(
                "HELPDESK_URL is not set: the base URL of the Helpdesk app, e.g. "
                "https://cp-helpdesk.toolforge.org"
            )
        state_file = get("BOT_STATE_FILE")
        if not state_file:
            data_dir = env.get("TOOL_DATA_DIR", "").strip()
            state_file = (str(Path(data_dir) / STATE_FILE_NAME) if data_dir
                          else str(Path("instance") / STATE_FILE_NAME))
        pywikibot_dir = get("BOT_PYWIKIBOT_DIR")
        return cls(
            helpdesk_url=helpdesk_url,
            wiki_api=get("BOT_WIKI_API", DEFAULT_WIKI_API),
            username=get("BOT_USERNAME") or None,
            password=get("BOT_PASSWORD") or None,
            page_prefix=get("BOT_PAGE_PREFIX", DEFAULT_PAGE_PREFIX),
            cases_page=get("BOT_CASES_PAGE", DEFAULT_CASES_PAGE),
            status_page=get("BOT_STATUS_PAGE", DEFAULT_STATUS_PAGE),
            meetings_page=get("BOT_MEETINGS_PAGE", DEFAULT_MEETINGS_PAGE),
            group_page=get("BOT_GROUP_PAGE", DEFAULT_GROUP_PAGE),
            state_file=Path(state_file).expanduser(),
            maxlag=_int(get, "BOT_MAXLAG", DEFAULT_MAXLAG),
            throttle=_float(get, "BOT_THROTTLE", DEFAULT_THROTTLE),
            tool_url=get("BOT_TOOL_URL"),
            contact=get("BOT_CONTACT"),
            timeout=_float(get, "BOT_TIMEOUT", DEFAULT_TIMEOUT),
            max_retries=_int(get, "BOT_MAX_RETRIES", DEFAULT_MAX_RETRIES),
            retry_wait=_float(get, "BOT_RETRY_WAIT", DEFAULT_RETRY_WAIT),
            languages=tuple(code.strip() for code in get("BOT_LANGUAGES").split(",")
                            if code.strip()) or DEFAULT_LANGUAGES,
            pywikibot_dir=Path(pywikibot_dir).expanduser() if pywikibot_dir else None,
        )


def _int(get: Callable[[str], str], name: str, default: int) -> int:
    raw = get(name)
    try:
        return int(raw) if raw else default
    except ValueError as error:
        raise ConfigError(f"{name} must be a whole number (got {raw!r})") from error


def _float(get: Callable[[str], str], name: str, default: float) -> float:
    raw = get(name)
    try:
        return float(raw) if raw else default
    except ValueError as error:
        raise ConfigError(f"{name} must be a number (got {raw!r})") from error


def _check_http_url(name: str, url: str) -> None:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(
        char.isspace() for char in url
    ):
        raise ConfigError(f"{name} must be an http(s) URL (got {url!r})")


def _valid_username(name: str) -> bool:
    return bool(name.strip()) and not _BAD_TITLE.search(name) and ":" not in name


def normal_title(title: str) -> str:
    """A title as MediaWiki stores it: single spaces, no underscores, first letter upper."""
    title = " ".join(title.replace("_", " ").split())
    return title[:1].upper() + title[1:]
