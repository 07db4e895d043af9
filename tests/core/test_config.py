"""The one configuration loader (app/core/config.py): where each setting comes from,
its one default, and that nothing else in app/ or bot/ reads the environment."""

from __future__ import annotations

import ast
import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from app import create_app
from app.core.config import SETTINGS, ConfigError, load_config
from app.notifications.delivery import mail_settings

REPO = Path(__file__).resolve().parents[2]

# The only functions that may name the process environment: the app's loader, and the
# bot's (a separate program, which also hands pywikibot its two variables through it).
ENVIRONMENT_READERS = {
    ("app/core/config.py", "_environment"),
    ("bot/config.py", "process_environment"),
}
_OS_ENVIRONMENT = {"environ", "environb", "getenv", "getenvb", "putenv", "unsetenv"}


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No configuration in the environment, and a home without replica.my.cnf."""
    for name in list(os.environ):
        if name.startswith("TOOL_") or name in SETTINGS or name in (
                "HELPDESK_CONTACT", "DATABASE_URL", "REPLICA_MY_CNF"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path))
    return monkeypatch


@pytest.fixture
def env_app(clean_env: pytest.MonkeyPatch, database_url: str) -> Iterator[Flask]:
    """An app configured by the environment only (as `flask --app app …` is)."""
    clean_env.setenv("HELPDESK_ENV", "testing")
    clean_env.setenv("DATABASE_URL", database_url)
    clean_env.setenv("TOOL_SMTP_PASSWORD", "from-toolforge-envvars")
    clean_env.setenv("SMTP_HOST", "127.0.0.1")
    clean_env.setenv("SMTP_PORT", str(_closed_port()))
    clean_env.setenv("SMTP_STARTTLS", "yes")
    clean_env.setenv("OUTBOX_MAX_ATTEMPTS", "3")
    clean_env.setenv("REMIND_AFTER_DAYS", "2.5")
    application = create_app()
    yield application
    application.extensions["database"].engine.dispose()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# -- where a setting comes from ------------------------------------------------------------

def test_every_setting_has_its_default_when_nothing_is_set(clean_env: pytest.MonkeyPatch) -> None:
    config = load_config()
    for name, setting in SETTINGS.items():
        assert config[name] == setting.default, name
    assert config["DATABASE_URL"].startswith("sqlite:///")
    assert config["HELPDESK_ENV"] == "production"
    assert config["REMIND_AFTER_DAYS"] == 14 and config["EXPIRE_AFTER_DAYS"] == 30


def test_toolforge_envvars_give_the_setting_and_the_plain_name_wins(
    clean_env: pytest.MonkeyPatch,
) -> None:
    clean_env.setenv("TOOL_SECRET_KEY", "t" * 40)
    clean_env.setenv("TOOL_OAUTH_CONSUMER_KEY", "from-tool")
    clean_env.setenv("OAUTH_CONSUMER_KEY", "from-plain")
    clean_env.setenv("TOOL_SMTP_USERNAME", "tool-user")
    clean_env.setenv("SMTP_USERNAME", "")  # empty counts as unset
    clean_env.setenv("TOOL_COMMITTEE_QUORUM", "5")
    config = load_config()
    assert config["SECRET_KEY"] == "t" * 40
    assert config["OAUTH_CONSUMER_KEY"] == "from-plain"
    assert config["SMTP_USERNAME"] == "tool-user"
    assert config["COMMITTEE_QUORUM"] == 5


def test_values_get_their_settings_types(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("HELPDESK_ADMINS", "Admin Demo, Second_Admin ,")
    clean_env.setenv("HELPDESK_CONTACT", "helpdesk@example.org")
    clean_env.setenv("AUDIT_PAGE_SIZE", "20")
    clean_env.setenv("EXPIRE_AFTER_DAYS", "45.5")
    clean_env.setenv("RATELIMIT_ENABLED", "off")
    clean_env.setenv("SMTP_STARTTLS", "TRUE")
    config = load_config()
    assert config["HELPDESK_ADMINS"] == ["Admin Demo", "Second_Admin"]
    assert config["CONTACT"] == "helpdesk@example.org"
    assert config["AUDIT_PAGE_SIZE"] == 20
    assert config["EXPIRE_AFTER_DAYS"] == 45.5
    assert config["RATELIMIT_ENABLED"] is False
    assert config["SMTP_STARTTLS"] is True


@pytest.mark.parametrize("name,value,message", [
    ("DB_POOL_RECYCLE", "soon", "DB_POOL_RECYCLE must be a whole number, not 'soon'"),
    ("REMIND_AFTER_DAYS", "two weeks", "REMIND_AFTER_DAYS must be a number"),
    ("SMTP_STARTTLS", "maybe", "SMTP_STARTTLS must be yes or no"),
    ("TOOL_SMTP_PORT", "twenty-five", "SMTP_PORT must be a whole number"),
])
def test_a_bad_value_stops_the_app_with_its_name(
    clean_env: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    clean_env.setenv(name, value)
    with pytest.raises(ConfigError, match=message):
        load_config()


def test_the_defaults_list_every_documented_variable() -> None:
    """Each variable README's Configuration table names is read by the loader."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    table = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    documented = {name for line in table.splitlines() if line.startswith("| `")
                  for name in _backquoted(line.split("|")[1])}
    read = {setting.env or name for name, setting in SETTINGS.items()}
    read |= {"DATABASE_URL", "TOOL_TOOLSDB_USER", "TOOL_TOOLSDB_PASSWORD",
             "TOOL_TOOLSDB_HOST", "TOOL_TOOLSDB_DATABASE"}
    twins = {f"TOOL_{name}" for name in read} | {"TOOL_OAUTH_…"}
    assert documented - read - twins == set()


