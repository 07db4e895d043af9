"""Full-text search over cases: one interface, a MariaDB and an SQLite implementation.

`FullText` finds the rows of one table whose one column matches some words, with a
relevance: `MariaDBFullText` with `MATCH … AGAINST` in boolean mode (one FULLTEXT index
per column), `SQLiteFullText` with FTS5 (`bm25`, a column filter). `full_text(db)` picks
by dialect. Everything else is shared: each searched field gives (case, score) rows,
their union is summed per case, and the cases are read ranked, filtered and a page at
a time — three statements for a page of staff results (the ranked ids with their count,
the page's cases, their messages), two for the public list, whatever the number of hits.

A word matches as a prefix ("museu" finds "museum"); a case matches when every word is
found in some field the searcher may see (but a common word: see COMMON). A field's
score is its weight plus the relevance (capped at 1), so a title match always ranks
above a description match. Messages are searched per case (`search_texts`, see
app.search.index), not one by one.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, ClassVar, Protocol

from sqlalchemy import (
    ColumnElement,
    Float,
    Select,
    String,
    Table,
    and_,
    bindparam,
    cast,
    column,
    false,
    func,
    literal,
    literal_column,
    or_,
    select,
    table,
    true,
    union_all,
)
from sqlalchemy import case as when
from sqlalchemy.dialects.mysql import match as mysql_match
from sqlalchemy.orm import Session

from app.cases.models import Case, CaseMessage
from app.core.pagination import Page, paginate
from app.mail.models import IncomingMail
from app.partners.models import Organisation
from app.public.projection import is_public_clause, public_cases
from app.public.queries import CaseFilters, apply_filters
from app.search.index import SEARCH_TEXTS
from app.search.terms import Terms

# The weight of a match in each field (a case's score is the sum over its fields).
WEIGHTS = {
    "reference": 20.0,
    "title": 10.0,
    "organisation": 6.0,
    "contact_email": 6.0,
    "sender": 6.0,
    "public_summary": 4.0,
    "description": 3.0,
    "messages": 2.0,
}
CASE_COLUMNS = ("title", "description", "public_summary", "contact_email")
PUBLIC_CASE_COLUMNS = ("title", "public_summary")
TABLES: dict[str, Table] = {
    "cases": Case.__table__,  # type: ignore[dict-item]
    "organisations": Organisation.__table__,  # type: ignore[dict-item]
    "search_texts": SEARCH_TEXTS,
}


class FullText(Protocol):
    """The database's full-text index, one column at a time."""

    def expression(self, column_name: str, words: Sequence[str], every: bool = False) -> str:
        """What `matches` looks for: a word starting with one of `words` (letters, digits
        and marks only), or with `every`, each of `words` whole (found by the index
        itself: only the rows that hold them all are read)."""
        ...

    def matches(self, source: str, column_name: str,
                expression: Any) -> Select[tuple[int, float]]:
        """(id, relevance ≥ 0) of the rows of table `source` whose `column_name` holds
        `expression` (from `expression()`; a bound parameter, so that a statement can be
        built once and asked again with other words)."""
        ...


class MariaDBFullText:
    """InnoDB FULLTEXT indexes (migrations 0014, 0018), boolean mode: `word*` for each
    word (`+word` for each with `every`)."""

    def expression(self, column_name: str, words: Sequence[str], every: bool = False) -> str:
        pattern = "+{}" if every else "{}*"
        return " ".join(pattern.format(word) for word in words)

    def matches(self, source: str, column_name: str,
                expression: Any) -> Select[tuple[int, float]]:
        rows = TABLES[source]
        found = mysql_match(rows.c[column_name], against=expression).in_boolean_mode()
        key = next(iter(rows.primary_key))
        return select(key.label("id"), cast(found, Float).label("relevance")).where(found)


class SQLiteFullText:
    """FTS5 tables with external content (migrations 0014, 0018): `{column} : ("w"* OR …)`
    (`("w" AND …)` with `every`)."""

    FTS_TABLES: ClassVar[dict[str, str]] = {
        "cases": "search_cases", "organisations": "search_organisations",
        "search_texts": "search_texts_fts"}

    def expression(self, column_name: str, words: Sequence[str], every: bool = False) -> str:
        joiner, prefix = (" AND ", "") if every else (" OR ", "*")
        phrases = joiner.join(f'"{word}"{prefix}' for word in words)  # words hold no quote
        return f"{{{column_name}}} : ({phrases})"

    def matches(self, source: str, column_name: str,
                expression: Any) -> Select[tuple[int, float]]:
        name = self.FTS_TABLES[source]
        fts = table(name, column("rowid"), column(name))
        # bm25() is negative, lower for a better match.
        relevance = -func.bm25(literal_column(name))
        # OFFSET 0 keeps SQLite from flattening this into an outer aggregate (max()),
        # where bm25() cannot be called.
        return (select(fts.c.rowid.label("id"), cast(relevance, Float).label("relevance"))
                .where(fts.c[name].op("MATCH")(expression)).offset(0))


