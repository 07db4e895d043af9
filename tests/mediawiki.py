"""A throwaway, real MediaWiki for integration tests, served on loopback.

`start_wiki(tmp_dir)` installs Debian's `mediawiki` package (see
`dev/system-packages.sh`) into a temporary folder: SQLite database,
LocalSettings.php, caches and logs all live under `tmp_dir`; nothing is written
to /etc, /var/lib or /usr/share. The wiki is served by `php -S` on a free
127.0.0.1 port; the PHP processes find the temporary LocalSettings.php through
the `MW_CONFIG_FILE` environment variable (Debian's own
/usr/share/mediawiki/LocalSettings.php is a dangling symlink until a real wiki
is configured, so every PHP process needs it).

Accounts made for the tests:

- `Admin` (sysop, bureaucrat), password `admin_password`;
- `HelpdeskBot` (group bot) with the BotPassword `HelpdeskBot@sync` (grants basic,
  highvolume, editpage, createeditmovepage), password `bot_password`;
- `HumanEditor`, an ordinary user, password `human_password`.

All output of the PHP processes is kept in `tmp_dir/logs/`.
"""

from __future__ import annotations

import atexit
import os
import secrets
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import IO, Any

import requests

from tests.processes import stop_process_group

MEDIAWIKI_DIR = Path("/usr/share/mediawiki")
SITE_NAME = "Helpdesk Test Wiki"
ADMIN_USERNAME = "Admin"
BOT_ACCOUNT = "HelpdeskBot"
BOT_APP_ID = "sync"
BOT_GRANTS = ("basic", "highvolume", "editpage", "createeditmovepage")
HUMAN_USERNAME = "HumanEditor"
START_TIMEOUT = 60.0
MAINTENANCE_TIMEOUT = 120.0
HTTP_TIMEOUT = 30.0

# PHP settings of every PHP process: errors go to a log file, never into the
# HTTP response (a PHP notice in front of the JSON would break API clients);
# opcache makes each request several times faster under `php -S`.
PHP_INI = ("-d", "display_errors=0", "-d", "log_errors=1", "-d", "opcache.enable_cli=1")

EXTRA_SETTINGS = r"""
# ---- Added by tests/mediawiki.py: a throwaway wiki for integration tests ----
$wgEnableAPI = true;          # ignored since 1.32 (always on); kept for old versions
$wgEnableWriteAPI = true;     # idem
$wgEnableBotPasswords = true;

# Tests log in and edit quickly: no rate limits or throttles.
$wgRateLimits = [];
$wgGroupPermissions['*']['noratelimit'] = true;
$wgPasswordAttemptThrottle = [];
$wgAccountCreationThrottle = [];
$wgGroupPermissions['*']['createaccount'] = true;
$wgGroupPermissions['*']['edit'] = true;

# No email at all.
$wgEnableEmail = false;
$wgEnableUserEmail = false;
$wgEmailAuthentication = false;
$wgEmailConfirmToEdit = false;
$wgEnotifUserTalk = false;
$wgEnotifWatchlist = false;

# Caches: nothing in memory (there is no memcached/APCu); sessions in the DB.
$wgMainCacheType = CACHE_NONE;
$wgSessionCacheType = CACHE_DB;
$wgMessageCacheType = CACHE_DB;
$wgParserCacheType = CACHE_DB;
$wgCacheDirectory = "@ROOT@/cache";
$wgUploadDirectory = "@ROOT@/images";
$wgEnableUploads = false;
$wgUseImageMagick = false;
$wgUseInstantCommons = false;
$wgPingback = false;

# Plain http on loopback served by `php -S`.
$wgServer = "@SERVER@";
$wgCanonicalServer = "@SERVER@";
$wgCookieSecure = false;
$wgForceHTTPS = false;
$wgSecureLogin = false;
$wgArticlePath = "/index.php?title=$1";
$wgUsePathInfo = false;

# Jobs run inline at the end of each web request (no async HTTP to ourselves).
$wgJobRunRate = 1;
$wgRunJobsAsync = false;

# SQLite has no replicas; never refuse writes for "lag".
$wgAPIMaxLagThreshold = 1000;

# Debugging.
$wgShowExceptionDetails = true;
$wgDebugLogGroups['exception'] = "@ROOT@/logs/mw-exception.log";
$wgDebugLogGroups['error'] = "@ROOT@/logs/mw-error.log";
$wgDBerrorLog = "@ROOT@/logs/mw-dberror.log";
"""


class WikiError(RuntimeError):
    """The throwaway wiki could not be set up, or its API answered with an error."""


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _password(length: int = 24) -> str:
    """A random password: a letter, then hex digits.

    Lowercase on purpose: MediaWiki only recognises a BotPassword login when the
    password matches ^[0-9a-w]{32,}$; the leading letter keeps maintenance
    scripts from reading it as an option.
    """
    return "p" + secrets.token_hex(length)[: length - 1]


