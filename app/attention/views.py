"""Watching a case, unwatching from an email's signed link, and saved dashboard views;
and the template helpers of the menu's badges, the home page's panels and the unread
marks of the lists."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from sqlalchemy.exc import SQLAlchemyError

from app import csrf
from app.attention import queries, service
from app.attention.forms import (
    DeleteViewForm,
    RenameViewForm,
    SaveViewForm,
    UnwatchForm,
    WatchForm,
)
from app.attention.models import SavedView
from app.attention.tokens import ONE_CLICK_FIELD, ONE_CLICK_VALUE, read_unwatch
from app.auth.models import User
from app.auth.roles import login_required, role_required
from app.cases.access import case_access
from app.cases.models import Case
from app.cases.queries import read_case
from app.core.db import commit_work, discard_work, get_session
from app.core.errors import fail
from app.meetings.models import Meeting

bp = Blueprint("attention", __name__)
DASHBOARD_ROLES = ("committee", "helpdesk")


# -- template helpers ---------------------------------------------------------

@bp.app_template_global("attention_counts")
def attention_counts() -> queries.Counts | None:
    """The signed-in person's counts for the menu (one statement per request; None when
    signed out or when the database cannot say, as on an error page)."""
    try:
        return queries.counts_for_request(get_session())
    except SQLAlchemyError:
        return None


@bp.app_template_global("next_committee_meeting")
def next_committee_meeting() -> Meeting | None:
    """The committee's meeting under way or next, for the home page of its members."""
    return queries.next_meeting(get_session())


@bp.app_template_global("attention_panels")
def attention_panels() -> list[queries.Panel]:
    """The home page's panels for the signed-in person."""
    user = g.get("user")
    return queries.panels_for(get_session(), user) if user is not None else []


@bp.app_template_global("note_unread")
def note_unread(*row_lists: Iterable[Any]) -> int:
    """Read which cases of these lists are unread for the person (one statement), for
    `is_unread` to answer; returns how many are."""
    listed = [getattr(row, "case", row) for rows in row_lists for row in rows or []]
    ids = {case_id for case_id in (getattr(item, "id", None) for item in listed)
           if isinstance(case_id, int)}
    found = queries.unread_ids(get_session(), g.get("user"), ids)
    g._unread_ids = g.get("_unread_ids", set()) | found
    return len(found)


@bp.app_template_global("note_unread_references")
def note_unread_references(references: Iterable[str]) -> int:
    """`note_unread` for lists that know their cases by reference."""
    found = queries.unread_references(get_session(), g.get("user"), list(references))
    g._unread_references = g.get("_unread_references", set()) | found
    return len(found)


@bp.app_template_global("is_unread_reference")
def is_unread_reference(reference: str) -> bool:
    """Did the case change since the person last opened it (after
    `note_unread_references`)?"""
    return reference in g.get("_unread_references", set())


@bp.app_template_global("is_unread")
def is_unread(case_id: int) -> bool:
    """Did the case change since the person last opened it (after `note_unread`)?"""
    return case_id in g.get("_unread_ids", set())


@bp.app_template_global("saved_view_tabs")
def saved_view_tabs() -> list[SavedView]:
    """The signed-in person's five most used saved views."""
    user = g.get("user")
    return queries.top_views(get_session(), user.id) if user is not None else []


def case_marks(case: Case) -> dict[str, Any]:
    """For the case page: whether the person watches the case (their choice, or by
    default whether they are on the case; read with the menu's counts in one
    statement); and the case is marked seen (a write only when the case changed since
    they last opened it)."""
    db, user = get_session(), g.user
    counts = queries.counts_for_request(db, case.id)
    if service.mark_seen(db, user, case, counts):
        commit_work()
    choice = counts.watching if counts is not None else None
    if choice is None:
        choice = (user.id in (case.requester_id, case.assignee_id)
                  or (counts is not None and counts.reviewed))
    return {"watching": bool(choice), "watch_form": WatchForm()}


