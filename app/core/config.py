"""The one configuration loader: the web app and every job (`flask --app app …`).

`load_config()` reads the process environment once, when `create_app()` runs, and
returns a plain dict the app applies; tests pass their own overrides on top. Every
setting, with its default, is declared once in `SETTINGS`; nothing else in `app/`
reads the environment, and code that needs a setting reads `current_app.config`.

Where a setting comes from, later sources winning (an empty value counts as unset):

1. its default in `SETTINGS`;
2. for the ToolsDB credentials only, when no `TOOL_TOOLSDB_USER` is set: the
   `[client]` section of `~/replica.my.cnf` (or the file `REPLICA_MY_CNF` names),
   read with Flask's `Config.from_file`;
3. `toolforge envvars`: `TOOL_<NAME>` gives `<NAME>` (Flask's
   `Config.from_prefixed_env("TOOL")`), e.g. `TOOL_SECRET_KEY`,
   `TOOL_OAUTH_CONSUMER_KEY`, `TOOL_SMTP_PASSWORD`, `TOOL_TOOLSDB_USER`;
4. the variable `<NAME>` itself (`SECRET_KEY`, `SMTP_HOST`, `HELPDESK_ADMINS`, …).

Each value is converted to its setting's type; one that cannot be stops the app at
start with a `ConfigError` naming the variable. Production is the default: a
deployment that forgets to say otherwise gets secure cookies and refuses to start
without a real SECRET_KEY.
"""

from __future__ import annotations

import configparser
import copy
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote_plus

from flask import Config

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - a marker that production refuses
DEFAULT_MW_URI = "https://meta.wikimedia.org/w/index.php"
DEFAULT_MAIL_FROM = "Content Partnerships Helpdesk <tools.cp-helpdesk@toolforge.org>"
TOOLSDB_HOST = "tools.db.svc.wikimedia.cloud"
ROOT_DIR = Path(__file__).resolve().parents[2]
INSTANCE_DIR = ROOT_DIR / "instance"
# Rate limits (app/core/ratelimit.py): "amount/period" items separated by ";".
DEFAULT_SIGN_IN_LIMIT = "10/minute;50/hour"  # per client address, /login and /oauth-callback
DEFAULT_FILING_LIMIT = "5/hour;20/day"  # per user, requests filed through "Ask for help"
DEFAULT_EMAIL_INTAKE_LIMIT = "30/hour;200/day"  # per staff member, requests logged from email
# Attachments of incoming mail that are kept (by file extension); others are listed, not kept.
DEFAULT_ATTACHMENT_TYPES = ["pdf", "jpg", "jpeg", "png", "gif", "webp", "tif", "tiff", "txt",
                            "csv", "tsv", "json", "xml", "odt", "ods", "odp", "doc", "docx",
                            "xls", "xlsx", "ppt", "pptx", "zip"]

_TRUE = ("1", "true", "yes", "on")
_FALSE = ("0", "false", "no", "off")


class ConfigError(RuntimeError):
    """The configuration is unusable; the message says what to fix."""


def flag(value: object) -> bool:
    """A yes/no setting: a bool, or one of 1/true/yes/on, 0/false/no/off (any case)."""
    if isinstance(value, str):
        word = value.strip().lower()
        if word in _TRUE:
            return True
        if word in _FALSE:
            return False
        raise ValueError(f"not a yes/no value: {value!r}")
    return bool(value)


def _names(value: str) -> list[str]:
    """A comma-separated list (HELPDESK_ADMINS)."""
    return [part.strip() for part in value.split(",") if part.strip()]


@dataclass(frozen=True)
class Setting:
    """One setting: its default, how to read its variable, and the variable's name."""

    default: Any
    parse: Callable[[str], Any] = str
    env: str | None = None  # the variable, when it is not named like the setting