def _php_env(config_file: Path) -> dict[str, str]:
    """The environment of every PHP process: where LocalSettings.php lives."""
    env = dict(os.environ)
    env["MW_CONFIG_FILE"] = str(config_file)
    env["MW_INSTALL_PATH"] = str(MEDIAWIKI_DIR)
    return env


def _tail(path: Path, limit: int = 6000) -> str:
    """The end of a log file (or a note that it is missing)."""
    try:
        text = path.read_text(errors="replace")
    except OSError:
        return f"<{path} not readable>"
    return text[-limit:]


def _run_maintenance(
    script: str, args: list[str], *, config_file: Path, log_dir: Path, secrets_: tuple[str, ...]
) -> None:
    """Run a MediaWiki maintenance script, its output in `log_dir/<script>.log`."""
    php = shutil.which("php")
    if php is None:
        raise WikiError("php not found: run make system")
    log_path = log_dir / f"{Path(script).stem}.log"
    command = [php, *PHP_INI, str(MEDIAWIKI_DIR / "maintenance" / script), *args]
    with log_path.open("ab") as log:
        result = subprocess.run(
            command,
            cwd=MEDIAWIKI_DIR,
            env=_php_env(config_file),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            timeout=MAINTENANCE_TIMEOUT,
            check=False,
        )
    if result.returncode != 0:
        shown = " ".join(command)
        for secret in secrets_:
            shown = shown.replace(secret, "***")
        raise WikiError(
            f"{shown} failed with exit status {result.returncode}; "
            f"output ({log_path}):\n{_tail(log_path)}"
        )


