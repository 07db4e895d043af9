"""Deployment on Toolforge: the Procfile as written, gunicorn.conf.py, service.template,
jobs.yaml, ToolsDB configuration, the connection pool and the User-Agent."""

from __future__ import annotations

import contextlib
import json
import os
import re
import runpy
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus

import pytest
from flask import Flask
from sqlalchemy import make_url, text

from app import create_app
from app.auth.oauth import user_agent
from app.core import schema
from app.core.config import INSTANCE_DIR, TOOLSDB_HOST, database_url, load_config
from app.core.db import CONNECT_TIMEOUT
from bot.config import BotConfig
from dev.standin.server import RunningServer
from tests.conftest import app_config
from tests.private_mariadb import PrivateMariaDB, free_port, private_mariadb
from tests.processes import stop_process_group
from useragent import BOT_CLIENT, WEB_CLIENT
from useragent import user_agent as build_user_agent

REPO = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
BOOT_TIMEOUT = 20.0
TOOLSDB_WAIT_TIMEOUT = 300  # a server that drops idle connections after five minutes


# -- reading the deployment files ---------------------------------------------------

def procfile() -> dict[str, str]:
    """Process type → command, as the build service reads the Procfile."""
    processes: dict[str, str] = {}
    for line in (REPO / "Procfile").read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, _, command = line.partition(":")
        assert re.fullmatch(r"[A-Za-z0-9_-]+", name), f"bad Procfile line {line!r}"
        assert name not in processes, f"{name} appears twice in the Procfile"
        processes[name] = command.strip()
    return processes


def _scalar(raw: str) -> Any:
    value = raw.strip()
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
        return value[1:-1]
    if value in ("true", "false"):
        return value == "true"
    if re.fullmatch(r"-?\d+", value):
        return int(value)
    return value


def _strip_comment(line: str) -> str:
    quote = None
    for index, char in enumerate(line):
        if quote:
            quote = None if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char == "#" and (index == 0 or line[index - 1].isspace()):
            return line[:index].rstrip()
    return line.rstrip()


def simple_yaml(text_: str) -> Any:
    """The YAML subset our Toolforge files use: a flat mapping, or a list of flat
    mappings (PyYAML is not a dependency). Anything else is an error, so that a
    change to the files' shape is noticed here."""
    lines = [(len(line) - len(line.lstrip()), line.strip())
             for line in map(_strip_comment, text_.splitlines()) if line.strip()]
    if lines and lines[0][1].startswith("- "):
        items: list[dict[str, Any]] = []
        for indent, line in lines:
            if indent == 0 and line.startswith("- "):
                items.append({})
                line = line[2:]
            elif indent != 2 or not items:
                raise ValueError(f"unsupported YAML line: {line!r}")
            key, sep, value = line.partition(":")
            if not sep or not value.strip():
                raise ValueError(f"unsupported YAML line: {line!r}")
            items[-1][key.strip()] = _scalar(value)
        return items
    mapping: dict[str, Any] = {}
    for indent, line in lines:
        key, sep, value = line.partition(":")
        if indent or not sep or not value.strip():
            raise ValueError(f"unsupported YAML line: {line!r}")
        mapping[key.strip()] = _scalar(value)
    return mapping


def test_the_tiny_yaml_reader_reads_what_it_claims() -> None:
    assert simple_yaml("# c\na: 1\nb: 'x # y'  # note\nc: true\n") == {
        "a": 1, "b": "x # y", "c": True}
    assert simple_yaml("- name: a\n  schedule: \"*/5 * * * *\"\n- name: b\n") == [
        {"name": "a", "schedule": "*/5 * * * *"}, {"name": "b"}]
    with pytest.raises(ValueError):
        simple_yaml("a:\n  nested: 1\n")


# -- the build service files ----------------------------------------------------------

def test_service_template_runs_a_buildservice_with_a_health_check() -> None:
    service = simple_yaml((REPO / "service.template").read_text())
    assert service["type"] == "buildservice"
    assert service["health-check-path"] == "/healthz"
    assert service["mount"] == "all"  # the files under ATTACHMENTS_DIR are in the home


def test_python_version_is_3_11() -> None:
    assert (REPO / ".python-version").read_text().strip() == "3.11"


