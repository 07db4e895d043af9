"""Configuration read from environment variables.

`load_config()` returns a plain dict that `create_app()` applies; tests pass their
own overrides on top. Production is the default: a deployment that forgets to say
otherwise gets secure cookies and refuses to start without a real SECRET_KEY.
"""

from __future__ import annotations

import configparser
import os
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

DEV_SECRET_KEY = "dev-only-not-secret"  # noqa: S105 - a marker that production refuses
DEFAULT_MW_URI = "https://meta.wikimedia.org/w/index.php"
TOOLSDB_HOST = "tools.db.svc.wikimedia.cloud"
INSTANCE_DIR = Path(__file__).resolve().parents[2] / "instance"
# Rate limits (app/ratelimit.py): "amount/period" items separated by ";".
DEFAULT_SIGN_IN_LIMIT = "10/minute;50/hour"  # per client address, /login and /oauth-callback
DEFAULT_FILING_LIMIT = "5/hour;20/day"  # per user, requests filed through "Ask for help"
DEFAULT_EMAIL_INTAKE_LIMIT = "30/hour;200/day"  # per staff member, requests logged from email


class ConfigError(RuntimeError):
    """The configuration is unusable; the message says what to fix."""


def _env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return value if value not in (None, "") else default


def _env_list(name: str) -> list[str]:
    return [part.strip() for part in (_env(name) or "").split(",") if part.strip()]


def _toolsdb_url() -> str | None:
    """ToolsDB URL from `toolforge envvars` (TOOL_TOOLSDB_*) or ~/replica.my.cnf."""
    user = _env("TOOL_TOOLSDB_USER")
    password = _env("TOOL_TOOLSDB_PASSWORD")
    if not user:
        cnf = Path(_env("REPLICA_MY_CNF", str(Path.home() / "replica.my.cnf")) or "")
        if cnf.is_file():
            parser = configparser.ConfigParser(interpolation=None)
            parser.read(cnf)
            if parser.has_section("client"):
                user = parser.get("client", "user", fallback=None)
                password = parser.get("client", "password", fallback=None)
                if user:
                    user = user.strip("'\"")
                if password:
                    password = password.strip("'\"")
    if not user or password is None:
        return None
    host = _env("TOOL_TOOLSDB_HOST", TOOLSDB_HOST)
    name = _env("TOOL_TOOLSDB_DATABASE", f"{user}__helpdesk")
    return (
        f"mysql+pymysql://{quote_plus(user)}:{quote_plus(password)}@{host}/{name}"
        "?charset=utf8mb4"
    )


def database_url() -> str:
    """DATABASE_URL, else ToolsDB credentials, else SQLite under instance/."""
    url = _env("DATABASE_URL") or _toolsdb_url()
    if url:
        return url
    return f"sqlite:///{INSTANCE_DIR / 'helpdesk.sqlite3'}"


def load_config() -> dict[str, Any]:
    """Read the whole configuration from the environment."""
    env = _env("HELPDESK_ENV", "production") or "production"
    return {
        "HELPDESK_ENV": env,
        "SECRET_KEY": _env("SECRET_KEY") or _env("TOOL_SECRET_KEY") or DEV_SECRET_KEY,
        "DATABASE_URL": database_url(),
        "DB_POOL_RECYCLE": int(_env("DB_POOL_RECYCLE", "280") or 280),
        "OAUTH_MWURI": _env("OAUTH_MWURI", DEFAULT_MW_URI),
        "OAUTH_CONSUMER_KEY": _env("OAUTH_CONSUMER_KEY") or _env("TOOL_OAUTH_CONSUMER_KEY"),
        "OAUTH_CONSUMER_SECRET": (
            _env("OAUTH_CONSUMER_SECRET") or _env("TOOL_OAUTH_CONSUMER_SECRET")
        ),
        "HELPDESK_ADMINS": _env_list("HELPDESK_ADMINS"),
        "SOURCE_URL": _env(
            "SOURCE_URL", "https://gitlab.wikimedia.org/toolforge-repos/cp-helpdesk"
        ),
        "CONTACT": _env("HELPDESK_CONTACT", "https://meta.wikimedia.org/wiki/Content_Partnerships_Hub"),
        "AUDIT_PAGE_SIZE": int(_env("AUDIT_PAGE_SIZE", "50") or 50),
        "HELPDESK_URL": _env("HELPDESK_URL", "https://cp-helpdesk.toolforge.org"),
        "COMMITTEE_QUORUM": int(_env("COMMITTEE_QUORUM", "3") or 3),
        "REMIND_AFTER_DAYS": float(_env("REMIND_AFTER_DAYS", "14") or 14),
        "EXPIRE_AFTER_DAYS": float(_env("EXPIRE_AFTER_DAYS", "30") or 30),
        "RATELIMIT_ENABLED": _env("RATELIMIT_ENABLED", "true"),
        "RATELIMIT_STORAGE_URI": _env("RATELIMIT_STORAGE_URI", "memory://"),
        "RATELIMIT_KEY_PREFIX": _env("RATELIMIT_KEY_PREFIX", "helpdesk"),
        "RATELIMIT_SIGN_IN": _env("RATELIMIT_SIGN_IN", DEFAULT_SIGN_IN_LIMIT),
        "RATELIMIT_FILING": _env("RATELIMIT_FILING", DEFAULT_FILING_LIMIT),
        "RATELIMIT_EMAIL_INTAKE": _env("RATELIMIT_EMAIL_INTAKE", DEFAULT_EMAIL_INTAKE_LIMIT),
        # Proxies in front of the app that append to X-Forwarded-For (production only).
        "PROXY_FIX_X_FOR": int(_env("PROXY_FIX_X_FOR", "1") or 1),
    }


def check_production(config: dict[str, Any]) -> None:
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