class ThrowawayWiki:
    """A running throwaway MediaWiki (see `start_wiki`) and helpers to use its API.

    Attributes: `root` (the temporary folder), `port`, `base_url`, `api_url`,
    `index_url`, `site_name`, `admin_username`, `admin_password`,
    `bot_account` ("HelpdeskBot"), `bot_account_password` (its main
    password), `bot_username` ("HelpdeskBot@sync", the BotPassword login name),
    `bot_password`, `human_username`, `human_password`,
    `log_dir`.
    """

    def __init__(
        self,
        *,
        root: Path,
        port: int,
        admin_password: str,
        bot_password: str,
        bot_account_password: str,
        human_password: str,
    ) -> None:
        """Describe a wiki installed in `root`; `start_wiki` starts its server."""
        self.root = root
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self.api_url = f"{self.base_url}/api.php"
        self.index_url = f"{self.base_url}/index.php"
        self.site_name = SITE_NAME
        self.admin_username = ADMIN_USERNAME
        self.admin_password = admin_password
        self.bot_account = BOT_ACCOUNT
        self.bot_username = f"{BOT_ACCOUNT}@{BOT_APP_ID}"
        self.bot_password = bot_password
        self.bot_account_password = bot_account_password
        self.human_username = HUMAN_USERNAME
        self.human_password = human_password
        self.log_dir = root / "logs"
        self.config_file = root / "LocalSettings.php"
        self.server_log = self.log_dir / "php-server.log"
        self._process: subprocess.Popen[bytes] | None = None
        self._server_log_file: IO[bytes] | None = None
        self._human_session: requests.Session | None = None

    def __repr__(self) -> str:
        """Where the wiki is served and stored."""
        return f"<ThrowawayWiki {self.base_url} in {self.root}>"

    # -- server --------------------------------------------------------------

    def _start_server(self) -> None:
        """Start `php -S` on the wiki's port and wait until the API answers."""
        php = shutil.which("php") or "php"
        self._server_log_file = self.server_log.open("ab")
        env = _php_env(self.config_file)
        env["PHP_CLI_SERVER_WORKERS"] = "1"  # SQLite: one request at a time
        command = [
            php,
            *PHP_INI,
            "-d",
            f"error_log={self.log_dir / 'php-errors.log'}",
            "-S",
            f"127.0.0.1:{self.port}",
            "-t",
            str(MEDIAWIKI_DIR),
        ]
        self._process = subprocess.Popen(
            command,
            cwd=MEDIAWIKI_DIR,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=self._server_log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stop() kills it all
        )
        atexit.register(self.stop)
        self._wait_until_ready()

    def _wait_until_ready(self, timeout: float | None = None) -> None:
        """Poll siteinfo until it answers; raise WikiError with the logs if not.

        Gives up early when the server has exited or keeps answering with HTTP
        errors (a broken LocalSettings.php does not heal by waiting).
        """
        timeout = START_TIMEOUT if timeout is None else timeout
        deadline = time.monotonic() + timeout
        last_problem = "no answer yet"
        http_errors = 0
        params = {"action": "query", "meta": "siteinfo", "format": "json"}
        while time.monotonic() < deadline:
            if self._process is not None and self._process.poll() is not None:
                last_problem = f"php -S exited with status {self._process.returncode}"
                break
            try:
                response = requests.get(self.api_url, params=params, timeout=10)
                if response.ok and "general" in response.json().get("query", {}):
                    return
                last_problem = f"HTTP {response.status_code}: {response.text[:2000]}"
                http_errors += 1
                if http_errors >= 10:
                    break
            except (requests.RequestException, ValueError) as error:
                last_problem = repr(error)
            time.sleep(0.1)
        self.stop()
        raise WikiError(
            f"the throwaway wiki at {self.api_url} did not start ({last_problem}).\n"
            f"php -S output ({self.server_log}):\n{_tail(self.server_log, 3000)}\n"
            f"PHP errors:\n{_tail(self.log_dir / 'php-errors.log', 3000)}"
        )

    def stop(self) -> None:
        """Stop the PHP server (its whole process group). Safe to call twice."""
        process, self._process = self._process, None
        if process is not None:
            stop_process_group(process)
        if self._server_log_file is not None:
            self._server_log_file.close()
            self._server_log_file = None
        if self._human_session is not None:
            self._human_session.close()
            self._human_session = None

    @property
    def running(self) -> bool:
        """Whether the PHP server process is alive."""
        return self._process is not None and self._process.poll() is None

    def __enter__(self) -> ThrowawayWiki:
        """Use as a context manager: the server stops on exit."""
        return self

    def __exit__(self, *exc_info: object) -> None:
        """Stop the server."""
        self.stop()

    # -- API -----------------------------------------------------------------

    def api(
        self,
        params: dict[str, Any],
        *,
        session: requests.Session | None = None,
        post: bool = False,
    ) -> dict[str, Any]:
        """Call the action API (format=json, formatversion=2); raise WikiError on errors."""
        data = {"format": "json", "formatversion": "2", **params}
        http = session or requests
        if post:
            response = http.post(self.api_url, data=data, timeout=HTTP_TIMEOUT)
        else:
            response = http.get(self.api_url, params=data, timeout=HTTP_TIMEOUT)
        response.raise_for_status()
        try:
            body: dict[str, Any] = response.json()
        except ValueError as error:
            raise WikiError(
                f"non-JSON answer from {self.api_url}: {response.text[:2000]}"
            ) from error
        if "error" in body:
            raise WikiError(f"API error for {params.get('action')}: {body['error']}")
        return body

    def api_session(self, username: str, password: str) -> requests.Session:
        """A requests.Session logged in with action=login (BotPassword or main account).

        For the bot, pass `bot_username` ("HelpdeskBot@sync") and `bot_password`.
        """
        session = requests.Session()
        session.headers["User-Agent"] = "cp-helpdesk-tests/0.1 (throwaway wiki)"
        tokens = self.api({"action": "query", "meta": "tokens", "type": "login"}, session=session)
        login_token = tokens["query"]["tokens"]["logintoken"]
        answer = self.api(
            {
                "action": "login",
                "lgname": username,
                "lgpassword": password,
                "lgtoken": login_token,
            },
            session=session,
            post=True,
        )
        result = answer.get("login", {})
        if result.get("result") != "Success":
            session.close()
            raise WikiError(f"login as {username!r} failed: {result}")
        return session

    def csrf_token(self, session: requests.Session) -> str:
        """The CSRF (edit) token of a logged-in session."""
        answer = self.api({"action": "query", "meta": "tokens", "type": "csrf"}, session=session)
        return str(answer["query"]["tokens"]["csrftoken"])

    def edit(
        self,
        session: requests.Session,
        title: str,
        text: str,
        summary: str,
        *,
        bot: bool = False,
    ) -> dict[str, Any]:
        """Replace a page's text with action=edit; return the API's `edit` result."""
        params: dict[str, Any] = {
            "action": "edit",
            "title": title,
            "text": text,
            "summary": summary,
            "token": self.csrf_token(session),
        }
        if bot:
            params["bot"] = "1"
        answer = self.api(params, session=session, post=True)
        result: dict[str, Any] = answer["edit"]
        if result.get("result") != "Success":
            raise WikiError(f"edit of {title!r} failed: {result}")
        return result

    def edit_as_human(self, title: str, text: str, summary: str) -> dict[str, Any]:
        """Edit a page as HumanEditor (a non-bot user); return the `edit` result."""
        if self._human_session is None:
            self._human_session = self.api_session(self.human_username, self.human_password)
        return self.edit(self._human_session, title, text, summary)

    def page_text(self, title: str) -> str | None:
        """The current wikitext of a page, or None if it does not exist."""
        answer = self.api(
            {
                "action": "query",
                "prop": "revisions",
                "rvslots": "main",
                "rvprop": "content",
                "titles": title,
            }
        )
        page = answer["query"]["pages"][0]
        if page.get("missing") or page.get("invalid"):
            return None
        return str(page["revisions"][0]["slots"]["main"]["content"])

    def revision_count(self, title: str) -> int:
        """How many revisions a page has (0 if it does not exist)."""
        count = 0
        params: dict[str, Any] = {
            "action": "query",
            "prop": "revisions",
            "rvprop": "ids",
            "rvlimit": "max",
            "titles": title,
        }
        while True:
            answer = self.api(params)
            page = answer["query"]["pages"][0]
            count += len(page.get("revisions", []))
            if "continue" not in answer:
                return count
            params = {**params, **answer["continue"]}

    def parse_links(self, title: str) -> dict[str, list[Any]]:
        """The parse API's links, templates, categories and externallinks of a page.

        Shapes (formatversion=2): links and templates are lists of
        {"ns", "title", "exists"}; categories of {"category", "sortkey", ...}
        (the name without "Category:"); externallinks a list of URLs.
        """
        answer = self.api(
            {
                "action": "parse",
                "page": title,
                "prop": "links|templates|categories|externallinks",
            }
        )
        parsed = answer["parse"]
        return {
            key: list(parsed.get(key, []))
            for key in ("links", "templates", "categories", "externallinks")
        }


    def parse_html(self, text: str, title: str = "Transclusion test") -> str:
        """The HTML MediaWiki makes of `text` (action=parse, as if saved at `title`)."""
        answer = self.api({"action": "parse", "text": text, "title": title,
                           "contentmodel": "wikitext", "prop": "text", "disablelimitreport": "1",
                           "disableeditsection": "1"}, post=True)
        return str(answer["parse"]["text"])

    def user_rights(self, username: str, password: str) -> dict[str, list[str]]:
        """The groups and rights of an account, as it is when logged in with `password`."""
        session = self.api_session(username, password)
        try:
            info = self.api({"action": "query", "meta": "userinfo", "uiprop": "groups|rights"},
                            session=session)["query"]["userinfo"]
        finally:
            session.close()
        return {"groups": list(info.get("groups", [])), "rights": list(info.get("rights", []))}


