"""Every change to asks, directory entries, skills and affiliates, each audited in the
caller's session (the caller commits once, so a change and its event land together)."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.roles import roles_of
from app.cases.labels import THEMES, choices
from app.core import audit
from app.core.errors import Refused
from app.core.models import utcnow
from app.core.regions import country_choices
from app.groups.models import WorkingGroup
from app.people import queries
from app.people.models import AFFILIATE_KINDS, Affiliate, Ask, DirectoryEntry, Skill

MAX_IMPORT_LINES = 2000
URL = re.compile(r"^https?://[^\s<>\"]{3,490}$")


class PeopleError(Refused):
    """A refused change to asks, the directory, skills or affiliates."""


# -- asks -------------------------------------------------------------------------


def _ask_snapshot(ask: Ask) -> dict[str, Any]:
    return {"group_id": ask.group_id, "title": ask.title, "status": ask.status,
            "case_id": ask.case_id, "languages": list(ask.languages or []),
            "skills": list(ask.skills or []), "taken_by_id": ask.taken_by_id}


def can_lead(group: WorkingGroup, user: User | None) -> bool:
    """May the user post asks for the group and mark them done (a lead, or an admin)?"""
    if user is None:
        return False
    if "admin" in roles_of(user):
        return True
    return any(m.user_id == user.id and m.lead for m in group.memberships)


@dataclass(frozen=True)
class AskFields:
    """What a lead writes when posting an ask."""

    title: str
    description: str = ""
    case_reference: str = ""
    languages: Sequence[str] = ()
    skills: Sequence[str] = ()


def post_ask(db: Session, group: WorkingGroup, fields: AskFields, actor: User) -> Ask:
    """A lead (or admin) posts an ask; a case must be public or referred to the group."""
    if not can_lead(group, actor):
        # Translators: an error: only leads of a working group post asks for volunteers.
        raise PeopleError(_("Only the group's leads can post asks."), 403)
    if group.archived:
        # Translators: an error; %(name)s is the name of a working group.
        raise PeopleError(_("The group %(name)s is archived.", name=group.name))
    case_id = None
    if fields.case_reference.strip():
        case = queries.case_for_ask(db, group, fields.case_reference)
        if case is None:
            # Translators: a form error; %(reference)s is what was typed, like CPH-2026-0042.
            raise PeopleError(_("There is no public request %(reference)s, nor one referred "
                                "to this group.", reference=fields.case_reference[:40]), 422)
        case_id = case.id
    ask = Ask(group_id=group.id, group=group, title=fields.title, description=fields.description,
              case_id=case_id, languages=list(dict.fromkeys(fields.languages)),
              skills=list(dict.fromkeys(fields.skills)), status="open",
              created_by_id=actor.id, created_at=utcnow())
    db.add(ask)
    db.flush()
    audit.record(db, actor, "ask.create", "ask", ask.id, after=_ask_snapshot(ask))
    return ask


def _change(db: Session, ask: Ask, actor: User, action: str, **values: Any) -> None:
    before = _ask_snapshot(ask)
    for name, value in values.items():
        setattr(ask, name, value)
    audit.record(db, actor, action, "ask", ask.id, before=before, after=_ask_snapshot(ask))


def take_ask(db: Session, ask: Ask, user: User) -> None:
    """Any signed-in Wikimedian who is not blocked takes an open ask."""
    if user.blocked:
        # Translators: an error for a person whose Wikimedia account is blocked.
        raise PeopleError(_("Your Wikimedia account is blocked."), 403)
    if ask.status != "open":
        # Translators: an error: someone else took the ask, or it was done.
        raise PeopleError(_("This ask is no longer open."))
    _change(db, ask, user, "ask.take", status="taken", taken_by_id=user.id, taken_at=utcnow())


def give_back(db: Session, ask: Ask, user: User) -> None:
    """The person who took the ask gives it back: it is open again."""
    if ask.status != "taken" or ask.taken_by_id != user.id:
        # Translators: an error: only the person who took an ask can give it back.
        raise PeopleError(_("You have not taken this ask."), 403)
    _change(db, ask, user, "ask.give_back", status="open", taken_by_id=None, taken_at=None)


def mark_done(db: Session, ask: Ask, actor: User) -> None:
    """A lead (or admin) marks the ask done."""
    if not can_lead(ask.group, actor):
        # Translators: an error: only leads of a working group mark asks done.
        raise PeopleError(_("Only the group's leads can mark an ask done."), 403)
    if ask.status == "done":
        # Translators: an error.
        raise PeopleError(_("This ask is already done."))
    _change(db, ask, actor, "ask.done", status="done", done_at=utcnow())


# -- the directory ----------------------------------------------------------------


@dataclass(frozen=True)
class EntryChoice:
    """What a person chooses for their directory entry."""

    listed: bool
    show_country: bool = True
    show_languages: bool = True
    show_regions: bool = True
    show_skills: bool = True
    show_roles: bool = True
    skills: Sequence[str] = ()
    show_themes: bool = True
    themes: Sequence[str] = ()


def known_themes(codes: Sequence[str]) -> list[str]:
    """The theme codes of the cases' list among `codes`, in the list's order, once each."""
    chosen = set(codes)
    return [code for code in THEMES if code in chosen]


def _entry_snapshot(entry: DirectoryEntry) -> dict[str, Any]:
    return {"listed": bool(entry.listed), "show_country": bool(entry.show_country),
            "show_languages": bool(entry.show_languages),
            "show_regions": bool(entry.show_regions), "show_skills": bool(entry.show_skills),
            "show_roles": bool(entry.show_roles), "show_themes": bool(entry.show_themes),
            "skills": list(entry.skills or []), "themes": list(entry.themes or [])}


def save_entry(db: Session, user: User, choice: EntryChoice) -> bool:
    """Save the user's directory choices (audited); False when nothing changed."""
    entry = queries.entry_of(db, user)
    created = entry is None
    if entry is None:
        entry = DirectoryEntry(user_id=user.id, listed=False, skills=[], themes=[])
        db.add(entry)
    before = None if created else _entry_snapshot(entry)
    entry.listed = choice.listed
    entry.show_country = choice.show_country
    entry.show_languages = choice.show_languages
    entry.show_regions = choice.show_regions
    entry.show_skills = choice.show_skills
    entry.show_roles = choice.show_roles
    entry.show_themes = choice.show_themes
    entry.skills = list(dict.fromkeys(choice.skills))
    entry.themes = known_themes(choice.themes)
    after = _entry_snapshot(entry)
    if before == after:
        return False
    entry.updated_at = utcnow()
    db.flush()
    audit.record(db, user, "directory.update", "directory_entry", entry.id, before=before,
                 after=after)
    return True


