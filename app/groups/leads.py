"""Routes for a group's leads (and admins): the pending join requests and their answers."""

from __future__ import annotations

from flask import abort, g, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.auth.roles import login_required
from app.core.db import get_session
from app.core.errors import fail
from app.groups import queries, service
from app.groups.models import JoinRequest, WorkingGroup
from app.groups.views import apply_change, bp, load_group


def _group_for_lead(slug: str) -> WorkingGroup:
    group = load_group(slug)
    if not queries.can_decide(group, g.user):
        abort(403)
    return group


def _request_for_lead(slug: str, request_id: int) -> tuple[WorkingGroup, JoinRequest]:
    """The group and its join request `request_id`: 403 for others than its leads and the
    admins, 404 for a request to another group."""
    group = _group_for_lead(slug)
    join_request = queries.join_request_of(get_session(), group, request_id)
    if join_request is None:
        # Translators: an error; %(name)s is the name of a working group.
        fail(404, _("There is no such request to join %(name)s.", name=group.name))
    return group, join_request


def _back(group: WorkingGroup) -> str:
    """Where to go after an answer: back to "My groups" when it was sent from there,
    else to the group's requests."""
    if request.form.get("back") == "mine":
        return url_for("groups.mine")
    return url_for("groups.requests", slug=group.slug)


@bp.get("/groups/<slug>/requests")
@login_required
def requests(slug: str) -> ResponseReturnValue:
    """The group's pending join requests, with the notes (leads and admins)."""
    group = _group_for_lead(slug)
    return render_template("groups/requests.html", group=group,
                           pending=queries.pending_requests(get_session(), group))


@bp.post("/groups/<slug>/requests/<int:request_id>/accept")
@login_required
def accept(slug: str, request_id: int) -> ResponseReturnValue:
    """Accept a join request: the user becomes an unlisted member."""
    group, join_request = _request_for_lead(slug, request_id)
    # Translators: a confirmation for a lead; %(user)s is a username, %(name)s the name of a
    # working group.
    done = _("%(user)s is now a member of %(name)s.", user=join_request.user.username,
             name=group.name)
    return apply_change(done, _back(group), service.accept,
                        group, join_request, g.user)


@bp.post("/groups/<slug>/requests/<int:request_id>/decline")
@login_required
def decline(slug: str, request_id: int) -> ResponseReturnValue:
    """Decline a join request; the user is told."""
    group, join_request = _request_for_lead(slug, request_id)
    # Translators: a confirmation for a lead; %(user)s is a username, %(name)s the name of a
    # working group.
    done = _("The request of %(user)s to join %(name)s was declined.",
             user=join_request.user.username, name=group.name)
    return apply_change(done, _back(group), service.decline,
                        group, join_request, g.user)
