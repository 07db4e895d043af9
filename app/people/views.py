"""Routes of the right people.

- ``GET /people`` — signed-in Wikimedians: the directory (only opted-in people, only the
  fields each chose to show), filtered by language, country, region, skill and theme.
- ``GET|POST /people/me`` — one's own directory entry (Preferences links to it).
- ``GET /affiliates`` — everyone; ``/affiliates/new``, ``/affiliates/<id>/edit``,
  ``/affiliates/import`` (CSV) — admins.
- ``GET|POST /skills`` and ``POST /skills/<id>/retire`` — admins keep the list of skills.
- ``GET|POST /groups/<slug>/asks/new`` — a group's leads post an ask;
  ``POST /asks/<id>/take|give-back|done`` — take it, give it back, mark it done.

Template globals give the group pages, /groups, the home page and the case page their
part (each one statement).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, replace
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from app.auth.roles import current_roles, login_required, role_required
from app.cases.labels import THEMES, choices, label
from app.core.db import as_id, commit_work, discard_work, get_session
from app.core.errors import fail
from app.core.regions import REGIONS, country_choices, country_name, language_name, region_label
from app.groups.queries import find_group
from app.people import queries, service
from app.people.forms import AffiliateForm, AskForm, DirectoryForm, ImportForm, SkillForm
from app.people.labels import affiliate_kind, ask_status, skill_label
from app.people.models import Affiliate, Skill

bp = Blueprint("people", __name__)

# Roles that see the case page's suggestions and the gaps of every open case.
STAFF_ROLES = frozenset({"committee", "helpdesk"})
DIRECTORY_PAGE_SIZE = 50


def _locale() -> str:
    return str(get_locale() or "en")


def _apply(done: str, back: str, change: Callable[..., object], *args: Any) -> ResponseReturnValue:
    """Make a change through the service: refused → error page with its status; made →
    committed, confirmed, 303 to `back`."""
    try:
        change(get_session(), *args)
    except service.PeopleError as exc:
        discard_work()
        fail(exc.status, exc.message)
    commit_work()
    flash(done, "success")
    return redirect(back, 303)


# -- template globals ----------------------------------------------------------------


@bp.app_template_global("group_asks")
def group_asks(group_id: int) -> list[queries.AskView]:
    """The open and taken asks of one group (one statement)."""
    return queries.open_asks(get_session(), group_id)


@bp.app_template_global("all_open_asks")
def all_open_asks() -> list[queries.AskView]:
    """Every ask not done yet, of active groups (one statement)."""
    return queries.open_asks(get_session())


@bp.app_template_global("home_asks")
def home_asks() -> tuple[list[queries.AskView], list[queries.AskView]]:
    """For the signed-in user: open asks in their languages, and the asks they took."""
    user = g.get("user")
    if user is None:
        return [], []
    return queries.asks_for(get_session(), user)


@bp.app_template_global("case_suggestions")
def case_suggestions(case: Any, access: Any) -> queries.Suggestions | None:
    """People and affiliates matching the case, for staff (one statement); None for others."""
    if not getattr(access, "is_staff", False):
        return None
    return queries.suggestions(get_session(), case)


@bp.app_template_global("skill_name")
def skill_name(code: str) -> str:
    """A skill's name (the list is read once a request, only when a page names a skill)."""
    names = g.get("skill_names")
    if names is None:
        names = g.skill_names = queries.skill_names(get_session())
    return str(names.get(code, code))


@bp.app_template_global("can_lead_group")
def can_lead_group(group: Any) -> bool:
    """May the signed-in user post asks for the group and mark them done?"""
    return service.can_lead(group, g.get("user"))