def full_text(db: Session) -> FullText:
    """The implementation for the session's database."""
    dialect = db.get_bind().dialect.name
    return SQLiteFullText() if dialect == "sqlite" else MariaDBFullText()


def _score(field: str, relevance: Any) -> ColumnElement[float]:
    capped = when((relevance > 1.0, 1.0), else_=relevance)
    return (literal(WEIGHTS[field], Float) + capped).label("score")


def _like_escaped(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class Scope:
    """What a searcher may search: the public projection, staff fields, internal messages."""

    staff: bool
    internal: bool = False


PUBLIC = Scope(staff=False)


# The `word` of a hit that is not one of the words: the whole text is (part of) a reference
# or a sender's address, which satisfies the whole query; a short word found in a
# reference adds to the score but is not required.
WHOLE, OPTIONAL = -1, -2


def _hit(case_id: Any, word: int, score: Any) -> list[Any]:
    return [case_id.label("case_id"), literal(word).label("word"), score.label("score")]


@dataclass(frozen=True)
class Shape:
    """What the statement of a search depends on, but for the words themselves (bound
    parameters): searches of the same shape share one statement, built once."""

    scope: Scope
    words: int  # indexed words (each required), or 1 for an address's words together
    shorts: int
    text: bool
    address: bool  # the words are an address's, looked for together and whole
    sender: bool  # the text holds "@": a sender's address perhaps

    @classmethod
    def of(cls, terms: Terms, scope: Scope) -> Shape:
        """The shape of `terms` searched within `scope`."""
        indexed_address = 1 if terms.address_indexed else 0
        words = indexed_address if terms.address else len(terms.words)
        return cls(scope, words, len(terms.short), bool(terms.text), terms.address,
                   scope.staff and "@" in terms.text)


def _fields(scope: Scope) -> list[tuple[str, str, str]]:
    """(weight, table, column) of each field the scope searches by full text; internal
    messages only for those who may read them."""
    fields = [(name, "cases", name)
              for name in (CASE_COLUMNS if scope.staff else PUBLIC_CASE_COLUMNS)]
    fields.append(("organisation", "organisations", "name"))
    if scope.staff:
        fields.append(("messages", "search_texts",
                       "all_messages" if scope.internal else "messages"))
    return fields


def _key(word: int, source: str, column_name: str) -> str:
    return f"w{word}_{source}_{column_name}"


def _field_hits(ft: FullText, word: int, scope: Scope, label: int) -> list[Select[Any]]:
    """(case_id, label, score) of the cases whose field holds word number `word`, one
    query per field."""
    parts: list[Select[Any]] = []
    for weight, source, name in _fields(scope):
        found = ft.matches(source, name, bindparam(_key(word, source, name),
                                                   type_=String)).subquery()
        score = _score(weight, found.c.relevance)
        if source == "organisations":
            parts.append(select(*_hit(Case.id, label, score))
                         .join(found, Case.organisation_id == found.c.id))
        else:
            parts.append(select(*_hit(found.c.id, label, score)))
    return parts


def _whole_hits(shape: Shape) -> list[Select[Any]]:
    """(case_id, word, score) of the cases whose reference holds the text (or a short
    word of it), or, for staff, whose requester's address it is or that it sent mail."""
    reference = literal(WEIGHTS["reference"], Float)
    parts: list[Select[Any]] = []
    if shape.text:
        parts.append(select(*_hit(Case.id, WHOLE, reference))
                     .where(Case.reference.like(bindparam("reference", type_=String),
                                                escape="\\")))
    if shape.shorts:
        parts.append(select(*_hit(Case.id, OPTIONAL, reference)).where(or_(*(
            Case.reference.like(bindparam(f"short_{index}", type_=String), escape="\\")
            for index in range(shape.shorts)))))
    if shape.scope.staff and shape.address:
        parts.append(select(*_hit(Case.id, WHOLE, literal(WEIGHTS["contact_email"], Float)))
                     .where(func.lower(Case.contact_email) == bindparam("address",
                                                                        type_=String)))
    if shape.sender:
        parts.append(select(*_hit(IncomingMail.case_id, WHOLE,
                                  literal(WEIGHTS["sender"], Float)))
                     .where(IncomingMail.from_address == bindparam("address", type_=String),
                            IncomingMail.case_id.is_not(None)).distinct())
    return parts


def search_params(ft: FullText, terms: Terms, scope: Scope) -> dict[str, Any]:
    """The values of the bound parameters of the statement `scores` built for the
    terms' shape."""
    params: dict[str, Any] = {
        "reference": f"%{_like_escaped(terms.text[:20].upper())}%",
        "address": terms.text.lower()}
    for index, short in enumerate(terms.short):
        params[f"short_{index}"] = f"%{_like_escaped(short.upper())}%"
    groups = ([(terms.words, True)] if terms.address
              else [([word], False) for word in terms.words])
    for word, (words, every) in enumerate(groups):
        for _weight, source, name in _fields(scope):
            params[_key(word, source, name)] = ft.expression(name, words, every)
    return params


# At most this many hits of one field for one word (or of a reference): a word found
# in more is a common word, like a stopword not required of a case ("murmurru upload"
# finds the cases with "murmurru", those with "upload" too ranked higher), and the
# count shown is a lower bound. Looking through every one of 10,000 matching rows is
# what made a common word slow (InnoDB reads each matching row).
COMMON = 1000


def _capped(part: Select[Any], most: int) -> Select[Any]:
    """The first `most` rows of a part, marked `common` when there were that many."""
    rows = part.limit(most).subquery()
    common = when((func.count().over() >= most, 1), else_=0)
    return select(rows.c.case_id, rows.c.word, rows.c.score, common.label("common"))


def scores(ft: FullText, terms: Terms, scope: Scope) -> tuple[Any, dict[str, Any]]:
    """A subquery of (case_id, score, capped), and the values of its parameters: every
    case that matches, once, with its score, and whether some field had more hits than
    COMMON (`capped` > 0, the same on every row).

    A case matches when each word is in one of its fields (any field, not necessarily
    the same), or when the text is part of its reference (or a sender's address); a
    common word (COMMON) is not required. An email address is looked for whole
    instead: as the requester's address, as a sender, or in a field that holds all
    its words (found by the index itself, rather than every case that holds "example"
    or "org"; not when no word of its name is in the index, as in "ab@museum.org").

    The statement is built once per shape of search (Shape) and database: building
    its few dozen parts took longer than MariaDB takes to run it for a rare word."""
    return (_scores(type(ft), Shape.of(terms, scope), COMMON),
            search_params(ft, terms, scope))


@lru_cache(maxsize=512)
def _scores(kind: type[FullText], shape: Shape, common: int) -> Any:
    ft = kind()
    parts = _whole_hits(shape)
    required = 0 if shape.address else shape.words
    for word in range(shape.words):
        parts += _field_hits(ft, word, shape.scope, WHOLE if shape.address else word)
    hits = union_all(*(_capped(part, common) for part in parts)).subquery("hits")
    # Sums over all the hits, not max(): MariaDB computes a max() window again for each
    # row (quadratic), a sum() once.
    common_words = [func.sum(when((hits.c.word == index, hits.c.common), else_=0)).over()
                    .label(f"common_{index}") for index in range(required)]
    marked = select(hits.c.case_id, hits.c.word, hits.c.score,
                    func.sum(hits.c.common).over().label("capped"),
                    *common_words).subquery("marked")
    each_word = [or_(func.max(when((marked.c.word == index, 1), else_=0)) == 1,
                     func.max(marked.c[f"common_{index}"]) > 0) for index in range(required)]
    return (select(marked.c.case_id, func.sum(marked.c.score).label("score"),
                   func.max(marked.c.capped).label("capped"))
            .group_by(marked.c.case_id)
            .having(or_(and_(true(), *each_word), func.min(marked.c.word) == WHOLE))
            .subquery("scores"))


@dataclass(frozen=True)
class StaffFilters:
    """Ways to narrow the staff search; codes validated by the form."""

    state: str | None = None
    channel: str | None = None
    open: bool | None = None
    created_from: date | None = None
    created_to: date | None = None


def _staff_filtered(query: Select[Any], filters: StaffFilters) -> Select[Any]:
    if filters.state:
        query = query.where(Case.state == filters.state)
    if filters.channel:
        query = query.where(Case.channel == filters.channel)
    if filters.open is not None:
        query = query.where(Case.is_open == filters.open)
    if filters.created_from:
        query = query.where(Case.created_at >= datetime.combine(filters.created_from, time()))
    if filters.created_to:
        end = datetime.combine(filters.created_to + timedelta(days=1), time())
        query = query.where(Case.created_at < end)
    return query


@dataclass
class Found:
    """One page of results: (case, score) in rank order, and the pager's numbers."""

    rows: list[tuple[Case, float]]
    page: Page
    capped: bool = False  # a common word: more cases than counted may hold it


def _read_page(db: Session, matching: Select[Any], params: dict[str, Any],
               loader: Select[tuple[Case]], ordering: Sequence[Any], number: int,
               per_page: int) -> Found:
    """A page of `matching` (case ids and scores) in `ordering`, with the number of rows
    in the same statement (a window count: the search runs once, not once more to count),
    then the page's cases through `loader` (two statements). Sorting the narrow rows of
    every hit, and reading whole cases for one page only, is what keeps a search that
    finds thousands of cases fast. A page past the last one costs two more statements:
    the count, then the last page."""
    def read(page_number: int) -> tuple[list[tuple[Case, float]], int | None, bool]:
        query = (matching.add_columns(func.count().over().label("total"))
                 .order_by(*ordering).offset((page_number - 1) * per_page).limit(per_page))
        rows = db.execute(query, params).all()
        if not rows:
            return [], None, False
        cases = {case.id: case for case in db.scalars(
            loader.where(Case.id.in_([row[0] for row in rows]))).unique()}
        capped = bool(getattr(rows[0], "capped", False))
        return ([(cases[row[0]], float(row[1])) for row in rows if row[0] in cases],
                int(rows[0].total), capped)

    rows, total, capped = read(max(1, number))
    if total is not None:
        return Found(rows, paginate(number, per_page, total), capped)
    if number <= 1:
        return Found([], paginate(1, per_page, 0))
    count = db.scalar(select(func.count()).select_from(matching.subquery()), params)
    page = paginate(number, per_page, int(count or 0))
    if not page.total:
        return Found([], page)
    rows, _total, capped = read(page.number)
    return Found(rows, page, capped)


def search_staff(db: Session, terms: Terms, scope: Scope, filters: StaffFilters,
                 number: int, per_page: int) -> Found:
    """A page of the cases a staff member's search finds (two statements). Equal scores:
    the newest case first. Without filters the cases table is not joined: the hits
    hold all the ranking needs, and joining thousands of them to their cases (for a
    common word) would cost more than the search itself."""
    ranked, params = scores(full_text(db), terms, scope)
    matching = select(ranked.c.case_id, ranked.c.score, ranked.c.capped)
    if filters != StaffFilters():
        matching = _staff_filtered(matching.join(Case, Case.id == ranked.c.case_id), filters)
    return _read_page(db, matching, params, select(Case), (ranked.c.score.desc(),
                      ranked.c.case_id.desc()), number, per_page)


def search_public(db: Session, terms: Terms, filters: CaseFilters, number: int,
                  per_page: int) -> Found:
    """A page of the public projection matching the search (two statements): only public
    fields are searched (title, public summary, organisation name, reference)."""
    ranked, params = scores(full_text(db), terms, PUBLIC)
    matching = apply_filters(select(Case.id, ranked.c.score, ranked.c.capped)
                             .where(is_public_clause()),
                             filters).join(ranked, ranked.c.case_id == Case.id)
    return _read_page(db, matching, params, public_cases(), (
        ranked.c.score.desc(), Case.is_open.desc(), Case.updated_at.desc(), Case.reference),
        number, per_page)


MESSAGES_READ = 2000  # at most, for the passages of a page of results


def page_messages(db: Session, case_ids: Sequence[int],
                  internal: bool) -> dict[int, list[tuple[str, bool]]]:
    """Case id → (body, internal) of its messages, oldest first, for the passages shown
    (one statement, by the index on case_id: asking the full-text index again would look
    through every message that holds the words; the page's few are marked in Python).
    Internal messages only when `internal`."""
    if not case_ids:
        return {}
    query = (select(CaseMessage.case_id, CaseMessage.body, CaseMessage.internal)
             .where(CaseMessage.case_id.in_(case_ids))
             .order_by(CaseMessage.case_id, CaseMessage.id).limit(MESSAGES_READ))
    if not internal:
        query = query.where(CaseMessage.internal == false())
    messages: dict[int, list[tuple[str, bool]]] = {}
    for case_id, body, is_internal in db.execute(query).tuples():
        messages.setdefault(case_id, []).append((body, bool(is_internal)))
    return messages
