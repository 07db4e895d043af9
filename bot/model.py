"""The public projection as the bot sees it, and strict parsing of the app's JSON.

Pure functions: `parse_cases_page()` and `parse_groups()` turn decoded JSON into
frozen dataclasses or raise `GarbageError` naming the first thing that is wrong.
Unknown extra keys are ignored (the API may grow); missing keys, wrong types,
malformed codes, dates or URLs are garbage.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

STATES = (
    "submitted", "in_initial_review", "needs_information", "with_working_groups",
    "awaiting_final_go", "approved", "in_support", "closed", "declined", "withdrawn",
)
CLOSED_STATES = frozenset({"closed", "declined", "withdrawn"})
ORGANISATION_KINDS = frozenset({"igo", "ingo", "glam", "government", "academic", "other"})

REFERENCE = re.compile(r"^[A-Z]{2,10}-\d{4}-\d{1,8}$")
CODE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")
TIMESTAMP = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
DAY = re.compile(r"^\d{4}-\d\d-\d\d$")
MAX_TEXT = 20_000

T = TypeVar("T")


class GarbageError(ValueError):
    """The app answered with something that is not the documented API."""


@dataclass(frozen=True)
class Organisation:
    """The organisation behind a case (public fields only)."""

    name: str
    kind: str


@dataclass(frozen=True)
class Impact:
    """A case's latest impact snapshot (its Commons files and their use)."""

    day: int
    taken_at: datetime
    files: int
    files_capped: bool
    files_in_use: int
    wikis: int
    pages: int
    views: int
    views_capped: bool


@dataclass(frozen=True)
class PublicCase:
    """One case of the public projection."""

    reference: str
    title: str
    organisation: Organisation
    themes: tuple[str, ...]
    region: str | None
    target_projects: tuple[str, ...]
    state: str
    state_label: str
    open: bool
    created_at: datetime
    updated_at: datetime
    state_changed_at: datetime
    days_in_state: int
    public_summary: str
    url: str
    impact: Impact | None = None


@dataclass(frozen=True)
class CasesPage:
    """One page of `GET /api/v1/cases`."""

    cases: tuple[PublicCase, ...]
    page: int
    per_page: int
    total: int
    pages: int
    next: str | None


@dataclass(frozen=True)
class Member:
    """A working-group member who chose to be listed."""

    username: str
    lead: bool
    member_since: date


@dataclass(frozen=True)
class OpenAsk:
    """An unanswered referral of an open public case to a group."""

    reference: str
    title: str
    url: str


@dataclass(frozen=True)
class GroupAsk:
    """A working group's ask for volunteers, not done yet (`status` open or taken)."""

    id: int
    group_slug: str
    title: str
    description: str
    languages: tuple[str, ...]
    skills: tuple[str, ...]  # the skills' names
    status: str
    created_at: datetime
    case_reference: str | None  # only while the case is public
    case_url: str | None
    url: str


@dataclass(frozen=True)
class WorkingGroup:
    """A working group as the public sees it."""

    slug: str
    name: str
    description: str
    url: str
    members: tuple[Member, ...]
    open_referrals: tuple[OpenAsk, ...]


# -- field readers -------------------------------------------------------------

def _require(data: Any, key: str, where: str) -> Any:
    if not isinstance(data, dict):
        raise GarbageError(f"{where}: expected a JSON object, got {type(data).__name__}")
    if key not in data:
        raise GarbageError(f"{where}: the key {key!r} is missing")
    return data[key]


def _string(data: Any, key: str, where: str, *, empty: bool = True) -> str:
    value = _require(data, key, where)
    if not isinstance(value, str):
        raise GarbageError(f"{where}.{key}: expected a string, got {type(value).__name__}")
    if not empty and not value.strip():
        raise GarbageError(f"{where}.{key}: is empty")
    if len(value) > MAX_TEXT:
        raise GarbageError(f"{where}.{key}: is longer than {MAX_TEXT} characters")
    return value


def _integer(data: Any, key: str, where: str, *, minimum: int = 0) -> int:
    value = _require(data, key, where)
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise GarbageError(f"{where}.{key}: expected an integer >= {minimum}, got {value!r}")
    return value


def _boolean(data: Any, key: str, where: str) -> bool:
    value = _require(data, key, where)
    if not isinstance(value, bool):
        raise GarbageError(f"{where}.{key}: expected true or false, got {value!r}")
    return value


def _code(value: Any, where: str) -> str:
    if not isinstance(value, str) or not CODE.match(value):
        raise GarbageError(f"{where}: {value!r} is not a code")
    return value