# Every setting the app and its jobs read, with its one default (README: Configuration).
SETTINGS: dict[str, Setting] = {
    "HELPDESK_ENV": Setting("production"),
    "SECRET_KEY": Setting(DEV_SECRET_KEY),
    "DB_POOL_RECYCLE": Setting(280, int),
    "OAUTH_MWURI": Setting(DEFAULT_MW_URI),
    "OAUTH_CONSUMER_KEY": Setting(None),
    "OAUTH_CONSUMER_SECRET": Setting(None),
    "HELPDESK_ADMINS": Setting([], _names),
    "SOURCE_URL": Setting("https://gitlab.wikimedia.org/toolforge-repos/cp-helpdesk"),
    "CONTACT": Setting("https://meta.wikimedia.org/wiki/Content_Partnerships_Hub",
                       env="HELPDESK_CONTACT"),
    "AUDIT_PAGE_SIZE": Setting(50, int),
    "HELPDESK_URL": Setting("https://cp-helpdesk.toolforge.org"),
    # Cases the helpdesk supports at once; approved cases wait in the committee's ranked
    # queue (/committee/queue, app/queue/) beyond it.
    "SUPPORT_CAPACITY": Setting(3, int),
    "COMMITTEE_QUORUM": Setting(3, int),
    # When conflicts leave fewer members than the quorum, a case's quorum falls to the
    # members left, never below this (app/committee/votes.py).
    "COMMITTEE_MIN_QUORUM": Setting(2, int),
    # Others' votes on a case: shown to a member once they have voted, or always.
    "COMMITTEE_VOTES_VISIBLE": Setting("after_voting"),  # after_voting | always
    # Committee members get a meeting's agenda by email this many days before it
    # (`flask --app app meetings agendas`, app/meetings/).
    "MEETING_AGENDA_DAYS_BEFORE": Setting(3.0, float),
    # The sweep (`flask --app app cases sweep`).
    "REMIND_AFTER_DAYS": Setting(14.0, float),
    "EXPIRE_AFTER_DAYS": Setting(30.0, float),
    # The outbox (`flask --app app outbox deliver`).
    "SMTP_HOST": Setting("localhost"),
    "SMTP_PORT": Setting(25, int),
    "SMTP_USERNAME": Setting(None),
    "SMTP_PASSWORD": Setting(None),
    "SMTP_STARTTLS": Setting(False, flag),
    "SMTP_TIMEOUT": Setting(10.0, float),
    "MAIL_FROM": Setting(DEFAULT_MAIL_FROM),
    "OUTBOX_MAX_ATTEMPTS": Setting(8, int),
    "OUTBOX_RETRY_BASE_SECONDS": Setting(60, int),
    # How long a delivery run holds the rows it claimed; a crashed run's rows wait this long.
    "OUTBOX_LEASE_SECONDS": Setting(300, int),
    # Rate limits.
    "RATELIMIT_ENABLED": Setting(True, flag),
    "RATELIMIT_STORAGE_URI": Setting("memory://"),
    "RATELIMIT_KEY_PREFIX": Setting("helpdesk"),
    "RATELIMIT_SIGN_IN": Setting(DEFAULT_SIGN_IN_LIMIT),
    "RATELIMIT_FILING": Setting(DEFAULT_FILING_LIMIT),
    "RATELIMIT_EMAIL_INTAKE": Setting(DEFAULT_EMAIL_INTAKE_LIMIT),
    # Proxies in front of the app that append to X-Forwarded-For (production only).
    "PROXY_FIX_X_FOR": Setting(1, int),
    # Request sizes in bytes (a bigger request gets a 413): a whole form; one text field of
    # a multipart form; parts of a multipart form. Attachments will have their own limit.
    "MAX_CONTENT_LENGTH": Setting(1024 * 1024, int),
    "MAX_FORM_MEMORY_SIZE": Setting(512 * 1024, int),
    "MAX_FORM_PARTS": Setting(1000, int),
    # Strict-Transport-Security from the app, production only; 0: not sent, as Toolforge's
    # front proxy sends it for every tool (see app/core/security.py).
    "HSTS_MAX_AGE": Setting(0, int),
    # The helpdesk mailbox, read over IMAP by `flask --app app mail fetch` (app/mail/).
    "IMAP_HOST": Setting(None),
    "IMAP_PORT": Setting(993, int),  # 993: TLS from the start; 143: STARTTLS (when IMAP_SSL)
    "IMAP_USERNAME": Setting(None),
    "IMAP_PASSWORD": Setting(None),
    "IMAP_MAILBOX": Setting("INBOX"),
    "IMAP_PROCESSED_MAILBOX": Setting("Processed"),  # read messages are moved there
    "IMAP_SSL": Setting(True, flag),
    "IMAP_TIMEOUT": Setting(30.0, float),
    # The address requesters write to (Reply-To of the emails about a case); unset: the
    # IMAP username when it is an address.
    "HELPDESK_EMAIL": Setting(None),
    "MAIL_PLUS_ADDRESSING": Setting(False, flag),  # Reply-To helpdesk+CPH-2026-0042@…
    "MAIL_MAX_MESSAGE_BYTES": Setting(25 * 1024 * 1024, int),  # larger: refused politely
    "MAIL_MAX_ATTACHMENT_BYTES": Setting(10 * 1024 * 1024, int),  # larger: not kept
    "MAIL_ATTACHMENT_TYPES": Setting(DEFAULT_ATTACHMENT_TYPES, _names),  # file extensions
    "MAIL_SENDER_LIMIT": Setting(10, int),  # messages a sender may send an hour; more: held
    "MAIL_FETCH_BATCH": Setting(500, int),  # messages read in one run at most
    "MAIL_CLAIM_DAYS": Setting(180, int),  # how long the link to claim a request works
    "ATTACHMENTS_DIR": Setting(str(INSTANCE_DIR / "attachments")),  # private, never served
    # Checklist steps verified on the wikis and the impact follow-up (app/wikicheck/).
    "COMMONS_API": Setting("https://commons.wikimedia.org/w/api.php"),
    "WIKIDATA_API": Setting("https://www.wikidata.org/w/api.php"),
    "PAGEVIEWS_API": Setting("https://wikimedia.org/api/rest_v1"),
    "WIKI_TIMEOUT": Setting(20.0, float),
    "WIKI_MAX_REQUESTS": Setting(100, int),  # per check or snapshot of one case
    "ACCEPTED_LICENCE_CATEGORIES": Setting(["CC-Zero", "CC-PD-Mark", "CC-BY-4.0",
                                            "CC-BY-SA-4.0", "CC-BY-3.0", "CC-BY-SA-3.0"], _names),
    "LICENCE_SAMPLE_FILES": Setting(200, int),  # files whose licence a check reads at most
    "TEST_BATCH_MIN_FILES": Setting(10, int),
    # P31 classes that make a Wikidata item an organisation.
    "ORGANISATION_CLASSES": Setting(["Q43229", "Q33506", "Q207694", "Q7075", "Q3918",
                                     "Q484652", "Q163740", "Q2659904", "Q4830453",
                                     "Q327333"], _names),
    "IMPACT_FILE_CAP": Setting(10000, int),  # more files are shown as "10,000+"
    "IMPACT_CATEGORY_DEPTH": Setting(2, int),  # subcategory levels counted
    "IMPACT_VIEWS_MAX_PAGES": Setting(100, int),  # pages whose views a snapshot asks for
    # Files people add to a request or a message (app/attachments/): at most this many
    # bytes each, this many at a time, of these kinds (file extensions).
    "ATTACHMENT_MAX_BYTES": Setting(10 * 1024 * 1024, int),
    "ATTACHMENT_MAX_FILES": Setting(5, int),
    "ATTACHMENT_TYPES": Setting(DEFAULT_ATTACHMENT_TYPES, _names),
}

