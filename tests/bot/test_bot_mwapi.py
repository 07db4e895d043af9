"""The bot's own action-API calls (bot.mwapi) against scripted answers: maxlag stops,
server errors are retried with backoff, refusals are named, {{bots}} is honoured."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest
import requests
from werkzeug.wrappers import Request, Response

from bot.mwapi import ActionApi, WikiTransport, bot_may_edit, mount_transport
from bot.wiki_types import (
    EditConflict,
    LoadedPage,
    LoginFailed,
    PageRejected,
    RevisionUnavailable,
    WikiLagged,
    WikiUnavailable,
)
from tests.loopback import serve_wsgi

API = "https://wiki.example/w/api.php"


class Answer:
    """A scripted HTTP answer."""

    def __init__(self, body: Any = None, status: int = 200, text: str | None = None,
                 headers: dict[str, str] | None = None) -> None:
        self.status_code = status
        self.reason = {200: "OK", 500: "Internal Server Error", 503: "Service Unavailable",
                       403: "Forbidden"}.get(status, "")
        self._body = body
        self.text = text if text is not None else json.dumps(body)
        self.headers = {"Content-Type": "application/json; charset=utf-8"
                        if text is None else "text/html", **(headers or {})}

    def json(self) -> Any:
        return json.loads(self.text)


class Script:
    """A session answering POSTs from a list (an exception in the list is raised)."""

    def __init__(self, *answers: Answer | BaseException) -> None:
        self.answers = list(answers)
        self.sent: list[dict[str, Any]] = []

    def post(self, url: str, data: dict[str, Any], **_: Any) -> Answer:
        assert url == API
        self.sent.append(dict(data))
        if not self.answers:
            raise AssertionError(f"unexpected request: {data}")
        answer = self.answers.pop(0)
        if isinstance(answer, BaseException):
            raise answer
        return answer


def client(*answers: Answer | BaseException, **options: Any) -> tuple[ActionApi, Script,
                                                                         list[float]]:
    script = Script(*answers)
    waits: list[float] = []
    settings: dict[str, Any] = {"maxlag": 5, "max_retries": 2, "retry_wait": 0.5,
                                "sleep": waits.append}
    settings.update(options)
    api = ActionApi(API, script, "TestAgent/1", **settings)  # type: ignore[arg-type]
    api._token = "token+\\"
    return api, script, waits


def error(code: str, info: str = "", **extra: Any) -> Answer:
    return Answer({"error": {"code": code, "info": info, **extra}})


SITEINFO = Answer({"query": {
    "general": {"wikiid": "metawiki", "server": "//meta.wikimedia.org", "sitename": "Meta"},
    "userinfo": {"id": 7, "name": "HelpdeskBot", "groups": ["bot", "user"],
                 "rights": ["edit", "bot", "apihighlimits"]},
    "tokens": {"csrftoken": "abc+\\"},
}})


# -- requests, maxlag, retries --------------------------------------------------------------

def test_connect_reads_the_wikis_identity_and_every_request_carries_maxlag() -> None:
    api, script, _ = client(SITEINFO)
    api.connect()
    assert api.identity == "metawiki@meta.wikimedia.org"
    assert api.username == "HelpdeskBot" and "apihighlimits" in api.rights
    sent = script.sent[0]
    assert sent["maxlag"] == "5" and sent["format"] == "json" and sent["formatversion"] == "2"
    assert sent["meta"] == "siteinfo|userinfo|tokens"


def test_maxlag_stops_at_once() -> None:
    api, script, waits = client(error("maxlag", "Waiting for db: 7 seconds lagged", lag=7))
    lagged = re.escape("lagged (7 s behind, more than maxlag 5 s)")
    with pytest.raises(WikiLagged, match=lagged) as info:
        api.call({"action": "query"}, what="reading the pages")
    assert "next run will go on" in str(info.value) and "\n" not in str(info.value)
    assert len(script.sent) == 1 and waits == []  # no retry, no wait


def test_server_errors_are_retried_with_backoff_then_stop() -> None:
    api, script, waits = client(Answer(status=503, text="busy"), Answer(status=500, text="x"),
                                Answer(status=502, text="x"))
    with pytest.raises(WikiUnavailable) as info:
        api.call({"action": "edit"}, what="saving [[Page]]")
    message = str(info.value)
    assert message == (f"the wiki at {API} answered HTTP 502 to saving [[Page]], 3 times in "
                       "a row; stopping here, the next run will try again")
    assert waits == [0.5, 1.0] and len(script.sent) == 3
    api, _script, waits = client(Answer(status=503, text="busy", headers={"Retry-After": "4"}),
                                 Answer({"ok": 1}))
    assert api.call({"action": "query"}, what="x") == {"ok": 1}
    assert waits == [4.0]  # the server's Retry-After, when longer


def test_a_wiki_that_does_not_answer_is_one_line() -> None:
    refused = requests.ConnectionError(
        "HTTPConnectionPool(host='127.0.0.1', port=9): Max retries exceeded with url: /api.php "
        "(Caused by NewConnectionError('<urllib3.connection.HTTPConnection object>: Failed to "
        "establish a new connection: [Errno 111] Connection refused'))")
    api, _, waits = client(refused, refused, max_retries=1)
    assert waits == []
    with pytest.raises(WikiUnavailable) as info:
        api.call({"action": "query"}, what="reading the pages")
    assert waits == [0.5]
    assert str(info.value) == (f"the wiki at {API} did not answer reading the pages ([Errno 111] "
                               "Connection refused), 2 times in a row; stopping here, the next "
                               "run will try again")
    api, _, _ = client(Answer(text="<html>Not a wiki</html>"))
    garbage = re.escape("not the MediaWiki API (HTTP 200, text/html)")
    with pytest.raises(WikiUnavailable, match=garbage):
        api.call({"action": "query"}, what="reading the pages")


@pytest.mark.parametrize(("code", "expected"), [
    ("readonly", WikiUnavailable), ("assertbotfailed", LoginFailed),
    ("assertuserfailed", LoginFailed), ("blocked", LoginFailed),
])
def test_errors_that_stop_the_run(code: str, expected: type[Exception]) -> None:
    api, _, _ = client(error(code, "why"))
    with pytest.raises(expected):
        api.call({"action": "edit"}, what="saving [[P]]")


# -- reading ------------------------------------------------------------------------------

def page(title: str, text: str, revid: int = 11, pageid: int = 3, **extra: Any) -> dict[str, Any]:
    return {"pageid": pageid, "ns": 0, "title": title, "contentmodel": "wikitext",
            "lastrevid": revid, **extra,
            "revisions": [{"revid": revid, "user": "HelpdeskBot",
                           "slots": {"main": {"content": text}}}]}


def test_pages_are_read_in_one_query_with_ids_and_title_problems() -> None:
    answer = Answer({"query": {
        "normalized": [{"from": "Hub/changed", "to": "Hub/Changed"}],
        "pages": [
            page("Hub/A", "text of A", templates=[{"ns": 10, "title": "Template:Nobots"}]),
            {"ns": 0, "title": "Hub/Missing", "missing": True},
            {"title": "Hub/%41", "invalidreason": "contains illegal characters", "invalid": True},
            {"pageid": 9, "ns": 0, "title": "Hub/Redirect", "redirect": True, "lastrevid": 2,
             "revisions": [{"revid": 2, "slots": {"main": {"content": "#REDIRECT [[X]]"}}}]},
            page("Hub/Changed", "x", pageid=5),
        ],
    }})
    api, script, _ = client(answer)
    api.username = "HelpdeskBot"
    loaded = api.read_pages(["Hub/A", "Hub/Missing", "Hub/%41", "Hub/Redirect", "Hub/changed"])
    assert len(script.sent) == 1 and api.reads == 1
    assert script.sent[0]["titles"] == "Hub/A|Hub/Missing|Hub/%41|Hub/Redirect|Hub/changed"
    a = loaded["Hub/A"]
    assert (a.exists, a.text, a.revid, a.page_id, a.last_user) == (
        True, "text of A", 11, 3, "HelpdeskBot")
    assert a.bot_may_edit is False  # {{nobots}} transcluded (here: not in the text itself)
    assert loaded["Hub/Missing"].exists is False and loaded["Hub/Missing"].problem is None
    assert "illegal characters" in (loaded["Hub/%41"].title_problem or "")
    assert loaded["Hub/Redirect"].redirect and "redirect" in (loaded["Hub/Redirect"].problem or "")
    assert loaded["Hub/changed"].title_problem == "the wiki reads the title as 'Hub/Changed'"


def test_a_long_read_follows_continuation_and_uses_the_high_limits() -> None:
    first = Answer({"continue": {"rvcontinue": "5|x", "continue": "||"}, "query": {"pages": [
        {"pageid": 3, "ns": 0, "title": "A", "contentmodel": "wikitext", "lastrevid": 1},
        page("B", "b", revid=2, pageid=4)]}})
    second = Answer({"query": {"pages": [page("A", "a", revid=1, pageid=3),
                                          {"pageid": 4, "ns": 0, "title": "B"}]}})
    api, script, _ = client(first, second)
    loaded = api.read_pages(["A", "B"])
    assert loaded["A"].text == "a" and loaded["B"].text == "b"
    assert script.sent[1]["rvcontinue"] == "5|x" and api.reads == 2
    titles = [f"T{n}" for n in range(120)]
    api, script, _ = client(*[Answer({"query": {"pages": []}})] * 3)
    api.read_pages(titles)
    assert [len(sent["titles"].split("|")) for sent in script.sent] == [50, 50, 20]
    api, script, _ = client(Answer({"query": {"pages": []}}))
    api.rights = frozenset({"apihighlimits"})
    api.read_pages(titles)
    assert len(script.sent) == 1


def test_old_revisions_and_moved_pages() -> None:
    api, _, _ = client(Answer({"query": {"badrevids": {"11": {"revid": 11, "missing": True}}}}))
    with pytest.raises(RevisionUnavailable) as info:
        api.revision_text("Hub/Cases", 11)
    assert str(info.value) == ("revision 11 of [[Hub/Cases]] no longer exists (it or its page "
                               "was deleted)")
    hidden = {"query": {"pages": [{"title": "T", "revisions": [
        {"revid": 11, "slots": {"main": {"texthidden": True}}}]}]}}
    api, _, _ = client(Answer(hidden))
    with pytest.raises(RevisionUnavailable, match="is hidden"):
        api.revision_text("T", 11)
    api, _, _ = client(Answer({"query": {"pages": [{"pageid": 3, "title": "Elsewhere"}]}}),
                       Answer({"query": {"pages": [{"pageid": 4, "missing": True}]}}))
    assert api.page_title(3) == "Elsewhere"
    assert api.page_title(4) is None


# -- writing ------------------------------------------------------------------------------

def existing(title: str = "Hub/Cases") -> LoadedPage:
    return LoadedPage(title=title, exists=True, text="old", revid=11, page_id=3)


LATEST_11 = Answer({"query": {"pages": [{"pageid": 3, "title": "Hub/Cases", "lastrevid": 11}]}})


def test_an_edit_is_a_bot_edit_based_on_the_revision_read() -> None:
    saved = Answer({"edit": {"result": "Success", "pageid": 3, "newrevid": 12}})
    api, script, _ = client(LATEST_11, saved)
    result = api.edit(existing(), "new text", "the summary")
    assert (result.revid, result.page_id) == (12, 3)
    edit = script.sent[1]
    assert edit["action"] == "edit" and edit["assert"] == "bot" and edit["bot"] == "1"
    assert edit["baserevid"] == "11" and edit["nocreate"] == "1" and "createonly" not in edit
    assert edit["maxlag"] == "5" and edit["token"] == "token+\\"
    assert edit["watchlist"] == "nochange" and "minor" not in edit
    new = Answer({"edit": {"result": "Success", "pageid": 8, "newrevid": 13, "new": True}})
    api, script, _ = client(new)
    assert api.edit(LoadedPage(title="Hub/New", exists=False), "x", "s").page_id == 8
    assert script.sent[0]["createonly"] == "1" and "baserevid" not in script.sent[0]


def test_a_newer_revision_is_a_conflict_before_anything_is_sent() -> None:
    newer = Answer({"query": {"pages": [{"pageid": 3, "title": "Hub/Cases", "lastrevid": 12}]}})
    api, script, _ = client(newer)
    with pytest.raises(EditConflict):
        api.edit(existing(), "new", "s")
    assert len(script.sent) == 1


@pytest.mark.parametrize(("answer", "expected", "words"), [
    (error("editconflict"), EditConflict, "editconflict"),
    (error("articleexists"), EditConflict, "articleexists"),
    (error("protectedpage", "This page has been protected"), PageRejected, "protected"),
    (error("cascadeprotected", "x"), PageRejected, "protected"),
    (error("abusefilter-disallowed", "filter 7"), PageRejected, "abuse filter"),
    (error("spamblacklist", "x", spamblacklist={"matches": ["spam.example"]}), PageRejected,
     "spam blacklist refused the edit .spam.example."),
    (error("titleblacklist-forbidden", "x"), PageRejected, "title blacklist"),
    (error("missingtitle", "x"), PageRejected, "deleted after it was read"),
    (error("badtags", "no such tag"), PageRejected, "badtags: no such tag"),
    (Answer({"edit": {"result": "Failure", "captcha": {}}}), PageRejected, "did not save"),
    (error("maxlag", "lagged", lag=9), WikiLagged, "lagged"),
    (Answer(status=500, text="fatal"), WikiUnavailable, "HTTP 500"),
])
def test_refusals_are_named_and_stops_stop(answer: Answer, expected: type[Exception],
                                           words: str) -> None:
    api, _, _ = client(LATEST_11, answer, max_retries=0)
    with pytest.raises(expected, match=words):
        api.edit(existing(), "x", "s")


def test_a_bad_token_is_renewed_once() -> None:
    saved = Answer({"edit": {"result": "Success", "pageid": 3, "newrevid": 12}})
    api, script, _ = client(LATEST_11, error("badtoken"), SITEINFO, saved)
    assert api.edit(existing(), "x", "s").revid == 12
    assert script.sent[-1]["token"] == "abc+\\"


def test_edits_keep_the_throttle() -> None:
    now = [100.0]
    saved = Answer({"edit": {"result": "Success", "pageid": 3, "newrevid": 12}})
    api, _, waits = client(saved, saved, throttle=10.0, clock=lambda: now[0])
    api.edit(LoadedPage(title="A", exists=False), "x", "s")
    now[0] += 4
    api.edit(LoadedPage(title="B", exists=False), "x", "s")
    assert waits == [6.0]


def test_no_edit_without_a_login() -> None:
    api, _, _ = client()
    api._token = "+\\"
    with pytest.raises(LoginFailed, match="not logged in"):
        api.edit(LoadedPage(title="A", exists=False), "x", "s")


# -- {{bots}} / {{nobots}} ------------------------------------------------------------------

BOTS = {"Template:Bots"}
NOBOTS = {"Template:Nobots"}


@pytest.mark.parametrize(("text", "templates", "allowed"), [
    ("plain", set(), True),
    ("{{nobots}}", NOBOTS, False),
    ("{{bots}}", BOTS, True),
    ("{{bots|allow=HelpdeskBot}}", BOTS, True),
    ("{{bots|allow=OtherBot}}", BOTS, False),
    ("{{bots|allow=all}}", BOTS, True),
    ("{{bots|allow=none}}", BOTS, False),
    ("{{bots|deny=HelpdeskBot, OtherBot}}", BOTS, False),
    ("{{bots|deny=OtherBot}}", BOTS, True),
    ("{{bots|deny=all}}", BOTS, False),
    ("{{bots|deny=none}}", BOTS, True),
    ("{{nobots|deny=OtherBot}}", NOBOTS, False),
    ("<!-- {{nobots}} -->", set(), True),
    ("{{Archive box}}", NOBOTS, False),  # {{nobots}} through another template
])
def test_bot_exclusion(text: str, templates: set[str], allowed: bool) -> None:
    assert bot_may_edit(text, templates, "HelpdeskBot") is allowed


# -- the transport: maxlag on every request to the wiki ---------------------------------------

@contextmanager
def echo_server() -> Iterator[str]:
    """A server answering every request with the parameters it received, as JSON."""

    def app(environ: dict[str, Any], start: Callable[..., Any]) -> Any:
        request = Request(environ)
        params = {**request.args.to_dict(), **request.form.to_dict()}
        return Response(json.dumps(params), mimetype="application/json")(environ, start)

    with serve_wsgi(app) as url:
        yield url


def test_the_transport_adds_maxlag_to_every_api_request() -> None:
    with echo_server() as url, requests.Session() as session:
        transport = mount_transport(session, f"{url}/api.php", 5)
        assert isinstance(transport, WikiTransport)
        got = session.get(f"{url}/api.php", params={"action": "query", "meta": "siteinfo"})
        assert got.json() == {"action": "query", "meta": "siteinfo", "maxlag": "5"}
        posted = session.post(f"{url}/api.php", data={"action": "login", "lgpassword": "s"})
        assert posted.json() == {"action": "login", "lgpassword": "s", "maxlag": "5"}
        kept = session.post(f"{url}/api.php", data={"action": "edit", "maxlag": "3"})
        assert kept.json()["maxlag"] == "3"  # a request's own maxlag is kept
        other = session.get(f"{url}/index.php", params={"title": "X"})
        assert other.json() == {"title": "X"}  # only the API
    assert [sent["action"] for sent in transport.sent] == ["query", "login", "edit"]
    assert all("maxlag" in sent for sent in transport.sent)