# -- watching -----------------------------------------------------------------

@bp.post("/requests/<reference>/watch")
@login_required
def watch(reference: str) -> ResponseReturnValue:
    """Watch or stop watching a case (anyone who may see it)."""
    case = _case_they_see(reference)
    form = WatchForm()
    if not form.validate_on_submit() or form.watch.data not in ("0", "1"):
        fail(400, _("The form could not be read. Reload the page and try again."))
    watching = form.watch.data == "1"
    service.set_watching(get_session(), g.user, case, watching)
    commit_work()
    if watching:
        # Translators: a confirmation on the case page.
        flash(_("You are watching this request: you will be told of its changes."), "success")
    else:
        # Translators: a confirmation on the case page.
        flash(_("You no longer watch this request."), "success")
    return redirect(url_for("cases.case_page", reference=case.reference), 303)


def _case_they_see(reference: str) -> Case:
    """The case, if the signed-in person may see it (404 unknown, 403 not theirs)."""
    db = get_session()
    found = read_case(db, reference[:40], g.user)
    if found is None:
        fail(404, _("There is no request %(reference)s.", reference=reference[:40]))
    case, facts = found
    access = case_access(db, g.user, case, conflict_member_ids=(
        {c.member_id for c in facts.conflicts} if facts.conflicts is not None else None),
        in_referred_group=bool(facts.my_group_ids))
    if not access.can_view:
        fail(403, _("You do not have access to request %(reference)s.",
                    reference=case.reference))
    return case


def _unwatch_target(token: str) -> tuple[User, Case]:
    found = read_unwatch(token)
    db = get_session()
    user = db.get(User, found.user_id) if found else None
    case = db.get(Case, found.case_id) if found else None
    if found is None or user is None or case is None:
        # Translators: an error: the link from an email to stop emails about a request is damaged.
        fail(404, _("This link is not valid. Copy the whole link from the email, or stop "
                    "watching on the request's page."))
    return user, case


@bp.get("/unwatch/<token>")
def unwatch_confirm(token: str) -> ResponseReturnValue:
    """The signed link of a watcher's email: asks to confirm (a GET changes nothing, so
    a mail scanner that follows links does not unwatch)."""
    user, case = _unwatch_target(token)
    return render_template("attention/unwatch.html", case=case, person=user,
                           form=UnwatchForm(), done=False)


@bp.post("/unwatch/<token>")
def unwatch(token: str) -> ResponseReturnValue:
    """Stop the emails about the case for the person the link was sent to."""
    user, case = _unwatch_target(token)
    form = UnwatchForm()
    if not form.validate_on_submit():
        fail(400, _("The form could not be read. Reload the page and try again."))
    service.set_watching(get_session(), user, case, False)
    commit_work()
    return render_template("attention/unwatch.html", case=case, person=user, form=form,
                           done=True)


@bp.get("/unwatch/<token>/one-click")
def unwatch_one_click_page(token: str) -> ResponseReturnValue:
    """The address of the emails' List-Unsubscribe header, opened in a browser: the
    confirmation page (a GET changes nothing)."""
    _unwatch_target(token)
    return redirect(url_for("attention.unwatch_confirm", token=token), 303)


@bp.post("/unwatch/<token>/one-click")
@csrf.exempt
def unwatch_one_click(token: str) -> ResponseReturnValue:
    """One-click unwatching (RFC 8058): the mail program POSTs
    `List-Unsubscribe=One-Click` to the address of the email's List-Unsubscribe header,
    without cookies, so without a CSRF token. The signed token is the proof instead:
    it names the email's recipient and the case, and nobody can make one for someone
    else. The only route without a CSRF check (besides the read-only API)."""
    user, case = _unwatch_target(token)
    if request.form.get(ONE_CLICK_FIELD) != ONE_CLICK_VALUE:
        # Translators: an error (HTTP 400) when a mail program's one-click request to stop the
        # emails about a request is not one.
        fail(400, _("This address only takes a mail program's one-click request. Open the "
                    "link in the email to stop watching."))
    service.set_watching(get_session(), user, case, False)
    commit_work()
    return render_template("attention/unwatch.html", case=case, person=user,
                           form=UnwatchForm(), done=True)