def test_procfile_web_process_is_gunicorn_with_its_settings_file() -> None:
    web = procfile()["web"].split()
    assert web[0] == "gunicorn"
    assert web[web.index("-c") + 1] == "gunicorn.conf.py"
    assert "'app:create_app()'" in web
    assert (REPO / "gunicorn.conf.py").is_file()


def gunicorn_settings(monkeypatch: pytest.MonkeyPatch, **env: str) -> dict[str, Any]:
    """gunicorn.conf.py's settings, read as gunicorn reads them, under `env`."""
    monkeypatch.delenv("PORT", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(REPO / "gunicorn.conf.py"))


def test_gunicorn_listens_on_port_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    settings = gunicorn_settings(monkeypatch, PORT="8123")
    assert settings["bind"] == "0.0.0.0:8123"  # the build service says where to listen
    assert settings["workers"] == 2
    assert settings["accesslog"] == "-"  # standard output
    assert settings["wsgi_app"] == "app:create_app()"
    assert gunicorn_settings(monkeypatch)["bind"] == "0.0.0.0:8000"


def test_jobs_are_the_migration_the_workers_and_the_bot() -> None:
    jobs = {job["name"]: job for job in simple_yaml((REPO / "toolforge/jobs.yaml").read_text())}
    processes = procfile()
    assert {"migrate", "outbox", "sweep", "mirror-bot"} <= set(jobs)
    for name, job in jobs.items():
        assert job["command"] in processes, f"{name}: {job['command']!r} is no Procfile type"
        assert job["command"] != "web"
        assert job.get("image"), f"{name} needs the tool's image"
    assert jobs["mail"].get("mount") == "all"  # it keeps emailed files under ATTACHMENTS_DIR
    assert jobs["outbox"].get("mount") == "all"  # it attaches a message's files to its email
    assert jobs["migrate"].get("wait") is True  # a one-off that `jobs load` waits for
    assert "schedule" not in jobs["migrate"] and not jobs["migrate"].get("continuous")
    for name in ("outbox", "sweep", "mirror-bot"):
        fields = str(jobs[name].get("schedule", "")).split()
        assert len(fields) == 5, f"{name} needs a cron schedule"
    minute, *rest = str(jobs["mirror-bot"]["schedule"]).split()
    assert re.fullmatch(r"[0-5]?\d", minute) and rest == ["*", "*", "*", "*"]  # hourly


def test_every_job_command_exists(app: Flask) -> None:
    """Each job's Procfile line names a command the app (or the bot) really has."""
    runner = app.test_cli_runner()
    for name, command in procfile().items():
        if " && flask --app app " in command:  # a shell line around one flask command
            command = "flask --app app " + command.split(" && flask --app app ")[1]
            command = " ".join(command.split(" && ")[0].split()[:4])  # its arguments aside
        words = command.split()
        if words[:3] == ["flask", "--app", "app"]:
            result = runner.invoke(args=[*words[3:], "--help"])
            assert result.exit_code == 0, f"{name}: {command}\n{result.output}"
        elif words[:2] == ["python", "-m"]:
            result_ = subprocess.run(
                [sys.executable, *words[1:], "--help"], cwd=REPO, capture_output=True,
                timeout=60, check=False,
            )
            assert result_.returncode == 0, f"{name}: {command}\n{result_.stderr!r}"
        else:
            assert name == "web", f"unexpected Procfile command {command!r}"


# -- the Procfile's web command, as written ---------------------------------------------