def _backquoted(text: str) -> list[str]:
    return [part for index, part in enumerate(text.split("`")) if index % 2]


# -- the jobs read the same configuration ----------------------------------------------------

def test_the_outbox_job_reads_the_loaders_configuration(env_app: Flask) -> None:
    with env_app.app_context():
        settings = mail_settings()
    assert (settings.host, settings.password, settings.starttls, settings.max_attempts) == (
        "127.0.0.1", "from-toolforge-envvars", True, 3)
    assert settings.timeout == SETTINGS["SMTP_TIMEOUT"].default
    assert settings.retry_base_seconds == SETTINGS["OUTBOX_RETRY_BASE_SECONDS"].default
    result = env_app.test_cli_runner().invoke(args=["outbox", "deliver"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == "sent 0, failed 0, gave up 0"


def test_the_sweep_job_reads_the_loaders_configuration(env_app: Flask) -> None:
    assert env_app.config["REMIND_AFTER_DAYS"] == 2.5
    assert env_app.config["EXPIRE_AFTER_DAYS"] == SETTINGS["EXPIRE_AFTER_DAYS"].default
    result = env_app.test_cli_runner().invoke(args=["cases", "sweep"])
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == ["reminded 0: -", "closed 0: -"]


# -- nothing else reads the environment ------------------------------------------------------

def _environment_uses(path: Path) -> Iterator[tuple[str, int]]:
    """(enclosing function, line) of each use of os.environ/os.getenv/… in a module."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    functions: dict[ast.AST, str] = {}
    for node in ast.walk(tree):  # outer functions first: a nested one counts as its outer
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if inner is not node:
                    functions.setdefault(inner, node.name)
    for node in ast.walk(tree):
        if _names_the_environment(node):
            yield functions.get(node, "<module>"), getattr(node, "lineno", 0)


def _names_the_environment(node: ast.AST) -> bool:
    if isinstance(node, ast.Attribute):  # os.environ, os.getenv(…)
        return node.attr in _OS_ENVIRONMENT and isinstance(node.value, ast.Name) \
            and node.value.id == "os"
    if isinstance(node, ast.ImportFrom):  # from os import environ
        return node.module == "os" and any(alias.name in _OS_ENVIRONMENT
                                           for alias in node.names)
    return False


def test_only_the_loaders_read_the_environment() -> None:
    found: set[tuple[str, str, int]] = set()
    for folder in ("app", "bot"):
        for module in sorted((REPO / folder).rglob("*.py")):
            relative = module.relative_to(REPO).as_posix()
            found |= {(relative, function, line) for function, line in _environment_uses(module)}
    assert {(path, function) for path, function, _line in found} <= ENVIRONMENT_READERS, found
    # Each loader names the environment in one place only.
    for path, function in ENVIRONMENT_READERS:
        assert len([hit for hit in found if hit[:2] == (path, function)]) == 1, (path, found)


def test_the_environment_check_sees_what_it_must(tmp_path: Path) -> None:
    module = tmp_path / "sample.py"
    module.write_text("import os\nfrom os import getenv\n\n"
                      "def f():\n    return os.environ.get('X'), os.getenv('Y')\n")
    assert sorted(_environment_uses(module)) == [("<module>", 2), ("f", 5), ("f", 5)]
