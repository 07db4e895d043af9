"""Admin routes: add groups, rename and describe them, archive them, choose their leads."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.auth.roles import find_user, role_required
from app.core.db import get_session
from app.groups import queries, registry, service
from app.groups.forms import RESERVED_SLUGS, GroupDetailsForm, LeadForm, NewGroupForm
from app.groups.views import bp, load_group


@dataclass
class ManageForms:
    """The forms on the manage page; a submitted form that failed replaces its blank one."""

    add: NewGroupForm | None = None
    details: dict[str, GroupDetailsForm] = field(default_factory=dict)
    leads: dict[str, LeadForm] = field(default_factory=dict)


def _render(forms: ManageForms, status: int = 200) -> ResponseReturnValue:
    groups = queries.all_groups(get_session())
    details = {group.slug: forms.details.get(group.slug)
               or GroupDetailsForm(formdata=None, obj=group) for group in groups}
    leads = {group.slug: forms.leads.get(group.slug) or LeadForm(formdata=None)
             for group in groups}
    failed = bool(forms.add or forms.details or forms.leads)
    return render_template("groups/manage.html", groups=groups, failed=failed,
                           add_form=forms.add or NewGroupForm(formdata=None),
                           details=details, leads_forms=leads), status


@bp.get("/groups/manage")
@role_required("admin")
def manage() -> ResponseReturnValue:
    """Every group, archived ones too, with the forms to change them."""
    return _render(ManageForms())


@bp.post("/groups/manage/add")
@role_required("admin")
def add() -> ResponseReturnValue:
    """Add a group (audited)."""
    form = NewGroupForm()
    if not form.validate():
        return _render(ManageForms(add=form), 400)
    db = get_session()
    slug = form.slug.data or ""
    if slug in RESERVED_SLUGS:
        # Translators: a form error; %(slug)s is the short name typed for the group's address.
        form.slug.errors = [_("“%(slug)s” is used by the helpdesk itself; choose another "
                              "short name.", slug=slug)]
        return _render(ManageForms(add=form), 400)
    if registry.slug_taken(db, slug):
        # Translators: a form error; %(slug)s is the short name typed for the group's address.
        form.slug.errors = [_("There is already a group with the short name “%(slug)s”; "
                              "choose another.", slug=slug)]
        return _render(ManageForms(add=form), 409)
    group = registry.create_group(db, slug, form.name.data or "", form.description.data or "",
                                  g.user)
    db.commit()
    # Translators: a confirmation; %(name)s is the name of a working group.
    flash(_("The group %(name)s was added.", name=group.name), "success")
    return redirect(url_for("groups.manage"), 303)


@bp.post("/groups/manage/<slug>/edit")
@role_required("admin")
def edit(slug: str) -> ResponseReturnValue:
    """Rename and describe a group (audited)."""
    group = load_group(slug)
    form = GroupDetailsForm()
    if not form.validate():
        return _render(ManageForms(details={group.slug: form}), 400)
    db = get_session()
    if registry.update_group(db, group, form.name.data or "", form.description.data or "",
                             g.user):
        db.commit()
        # Translators: a confirmation; %(name)s is the name of a working group.
        flash(_("The group %(name)s was saved.", name=group.name), "success")
    else:
        # Translators: a notice; %(name)s is the name of a working group.
        flash(_("Nothing changed in %(name)s.", name=group.name), "notice")
    return redirect(url_for("groups.manage"), 303)


@bp.post("/groups/manage/<slug>/archive")
@role_required("admin")
def archive(slug: str) -> ResponseReturnValue:
    """Archive a group, or bring it back (audited)."""
    group = load_group(slug)
    db = get_session()
    archived = registry.toggle_archive(db, group, g.user)
    db.commit()
    if archived:
        # Translators: a confirmation; %(name)s is the name of a working group. An archived group is
        # kept but takes no new members or referrals.
        flash(_("The group %(name)s was archived.", name=group.name), "success")
    else:
        # Translators: a confirmation after bringing an archived group back; %(name)s is its name.
        flash(_("The group %(name)s is active again.", name=group.name), "success")
    return redirect(url_for("groups.manage"), 303)


@bp.post("/groups/manage/<slug>/lead")
@role_required("admin")
def lead(slug: str) -> ResponseReturnValue:
    """Make a member a lead of the group, or not (audited)."""
    group = load_group(slug)
    form = LeadForm()
    if not form.validate():
        return _render(ManageForms(leads={group.slug: form}), 400)
    db = get_session()
    user = find_user(db, form.username.data or "")
    if user is None:
        # Translators: a form error; %(name)s is the username that was typed.
        form.username.errors = [_("No user called “%(name)s” has signed in to the helpdesk.",
                                  name=form.username.data)]
        return _render(ManageForms(leads={group.slug: form}), 404)
    making_lead = form.lead.data == "1"
    try:
        changed = service.set_lead(db, group, user, making_lead, g.user)
    except service.GroupError as exc:
        form.username.errors = [exc.message]
        return _render(ManageForms(leads={group.slug: form}), exc.status)
    db.commit()
    if not changed:
        # Translators: a notice; %(user)s is a username, %(name)s the name of a working group.
        flash(_("Nothing changed for %(user)s in %(name)s.", user=user.username,
                name=group.name), "notice")
    elif making_lead:
        # Translators: a confirmation; %(user)s is a username, %(name)s the name of a working group.
        flash(_("%(user)s now leads %(name)s.", user=user.username, name=group.name),
              "success")
    else:
        # Translators: a confirmation; %(user)s is a username, %(name)s the name of a working group.
        flash(_("%(user)s no longer leads %(name)s.", user=user.username, name=group.name),
              "success")
    return redirect(url_for("groups.manage"), 303)