def production_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The environment of a Toolforge web container (no inherited configuration)."""
    env = {
        "PATH": f"{VENV_BIN}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "HOME": str(tmp_path),  # no ~/replica.my.cnf here
        "LANG": "C.UTF-8",
        "PYTHONUNBUFFERED": "1",
        "HELPDESK_ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "OAUTH_CONSUMER_KEY": "0123456789abcdef0123456789abcdef",
        "OAUTH_CONSUMER_SECRET": "fedcba9876543210fedcba9876543210fedcba98",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'toolforge.sqlite3'}",
    }
    env.update(extra)
    return env


@contextlib.contextmanager
def procfile_process(
    name: str, env: dict[str, str], logs: Path
) -> Iterator[subprocess.Popen[bytes]]:
    """Run a Procfile line with bash, from the repository; end its process group."""
    out, err = (logs / f"{name}.out").open("wb"), (logs / f"{name}.err").open("wb")
    process = subprocess.Popen(
        ["bash", "-c", procfile()[name]], cwd=REPO, env=env, stdin=subprocess.DEVNULL,
        stdout=out, stderr=err, start_new_session=True,
    )
    try:
        yield process
    finally:
        stop_process_group(process, grace=15)
        out.close()
        err.close()


def _get_json(url: str) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read() or b"null")


def test_procfile_web_command_serves_and_logs_all_but_healthz(tmp_path: Path) -> None:
    """The Procfile's web line as written, on a free port: /healthz and / answer, and
    the access log on standard output has / but not the health check."""
    port = free_port()
    env = production_env(tmp_path, PORT=str(port))
    # The database is migrated by the Procfile's own `migrate` line (the one-off job).
    with procfile_process("migrate", env, tmp_path) as migrate:
        assert migrate.wait(timeout=60) == 0, (tmp_path / "migrate.err").read_text()[-3000:]

    with procfile_process("web", env, tmp_path) as web:
        deadline = time.monotonic() + BOOT_TIMEOUT
        answer: tuple[int, Any] | None = None
        while time.monotonic() < deadline:
            assert web.poll() is None, (tmp_path / "web.err").read_text()[-3000:]
            try:
                answer = _get_json(f"http://127.0.0.1:{port}/healthz")
                break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.2)
        assert answer is not None, "gunicorn did not answer within 20 s:\n" + (
            tmp_path / "web.err").read_text()[-3000:]
        status, body = answer
        assert status == 200, body
        assert body["status"] == "ok"
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5) as home:
            assert home.status == 200
        _get_json(f"http://127.0.0.1:{port}/healthz")
    assert web.returncode is not None  # the whole process group is gone
    assert "gunicorn" in (tmp_path / "web.err").read_text().lower()
    access_log = (tmp_path / "web.out").read_text()
    assert re.search(r'"GET / HTTP/1\.1" 200 ', access_log), access_log[-2000:]
    assert "/healthz" not in access_log, access_log[-2000:]
    assert "/healthz" not in (tmp_path / "web.err").read_text()


def test_procfile_web_command_refuses_to_boot_without_a_secret_key(tmp_path: Path) -> None:
    env = production_env(tmp_path, PORT=str(free_port()))
    del env["SECRET_KEY"]
    schema.upgrade(env["DATABASE_URL"])
    with procfile_process("web", env, tmp_path) as web:
        try:
            code = web.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pytest.fail("gunicorn kept running without a SECRET_KEY")
    assert code != 0
    stderr = (tmp_path / "web.err").read_text()
    assert "SECRET_KEY is not set to a real secret" in stderr
    assert "toolforge envvars create TOOL_SECRET_KEY" in stderr


# -- ToolsDB configuration ------------------------------------------------------------------

@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No database configuration in the environment, and a home without replica.my.cnf."""
    for name in ("DATABASE_URL", "TOOL_TOOLSDB_USER", "TOOL_TOOLSDB_PASSWORD",
                 "TOOL_TOOLSDB_HOST", "TOOL_TOOLSDB_DATABASE", "REPLICA_MY_CNF",
                 "DB_POOL_RECYCLE"):
        monkeypatch.delenv(name, raising=False)
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    return monkeypatch


def _toolsdb(user: str, password: str) -> str:
    return (f"mysql+pymysql://{user}:{quote_plus(password)}@{TOOLSDB_HOST}/"
            f"{user}__helpdesk?charset=utf8mb4")


def test_toolsdb_from_envvars(clean_env: pytest.MonkeyPatch) -> None:
    password = "p@ss:w/rd%20#&?'"
    clean_env.setenv("TOOL_TOOLSDB_USER", "s12345")
    clean_env.setenv("TOOL_TOOLSDB_PASSWORD", password)
    url = database_url()
    assert url == _toolsdb("s12345", password)
    parsed = make_url(url)
    assert (parsed.username, parsed.password, parsed.host, parsed.database) == (
        "s12345", password, "tools.db.svc.wikimedia.cloud", "s12345__helpdesk")
    assert parsed.query["charset"] == "utf8mb4"
    assert load_config()["DATABASE_URL"] == url


