"""Admin routes: add groups, rename and describe them, archive them, choose their leads.

Every POST here goes the same way (`_submit`): validate the form, make the change
through the service, commit, confirm, and back to the manage page; a form that
fails, or a change the service refuses, shows the page again with that form filled
in and its error.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy.orm import Session

from app.auth.roles import role_required
from app.core.db import commit_work, discard_work, get_session
from app.core.errors import fail
from app.groups import queries, service
from app.groups.forms import GroupDetailsForm, LeadForm, NewGroupForm
from app.groups.models import WorkingGroup
from app.groups.views import bp, load_group

Flash = tuple[str, str]  # a confirmation and its category ("success" or "notice")


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


def _submit(form: FlaskForm | None, failed: ManageForms, change: Callable[..., Flash],
            *args: Any, error_field: str = "") -> ResponseReturnValue:
    """Validate `form`, then `change(session, *args)` and commit; its Flash says what
    happened. A refusal of the service goes next to `error_field` of the form."""
    if form is not None and not form.validate():
        return _render(failed, 400)
    try:
        message, category = change(get_session(), *args)
    except service.GroupError as exc:
        discard_work()
        if form is None or not error_field:
            fail(exc.status, exc.message)
        form[error_field].errors = [exc.message]
        return _render(failed, exc.status)
    commit_work()
    flash(message, category)
    return redirect(url_for("groups.manage"), 303)


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
    return _submit(form, ManageForms(add=form), _add, form, error_field="slug")


def _add(db: Session, form: NewGroupForm) -> Flash:
    group = service.create_group(db, form.slug.data or "", form.name.data or "",
                                 form.description.data or "", g.user)
    # Translators: a confirmation; %(name)s is the name of a working group.
    return _("The group %(name)s was added.", name=group.name), "success"


@bp.post("/groups/manage/<slug>/edit")
@role_required("admin")
def edit(slug: str) -> ResponseReturnValue:
    """Rename and describe a group (audited)."""
    group = load_group(slug)
    form = GroupDetailsForm()
    return _submit(form, ManageForms(details={group.slug: form}), _edit, group, form)


def _edit(db: Session, group: WorkingGroup, form: GroupDetailsForm) -> Flash:
    if service.update_group(db, group, form.name.data or "", form.description.data or "",
                            g.user):
        # Translators: a confirmation; %(name)s is the name of a working group.
        return _("The group %(name)s was saved.", name=group.name), "success"
    # Translators: a notice; %(name)s is the name of a working group.
    return _("Nothing changed in %(name)s.", name=group.name), "notice"


@bp.post("/groups/manage/<slug>/archive")
@role_required("admin")
def archive(slug: str) -> ResponseReturnValue:
    """Archive a group, or bring it back (audited)."""
    return _submit(None, ManageForms(), _archive, load_group(slug))


def _archive(db: Session, group: WorkingGroup) -> Flash:
    if service.toggle_archive(db, group, g.user):
        # Translators: a confirmation; %(name)s is the name of a working group. An archived group
        # is kept but takes no new members or referrals.
        return _("The group %(name)s was archived.", name=group.name), "success"
    # Translators: a confirmation after bringing an archived group back; %(name)s is its name.
    return _("The group %(name)s is active again.", name=group.name), "success"


@bp.post("/groups/manage/<slug>/lead")
@role_required("admin")
def lead(slug: str) -> ResponseReturnValue:
    """Make a member a lead of the group, or not (audited)."""
    group = load_group(slug)
    form = LeadForm()
    return _submit(form, ManageForms(leads={group.slug: form}), _lead, group, form,
                   error_field="username")


def _lead(db: Session, group: WorkingGroup, form: LeadForm) -> Flash:
    making_lead = form.lead.data == "1"
    user, changed = service.set_lead(db, group, form.username.data or "", making_lead, g.user)
    if not changed:
        # Translators: a notice; %(user)s is a username, %(name)s the name of a working group.
        return _("Nothing changed for %(user)s in %(name)s.", user=user.username,
                 name=group.name), "notice"
    if making_lead:
        # Translators: a confirmation; %(user)s is a username, %(name)s the name of a working
        # group.
        return _("%(user)s now leads %(name)s.", user=user.username, name=group.name), "success"
    # Translators: a confirmation; %(user)s is a username, %(name)s the name of a working group.
    return _("%(user)s no longer leads %(name)s.", user=user.username,
             name=group.name), "success"