# -- skills (admins) --------------------------------------------------------------


def add_skill(db: Session, code: str, name: str, actor: User) -> Skill:
    """Add a skill to the list; refused (409) when the code is taken."""
    if code in queries.skill_names(db):
        # Translators: a form error; %(code)s is a short name typed for a skill.
        raise PeopleError(_("There is already a skill with the short name “%(code)s”.",
                            code=code))
    skill = Skill(code=code, name=name, retired=False)
    db.add(skill)
    db.flush()
    audit.record(db, actor, "skill.create", "skill", skill.id, after={"code": code, "name": name})
    return skill


def toggle_skill(db: Session, skill: Skill, actor: User) -> bool:
    """Retire the skill (people keep it, nobody new can pick it) or bring it back."""
    skill.retired = not skill.retired
    audit.record(db, actor, "skill.retire" if skill.retired else "skill.restore", "skill",
                 skill.id, after={"code": skill.code, "retired": skill.retired})
    return bool(skill.retired)


# -- affiliates (admins) ----------------------------------------------------------


@dataclass(frozen=True)
class AffiliateFields:
    """An affiliate's fields as a form or a CSV line gives them."""

    name: str
    kind: str
    countries: Sequence[str] = ()
    contact_url: str = ""
    active: bool = True
    # None: keep the affiliate's themes (a CSV file without a themes column).
    themes: Sequence[str] | None = ()


