"""The MediaWiki action API calls the bot makes itself: one batched read, edits, rereads.

pywikibot signs the bot in (bot.wiki); the reads and edits are plain action-API
requests on pywikibot's HTTP session (its cookies and User-Agent), so that the bot
decides, not pywikibot's retry loops:

- every request to the wiki carries `maxlag` (`WikiTransport` adds it to
  pywikibot's own requests too); a maxlag answer stops the run at once
  (`WikiLagged`, exit status 2): the next scheduled run goes on;
- an HTTP 5xx, a timeout or a refused connection is retried with exponential
  backoff (`max_retries` times, from `retry_wait` seconds), then stops the run;
- edits carry `assert=bot` (and `bot=1`), are based on the revision read
  (`baserevid`, `nocreate`/`createonly`) and are at least `throttle` seconds apart;
- every failure becomes one line naming the wiki, the page and the reason.

All pages are read in one `action=query` (content, latest revision, page id,
whether {{bots}}/{{nobots}} is transcluded), 500 titles per request with the bot's
`apihighlimits` (50 without).
"""

from __future__ import annotations

import json
import logging
import re
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import requests
from requests.adapters import HTTPAdapter

from .wiki_types import (
    EditConflict,
    LoadedPage,
    LoginFailed,
    PageRejected,
    RevisionUnavailable,
    Saved,
    WikiLagged,
    WikiUnavailable,
)

log = logging.getLogger(__name__)

MAX_WAIT = 120.0  # seconds: the longest wait between two tries
MAX_CONTINUATIONS = 100
ANONYMOUS_TOKEN = "+\\"  # noqa: S105 - the edit token MediaWiki gives anonymous readers
EXCLUSION_TEMPLATES = ("Template:Bots", "Template:Nobots")
PAGE_QUERY = {
    "action": "query",
    "prop": "info|revisions|templates",
    "rvprop": "ids|timestamp|user|content",
    "rvslots": "main",
    "tltemplates": "|".join(EXCLUSION_TEMPLATES),
    "tllimit": "max",
}
_ERRNO = re.compile(r"\[Errno -?\d+\][^'\")]*")

Sleep = Callable[[float], None]
Clock = Callable[[], float]


class ApiError(Exception):
    """The wiki answered a request with an API error."""

    def __init__(self, code: str, info: str, data: dict[str, Any] | None = None) -> None:
        """Keep the code, the wiki's explanation and the whole error object."""
        super().__init__(f"{code}: {info}")
        self.code = code
        self.info = info
        self.data = data or {}


def short_reason(error: BaseException) -> str:
    """A network error in a few words ("[Errno 111] Connection refused", "timed out")."""
    if isinstance(error, requests.Timeout):
        return "it did not answer in time"
    found = _ERRNO.search(str(error))
    if found:
        return found.group(0).strip()
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    return text[:200]


# -- the transport: maxlag on every request, and a record of what was sent --------------------

class WikiTransport(HTTPAdapter):
    """An HTTP adapter for the wiki's host: adds `maxlag` to every API request.

    Mounted on pywikibot's session, so pywikibot's own requests (site information,
    login, tokens) carry it too. `sent` keeps the parameters of the last requests
    (tests check them; `-v` logs them with passwords and tokens masked).
    """

    def __init__(self, api_url: str, maxlag: int, keep: int = 500) -> None:
        """Serve requests to `api_url`'s host."""
        super().__init__()
        self.api_path = urlsplit(api_url).path
        self.maxlag = str(maxlag)
        self.sent: deque[dict[str, str]] = deque(maxlen=keep)

    def send(self, request: requests.PreparedRequest, *args: Any,  # type: ignore[override]
             **kwargs: Any) -> requests.Response:
        """Add maxlag (when the request has none), remember the parameters, send."""
        url = request.url or ""
        parts = urlsplit(url)
        if parts.path == self.api_path:
            query = dict(parse_qsl(parts.query, keep_blank_values=True))
            form = self._form(request)
            if form is not None and "maxlag" not in form and "maxlag" not in query:
                body = request.body
                extra = urlencode({"maxlag": self.maxlag})
                if isinstance(body, bytes):
                    request.body = body + (b"&" if body else b"") + extra.encode()
                else:
                    request.body = (body + "&" if body else "") + extra
                request.headers["Content-Length"] = str(len(request.body or ""))
                form["maxlag"] = self.maxlag
            elif form is None and "maxlag" not in query:
                request.url = f"{url}{'&' if parts.query else '?'}maxlag={self.maxlag}"
                query["maxlag"] = self.maxlag
            self.sent.append({"_method": request.method or "", **query, **(form or {})})
        return super().send(request, *args, **kwargs)

    @staticmethod
    def _form(request: requests.PreparedRequest) -> dict[str, str] | None:
        """The form fields of a urlencoded POST (None for a GET or a multipart body)."""
        if request.method != "POST":
            return None
        kind = request.headers.get("Content-Type", "")
        if "multipart" in kind:
            return {}
        body = request.body or ""
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        return dict(parse_qsl(body, keep_blank_values=True))