@bp.app_template_global("people_labels")
def people_labels() -> dict[str, Callable[[Any], str]]:
    """Namers the partials use, in the page language: one code (country, language, region,
    theme, kind, status) or a list of codes joined with commas (countries, languages,
    regions, themes)."""
    locale = _locale()

    def joined(namer: Callable[[str], str]) -> Callable[[Any], str]:
        return lambda codes: ", ".join(namer(str(code)) for code in codes or [])

    def country(code: str) -> str:
        return country_name(code, locale)

    def language(code: str) -> str:
        return language_name(code, locale)

    def region(code: str) -> str:
        return str(region_label(code))

    def theme(code: str) -> str:
        return label(THEMES, code)

    return {"country": country, "language": language, "region": region,
            "countries": joined(country), "languages": joined(language),
            "regions": joined(region), "skills": joined(skill_name),
            "theme": theme, "themes": joined(theme),
            "kind": affiliate_kind, "status": ask_status}


# -- the directory -----------------------------------------------------------------


def _filter_from_args(skill_codes: set[str]) -> queries.DirectoryFilter:
    def arg(name: str, allowed: set[str] | None = None) -> str:
        value = (request.args.get(name) or "").strip()[:64]
        if value and allowed is not None and value not in allowed:
            # Translators: an error for a filter value that is not one of the choices.
            fail(400, _("“%(value)s” is not one of the choices.", value=value))
        return value

    countries = {code for code, _name in country_choices(_locale())}
    return queries.DirectoryFilter(language=arg("language"), country=arg("country", countries),
                                   region=arg("region", set(REGIONS)),
                                   skill=arg("skill", skill_codes), theme=arg("theme", set(THEMES)))


@bp.get("/people")
@login_required
def directory() -> ResponseReturnValue:
    """The people who chose to be listed, filtered."""
    db = get_session()
    skill_list = queries.skills(db, with_retired=True)
    names = {skill.code: skill_label(skill.code, skill.name) for skill in skill_list}
    wanted = _filter_from_args(set(names))
    listed, page = queries.directory(db, wanted, as_id(request.args.get("page")) or 1,
                                     DIRECTORY_PAGE_SIZE)
    people = [replace(person, skills=tuple(sorted((names.get(code, code) for code in
                                                    person.skills), key=str.casefold)))
              for person in listed]
    locale = _locale()
    return render_template(
        "people/directory.html", people=people, wanted=wanted, page=page,
        wanted_args={name: value for name, value in asdict(wanted).items() if value},
        skills=[(skill.code, names[skill.code]) for skill in skill_list if not skill.retired],
        themes=choices(THEMES), countries=country_choices(locale),
        regions=[(code, str(region_label(code))) for code in REGIONS])


def _directory_form(db: Any) -> DirectoryForm:
    entry = queries.entry_of(db, g.user)
    data: dict[str, Any] = {"listed": False, "show_country": True, "show_languages": True,
                            "show_regions": True, "show_skills": True, "show_roles": True,
                            "show_themes": True, "skills": [], "themes": []}
    if entry is not None:
        data = {"listed": entry.listed, "show_country": entry.show_country,
                "show_languages": entry.show_languages, "show_regions": entry.show_regions,
                "show_skills": entry.show_skills, "show_roles": entry.show_roles,
                "show_themes": entry.show_themes, "skills": list(entry.skills or []),
                "themes": list(entry.themes or [])}
    form = DirectoryForm(data=data)
    kept = set(entry.skills or []) if entry is not None else set()
    form.set_choices([skill for skill in queries.skills(db, with_retired=True)
                      if not skill.retired or skill.code in kept])
    return form


@bp.route("/people/me", methods=["GET", "POST"])
@login_required
def my_entry() -> ResponseReturnValue:
    """Whether the directory lists me, what it shows, my skills and my themes."""
    db = get_session()
    form = _directory_form(db)
    if not form.is_submitted():
        return render_template("people/me.html", form=form)
    if not form.validate():
        return render_template("people/me.html", form=form), 400
    choice = service.EntryChoice(
        listed=bool(form.listed.data), show_country=bool(form.show_country.data),
        show_languages=bool(form.show_languages.data), show_regions=bool(form.show_regions.data),
        show_skills=bool(form.show_skills.data), show_roles=bool(form.show_roles.data),
        skills=list(form.skills.data or []), show_themes=bool(form.show_themes.data),
        themes=list(form.themes.data or []))
    if service.save_entry(db, g.user, choice):
        commit_work()
    # Translators: a confirmation.
    flash(_("Your directory settings were saved."), "success")
    return redirect(url_for("people.my_entry"), 303)


