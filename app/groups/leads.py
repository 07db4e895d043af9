"""Routes for a group's leads (and admins): the pending join requests and their answers."""

from __future__ import annotations

from flask import abort, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.auth.roles import login_required
from app.core.db import get_session
from app.core.errors import fail
from app.groups import queries, service
from app.groups.models import JoinRequest, WorkingGroup
from app.groups.views import bp, load_group


def _group_for_lead(slug: str) -> WorkingGroup:
    group = load_group(slug)
    if not queries.can_decide(group, g.user):
        abort(403)
    return group


def _request_of(group: WorkingGroup, request_id: int) -> JoinRequest:
    join_request = get_session().get(JoinRequest, request_id)
    if join_request is None or join_request.group_id != group.id:
        # Translators: an error; %(name)s is the name of a working group.
        fail(404, _("There is no such request to join %(name)s.", name=group.name))
    return join_request


@bp.get("/groups/<slug>/requests")
@login_required
def requests(slug: str) -> ResponseReturnValue:
    """The group's pending join requests, with the notes (leads and admins)."""
    group = _group_for_lead(slug)
    return render_template("groups/requests.html", group=group,
                           pending=queries.pending_requests(get_session(), group))


def _answer(slug: str, request_id: int, accepting: bool) -> ResponseReturnValue:
    group = _group_for_lead(slug)
    join_request = _request_of(group, request_id)
    db = get_session()
    try:
        if accepting:
            service.accept(db, group, join_request, g.user)
        else:
            service.decline(db, group, join_request, g.user)
    except service.GroupError as exc:
        fail(exc.status, exc.message)
    db.commit()
    if accepting:
        # Translators: a confirmation for a lead; %(user)s is a username, %(name)s the name of a
        # working group.
        flash(_("%(user)s is now a member of %(name)s.", user=join_request.user.username,
                name=group.name), "success")
    else:
        # Translators: a confirmation for a lead; %(user)s is a username, %(name)s the name of a
        # working group.
        flash(_("The request of %(user)s to join %(name)s was declined.",
                user=join_request.user.username, name=group.name), "success")
    return redirect(url_for("groups.requests", slug=group.slug), 303)


@bp.post("/groups/<slug>/requests/<int:request_id>/accept")
@login_required
def accept(slug: str, request_id: int) -> ResponseReturnValue:
    """Accept a join request: the user becomes an unlisted member."""
    return _answer(slug, request_id, accepting=True)


@bp.post("/groups/<slug>/requests/<int:request_id>/decline")
@login_required
def decline(slug: str, request_id: int) -> ResponseReturnValue:
    """Decline a join request; the user is told."""
    return _answer(slug, request_id, accepting=False)