def mount_transport(session: requests.Session, api_url: str, maxlag: int) -> WikiTransport:
    """Route every request to the wiki's host through a WikiTransport."""
    parts = urlsplit(api_url)
    transport = WikiTransport(api_url, maxlag)
    session.mount(f"{parts.scheme}://{parts.netloc}/", transport)
    return transport


# -- {{bots}} and {{nobots}} ---------------------------------------------------------------------

_DISABLED = re.compile(r"<!--.*?-->|<nowiki>.*?</nowiki>|<pre>.*?</pre>", re.S | re.I)
_EXCLUSION = re.compile(r"\{\{\s*([Bb]ots|[Nn]obots)\s*(\|[^{}]*)?\}\}")


def bot_may_edit(text: str, transcluded: Iterable[str], username: str | None) -> bool:
    """The bot exclusion rules ({{bots|allow=…}}, {{bots|deny=…}}, {{nobots}}).

    As pywikibot's `botMayEdit()`: {{nobots}} excludes every bot, {{nobots|deny=…}}
    and {{bots|deny=…}} the bots named (or all), {{bots|allow=…}} every bot not
    named. A page that transcludes {{nobots}} through another template excludes it.
    """
    templates = set(transcluded)
    if not templates & set(EXCLUSION_TEMPLATES):
        return True
    found = _EXCLUSION.findall(_DISABLED.sub("", text))
    if not found:
        return "Template:Nobots" not in templates
    for name, raw in found:
        params = raw[1:].split("|") if raw else []
        key, sep, value = params[0].partition("=") if params else ("", "", "")
        if params and not sep:
            key, value = value, key
        key = key.strip()
        names = {item.strip() for item in value.split(",")} if params else set()
        named = "all" in names or username in names
        if name.lower() == "nobots":
            denied = not params or bool(key) or named
        else:
            denied = bool(value) and ((key == "allow" and not named) or (key == "deny" and named))
        if denied:
            return False
    return True


# -- the client ---------------------------------------------------------------------------