# -- affiliates ----------------------------------------------------------------------


@bp.get("/affiliates")
def affiliates() -> ResponseReturnValue:
    """The registry of Wikimedia affiliates."""
    return render_template("people/affiliates.html",
                           affiliates=queries.affiliates(get_session()),
                           is_admin="admin" in current_roles())


def _affiliate_page(form: AffiliateForm, affiliate: Affiliate | None,
                    status: int = 200) -> ResponseReturnValue:
    return render_template("people/affiliate_form.html", form=form, affiliate=affiliate), status


def _save_affiliate(affiliate: Affiliate | None) -> ResponseReturnValue:
    data = None
    if affiliate is not None:
        data = {"name": affiliate.name, "kind": affiliate.kind,
                "countries": list(affiliate.countries or []),
                "themes": list(affiliate.themes or []),
                "contact_url": affiliate.contact_url, "active": affiliate.active}
    form = AffiliateForm(data=data)
    form.set_choices(_locale())
    if not form.is_submitted():
        return _affiliate_page(form, affiliate)
    if not form.validate():
        return _affiliate_page(form, affiliate, 400)
    fields = service.AffiliateFields(
        name=form.name.data or "", kind=form.kind.data or "",
        countries=list(form.countries.data or []), contact_url=form.contact_url.data or "",
        active=bool(form.active.data), themes=list(form.themes.data or []))
    try:
        service.save_affiliate(get_session(), affiliate, fields, g.user)
    except service.PeopleError as exc:
        discard_work()
        form.name.errors = [exc.message]
        return _affiliate_page(form, affiliate, exc.status)
    commit_work()
    # Translators: a confirmation; %(name)s is the name of a Wikimedia affiliate.
    flash(_("%(name)s was saved.", name=fields.name), "success")
    return redirect(url_for("people.affiliates"), 303)


@bp.route("/affiliates/new", methods=["GET", "POST"])
@role_required("admin")
def new_affiliate() -> ResponseReturnValue:
    """Add an affiliate."""
    return _save_affiliate(None)


@bp.route("/affiliates/<int:affiliate_id>/edit", methods=["GET", "POST"])
@role_required("admin")
def edit_affiliate(affiliate_id: int) -> ResponseReturnValue:
    """Change an affiliate."""
    affiliate = get_session().get(Affiliate, affiliate_id)
    if affiliate is None:
        # Translators: an error.
        fail(404, _("There is no such affiliate."))
    return _save_affiliate(affiliate)


@bp.route("/affiliates/import", methods=["GET", "POST"])
@role_required("admin")
def import_affiliates() -> ResponseReturnValue:
    """Add or update affiliates from a CSV file; with any wrong line, nothing changes."""
    form = ImportForm()
    themes = choices(THEMES)
    if not form.is_submitted():
        return render_template("people/import.html", form=form, errors=[], themes=themes)
    if not form.validate():
        return render_template("people/import.html", form=form, errors=[], themes=themes), 400
    result = service.import_affiliates(get_session(), form.file.data.read(), g.user)
    if result.errors:
        discard_work()
        return render_template("people/import.html", form=form, errors=result.errors,
                               themes=themes), 422
    commit_work()
    # Translators: a confirmation of the affiliates CSV import; %(added)s and %(updated)s
    # are numbers.
    flash(_("Imported: %(added)s added, %(updated)s updated.", added=result.added,
            updated=result.updated), "success")
    return redirect(url_for("people.affiliates"), 303)


# -- skills --------------------------------------------------------------------------