def start_wiki(tmp_dir: Path) -> ThrowawayWiki:
    """Install a fresh MediaWiki in `tmp_dir` (must be empty or absent) and serve it.

    Returns a running ThrowawayWiki; call its `stop()` when done.
    """
    if not (MEDIAWIKI_DIR / "maintenance" / "install.php").is_file():
        raise WikiError(f"MediaWiki not found in {MEDIAWIKI_DIR}: run make system")
    root = Path(tmp_dir).resolve()
    root.mkdir(parents=True, exist_ok=True)
    if any(root.iterdir()):
        raise WikiError(f"{root} is not empty; start_wiki needs a fresh folder")
    for sub in ("db", "logs", "cache", "images"):
        (root / sub).mkdir()

    wiki = ThrowawayWiki(
        root=root,
        port=free_port(),
        admin_password=_password(),
        bot_password=_password(32),  # createBotPassword.php wants exactly 32 characters
        bot_account_password=_password(),
        human_password=_password(),
    )
    hidden = (
        wiki.admin_password,
        wiki.bot_password,
        wiki.bot_account_password,
        wiki.human_password,
    )

    def maintenance(script: str, *args: str) -> None:
        _run_maintenance(
            script, list(args), config_file=wiki.config_file, log_dir=wiki.log_dir, secrets_=hidden
        )

    maintenance(
        "install.php",
        "--dbtype=sqlite",
        f"--dbpath={root / 'db'}",
        f"--confpath={root}",
        f"--server={wiki.base_url}",
        "--scriptpath=",
        "--lang=en",
        "--skins=Vector",
        f"--pass={wiki.admin_password}",
        SITE_NAME,
        ADMIN_USERNAME,
    )
    if not wiki.config_file.is_file():
        raise WikiError(f"install.php did not write {wiki.config_file}")
    extra = EXTRA_SETTINGS.replace("@ROOT@", str(root)).replace("@SERVER@", wiki.base_url)
    with wiki.config_file.open("a", encoding="utf-8") as settings:
        settings.write(extra)

    maintenance("createAndPromote.php", "--bot", BOT_ACCOUNT, wiki.bot_account_password)
    maintenance(
        "createBotPassword.php",
        f"--appid={BOT_APP_ID}",
        f"--grants={','.join(BOT_GRANTS)}",
        BOT_ACCOUNT,
        wiki.bot_password,
    )
    maintenance("createAndPromote.php", HUMAN_USERNAME, wiki.human_password)

    wiki._start_server()
    return wiki