REPLICA_MY_CNF = "[client]\nuser = s12345\npassword = 'abc'\n"


def test_toolsdb_from_replica_my_cnf(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cnf = tmp_path / "replica.my.cnf"
    cnf.write_text(REPLICA_MY_CNF)
    clean_env.setenv("REPLICA_MY_CNF", str(cnf))
    assert database_url() == _toolsdb("s12345", "abc")


def test_toolsdb_from_replica_my_cnf_in_the_tools_home(clean_env: pytest.MonkeyPatch) -> None:
    (Path(os.environ["HOME"]) / "replica.my.cnf").write_text(
        "[client]\nuser = s54321\npassword = 'x%y:z'\n")
    assert database_url() == _toolsdb("s54321", "x%y:z")


def test_toolsdb_host_and_database_can_be_named(clean_env: pytest.MonkeyPatch) -> None:
    clean_env.setenv("TOOL_TOOLSDB_USER", "s12345")
    clean_env.setenv("TOOL_TOOLSDB_PASSWORD", "abc")
    clean_env.setenv("TOOL_TOOLSDB_HOST", "db.example")
    clean_env.setenv("TOOL_TOOLSDB_DATABASE", "s12345__other")
    assert database_url() == "mysql+pymysql://s12345:abc@db.example/s12345__other?charset=utf8mb4"


def test_database_url_wins_over_toolsdb(clean_env: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cnf = tmp_path / "replica.my.cnf"
    cnf.write_text(REPLICA_MY_CNF)
    clean_env.setenv("REPLICA_MY_CNF", str(cnf))
    clean_env.setenv("TOOL_TOOLSDB_USER", "s12345")
    clean_env.setenv("TOOL_TOOLSDB_PASSWORD", "abc")
    clean_env.setenv("DATABASE_URL", "mysql+pymysql://me:pw@elsewhere/mine?charset=utf8mb4")
    assert database_url() == "mysql+pymysql://me:pw@elsewhere/mine?charset=utf8mb4"


def test_without_configuration_the_database_is_sqlite_in_instance(
    clean_env: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    clean_env.setenv("REPLICA_MY_CNF", str(tmp_path / "missing.cnf"))
    assert INSTANCE_DIR == REPO / "instance"
    assert database_url() == f"sqlite:///{REPO / 'instance' / 'helpdesk.sqlite3'}"
    clean_env.delenv("REPLICA_MY_CNF")  # and no ~/replica.my.cnf either
    assert database_url().startswith("sqlite:///")


# -- the connection pool on MariaDB -------------------------------------------------------

@pytest.fixture(scope="module")
def toolsdb_like() -> Iterator[PrivateMariaDB]:
    """A private MariaDB that, like a busy shared server, drops idle connections."""
    with private_mariadb(wait_timeout=TOOLSDB_WAIT_TIMEOUT) as server:
        server.create_database("helpdesk")
        yield server


def _server_wait_timeout(application: Flask) -> int:
    with application.extensions["database"].engine.connect() as conn:
        return int(conn.scalar(text("SELECT @@GLOBAL.wait_timeout")))


def test_pool_recycles_below_the_servers_wait_timeout(
    toolsdb_like: PrivateMariaDB, standin: RunningServer, clean_env: pytest.MonkeyPatch
) -> None:
    application = create_app(app_config(toolsdb_like.url("helpdesk"), standin))
    engine = application.extensions["database"].engine
    try:
        assert engine.pool._pre_ping is True
        assert engine.pool._recycle == 280  # the default
        assert _server_wait_timeout(application) == TOOLSDB_WAIT_TIMEOUT
        assert engine.pool._recycle < _server_wait_timeout(application)
        raw = engine.raw_connection()
        try:
            assert raw.driver_connection.connect_timeout == CONNECT_TIMEOUT  # type: ignore[union-attr]
        finally:
            raw.close()
    finally:
        engine.dispose()


def test_db_pool_recycle_is_honoured(
    toolsdb_like: PrivateMariaDB, standin: RunningServer, clean_env: pytest.MonkeyPatch
) -> None:
    clean_env.setenv("DB_POOL_RECYCLE", "1")
    application = create_app(app_config(toolsdb_like.url("helpdesk"), standin))
    engine = application.extensions["database"].engine
    try:
        assert application.config["DB_POOL_RECYCLE"] == 1
        assert engine.pool._recycle == 1

        def connection_id() -> int:
            with engine.connect() as conn:
                return int(conn.scalar(text("SELECT CONNECTION_ID()")))

        first = connection_id()
        assert connection_id() == first  # reused while young
        time.sleep(1.2)
        assert connection_id() != first  # replaced once older than DB_POOL_RECYCLE
    finally:
        engine.dispose()


def test_the_test_database_pool_fits_its_server(app: Flask, database_url: str) -> None:
    """On the suite's own database: pre-ping always; on MariaDB a recycle time below
    that server's wait_timeout (read only: the shared server is never changed)."""
    engine = app.extensions["database"].engine
    assert engine.pool._pre_ping is True
    if engine.dialect.name == "mysql":
        assert engine.pool._recycle < _server_wait_timeout(app)
    else:
        assert engine.dialect.name == "sqlite"
        assert engine.pool._recycle == -1  # a file needs no recycling


# -- the User-Agent ------------------------------------------------------------------------

UA_POLICY = re.compile(
    r"^(?P<name>[A-Za-z][\w.-]*)/(?P<version>[\w.-]+) "
    r"\((?P<url>https?://[^\s;()]+); (?P<contact>[^()]+)\)"
    r"(?: [\w.-]+/[\w.-]+)*$"
)


def test_user_agent_follows_the_wikimedia_policy(app: Flask) -> None:
    with app.app_context():
        agent = user_agent()
    match = UA_POLICY.match(agent)
    assert match, agent
    assert match["url"] == app.config["SOURCE_URL"]
    assert match["contact"] == app.config["CONTACT"]
    assert "@" in match["contact"] or match["contact"].startswith("https://")


def test_user_agent_names_the_configured_source_and_contact(
    database_url: str, standin: RunningServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_URL", "https://gitlab.wikimedia.org/toolforge-repos/other")
    monkeypatch.setenv("HELPDESK_CONTACT", "helpdesk@example.org")
    application = create_app(app_config(database_url, standin))
    try:
        with application.app_context():
            agent = user_agent()
        match = UA_POLICY.match(agent)
        assert match, agent
        assert match["url"] == "https://gitlab.wikimedia.org/toolforge-repos/other"
        assert match["contact"] == "helpdesk@example.org"
    finally:
        application.extensions["database"].engine.dispose()


def test_the_bot_and_the_app_build_their_user_agents_in_one_place(app: Flask) -> None:
    """useragent.user_agent() builds both: the app's (OAuth calls) and the bot's (its
    reads of the app's API and pywikibot's requests to the wiki)."""
    with app.app_context():
        web = user_agent()
    assert web.startswith(build_user_agent(WEB_CLIENT, app.config["SOURCE_URL"],
                                           app.config["CONTACT"]) + " mwoauth/")
    bot = BotConfig.from_env({"HELPDESK_URL": "https://cp-helpdesk.toolforge.org",
                              "BOT_USERNAME": "HelpdeskBot@sync", "BOT_PASSWORD": "x"})
    match = UA_POLICY.match(bot.user_agent)
    assert match, bot.user_agent
    assert match["name"] == BOT_CLIENT
    assert match["url"] == "https://cp-helpdesk.toolforge.org"
    assert match["contact"] == "https://meta.wikimedia.org/wiki/User_talk:HelpdeskBot"
    mailed = BotConfig.from_env({"HELPDESK_URL": "https://cp-helpdesk.toolforge.org",
                                 "BOT_CONTACT": "helpdesk@example.org"})
    assert mailed.user_agent == build_user_agent(
        BOT_CLIENT, "https://cp-helpdesk.toolforge.org", "helpdesk@example.org",
        version=match["version"])


def test_no_other_code_writes_a_user_agent() -> None:
    """Only useragent.py spells out a User-Agent; app/ and bot/ call it."""
    pattern = re.compile(r"ContentPartnershipsHelpdesk\w*/|f\"\{[A-Z_]+\}/\{")
    offenders = [path.relative_to(REPO).as_posix()
                 for folder in ("app", "bot") for path in (REPO / folder).rglob("*.py")
                 if pattern.search(path.read_text(encoding="utf-8"))]
    assert offenders == []