@bp.route("/skills", methods=["GET", "POST"])
@role_required("admin")
def skills() -> ResponseReturnValue:
    """The list of skills people choose from; admins add and retire them."""
    db = get_session()
    form = SkillForm()
    status = 200
    if form.is_submitted():
        if form.validate():
            code, name = form.code.data or "", form.name.data or ""
            # Translators: a confirmation; %(name)s is the name of a skill.
            return _apply(_("The skill %(name)s was added.", name=name),
                          url_for("people.skills"), service.add_skill, code, name, g.user)
        status = 400
    return render_template("people/skills.html", form=form,
                           skills=queries.skills(db, with_retired=True),
                           label=skill_label), status


@bp.post("/skills/<int:skill_id>/retire")
@role_required("admin")
def retire_skill(skill_id: int) -> ResponseReturnValue:
    """Retire a skill, or bring it back."""
    skill = get_session().get(Skill, skill_id)
    if skill is None:
        # Translators: an error.
        fail(404, _("There is no such skill."))
    # Translators: a confirmation; %(name)s is the name of a skill.
    done = _("The skill %(name)s was changed.", name=skill.name)
    return _apply(done, url_for("people.skills"), service.toggle_skill, skill, g.user)


# -- asks ----------------------------------------------------------------------------


def _ask_form(db: Any) -> AskForm:
    form = AskForm()
    form.set_choices(_locale(), queries.skills(db))
    return form


@bp.route("/groups/<slug>/asks/new", methods=["GET", "POST"])
@login_required
def new_ask(slug: str) -> ResponseReturnValue:
    """A lead posts an ask for volunteers."""
    db = get_session()
    group = find_group(db, slug)
    if group is None:
        # Translators: an error; %(slug)s is the group's short name from the web address.
        fail(404, _("There is no working group “%(slug)s”.", slug=slug[:64]))
    if not service.can_lead(group, g.user):
        # Translators: an error: only leads of a working group post asks for volunteers.
        fail(403, _("Only the group's leads can post asks."))
    form = _ask_form(db)
    if not form.is_submitted():
        return render_template("people/ask_form.html", form=form, group=group)
    if not form.validate():
        return render_template("people/ask_form.html", form=form, group=group), 400
    fields = service.AskFields(title=form.title.data or "", description=form.description.data or "",
                               case_reference=form.case_reference.data or "",
                               languages=list(form.languages.data or []),
                               skills=list(form.skills.data or []))
    try:
        service.post_ask(db, group, fields, g.user)
    except service.PeopleError as exc:
        discard_work()
        form.case_reference.errors = [exc.message]
        return render_template("people/ask_form.html", form=form, group=group), exc.status
    commit_work()
    # Translators: a confirmation.
    flash(_("Your ask was posted. Anyone signed in can now take it."), "success")
    return redirect(url_for("groups.group_page", slug=group.slug, _anchor="asks-heading"), 303)


def _ask_change(ask_id: int, done: str, change: Callable[..., object]) -> ResponseReturnValue:
    ask = queries.find_ask(get_session(), ask_id)
    if ask is None:
        # Translators: an error.
        fail(404, _("There is no such ask."))
    back = url_for("groups.group_page", slug=ask.group.slug, _anchor=f"ask-{ask.id}")
    return _apply(done, back, change, ask, g.user)


@bp.post("/asks/<int:ask_id>/take")
@login_required
def take_ask(ask_id: int) -> ResponseReturnValue:
    """Take an open ask."""
    # Translators: a confirmation.
    return _ask_change(ask_id, _("You took the ask. Thank you! The group's leads can see it "
                                 "is yours."), service.take_ask)


@bp.post("/asks/<int:ask_id>/give-back")
@login_required
def give_back(ask_id: int) -> ResponseReturnValue:
    """Give back an ask one took."""
    # Translators: a confirmation.
    return _ask_change(ask_id, _("You gave the ask back; it is open again."), service.give_back)


@bp.post("/asks/<int:ask_id>/done")
@login_required
def ask_done(ask_id: int) -> ResponseReturnValue:
    """A lead marks an ask done."""
    # Translators: a confirmation.
    return _ask_change(ask_id, _("The ask was marked done."), service.mark_done)