# Variables read besides the settings': the database (`DATABASE_URL`, else ToolsDB,
# else SQLite) and where replica.my.cnf is. The TOOLSDB_* ones come as TOOL_TOOLSDB_*.
_OTHER_VARIABLES = ("DATABASE_URL", "REPLICA_MY_CNF")
_TYPE_NAMES = {int: "a whole number", float: "a number", flag: "yes or no (true/false)"}


def _environment() -> Mapping[str, str]:
    """The process environment (the one place `app/` reads it)."""
    return os.environ


def _variables() -> dict[str, str]:
    """The non-empty configuration variables, by name without the TOOL_ prefix."""
    tool = Config(str(ROOT_DIR))
    tool.from_prefixed_env("TOOL", loads=str)  # toolforge envvars: TOOL_X gives X
    found = {name: value for name, value in tool.items() if isinstance(value, str) and value}
    wanted = {setting.env or name for name, setting in SETTINGS.items()}
    wanted.update(_OTHER_VARIABLES)
    found.update({name: value for name, value in _environment().items()
                  if name in wanted and value})
    if not found.get("TOOLSDB_USER"):
        found.update(_replica_my_cnf(found))
    return found


def _read_cnf(stream: IO[str]) -> dict[str, str]:
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_file(stream)
    if not parser.has_section("client"):
        return {}
    found = {}
    for key, name in (("user", "TOOLSDB_USER"), ("password", "TOOLSDB_PASSWORD")):
        value = parser.get("client", key, fallback=None)
        if value is not None:
            found[name] = value.strip("'\"")
    return found