def _codes(data: Any, key: str, where: str) -> tuple[str, ...]:
    value = _require(data, key, where)
    if not isinstance(value, list):
        raise GarbageError(f"{where}.{key}: expected a list")
    return tuple(_code(item, f"{where}.{key}") for item in value)


def _matching(data: Any, key: str, where: str, pattern: re.Pattern[str], what: str) -> str:
    """The string at `key`, which must match `pattern` (else it is not `what`)."""
    value = _string(data, key, where)
    if not pattern.match(value):
        raise GarbageError(f"{where}.{key}: {value!r} is not {what}")
    return value


def _dated(data: Any, key: str, where: str, pattern: re.Pattern[str], what: str,
           parse: Callable[[str], T]) -> T:
    """A date or time: written as `pattern`, and a real one (`parse` accepts it)."""
    value = _matching(data, key, where, pattern, what)
    try:
        return parse(value)
    except ValueError as error:
        raise GarbageError(f"{where}.{key}: {value!r} is not a valid date") from error


def _utc(value: str) -> datetime:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def _timestamp(data: Any, key: str, where: str) -> datetime:
    return _dated(data, key, where, TIMESTAMP, "a UTC timestamp", _utc)


def _day(data: Any, key: str, where: str) -> date:
    return _dated(data, key, where, DAY, "a date (YYYY-MM-DD)", date.fromisoformat)


def _reference(data: Any, key: str, where: str) -> str:
    return _matching(data, key, where, REFERENCE, "a case reference")


def _url(data: Any, key: str, where: str) -> str:
    value = _string(data, key, where)
    parts = urlsplit(value)
    if parts.scheme not in ("http", "https") or not parts.netloc or any(
        char.isspace() or ord(char) < 32 for char in value
    ):
        raise GarbageError(f"{where}.{key}: {value[:200]!r} is not an http(s) URL")
    return value


def _list(data: Any, key: str, where: str) -> list[Any]:
    value = _require(data, key, where)
    if not isinstance(value, list):
        raise GarbageError(f"{where}.{key}: expected a list, got {type(value).__name__}")
    return value


# -- cases -----------------------------------------------------------------------

def parse_case(data: Any, where: str = "case") -> PublicCase:
    """One `<case>` object of the API."""
    reference = _reference(data, "reference", where)
    where = f"case {reference}"
    organisation = _require(data, "organisation", where)
    kind = _code(_require(organisation, "kind", f"{where}.organisation"),
                 f"{where}.organisation.kind")
    state = _string(data, "state", where)
    if state not in STATES:
        raise GarbageError(f"{where}.state: unknown state {state!r}")
    is_open = _boolean(data, "open", where)
    if is_open == (state in CLOSED_STATES):
        raise GarbageError(f"{where}: open={is_open} contradicts state {state!r}")
    region = _require(data, "region", where)
    if region is not None:
        region = _code(region, f"{where}.region")
    return PublicCase(
        reference=reference,
        title=_string(data, "title", where),
        organisation=Organisation(
            name=_string(organisation, "name", f"{where}.organisation"), kind=kind
        ),
        themes=_codes(data, "themes", where),
        region=region,
        target_projects=_codes(data, "target_projects", where),
        state=state,
        state_label=_string(data, "state_label", where, empty=False),
        open=is_open,
        created_at=_timestamp(data, "created_at", where),
        updated_at=_timestamp(data, "updated_at", where),
        state_changed_at=_timestamp(data, "state_changed_at", where),
        days_in_state=_integer(data, "days_in_state", where),
        public_summary=_string(data, "public_summary", where),
        url=_url(data, "url", where),
        impact=parse_impact(data, where),
    )


def parse_impact(data: Any, where: str) -> Impact | None:
    """A case's `impact` (its latest snapshot): None when absent or null."""
    value = data.get("impact") if isinstance(data, dict) else None
    if value is None:
        return None
    where = f"{where}.impact"
    return Impact(
        day=_integer(value, "day", where), taken_at=_timestamp(value, "taken_at", where),
        files=_integer(value, "files", where),
        files_capped=_boolean(value, "files_capped", where),
        files_in_use=_integer(value, "files_in_use", where),
        wikis=_integer(value, "wikis", where), pages=_integer(value, "pages", where),
        views=_integer(value, "views", where),
        views_capped=_boolean(value, "views_capped", where))