def _affiliate_snapshot(affiliate: Affiliate) -> dict[str, Any]:
    return {"name": affiliate.name, "kind": affiliate.kind,
            "countries": list(affiliate.countries or []),
            "themes": list(affiliate.themes or []), "contact_url": affiliate.contact_url,
            "active": bool(affiliate.active)}


def save_affiliate(db: Session, affiliate: Affiliate | None, fields: AffiliateFields,
                   actor: User) -> Affiliate:
    """Add an affiliate (`affiliate` None) or change one; a name may be used once (409)."""
    existing = queries.affiliate_names(db).get(fields.name.casefold())
    if existing is not None and existing is not affiliate:
        # Translators: a form error; %(name)s is the name of a Wikimedia affiliate.
        raise PeopleError(_("There is already an affiliate called “%(name)s”.",
                            name=fields.name))
    before = None if affiliate is None else _affiliate_snapshot(affiliate)
    if affiliate is None:
        affiliate = Affiliate(name=fields.name, kind=fields.kind)
        db.add(affiliate)
    affiliate.name = fields.name
    affiliate.kind = fields.kind
    affiliate.countries = [code.upper() for code in dict.fromkeys(fields.countries)]
    if fields.themes is not None or before is None:
        affiliate.themes = known_themes(fields.themes or ())
    affiliate.contact_url = fields.contact_url
    affiliate.active = fields.active
    affiliate.updated_at = utcnow()
    db.flush()
    audit.record(db, actor, "affiliate.create" if before is None else "affiliate.update",
                 "affiliate", affiliate.id, before=before, after=_affiliate_snapshot(affiliate))
    return affiliate


@dataclass
class ImportResult:
    """A CSV import: per-line errors (nothing imported), or what was added and changed."""

    errors: list[tuple[int, str]] = field(default_factory=list)
    added: int = 0
    updated: int = 0


def _theme_key(text: str) -> str:
    """A theme's code or name as the import compares it: case, spaces, hyphens and
    underscores aside."""
    return re.sub(r"[\s_-]+", " ", text).strip().casefold()


def theme_keys() -> dict[str, str]:
    """What a CSV file may write for each theme → its code: the code, the English name,
    or the name in the importing admin's language."""
    keys: dict[str, str] = {}
    with force_locale("en"):
        english = choices(THEMES)
    for code, name in [*english, *choices(THEMES)]:
        keys.setdefault(_theme_key(code), code)
        keys.setdefault(_theme_key(name), code)
    return keys


def _parse_themes(cell: str, keys: dict[str, str]) -> tuple[list[str], list[str]]:
    """The theme codes of a CSV cell (separated by semicolons), and what was not a theme."""
    found: list[str] = []
    unknown: list[str] = []
    for part in cell.split(";"):
        if not part.strip():
            continue
        code = keys.get(_theme_key(part))
        if code is None:
            unknown.append(part.strip())
        else:
            found.append(code)
    return found, unknown