# -- saved views --------------------------------------------------------------

def _own_view(view_id: int) -> SavedView:
    view = queries.view_of(get_session(), g.user.id, view_id)
    if view is None:
        # Translators: an error: no saved view with this number belongs to the person.
        fail(404, _("There is no such saved view."))
    return view


@bp.get("/views")
@role_required(*DASHBOARD_ROLES)
def views() -> ResponseReturnValue:
    """The person's saved views, to rename or delete."""
    return _views_page()


def _views_page(error: str = "", back: dict[str, str] | None = None) -> str:
    """The saved views page (with the reason a view was not saved, and the way back to
    the dashboard with the filters that were to be saved)."""
    return render_template("attention/views.html",
                           views=queries.all_views(get_session(), g.user.id),
                           error=error, back=back or {})


@bp.post("/views")
@role_required(*DASHBOARD_ROLES)
def save() -> ResponseReturnValue:
    """Save the dashboard's current filters under a name."""
    form = SaveViewForm()
    if not form.validate_on_submit():
        fail(400, _("The form could not be read. Reload the page and try again."))
    db = get_session()
    args = {key: value for key, value in request.form.items()
            if key in ("state", "theme", "region", "priority", "assignee", "waiting", "q",
                       "sort", "dir")}
    try:
        view = service.save_view(db, g.user, form.name.data or "", args,
                                 len(queries.all_views(db, g.user.id)))
        commit_work()
    except service.ViewError as exc:
        discard_work()
        return _views_page(error=exc.message, back=args), exc.status
    # Translators: a confirmation; %(name)s is the name the person gave their saved filters.
    flash(_("Saved the view “%(name)s”.", name=view.name), "success")
    return redirect(url_for("attention.apply", view_id=view.id), 303)


@bp.get("/views/<int:view_id>")
@role_required(*DASHBOARD_ROLES)
def apply(view_id: int) -> ResponseReturnValue:
    """Open the dashboard with a saved view's filters (and count the use)."""
    view = _own_view(view_id)
    service.use_view(view)
    commit_work()
    return redirect(url_for("dashboard.committee") + (f"?{view.query}" if view.query else ""),
                    303)


@bp.post("/views/<int:view_id>/rename")
@role_required(*DASHBOARD_ROLES)
def rename(view_id: int) -> ResponseReturnValue:
    """Give a saved view another name."""
    view = _own_view(view_id)
    form = RenameViewForm()
    if not form.validate_on_submit():
        fail(400, _("The form could not be read. Reload the page and try again."))
    try:
        service.rename_view(get_session(), g.user, view, form.name.data or "")
        commit_work()
    except service.ViewError as exc:
        discard_work()
        return _views_page(error=exc.message), exc.status
    # Translators: a confirmation; %(name)s is the new name of a saved view.
    flash(_("Renamed to “%(name)s”.", name=view.name), "success")
    return redirect(url_for("attention.views"), 303)


@bp.post("/views/<int:view_id>/delete")
@role_required(*DASHBOARD_ROLES)
def delete(view_id: int) -> ResponseReturnValue:
    """Delete a saved view."""
    view = _own_view(view_id)
    if not DeleteViewForm().validate_on_submit():
        fail(400, _("The form could not be read. Reload the page and try again."))
    name = view.name
    service.delete_view(get_session(), g.user, view)
    commit_work()
    # Translators: a confirmation; %(name)s is the name of a saved view.
    flash(_("Deleted the view “%(name)s”.", name=name), "success")
    return redirect(url_for("attention.views"), 303)