class ActionApi:
    """The bot's own requests to one wiki's action API (see the module docstring)."""

    def __init__(
        self,
        api_url: str,
        session: requests.Session,
        user_agent: str,
        *,
        maxlag: int,
        timeout: float | tuple[float, float] = 30.0,
        max_retries: int = 3,
        retry_wait: float = 5.0,
        throttle: float = 0.0,
        sleep: Sleep = time.sleep,
        clock: Clock = time.monotonic,
    ) -> None:
        """Talk to `api_url` through `session` (pywikibot's, once signed in)."""
        self.api_url = api_url
        self.session = session
        self.user_agent = user_agent
        self.maxlag = maxlag
        self.timeout = timeout
        self.max_retries = max(0, max_retries)
        self.retry_wait = max(0.0, retry_wait)
        self.throttle = max(0.0, throttle)
        self.sleep = sleep
        self.clock = clock
        self.reads = 0
        self.requests = 0
        self.username: str | None = None
        self.rights: frozenset[str] = frozenset()
        self.identity = ""
        self._token: str | None = None
        self._last_edit: float | None = None
        self._retry_after = 0.0

    # -- one request ------------------------------------------------------------------------

    def call(self, params: dict[str, Any], *, what: str, read: bool = False) -> dict[str, Any]:
        """POST one request; retry server errors; raise on errors (see module docstring)."""
        data = {"format": "json", "formatversion": "2", "maxlag": str(self.maxlag), **params}
        problem = ""
        for attempt in range(self.max_retries + 1):
            if attempt:
                self.sleep(self._backoff(attempt, problem))
            self.requests += 1
            if read:
                self.reads += 1
            try:
                response = self.session.post(self.api_url, data=data, timeout=self.timeout,
                                             headers={"User-Agent": self.user_agent})
            except requests.RequestException as error:
                problem = f"did not answer {what} ({short_reason(error)})"
                continue
            if response.status_code >= 500:
                reason = f" ({response.reason})" if response.reason else ""
                problem = f"answered HTTP {response.status_code}{reason} to {what}"
                self._retry_after = _retry_after(response)
                continue
            return self._body(response, what)
        tries = self.max_retries + 1
        raise WikiUnavailable(
            f"the wiki at {self.api_url} {problem}"
            + (f", {tries} times in a row" if tries > 1 else "")
            + "; stopping here, the next run will try again"
        )

    def _backoff(self, attempt: int, problem: str) -> float:
        wait = max(self.retry_wait * 2 ** (attempt - 1), self._retry_after)
        self._retry_after = 0.0
        log.info("the wiki %s; trying again in %.1f s", problem, min(wait, MAX_WAIT))
        return min(wait, MAX_WAIT)

    def _body(self, response: requests.Response, what: str) -> dict[str, Any]:
        kind = response.headers.get("Content-Type", "").split(";")[0].strip() or "no type"
        if response.status_code != 200:
            raise WikiUnavailable(f"the wiki at {self.api_url} answered HTTP "
                                  f"{response.status_code} to {what}")
        try:
            body = response.json()
        except (ValueError, json.JSONDecodeError):
            body = None
        if not isinstance(body, dict):
            raise WikiUnavailable(f"the wiki at {self.api_url} answered {what} with something "
                                  f"that is not the MediaWiki API (HTTP 200, {kind})")
        error = body.get("error")
        if isinstance(error, dict):
            self._stop_on(error, what)
            raise ApiError(str(error.get("code", "unknown")), str(error.get("info", "")), error)
        return body

    def _stop_on(self, error: dict[str, Any], what: str) -> None:
        """Errors that stop the whole run, whatever the request was."""
        code, info = str(error.get("code", "")), str(error.get("info", ""))
        if code == "maxlag":
            lag = error.get("lag", "?")
            raise WikiLagged(
                f"the wiki at {self.api_url} is lagged ({lag} s behind, more than maxlag "
                f"{self.maxlag} s) while {what}; stopping here, the next run will go on"
            )
        if code == "readonly":
            raise WikiUnavailable(f"the wiki at {self.api_url} is read-only ({info}); "
                                  "stopping here, the next run will try again")
        if code in ("assertbotfailed", "assertuserfailed", "assertnameduserfailed"):
            raise LoginFailed(
                f"the wiki at {self.api_url} refused {what} ({code}): the bot must be logged "
                "in to an account in the bot group, with a BotPassword granted "
                "high-volume (bot) access (see bot/README.md)"
            )
        if code in ("blocked", "autoblocked"):
            raise LoginFailed(f"the bot's account is blocked on {self.api_url} ({info})")

    # -- who and where ----------------------------------------------------------------------

    def connect(self) -> None:
        """Read the wiki's identity, the bot's name and rights, and an edit token (one request)."""
        body = self.call({"action": "query", "meta": "siteinfo|userinfo|tokens",
                          "siprop": "general", "uiprop": "rights|groups", "type": "csrf"},
                         what="reading the site information")
        query = body.get("query", {})
        general = query.get("general", {})
        server = str(general.get("server", ""))
        host = urlsplit(server if "//" in server else f"//{server}").netloc.lower()
        wikiid = str(general.get("wikiid", ""))
        if not wikiid or not host:
            raise WikiUnavailable(f"the wiki at {self.api_url} did not say which wiki it is "
                                  "(no wikiid or server in its site information)")
        self.identity = f"{wikiid}@{host}"
        user = query.get("userinfo", {})
        self.username = None if user.get("anon") else str(user.get("name") or "") or None
        self.rights = frozenset(str(right) for right in user.get("rights", []))
        self._token = str(query.get("tokens", {}).get("csrftoken") or "") or None

    # -- reading ----------------------------------------------------------------------------

    def read_pages(self, titles: list[str]) -> dict[str, LoadedPage]:
        """All `titles` (content, latest revision, page id, exclusion templates)."""
        size = 500 if "apihighlimits" in self.rights else 50
        loaded: dict[str, LoadedPage] = {}
        for start in range(0, len(titles), size):
            loaded.update(self._read_chunk(titles[start:start + size]))
        return loaded

    def _read_chunk(self, titles: list[str]) -> dict[str, LoadedPage]:
        params: dict[str, Any] = {**PAGE_QUERY, "titles": "|".join(titles)}
        pages: dict[str, dict[str, Any]] = {}
        normalized: dict[str, str] = {}
        continuation: dict[str, Any] = {}
        for _ in range(MAX_CONTINUATIONS):
            body = self._query({**params, **continuation}, "reading the pages")
            query = body.get("query", {})
            for item in query.get("normalized", []):
                normalized[str(item.get("from"))] = str(item.get("to"))
            for item in query.get("interwiki", []):
                pages[str(item.get("title"))] = {"interwiki": True}
            for page in query.get("pages", []):
                merged = pages.setdefault(str(page.get("title")), {})
                for key, value in page.items():
                    if key in ("revisions", "templates"):
                        merged.setdefault(key, []).extend(value)
                    else:
                        merged[key] = value
            continuation = body.get("continue") or {}
            if not continuation:
                break
        return {title: self._loaded(title, normalized.get(title, title), pages.get(
            normalized.get(title, title))) for title in titles}

    def _query(self, params: dict[str, Any], what: str) -> dict[str, Any]:
        try:
            return self.call(params, what=what, read=True)
        except ApiError as error:
            raise WikiUnavailable(f"the wiki at {self.api_url} refused {what}: {error}") \
                from error

    def _loaded(self, title: str, wiki_title: str, page: dict[str, Any] | None) -> LoadedPage:
        if page is None:
            return LoadedPage(title=title, exists=False,
                              title_problem="the wiki did not answer for this title")
        if page.get("interwiki"):
            return LoadedPage(title=title, exists=False,
                              title_problem="the wiki reads the title as a link to another wiki")
        if page.get("invalid"):
            reason = str(page.get("invalidreason") or "invalid title")
            return LoadedPage(title=title, exists=False,
                              title_problem=f"the wiki refuses the title ({reason})")
        if wiki_title != title:
            return LoadedPage(title=title, exists=False,
                              title_problem=f"the wiki reads the title as {wiki_title!r}")
        if page.get("missing"):
            return LoadedPage(title=title, exists=False)
        page_id = int(page["pageid"]) if page.get("pageid") else None
        if page.get("redirect"):
            return LoadedPage(title=title, exists=True, redirect=True, page_id=page_id,
                              problem="the page is a redirect (was it moved?); move it back, "
                                      "or configure its new title")
        revisions = page.get("revisions") or []
        main = (revisions[0].get("slots") or {}).get("main", {}) if revisions else {}
        if not revisions or "content" not in main or main.get("texthidden"):
            return LoadedPage(title=title, exists=True, page_id=page_id,
                              problem="the wiki did not send the page's text")
        if page.get("contentmodel", "wikitext") != "wikitext":
            return LoadedPage(title=title, exists=True, page_id=page_id,
                              problem=f"the page is not wikitext ({page.get('contentmodel')})")
        text = str(main["content"])
        templates = [str(item.get("title")) for item in page.get("templates", [])]
        return LoadedPage(
            title=title, exists=True, text=text, revid=int(revisions[0]["revid"]),
            page_id=page_id, last_user=str(revisions[0].get("user") or "") or None,
            bot_may_edit=bot_may_edit(text, templates, self.username),
        )

    def latest_revid(self, title: str) -> int | None:
        """The page's latest revision id now (None when it does not exist)."""
        body = self._query({"action": "query", "prop": "info", "titles": title},
                           f"checking [[{title}]]")
        pages = body.get("query", {}).get("pages", [])
        if not pages or pages[0].get("missing") or not pages[0].get("lastrevid"):
            return None
        return int(pages[0]["lastrevid"])

    def revision_text(self, title: str, revid: int) -> str:
        """The text of revision `revid` of `title`."""
        body = self._query({"action": "query", "prop": "revisions", "revids": revid,
                            "rvprop": "ids|content", "rvslots": "main"},
                           f"reading revision {revid} of [[{title}]]")
        query = body.get("query", {})
        if query.get("badrevids"):
            raise RevisionUnavailable(f"revision {revid} of [[{title}]] no longer exists "
                                      "(it or its page was deleted)")
        for page in query.get("pages", []):
            for revision in page.get("revisions", []):
                main = (revision.get("slots") or {}).get("main", {})
                if main.get("texthidden") or "content" not in main:
                    raise RevisionUnavailable(f"the text of revision {revid} of [[{title}]] "
                                              "is hidden")
                return str(main["content"])
        raise RevisionUnavailable(f"revision {revid} of [[{title}]] cannot be read")

    def page_title(self, page_id: int) -> str | None:
        """The current title of page `page_id` (None when it no longer exists)."""
        body = self._query({"action": "query", "prop": "info", "pageids": page_id},
                           f"looking up page {page_id}")
        pages = body.get("query", {}).get("pages", [])
        if not pages or pages[0].get("missing") or pages[0].get("invalid"):
            return None
        return str(pages[0].get("title"))

    # -- writing ----------------------------------------------------------------------------

    def edit(self, page: LoadedPage, text: str, summary: str) -> Saved:
        """Save `text` as a bot edit based on the revision read (see the module docstring)."""
        if page.exists and self.latest_revid(page.title) != page.revid:
            # MediaWiki compares base timestamps of one-second resolution, so an edit
            # made in the same second as the revision read could slip through: look first.
            raise EditConflict(f"{page.title} changed after it was read")
        params: dict[str, Any] = {
            "action": "edit", "title": page.title, "text": text, "summary": summary,
            "bot": "1", "assert": "bot", "watchlist": "nochange",
            "contentmodel": "wikitext",
        }
        if page.exists:
            params.update(nocreate="1", baserevid=str(page.revid))
        else:
            params["createonly"] = "1"
        self._wait_for_throttle()
        try:
            body = self._edit_once(params, page.title)
        except ApiError as error:
            if error.code != "badtoken":
                raise _refusal(page.title, error) from error
            self.connect()  # a fresh token, once
            try:
                body = self._edit_once(params, page.title)
            except ApiError as again:
                raise _refusal(page.title, again) from again
        finally:
            self._last_edit = self.clock()
        result = body.get("edit", {})
        if result.get("result") != "Success":
            details = {key: value for key, value in result.items() if key != "result"}
            raise PageRejected(page.title, f"the wiki did not save the edit ({details})")
        revid = result.get("newrevid") or (page.revid if result.get("nochange") else None)
        page_id = result.get("pageid") or page.page_id
        return Saved(revid=int(revid) if revid else None,
                     page_id=int(page_id) if page_id else None)

    def _edit_once(self, params: dict[str, Any], title: str) -> dict[str, Any]:
        if not self._token or self._token == ANONYMOUS_TOKEN:
            raise LoginFailed(f"the bot is not logged in to {self.api_url}: it cannot edit")
        return self.call({**params, "token": self._token}, what=f"saving [[{title}]]")

    def _wait_for_throttle(self) -> None:
        if self._last_edit is None or not self.throttle:
            return
        wait = self.throttle - (self.clock() - self._last_edit)
        if wait > 0:
            self.sleep(wait)


