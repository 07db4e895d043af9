"""Search results as the pages show them: ranked cases with the searched words marked
and a passage of the field that matched."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from markupsafe import Markup
from sqlalchemy.orm import Session

from app.cases.models import Case
from app.core.pagination import Page
from app.public.labels import labelled
from app.public.projection import project
from app.public.queries import CaseFilters
from app.search import queries
from app.search.highlight import mark, pattern, snippet
from app.search.queries import Scope, StaffFilters
from app.search.terms import Terms

SOURCES: dict[str, LazyString] = {
    # Translators: on a search result: the passage shown comes from the request's description.
    "description": _l("Description"),
    # Translators: on a search result: the passage shown comes from the case's public summary.
    "public_summary": _l("Public summary"),
    # Translators: on a search result: the passage shown comes from a message on the case.
    "message": _l("Message"),
    # Translators: on a search result: the passage comes from an internal (staff-only) message.
    "internal_message": _l("Internal message"),
    # Translators: on a search result: the requester's email address matched.
    "contact_email": _l("Email address"),
}


@dataclass(frozen=True)
class Result:
    """One found case for the staff page."""

    case: Case
    score: float
    title: Markup
    organisation: Markup
    passage: Markup | None
    source: LazyString | None


def _passage(texts: list[tuple[str, str]], found: Any) -> tuple[Markup | None,
                                                                 LazyString | None]:
    for source, text in texts:
        passage = snippet(text or "", found)
        if passage is not None:
            return passage, SOURCES[source]
    return None, None


def staff_results(db: Session, terms: Terms, scope: Scope, filters: StaffFilters,
                  number: int, per_page: int) -> tuple[list[Result], Page, bool]:
    """A page of staff results (three statements: the ranked page and its count, its
    cases, their messages), and whether the count is a lower bound (a common word)."""
    found = queries.search_staff(db, terms, scope, filters, number, per_page)
    messages = (queries.page_messages(db, [case.id for case, _ in found.rows], scope.internal)
                if terms.words else {})
    words = pattern(terms.words)
    results = []
    for case, score in found.rows:
        texts = [("description", case.description), ("public_summary", case.public_summary)]
        texts += [("internal_message" if internal else "message", body)
                  for body, internal in messages.get(case.id, [])]
        texts.append(("contact_email", case.contact_email))
        passage, source = _passage(texts, words)
        results.append(Result(case=case, score=score, title=mark(case.title, words),
                              organisation=mark(case.organisation.name, words),
                              passage=passage, source=source))
    return results, found.page, found.capped


def public_results(db: Session, terms: Terms, filters: CaseFilters, number: int,
                   per_page: int, base_url: str, now: datetime
                   ) -> tuple[list[dict[str, Any]], Page, bool]:
    """A page of the public list's search: each case's public projection (labelled), with
    `title_marked`, `organisation_marked` and `passage` (of its public summary) added; and
    whether the count is a lower bound (a common word)."""
    found = queries.search_public(db, terms, filters, number, per_page)
    words = pattern(terms.words)
    rows = []
    for case, _score in found.rows:
        row = labelled(project(case, base_url, now))
        row["title_marked"] = mark(row["title"], words)
        row["organisation_marked"] = mark(row["organisation"]["name"], words)
        row["passage"] = snippet(row["public_summary"], words)
        rows.append(row)
    return rows, found.page, found.capped
