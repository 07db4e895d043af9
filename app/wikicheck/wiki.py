"""Reading Wikimedia Commons, Wikidata and the page-view API for the checks and snapshots.

The action-API requests go through the bot's own client (`bot.mwapi.ActionApi`: maxlag
on every request, one-line errors, a wiki that does not answer raises
`WikiUnavailable`). The web app only reads, anonymously, so pywikibot's sign-in is not
needed: the client runs on a plain `requests.Session`. Every request is counted
(`WikiReader.requests`), and a reader refuses to make more than `max_requests`: a
category of any size costs a bounded number of requests.

Endpoints come from the settings (COMMONS_API, WIKIDATA_API, PAGEVIEWS_API), so tests
point them at a throwaway MediaWiki and a stand-in page-view server.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any
from urllib.parse import quote, urlsplit

import requests

from bot.mwapi import ActionApi, ApiError
from bot.wiki_types import WikiError
from useragent import WEB_CLIENT
from useragent import user_agent as build_user_agent


class WikiDown(Exception):
    """A wiki or the page-view API could not be read; nothing is recorded, try again later."""


@dataclass
class Budget:
    """Requests made so far, and the most one check or snapshot may make."""

    limit: int
    used: int = 0
    exhausted: bool = False  # a request was refused: what was read is incomplete

    def spend(self) -> bool:
        """Count one request; False when the budget is spent (the caller stops there)."""
        if self.used >= self.limit:
            self.exhausted = True
            return False
        self.used += 1
        return True


def normal_category(name: str) -> str:
    """'Category:Maps of X' from 'Maps of X', 'category:Maps_of_X' or a Commons URL."""
    name = name.strip()
    if "/wiki/" in name:
        name = name.rsplit("/wiki/", 1)[1]
    name = name.replace("_", " ").strip()
    if name.lower().startswith("category:"):
        name = name[len("category:"):].strip()
    return f"Category:{name[:1].upper()}{name[1:]}" if name else ""


class WikiReader:
    """Anonymous reads of one wiki's action API, counted against a shared budget."""

    def __init__(self, api_url: str, budget: Budget, *, timeout: float, agent: str) -> None:
        """Read `api_url` (its api.php) through the bot's client."""
        self.api_url = api_url
        self.budget = budget
        self.session = requests.Session()
        self.api = ActionApi(api_url, self.session, agent, maxlag=5,
                             timeout=(min(timeout, 10.0), timeout), max_retries=0)

    def call(self, params: dict[str, Any], what: str, *,
             api_errors: bool = False) -> dict[str, Any] | None:
        """One request; None when the budget is spent. WikiDown when the wiki fails or
        answers with an error (`ApiError` itself with `api_errors`)."""
        if not self.budget.spend():
            return None
        try:
            return self.api.call(params, what=what, read=True)
        except WikiError as error:
            raise WikiDown(str(error)) from error
        except ApiError as error:
            if api_errors:
                raise
            raise WikiDown(f"the wiki at {self.api_url} refused {what}: {error}") from error

    def pages(self, params: dict[str, Any], what: str) -> Iterator[dict[str, Any]]:
        """The pages of a query, following continuation while the budget lasts.

        A page's properties may come over several answers (continuation of a prop within
        a generator batch); each answer's part is yielded, callers merge by title.
        """
        more: dict[str, Any] = {}
        while True:
            body = self.call({"action": "query", **params, **more}, what)
            if body is None:
                return
            self._refuse_unknown_props(body, what)
            yield from body.get("query", {}).get("pages", [])
            if "continue" not in body:
                return
            more = body["continue"]

    def _refuse_unknown_props(self, body: dict[str, Any], what: str) -> None:
        """WikiDown when the wiki ignored a `prop` it does not know.

        MediaWiki only warns ("Unrecognized value for parameter \"prop\"") and answers
        the rest: counting on would record zero uses instead of the real figures.
        """
        warnings = body.get("warnings") or {}
        for text in (str(value) for value in warnings.values()):
            if "nrecognized value" in text and '"prop"' in text:
                raise WikiDown(f"the wiki at {self.api_url} does not know a property asked "
                               f"while {what}: {text[:200]}")

    @property
    def host(self) -> str:
        """The wiki's host name ('commons.wikimedia.org'), the page-view API's project."""
        return urlsplit(self.api_url).netloc.split(":")[0]

    def close(self) -> None:
        """Let the connections go."""
        self.session.close()


def user_agent(source_url: str, contact: str) -> str:
    """The User-Agent of the tool's requests to the wikis."""
    return build_user_agent(WEB_CLIENT, source_url, contact,
                            libraries=(f"requests/{requests.__version__}",))


# -- the checks -----------------------------------------------------------------------------