def parse_cases_page(data: Any) -> CasesPage:
    """The body of `GET /api/v1/cases`."""
    where = "cases list"
    items = _list(data, "cases", where)
    page = _integer(data, "page", where, minimum=1)
    per_page = _integer(data, "per_page", where, minimum=1)
    total = _integer(data, "total", where)
    pages = _integer(data, "pages", where, minimum=1)
    next_url = _require(data, "next", where)
    if next_url is not None:
        next_url = _url(data, "next", where)
    if len(items) > per_page:
        raise GarbageError(f"{where}: {len(items)} cases on a page of {per_page}")
    cases = tuple(parse_case(item, f"{where}.cases[{index}]") for index, item in enumerate(items))
    return CasesPage(cases=cases, page=page, per_page=per_page, total=total, pages=pages,
                     next=next_url)


def check_case_list(cases: list[PublicCase], total: int) -> None:
    """A whole listing: no reference twice, as many as announced."""
    seen: set[str] = set()
    for case in cases:
        if case.reference in seen:
            raise GarbageError(f"cases list: {case.reference} appears twice")
        seen.add(case.reference)
    if len(cases) != total:
        raise GarbageError(f"cases list: announced {total} cases but sent {len(cases)}")


# -- working groups -----------------------------------------------------------------

def parse_group(data: Any, where: str = "working group") -> WorkingGroup:
    """One working group of `GET /api/v1/working-groups`."""
    slug = _code(_require(data, "slug", where), f"{where}.slug")
    where = f"working group {slug}"
    members = tuple(
        Member(
            username=_string(item, "username", f"{where}.members[{index}]", empty=False),
            lead=_boolean(item, "lead", f"{where}.members[{index}]"),
            member_since=_day(item, "member_since", f"{where}.members[{index}]"),
        )
        for index, item in enumerate(_list(data, "members", where))
    )
    asks = tuple(
        OpenAsk(
            reference=_reference(item, "reference", f"{where}.open_referrals[{index}]"),
            title=_string(item, "title", f"{where}.open_referrals[{index}]"),
            url=_url(item, "url", f"{where}.open_referrals[{index}]"),
        )
        for index, item in enumerate(_list(data, "open_referrals", where))
    )
    return WorkingGroup(
        slug=slug,
        name=_string(data, "name", where, empty=False),
        description=_string(data, "description", where),
        url=_url(data, "url", where),
        members=members,
        open_referrals=asks,
    )


def parse_groups(data: Any) -> list[WorkingGroup]:
    """The body of `GET /api/v1/working-groups`."""
    items = _list(data, "working_groups", "working groups")
    groups = [parse_group(item, f"working_groups[{index}]") for index, item in enumerate(items)]
    slugs = [group.slug for group in groups]
    if len(set(slugs)) != len(slugs):
        raise GarbageError("working groups: a slug appears twice")
    return groups


# -- asks -------------------------------------------------------------------------------

ASK_STATUSES = frozenset({"open", "taken"})
LANGUAGE_CODE = re.compile(r"^[a-z]{2,3}(?:[-_][A-Za-z0-9]{2,8})*$")


def parse_ask(data: Any, where: str = "ask") -> GroupAsk:
    """One ask of `GET /api/v1/asks`."""
    ask_id = _integer(data, "id", where, minimum=1)
    where = f"ask {ask_id}"
    group = _require(data, "group", where)
    status = _string(data, "status", where)
    if status not in ASK_STATUSES:
        raise GarbageError(f"{where}.status: unknown status {status!r}")
    languages = tuple(_matching({"code": code}, "code", f"{where}.languages", LANGUAGE_CODE,
                                "a language code")
                      for code in _list(data, "languages", where))
    skills = tuple(_string(item, "name", f"{where}.skills[{index}]", empty=False)
                   for index, item in enumerate(_list(data, "skills", where)))
    case = _require(data, "case", where)
    return GroupAsk(
        id=ask_id, group_slug=_code(_require(group, "slug", f"{where}.group"),
                                    f"{where}.group.slug"),
        title=_string(data, "title", where, empty=False),
        description=_string(data, "description", where),
        languages=languages, skills=skills, status=status,
        created_at=_timestamp(data, "created_at", where),
        case_reference=_reference(case, "reference", f"{where}.case") if case else None,
        case_url=_url(case, "url", f"{where}.case") if case else None,
        url=_url(data, "url", where))


def parse_asks(data: Any) -> list[GroupAsk]:
    """The body of `GET /api/v1/asks`."""
    items = _list(data, "asks", "asks")
    return [parse_ask(item, f"asks[{index}]") for index, item in enumerate(items)]
