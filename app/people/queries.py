"""Reading the right people: skills, the directory, affiliates, asks, suggestions, gaps.

Every list is read in a fixed number of statements, whatever its length; matching
(languages, countries, skills, themes) happens in Python on those rows, since the lists are
JSON columns and the directory and the registry stay small.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Integer,
    String,
    func,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.orm import Session, joinedload
from sqlalchemy.sql.elements import ColumnElement

from app.auth.models import RoleGrant, User
from app.cases.labels import THEMES
from app.cases.models import Case
from app.cases.transitions import CLOSED_STATES
from app.core.pagination import Page, paginate
from app.core.regions import region_of
from app.groups.models import Membership, Referral, WorkingGroup
from app.people.labels import skill_label
from app.people.models import Affiliate, Ask, DirectoryEntry, Skill
from app.public.projection import is_public_clause

# Below this many, a public page says "fewer than 3" instead of the number.
SMALL_COUNT = 3
# The case's kinds of support that call for a skill of the list.
SUPPORT_SKILLS: dict[str, tuple[str, ...]] = {
    "mass_upload": ("mass-uploads", "upload-tools", "metadata", "openrefine"),
    "best_practices": ("partnership-agreements", "licensing"),
    "community": ("outreach",),
    "wir": ("outreach", "partnership-agreements"),
}
REQUEST_SKILLS: dict[str, tuple[str, ...]] = {
    "commons_upload": ("mass-uploads", "licensing"),
    "wikidata_donation": ("wikidata-modelling", "openrefine", "metadata"),
}


# -- skills -----------------------------------------------------------------------


def skills(db: Session, *, with_retired: bool = False) -> list[Skill]:
    """The skills of the list by name (retired ones only when asked)."""
    query = select(Skill).order_by(Skill.name, Skill.code)
    if not with_retired:
        query = query.where(Skill.retired.is_(False))
    return list(db.scalars(query).all())


def skill_names(db: Session) -> dict[str, str]:
    """Every skill's code → name (retired ones too, to show what people chose)."""
    return {str(row[0]): skill_label(str(row[0]), str(row[1]))
            for row in db.execute(select(Skill.code, Skill.name))}


# -- the directory ----------------------------------------------------------------


def entry_of(db: Session, user: User) -> DirectoryEntry | None:
    """The user's directory entry, if they ever saved one."""
    return db.scalars(select(DirectoryEntry).where(DirectoryEntry.user_id == user.id)).first()


@dataclass(frozen=True)
class Person:
    """A listed person as the directory shows them: only the fields they chose to show
    (a hidden field is empty here, never filled)."""

    username: str
    country: str | None = None
    languages: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    skills: tuple[str, ...] = ()
    roles: tuple[str, ...] = ()
    groups: tuple[str, ...] = ()
    themes: tuple[str, ...] = ()


def _shown(entry: DirectoryEntry, user: User, roles: Sequence[str],
           groups: Sequence[str]) -> Person:
    return Person(
        username=user.username,
        country=user.country if entry.show_country else None,
        languages=tuple(user.languages or []) if entry.show_languages else (),
        regions=tuple(user.regions or []) if entry.show_regions else (),
        skills=tuple(entry.skills or []) if entry.show_skills else (),
        roles=tuple(sorted(roles)) if entry.show_roles else (),
        groups=tuple(sorted(groups, key=str.casefold)) if entry.show_roles else (),
        themes=tuple(entry.themes or []) if entry.show_themes else (),
    )


@dataclass(frozen=True)
class DirectoryFilter:
    """What the directory's filter form asks for (empty: anything). A person matches
    only on a field they chose to show."""

    language: str = ""
    country: str = ""
    region: str = ""
    skill: str = ""
    theme: str = ""

    def where(self) -> list[ColumnElement[bool]]:
        """The conditions on DirectoryEntry and User."""
        conditions: list[ColumnElement[bool]] = []
        if self.language:
            conditions += [DirectoryEntry.show_languages.is_(True),
                           _json_list_holds(User.languages, self.language)]
        if self.country:
            conditions += [DirectoryEntry.show_country.is_(True), User.country == self.country]
        if self.region:
            conditions += [DirectoryEntry.show_regions.is_(True),
                           _json_list_holds(User.regions, self.region)]
        if self.skill:
            conditions += [DirectoryEntry.show_skills.is_(True),
                           _json_list_holds(DirectoryEntry.skills, self.skill)]
        if self.theme:
            conditions += [DirectoryEntry.show_themes.is_(True),
                           _json_list_holds(DirectoryEntry.themes, self.theme)]
        return conditions