def _replica_my_cnf(variables: Mapping[str, str]) -> dict[str, str]:
    """ToolsDB credentials from ~/replica.my.cnf (or REPLICA_MY_CNF), if it is there."""
    path = variables.get("REPLICA_MY_CNF") or str(Path.home() / "replica.my.cnf")
    cnf = Config(str(ROOT_DIR))
    try:
        cnf.from_file(path, load=_read_cnf, silent=True)
    except OSError:  # unreadable: as if it were absent
        return {}
    return dict(cnf)


def _toolsdb_url(variables: Mapping[str, str]) -> str | None:
    user = variables.get("TOOLSDB_USER")
    password = variables.get("TOOLSDB_PASSWORD")
    if not user or password is None:
        return None
    host = variables.get("TOOLSDB_HOST") or TOOLSDB_HOST
    name = variables.get("TOOLSDB_DATABASE") or f"{user}__helpdesk"
    return (
        f"mysql+pymysql://{quote_plus(user)}:{quote_plus(password)}@{host}/{name}"
        "?charset=utf8mb4"
    )


def _database_url(variables: Mapping[str, str]) -> str:
    url = variables.get("DATABASE_URL") or _toolsdb_url(variables)
    if url:
        return url
    return f"sqlite:///{INSTANCE_DIR / 'helpdesk.sqlite3'}"


def database_url() -> str:
    """DATABASE_URL, else ToolsDB credentials, else SQLite under instance/."""
    return _database_url(_variables())


def _value(name: str, setting: Setting, variables: Mapping[str, str]) -> Any:
    variable = setting.env or name
    raw = variables.get(variable)
    if raw is None:
        return copy.copy(setting.default)
    try:
        return setting.parse(raw)
    except ValueError as exc:
        kind = _TYPE_NAMES.get(setting.parse, "a valid value")
        raise ConfigError(f"{variable} must be {kind}, not {raw!r}.") from exc


def load_config() -> dict[str, Any]:
    """Read the whole configuration from the environment (see the module's docstring)."""
    variables = _variables()
    config = {name: _value(name, setting, variables) for name, setting in SETTINGS.items()}
    config["DATABASE_URL"] = _database_url(variables)
    return config


def check_production(config: Mapping[str, Any]) -> None:
    """Refuse to run production with development secrets."""
    if config.get("HELPDESK_ENV") != "production":
        return
    key = config.get("SECRET_KEY") or ""
    if key == DEV_SECRET_KEY or len(key) < 32:
        raise ConfigError(
            "SECRET_KEY is not set to a real secret. In production set SECRET_KEY "
            "(or TOOL_SECRET_KEY with `toolforge envvars create TOOL_SECRET_KEY`) to a "
            "random string of at least 32 characters, e.g. the output of "
            "`python3 -c 'import secrets; print(secrets.token_urlsafe(48))'`. "
            "For local development set HELPDESK_ENV=development."
        )
    if not config.get("OAUTH_CONSUMER_KEY") or not config.get("OAUTH_CONSUMER_SECRET"):
        raise ConfigError(
            "OAUTH_CONSUMER_KEY and OAUTH_CONSUMER_SECRET must be set in production "
            "(register an identify-only OAuth 1.0a consumer on Meta-Wiki)."
        )
