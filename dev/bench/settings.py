"""The one place that says how the benchmark configures the app (production mode)."""

from __future__ import annotations

import os
from typing import Any

# Not secrets: a throwaway app on loopback, and the in-repo OAuth stand-in's consumer.
SECRET_KEY = "bench-secret-key-long-enough-for-production-0123456789abcdef"  # noqa: S105
CONSUMER_KEY = "helpdesk-bench-consumer"
CONSUMER_SECRET = "helpdesk-bench-consumer-secret-0123456789"  # noqa: S105
ADMINS = "Admin Demo"
SIGN_IN_AS = "Ngozi Committee"  # a committee member (seeded with the role)
SIGN_IN_CENTRAL_ID = 1002


def app_environment(database_url: str, standin_uri: str) -> dict[str, str]:
    """Environment variables of the served app: production, as on Toolforge."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("OAUTH_", "TOOL_", "HELPDESK_", "DATABASE_", "SECRET_"))}
    env.update({
        "HELPDESK_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "OAUTH_MWURI": standin_uri,
        "OAUTH_CONSUMER_KEY": CONSUMER_KEY,
        "OAUTH_CONSUMER_SECRET": CONSUMER_SECRET,
        "HELPDESK_ADMINS": ADMINS,
    })
    return env


def app_settings(database_url: str, standin_uri: str) -> dict[str, Any]:
    """The same configuration as `create_app()` overrides (for in-process runs)."""
    return {
        "HELPDESK_ENV": "production",
        "SECRET_KEY": SECRET_KEY,
        "DATABASE_URL": database_url,
        "OAUTH_MWURI": standin_uri,
        "OAUTH_CONSUMER_KEY": CONSUMER_KEY,
        "OAUTH_CONSUMER_SECRET": CONSUMER_SECRET,
        "HELPDESK_ADMINS": [ADMINS],
    }