def _json_list_holds(column: Any, value: str) -> ColumnElement[bool]:
    """Whether a JSON list of strings holds `value`: its text holds the value written as
    JSON writes it (quotes and escapes included), so "en" does not match "en-gb". The
    same on SQLite and MariaDB (both keep JSON as the text written)."""
    return type_coerce(column, String).contains(json.dumps(value), autoescape=True)


def directory(db: Session, wanted: DirectoryFilter, number: int,
              per_page: int) -> tuple[list[Person], Page]:
    """One page of the people who chose to be listed and match `wanted`, by username
    (four statements: the count, the entries, roles, groups)."""
    listed = (select(DirectoryEntry, User).join(User, User.id == DirectoryEntry.user_id)
              .where(DirectoryEntry.listed.is_(True), User.blocked.is_(False), *wanted.where()))
    total = int(db.scalar(select(func.count()).select_from(listed.subquery())) or 0)
    page = paginate(number, per_page, total)
    rows = db.execute(listed.order_by(User.username, User.id)
                      .offset(page.offset).limit(per_page)).all()
    ids = [user.id for _entry, user in rows]
    roles: dict[int, list[str]] = {}
    groups: dict[int, list[str]] = {}
    if ids:
        for user_id, role in db.execute(select(RoleGrant.user_id, RoleGrant.role)
                                        .where(RoleGrant.user_id.in_(ids),
                                               RoleGrant.role.in_(("committee", "helpdesk")))):
            roles.setdefault(user_id, []).append(role)
        # Only memberships the person lets the group's public roster show.
        for user_id, name in db.execute(
                select(Membership.user_id, WorkingGroup.name)
                .join(WorkingGroup, WorkingGroup.id == Membership.group_id)
                .where(Membership.user_id.in_(ids), Membership.listed.is_(True),
                       WorkingGroup.archived.is_(False))):
            groups.setdefault(user_id, []).append(name)
    people = [_shown(entry, user, roles.get(user.id, []), groups.get(user.id, []))
              for entry, user in rows]
    return people, page


# -- affiliates -------------------------------------------------------------------


def affiliates(db: Session, *, active_only: bool = False) -> list[Affiliate]:
    """The registry by name."""
    query = select(Affiliate).order_by(Affiliate.name)
    if active_only:
        query = query.where(Affiliate.active.is_(True))
    return list(db.scalars(query).all())


def affiliate_names(db: Session) -> dict[str, Affiliate]:
    """Every affiliate by its name folded to lower case (the CSV import matches on it)."""
    return {affiliate.name.casefold(): affiliate for affiliate in db.scalars(select(Affiliate))}


# -- asks -------------------------------------------------------------------------


@dataclass(frozen=True)
class AskView:
    """An ask as pages and the API show it: the case only when it is public."""

    id: int
    group_slug: str
    group_name: str
    title: str
    description: str
    languages: tuple[str, ...]
    skills: tuple[str, ...]
    status: str
    created_at: Any
    public_case: str | None
    taken_by: str | None = None
    taken_by_id: int | None = None


def _ask_rows(db: Session, *conditions: Any) -> list[AskView]:
    public_reference = (
        select(Case.reference).where(Case.id == Ask.case_id, is_public_clause())
        .correlate(Ask).scalar_subquery()
    )
    rows = db.execute(
        select(Ask, WorkingGroup.slug, WorkingGroup.name, public_reference, User.username)
        .join(WorkingGroup, WorkingGroup.id == Ask.group_id)
        .outerjoin(User, User.id == Ask.taken_by_id)
        .where(WorkingGroup.archived.is_(False), *conditions)
        .order_by(Ask.created_at.desc(), Ask.id.desc())
    ).all()
    return [AskView(ask.id, slug, name, ask.title, ask.description or "",
                    tuple(ask.languages or []), tuple(ask.skills or []), ask.status,
                    ask.created_at, reference, taker, ask.taken_by_id)
            for ask, slug, name, reference, taker in rows]


def open_asks(db: Session, group_id: int | None = None) -> list[AskView]:
    """Asks not done yet (open or taken), newest first; of one group or of all (one
    statement)."""
    conditions: list[Any] = [Ask.status.in_(("open", "taken"))]
    if group_id is not None:
        conditions.append(Ask.group_id == group_id)
    return _ask_rows(db, *conditions)


def asks_for(db: Session, user: User) -> tuple[list[AskView], list[AskView]]:
    """For the home page: open asks in a language the user works in, and the asks the
    user took (one statement)."""
    languages = set(user.languages or [])
    found = open_asks(db)
    matching = [ask for ask in found if ask.status == "open" and languages & set(ask.languages)]
    taken = [ask for ask in found if ask.status == "taken" and ask.taken_by_id == user.id]
    return matching, taken


