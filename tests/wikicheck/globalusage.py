"""A stand-in for Commons' GlobalUsage extension, on a loopback port in front of the
throwaway MediaWiki (which has no GlobalUsage).

Every action-API request is passed on to the real wiki, so categories, files and the
generator's continuation are MediaWiki's own. The stand-in adds what the extension adds
(read from wikimedia/mediawiki-extensions-GlobalUsage, ApiQueryGlobalUsage.php and
GlobalUsageQuery.php):

- `meta=siteinfo&siprop=extensions` lists "GlobalUsage";
- `prop=globalusage` (prefix `gu`): the uses of the query's files, read from a table the
  test fills (`use()`), the extension's `globalimagelinks`: rows ordered by (file db
  key, wiki id, page id); `gulimit` (default 10, "max" and at most 500) counts rows
  over all the files of the request; `gunamespace` and `gufilterlocal` filter them;
  `guprop` (default `url`) adds `url`, `pageid`, `ns`. Each use is
  `{"title": "<Namespace>:<db key>", "wiki": "<host>"}` — titles keep their
  underscores, the wiki is named by its host (`WikiMap::getWikiName`).
- continuation as `ApiContinuationManager` gives it when a prop module inside a
  generator is not done: `gucontinue` ("file|wiki|page", the first row not sent) with
  the generator's parameters of the request (the same batch again) and
  `continue: "<generator keys>||"`, no `batchcomplete`; when the uses are done, the
  real wiki's own (generator) continuation.

`installed=False`: the stand-in passes everything on (a wiki without the extension);
`prop_known=False`: siteinfo lists the extension but `prop=globalusage` goes to the real
wiki, which warns it does not know it. `requests` keeps the parameters of each request.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

import requests

from tests.loopback import JsonHandler, serve

MAX_LIMIT = 500  # ApiBase::LIMIT_BIG1, and GlobalUsageQuery::setLimit's cap
LOCAL_WIKI = "commonswiki"
SITES = {"commonswiki": "commons.wikimedia.org", "enwiki": "en.wikipedia.org",
         "dewiki": "de.wikipedia.org", "frwiki": "fr.wikipedia.org",
         "wikidatawiki": "www.wikidata.org"}
NAMESPACES = {0: "", 1: "Talk", 2: "User", 4: "Wikipedia", 6: "File", 14: "Category"}


@dataclass(frozen=True, order=True)
class Link:
    """A row of `globalimagelinks` (its order is the table's index order)."""

    to: str  # gil_to: the file's db key, without "File:"
    wiki: str  # gil_wiki: the using wiki's id
    page: int  # gil_page
    namespace_id: int
    title: str  # gil_page_title: a db key


@dataclass
class GlobalUsage:
    """The stand-in's state."""

    wiki_api: str
    installed: bool = True
    prop_known: bool = True
    links: list[Link] = field(default_factory=list)
    requests: list[dict[str, str]] = field(default_factory=list)
    url: str = ""
    _page_ids: dict[tuple[str, str], int] = field(default_factory=dict)

    def use(self, file: str, wiki: str, title: str, namespace: int = 0) -> None:
        """`file` ("File:X.png" or "X.png") is used on `title` of the wiki `wiki` (an id)."""
        to = file.split(":", 1)[1] if file.startswith("File:") else file
        key = title.replace(" ", "_")
        page = self._page_ids.setdefault((wiki, f"{namespace}:{key}"), len(self._page_ids) + 1)
        self.links.append(Link(to.replace(" ", "_"), wiki, page, namespace, key))

    # -- answering --------------------------------------------------------------------------

    def answer(self, params: dict[str, str]) -> dict[str, Any]:
        """The answer to one action-API request."""
        self.requests.append(dict(params))
        props = [prop for prop in params.get("prop", "").split("|") if prop]
        wants_usage = self.installed and self.prop_known and "globalusage" in props
        sent = dict(params)
        if wants_usage:
            if len(props) > 1:
                return _error("stand-in", "the stand-in answers prop=globalusage alone")
            for name in [name for name in sent if name.startswith("gu")] + ["prop"]:
                sent.pop(name)
        body = self._pass_on(sent)
        if "error" in body:
            return body
        if self.installed and "siteinfo" in params.get("meta", "").split("|") and \
                "extensions" in params.get("siprop", "").split("|"):
            body.setdefault("query", {}).setdefault("extensions", []).append(
                {"type": "other", "name": "GlobalUsage", "descriptionmsg": "globalusage-desc",
                 "url": "https://www.mediawiki.org/wiki/Extension:GlobalUsage"})
        if wants_usage:
            if params.get("formatversion") != "2":
                return _error("stand-in", "the stand-in speaks formatversion=2 only")
            self._add_usage(params, body)
        return body

    def _pass_on(self, params: dict[str, str]) -> dict[str, Any]:
        response = requests.post(self.wiki_api, data=params, timeout=60,
                                 headers={"User-Agent": "globalusage-stand-in/1.0"})
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    def _add_usage(self, params: dict[str, str], body: dict[str, Any]) -> None:
        pages = body.get("query", {}).get("pages", [])
        files = {str(page["title"]).split(":", 1)[1].replace(" ", "_"): page
                 for page in pages if page.get("ns") == 6}
        rows = sorted(link for link in self.links if link.to in files
                      and self._wanted(link, params))
        offset = params.get("gucontinue")
        if offset is not None:
            to, wiki, page = offset.split("|")
            rows = [row for row in rows if (row.to, row.wiki, row.page) >= (to, wiki, int(page))]
        limit = _limit(params.get("gulimit", "10"))
        extra = rows[limit] if len(rows) > limit else None
        shown = set(params.get("guprop", "url").split("|"))
        for row in rows[:limit]:
            files[row.to].setdefault("globalusage", []).append(self._use(row, shown))
        if params.get("gulimit") == "max":
            body.setdefault("limits", {})["globalusage"] = MAX_LIMIT
        if extra is None:
            return  # the uses are done: the wiki's own continuation (of the generator)
        keys = [key for key in params.get("continue", "").split("||")[0].split("|")
                if key and key in params]
        body["continue"] = {"gucontinue": f"{extra.to}|{extra.wiki}|{extra.page}",
                            **{key: params[key] for key in keys},
                            "continue": "|".join(keys) + "||"}
        body.pop("batchcomplete", None)

    @staticmethod
    def _wanted(link: Link, params: dict[str, str]) -> bool:
        namespaces = params.get("gunamespace", "*")
        if namespaces != "*" and str(link.namespace_id) not in namespaces.split("|"):
            return False
        return not ("gufilterlocal" in params and link.wiki == LOCAL_WIKI)

    @staticmethod
    def _use(row: Link, shown: set[str]) -> dict[str, Any]:
        prefix = NAMESPACES.get(row.namespace_id, f"Namespace{row.namespace_id}")
        title = f"{prefix}:{row.title}" if prefix else row.title
        host = SITES.get(row.wiki, row.wiki)
        use: dict[str, Any] = {"title": title, "wiki": host}
        if "url" in shown:
            use["url"] = f"https://{host}/wiki/{title}"
        if "pageid" in shown:
            use["pageid"] = row.page
        if "namespace" in shown:
            use["ns"] = row.namespace_id
        return use


def _limit(value: str) -> int:
    return MAX_LIMIT if value == "max" else max(1, min(int(value), MAX_LIMIT))


def _error(code: str, info: str) -> dict[str, Any]:
    return {"error": {"code": code, "info": info}}


@contextmanager
def serve_globalusage(wiki_api: str) -> Iterator[GlobalUsage]:
    """Run the stand-in in front of the wiki whose api.php is `wiki_api`."""
    state = GlobalUsage(wiki_api)

    class Handler(JsonHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
            self._send(state.answer(form))

        def do_GET(self) -> None:
            query = self.path.partition("?")[2]
            self._send(state.answer(dict(parse_qsl(query, keep_blank_values=True))))

        def _send(self, body: dict[str, Any]) -> None:
            self.send_json(200, body)

    with serve(Handler) as url:
        state.url = f"{url}/api.php"
        yield state