@dataclass
class CategoryFacts:
    """A category's page and the licences of its files (the first `sample` of them)."""

    exists: bool
    files: int = 0
    sampled: int = 0
    unlicensed: list[str] = field(default_factory=list)


def category_facts(wiki: WikiReader, category: str, licences: list[str],
                   sample: int) -> CategoryFacts:
    """Whether `category` exists, how many files it holds, and which of its first `sample`
    files carry none of the `licences` (names of licence categories)."""
    body = wiki.call({"action": "query", "titles": category, "prop": "categoryinfo"},
                     "reading the category")
    page = ((body or {}).get("query", {}).get("pages") or [{}])[0]
    if body is None or page.get("missing") or page.get("invalid"):
        return CategoryFacts(exists=False)
    facts = CategoryFacts(exists=True, files=int(page.get("categoryinfo", {}).get("files", 0)))
    wanted = "|".join(normal_category(name) for name in licences if name.strip())
    licensed: dict[str, bool] = {}
    params = {"generator": "categorymembers", "gcmtitle": category, "gcmtype": "file",
              "gcmlimit": str(min(sample, 500)), "prop": "categories",
              "clcategories": wanted, "cllimit": "max"}
    for part in wiki.pages(params, "reading the licences of the files"):
        title = str(part.get("title", ""))
        licensed[title] = licensed.get(title, False) or bool(part.get("categories"))
        if len(licensed) >= sample:
            break
    facts.sampled = len(licensed)
    facts.unlicensed = sorted(title for title, ok in licensed.items() if not ok)
    return facts


@dataclass
class ItemFacts:
    """A Wikidata item and the classes it is an instance of (P31)."""

    exists: bool
    classes: list[str] = field(default_factory=list)
    stand_in: bool = False


def item_facts(wiki: WikiReader, item: str) -> ItemFacts:
    """The item's P31 values through Wikibase's `wbgetentities`.

    A wiki without Wikibase (the throwaway MediaWiki of the tests has none) answers
    `badvalue` for that action; then a stand-in is read instead: the page titled with the
    item's id, whose categories named after a class ("Category:Q43229") stand for P31.
    """
    try:
        body = wiki.call({"action": "wbgetentities", "ids": item, "props": "claims"},
                         "reading the Wikidata item", api_errors=True)
    except ApiError as error:
        if error.code == "no-such-entity":
            return ItemFacts(exists=False)
        if error.code in ("badvalue", "unknown_action"):
            return _stand_in_item(wiki, item)
        raise WikiDown(f"the wiki at {wiki.api_url} refused the item {item}: {error}") from error
    if body is None:
        return ItemFacts(exists=False)
    entity = body.get("entities", {}).get(item, {})
    if not entity or "missing" in entity:
        return ItemFacts(exists=False)
    classes = []
    for claim in entity.get("claims", {}).get("P31", []):
        value = claim.get("mainsnak", {}).get("datavalue", {}).get("value", {})
        if isinstance(value, dict) and value.get("id"):
            classes.append(str(value["id"]))
    return ItemFacts(exists=True, classes=classes)


def _stand_in_item(wiki: WikiReader, item: str) -> ItemFacts:
    pages = list(wiki.pages({"titles": item, "prop": "categories", "cllimit": "max"},
                            "reading the stand-in item page"))
    if not pages or pages[0].get("missing") or pages[0].get("invalid"):
        return ItemFacts(exists=False, stand_in=True)
    classes = [str(category.get("title", "")).split(":", 1)[-1]
               for page in pages for category in page.get("categories", [])]
    return ItemFacts(exists=True, classes=classes, stand_in=True)


# -- the snapshots --------------------------------------------------------------------------

GLOBAL_USAGE = "globalusage"
FILE_USAGE = "fileusage"
# The parameters of each source: uses on content pages (namespace 0), the most an answer
# may hold.
_USAGE_PARAMS = {
    GLOBAL_USAGE: {"prop": "globalusage", "gulimit": "max", "gunamespace": "0",
                   "guprop": "namespace"},
    FILE_USAGE: {"prop": "fileusage", "fulimit": "max", "funamespace": "0"},
}


@dataclass
class Usage:
    """Files in a category tree and where they are used."""

    source: str = FILE_USAGE  # GLOBAL_USAGE or FILE_USAGE: how the uses were read
    files: int = 0
    files_capped: bool = False
    files_in_use: int = 0
    pages: set[tuple[str, str]] = field(default_factory=set)  # (wiki host, title)
    complete: bool = True  # False when the request budget ran out first

    @property
    def wikis(self) -> int:
        """Distinct wikis using the files."""
        return len({host for host, _title in self.pages})