def find_ask(db: Session, ask_id: int) -> Ask | None:
    """The ask `ask_id` with its group and members loaded."""
    return db.scalars(
        select(Ask).where(Ask.id == ask_id)
        .options(joinedload(Ask.group).selectinload(WorkingGroup.memberships))
    ).first()


def case_for_ask(db: Session, group: WorkingGroup, reference: str) -> Case | None:
    """The case a lead may link an ask to: a public case, or one referred to the group
    (anything else is as if it did not exist)."""
    referred = select(Referral.id).where(Referral.case_id == Case.id,
                                         Referral.group_id == group.id).exists()
    return db.scalars(
        select(Case).where(Case.reference == reference.strip().upper()[:40],
                           is_public_clause() | referred)
    ).first()


# -- suggestions on the case page ------------------------------------------------

# The ways a suggestion can match a case; a reason is "<way>:<value>".
MATCH_WAYS = ("country", "language", "theme", "skill")
SUGGESTED_AT_MOST = 10


@dataclass
class Suggestions:
    """People and affiliates that match a case, best first, each with why: reasons such
    as ``country:SE``, ``language:sv``, ``theme:heritage``, ``skill:Mass uploads``."""

    people: list[tuple[str, list[str]]] = field(default_factory=list)
    affiliates: list[tuple[dict[str, Any], list[str]]] = field(default_factory=list)


def _suggestion_rows(db: Session) -> list[Any]:
    """Listed people, active affiliates and the skill names, in ONE statement (the case
    page's budget allows one). Columns: kind, name, country, three JSON lists (people:
    languages, skills, themes; affiliates: countries, -, themes), four show flags
    (people: country, languages, skills, themes), id, kind and contact page
    (affiliates). A person's hidden fields are read here but never matched."""
    no_flag = type_coerce(null(), Boolean)
    no_id, no_text, no_list = type_coerce(null(), Integer), type_coerce(null(), String), \
        type_coerce(null(), JSON)
    people = (
        select(literal("person").label("kind"), User.username.label("name"),
               User.country.label("country"),
               type_coerce(User.languages, JSON).label("list1"),
               type_coerce(DirectoryEntry.skills, JSON).label("list2"),
               type_coerce(DirectoryEntry.themes, JSON).label("list3"),
               DirectoryEntry.show_country.label("a"), DirectoryEntry.show_languages.label("b"),
               DirectoryEntry.show_skills.label("c"), DirectoryEntry.show_themes.label("d"),
               no_id.label("affiliate_id"), no_text.label("affiliate_kind"),
               no_text.label("contact_url"))
        .join(User, User.id == DirectoryEntry.user_id)
        .where(DirectoryEntry.listed.is_(True), User.blocked.is_(False))
    )
    groups = (
        select(literal("affiliate"), Affiliate.name, no_text,
               type_coerce(Affiliate.countries, JSON), no_list,
               type_coerce(Affiliate.themes, JSON), no_flag, no_flag, no_flag, no_flag,
               Affiliate.id, Affiliate.kind, Affiliate.contact_url)
        .where(Affiliate.active.is_(True))
    )
    names = select(literal("skill"), Skill.code, Skill.name, no_list, no_list, no_list,
                   no_flag, no_flag, no_flag, no_flag, no_id, no_text, no_text)
    return list(db.execute(union_all(people, groups, names)).all())


def _case_skills(case: Case) -> set[str]:
    wanted: set[str] = set(REQUEST_SKILLS.get(case.request_type or "", ()))
    for support in case.support_types or []:
        wanted.update(SUPPORT_SKILLS.get(support, ()))
    return wanted


@dataclass(frozen=True)
class _Wanted:
    """What a case looks for in a person or an affiliate."""

    countries: set[str]
    languages: set[str]
    themes: set[str]
    skills: set[str]


def _codes(values: Any) -> set[str]:
    return {value for value in values or [] if isinstance(value, str)}


def rank(reasons: Sequence[str]) -> tuple[int, int]:
    """A suggestion's place (smaller first): how many of the ways it matches the case —
    country, language, theme, skill — then how many things it shares.

    The ways count before the things, so that a chapter in the request's country that
    also works on its theme comes before one that only shares the country, and before a
    thematic organisation that only shares the theme; a person who speaks the language
    and is interested in the theme comes before one who speaks two of its languages.
    Country and theme weigh the same: a local affiliate and a thematic one are both worth
    contacting. Equal ranks go by name.
    """
    ways = {reason.split(":", 1)[0] for reason in reasons}
    return -len(ways), -len(reasons)