def _parse_line(number: int, row: dict[str, str], known: set[str], seen: set[str],
                theme_names: dict[str, str] | None) -> tuple[AffiliateFields | None,
                                                             list[tuple[int, str]]]:
    """One line of the CSV file; `theme_names` None when the file has no themes column."""
    errors: list[tuple[int, str]] = []
    name = (row.get("name") or "").strip()
    kind = (row.get("kind") or "").strip().lower().replace(" ", "_").replace("-", "_")
    codes = [code.strip().upper() for code in re.split(r"[;,\s]+", row.get("countries") or "")
             if code.strip()]
    themes, unknown_themes = _parse_themes(row.get("themes") or "", theme_names or {})
    url = (row.get("contact_url") or "").strip()
    active_text = (row.get("active") or "yes").strip().lower()
    if not name or len(name) > 191:
        # Translators: an error of the affiliates CSV import.
        errors.append((number, _("The name is missing or longer than 191 characters.")))
    elif name.casefold() in seen:
        # Translators: an error of the affiliates CSV import; %(name)s is an affiliate's name.
        errors.append((number, _("“%(name)s” is already on an earlier line.", name=name)))
    seen.add(name.casefold())
    if kind not in AFFILIATE_KINDS:
        # Translators: an error of the affiliates CSV import; keep the four words in English
        # (they are what the file must say).
        errors.append((number, _("The kind must be chapter, user_group, thematic or hub.")))
    unknown = [code for code in codes if code not in known]
    if unknown:
        # Translators: an error of the affiliates CSV import; %(codes)s are what the file says.
        errors.append((number, _("Unknown country codes: %(codes)s (use two-letter ISO codes "
                                 "such as SE).", codes=", ".join(unknown)[:200])))
    if unknown_themes:
        # Translators: an error of the affiliates CSV import; %(names)s are what the file says.
        errors.append((number, _("Unknown themes: %(names)s (use the short names or the "
                                 "names of the themes listed on this page, separated by "
                                 "semicolons).", names=", ".join(unknown_themes)[:200])))
    if url and not URL.match(url):
        # Translators: an error of the affiliates CSV import.
        errors.append((number, _("The contact page must be a web address starting with "
                                 "https://.")))
    if active_text not in ("yes", "no", "true", "false", "1", "0", ""):
        # Translators: an error of the affiliates CSV import.
        errors.append((number, _("“active” must be yes or no.")))
    if errors:
        return None, errors
    return AffiliateFields(name=name, kind=kind, countries=codes, contact_url=url,
                           active=active_text not in ("no", "false", "0"),
                           themes=themes if theme_names is not None else None), []


def import_affiliates(db: Session, data: bytes, actor: User) -> ImportResult:
    """Add or update affiliates from a CSV file (header: name, kind, countries, optional
    themes, contact_url and active; without a themes column, an updated affiliate keeps
    its themes). Every line is checked first; with any error nothing
    is imported and the result lists the errors by line number."""
    result = ImportResult()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Translators: an error of the affiliates CSV import.
        result.errors.append((1, _("The file is not UTF-8 text.")))
        return result
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().lower() for name in reader.fieldnames or []]
    missing = [name for name in ("name", "kind", "countries") if name not in header]
    if missing:
        # Translators: an error of the affiliates CSV import; %(names)s are column names.
        result.errors.append((1, _("The first line must name the columns; missing: "
                                   "%(names)s.", names=", ".join(missing))))
        return result
    reader.fieldnames = header
    known = {code for code, _name in country_choices("en")}
    seen: set[str] = set()
    theme_names = theme_keys() if "themes" in header else None
    parsed: list[AffiliateFields] = []
    for index, row in enumerate(reader, start=2):
        if index > MAX_IMPORT_LINES + 1:
            # Translators: an error of the affiliates CSV import; %(max)s is a number.
            result.errors.append((index, _("A file may have at most %(max)s lines.",
                                           max=MAX_IMPORT_LINES)))
            break
        if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
            continue
        fields, errors = _parse_line(index, row, known, seen, theme_names)
        result.errors += errors
        if fields is not None:
            parsed.append(fields)
    if result.errors:
        return result
    if not parsed:
        # Translators: an error of the affiliates CSV import.
        result.errors.append((1, _("The file has no affiliates in it.")))
        return result
    existing = queries.affiliate_names(db)
    for fields in parsed:
        affiliate = existing.get(fields.name.casefold())
        save_affiliate(db, affiliate, fields, actor)
        if affiliate is None:
            result.added += 1
        else:
            result.updated += 1
    return result