_PROTECTED = ("protectedpage", "protectedtitle", "cascadeprotected", "protectednamespace",
              "protectednamespace-interface", "customcssprotected", "customjsprotected",
              "permissiondenied")


def _refusal(title: str, error: ApiError) -> Exception:
    """The exception for an edit the wiki refused (one page; the run goes on)."""
    code, info = error.code, error.info
    if code in ("editconflict", "articleexists"):
        return EditConflict(f"{title}: {code}")
    if code == "missingtitle":
        return PageRejected(title, "the page was deleted after it was read")
    if code in _PROTECTED:
        return PageRejected(title, f"the page is protected ({info})")
    if code.startswith("abusefilter"):
        return PageRejected(title, f"an abuse filter refused the edit ({info})")
    if code == "spamblacklist":
        matches = error.data.get("spamblacklist", {}).get("matches", [])
        return PageRejected(title, "the spam blacklist refused the edit ("
                            + (", ".join(str(match) for match in matches) or info) + ")")
    if code.startswith("titleblacklist"):
        return PageRejected(title, f"the title blacklist refused the page ({info})")
    return PageRejected(title, f"the wiki refused the edit: {code}: {info}")


def _retry_after(response: requests.Response) -> float:
    try:
        return max(0.0, float(response.headers.get("Retry-After", "0")))
    except ValueError:
        return 0.0