def usage_source(wiki: WikiReader) -> str:
    """How the uses of the files are read: GLOBAL_USAGE when the wiki has the GlobalUsage
    extension (Commons: uses on every Wikimedia wiki, itself included), FILE_USAGE
    otherwise (uses on that wiki only).

    Decided from what the wiki says it runs (`meta=siteinfo`, `siprop=extensions`), not
    guessed from a failed query: a wiki that does not answer, or answers without its list
    of extensions, is WikiDown (the snapshot waits for the next run rather than record
    figures read the wrong way).
    """
    body = wiki.call({"action": "query", "meta": "siteinfo", "siprop": "extensions"},
                     "reading the wiki's extensions")
    if body is None:
        return FILE_USAGE  # no request left: nothing more will be read anyway
    extensions = body.get("query", {}).get("extensions")
    if not isinstance(extensions, list):
        raise WikiDown(f"the wiki at {wiki.api_url} did not list its extensions")
    names = {str(extension.get("name", "")) for extension in extensions
             if isinstance(extension, dict)}
    return GLOBAL_USAGE if "GlobalUsage" in names else FILE_USAGE


def _uses(part: dict[str, Any], source: str, local_host: str) -> list[tuple[str, str]]:
    """The (wiki host, title) pairs of one file's uses in one answer.

    GlobalUsage names each use's wiki by its host ('en.wikipedia.org', from the sites
    table: `WikiMap::getWikiName`), the page-view API's project, and gives titles as
    database keys ('Harbour_of_Examples'), written here as `fileusage` gives them;
    `fileusage` uses are on the wiki read.
    """
    if source == GLOBAL_USAGE:
        return [(str(use.get("wiki", "")), str(use.get("title", "")).replace("_", " "))
                for use in part.get("globalusage", [])]
    return [(local_host, str(use.get("title", ""))) for use in part.get("fileusage", [])]


def category_usage(wiki: WikiReader, category: str, *, depth: int, cap: int) -> Usage:
    """Files in `category` and its subcategories down to `depth`, at most `cap` of them,
    and the content pages (namespace 0) that use them (see `usage_source`).

    One query a batch of 500 category members with the uses of its files; when the
    uses do not fit, the wiki repeats the batch with the next uses (continuation of a
    prop within a generator batch): files and pages are sets, so repeats count once.
    `complete` is False when the request budget ran out before the end.
    """
    usage = Usage(source=usage_source(wiki))
    seen_files: set[str] = set()
    used_files: set[str] = set()
    queue, visited = [(category, 0)], {category}
    while queue and not usage.files_capped and not wiki.budget.exhausted:
        current, level = queue.pop(0)
        params = {"generator": "categorymembers", "gcmtitle": current, "gcmtype": "file|subcat",
                  "gcmlimit": "max", **_USAGE_PARAMS[usage.source]}
        for part in wiki.pages(params, "reading the files of the category"):
            title = str(part.get("title", ""))
            if part.get("ns") == 14:
                if level < depth and title not in visited:
                    visited.add(title)
                    queue.append((title, level + 1))
                continue
            if title not in seen_files:
                if len(seen_files) >= cap:
                    usage.files_capped = True
                    break
                seen_files.add(title)
            uses = _uses(part, usage.source, wiki.host)
            usage.pages.update(uses)
            if uses:
                used_files.add(title)
    usage.complete = not wiki.budget.exhausted
    usage.files = len(seen_files)
    usage.files_in_use = len(used_files)
    return usage


def page_views(api_url: str, pages: list[tuple[str, str]], *, today: date, timeout: float,
               agent: str, budget: Budget) -> int:
    """Views by people (not bots) of `pages` in the 30 days before `today`, from the
    Wikimedia REST API's per-article page views. A page it has no data for counts 0."""
    start = (today - timedelta(days=30)).strftime("%Y%m%d")
    end = (today - timedelta(days=1)).strftime("%Y%m%d")
    total = 0
    with requests.Session() as session:
        session.headers["User-Agent"] = agent
        for host, title in pages:
            if not budget.spend():
                break
            article = quote(title.replace(" ", "_"), safe="")
            url = (f"{api_url.rstrip('/')}/metrics/pageviews/per-article/{host}/all-access/user/"
                   f"{article}/daily/{start}/{end}")
            try:
                response = session.get(url, timeout=timeout)
            except requests.RequestException as error:
                raise WikiDown(f"the page-view API at {api_url} did not answer") from error
            if response.status_code == 404:
                continue
            if response.status_code != 200:
                raise WikiDown(f"the page-view API at {api_url} answered HTTP "
                               f"{response.status_code}")
            try:
                items = response.json().get("items", [])
            except ValueError as error:
                raise WikiDown(f"the page-view API at {api_url} did not answer JSON") from error
            total += sum(int(item.get("views", 0)) for item in items)
    return total