def suggestions(db: Session, case: Case) -> Suggestions:
    """Who could help with the case: listed people sharing its countries, languages,
    themes or the skills its kind of support needs (each only on the fields they show);
    active affiliates working in its countries or on its themes. Best first (see
    `rank`), at most `SUGGESTED_AT_MOST` of each."""
    wanted = _Wanted(countries={code.upper() for code in _codes(case.countries)},
                     languages=_codes(case.languages), themes=_codes(case.themes),
                     skills=_case_skills(case))
    rows = _suggestion_rows(db)
    names = {row[1]: skill_label(row[1], row[2]) for row in rows if row[0] == "skill"}
    found = Suggestions()
    for row in rows:
        if row[0] == "person":
            reasons = _person_reasons(row, wanted, names)
            if reasons:
                found.people.append((row[1], reasons))
        elif row[0] == "affiliate":
            reasons = _affiliate_reasons(row, wanted)
            if reasons:
                found.affiliates.append(({"id": row[10], "name": row[1], "kind": row[11],
                                          "contact_url": row[12]}, reasons))
    found.people.sort(key=lambda pair: (rank(pair[1]), pair[0].casefold()))
    found.affiliates.sort(key=lambda pair: (rank(pair[1]), str(pair[0]["name"]).casefold()))
    del found.people[SUGGESTED_AT_MOST:], found.affiliates[SUGGESTED_AT_MOST:]
    return found


def _person_reasons(row: Any, wanted: _Wanted, names: dict[str, str]) -> list[str]:
    """What a listed person shares with the case, only on the fields they show."""
    country, languages, skills, themes, show_country, show_languages, show_skills, \
        show_themes = row[2:10]
    reasons: list[str] = []
    if show_country and country and country.upper() in wanted.countries:
        reasons.append(f"country:{country.upper()}")
    if show_languages:
        reasons += [f"language:{code}" for code in sorted(wanted.languages & _codes(languages))]
    if show_themes:
        reasons += [f"theme:{code}" for code in _in_theme_order(wanted.themes & _codes(themes))]
    if show_skills:
        reasons += [f"skill:{names.get(code, code)}"
                    for code in sorted(wanted.skills & _codes(skills))]
    return reasons


def _affiliate_reasons(row: Any, wanted: _Wanted) -> list[str]:
    """The countries and themes an active affiliate shares with the case."""
    countries = {code.upper() for code in _codes(row[3])}
    return ([f"country:{code}" for code in sorted(wanted.countries & countries)]
            + [f"theme:{code}" for code in _in_theme_order(wanted.themes & _codes(row[5]))])


def _in_theme_order(codes: set[str]) -> list[str]:
    """Theme codes in the order of the list of themes (unknown ones last, by code)."""
    order = {code: index for index, code in enumerate(THEMES)}
    return sorted(codes, key=lambda code: (order.get(code, len(order)), code))


# -- filling the gaps -------------------------------------------------------------


@dataclass(frozen=True)
class Gap:
    """A country with requests and neither an active affiliate nor a member from it."""

    country: str
    region: str | None
    requests: int


def covered_countries(db: Session) -> set[str]:
    """Countries with an active affiliate, a working-group member (of an active group) or a
    person listed in the directory who shows their country (three statements)."""
    covered: set[str] = set()
    for countries in db.scalars(select(Affiliate.countries).where(Affiliate.active.is_(True))):
        covered.update(str(code).upper() for code in countries or [])
    member_country = func.coalesce(Membership.country, User.country)
    covered.update(str(code).upper() for code in db.scalars(
        select(member_country).join(WorkingGroup, WorkingGroup.id == Membership.group_id)
        .join(User, User.id == Membership.user_id)
        .where(WorkingGroup.archived.is_(False), member_country.is_not(None)).distinct()) if code)
    covered.update(str(code).upper() for code in db.scalars(
        select(User.country).join(DirectoryEntry, DirectoryEntry.user_id == User.id)
        .where(DirectoryEntry.listed.is_(True), DirectoryEntry.show_country.is_(True),
               User.country.is_not(None)).distinct()) if code)
    return covered


def count_gaps(case_countries: Iterable[Iterable[str]], covered: set[str]) -> list[Gap]:
    """Countries that cases name and nobody covers, most requests first (ties by code);
    each case counts once per country it names."""
    counts: Counter[str] = Counter()
    for countries in case_countries:
        counts.update({code.strip().upper() for code in countries
                       if isinstance(code, str) and code.strip()})
    return [Gap(country=code, region=region_of(code), requests=value)
            for code, value in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
            if code not in covered]


def gaps(db: Session, *, public: bool) -> list[Gap]:
    """The gaps of public cases (everyone), or of every open case (the committee and the
    helpdesk)."""
    query = select(Case.countries)
    if public:
        query = query.where(is_public_clause())
    else:
        query = query.where(Case.state.not_in(CLOSED_STATES))
    return count_gaps((countries or [] for countries in db.scalars(query)),
                      covered_countries(db))
