"""Routes of the groups pages: the list, a group's page, joining, leaving, listing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.auth.roles import login_required
from app.core.db import commit_work, discard_work, get_session
from app.core.errors import fail
from app.core.formats import format_date
from app.groups import queries, service
from app.groups.forms import JoinForm, ListingForm
from app.groups.models import WorkingGroup
from app.public.groups import open_public_referrals, project_group, public_groups

bp = Blueprint("groups", __name__)


def load_group(slug: str) -> WorkingGroup:
    """The group `slug`, or a 404 page."""
    group = queries.find_group(get_session(), slug)
    if group is None:
        # Translators: an error; %(slug)s is the group's short name from the web address.
        fail(404, _("There is no working group “%(slug)s”.", slug=slug[:64]))
    return group


def apply_change(done: str, back: str, change: Callable[..., object],
                 *args: Any) -> ResponseReturnValue:
    """Make a change to a group (`change(session, *args)`, a function of the service):
    a refused one is an error page with the service's message and status; a made one
    is committed, confirmed with `done` and sends the user on to `back` (303)."""
    try:
        change(get_session(), *args)
    except service.GroupError as exc:
        discard_work()
        fail(exc.status, exc.message)
    commit_work()
    flash(done, "success")
    return redirect(back, 303)


def _page_of(group: WorkingGroup) -> str:
    return url_for("groups.group_page", slug=group.slug)


def _with_since(members: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**member, "since_label": format_date(date.fromisoformat(member["member_since"]))}
            for member in members]


@bp.get("/groups")
def index() -> ResponseReturnValue:
    """Every group that is not archived: description, listed members, leads, referrals."""
    db = get_session()
    groups = public_groups(db, request.url_root)
    return render_template("groups/index.html", groups=groups,
                           mine=queries.slugs_of_user(db, g.get("user")),
                           is_admin=queries.is_admin(g.get("user")))


def render_group(group: WorkingGroup, join_form: JoinForm | None = None,
                 status: int = 200) -> ResponseReturnValue:
    """A group's page: the public part, and what the signed-in user may see and do."""
    db = get_session()
    user = g.get("user")
    base = request.url_root
    referrals = open_public_referrals(db, [group.id], base).get(group.id, [])
    public = project_group(group, referrals, base)
    public["members"] = _with_since(public["members"])
    membership = queries.membership_of(group, user)
    can_decide = queries.can_decide(group, user)
    context: dict[str, Any] = {
        "group": group,
        "public": public,
        "format_date": format_date,
        "membership": membership,
        "join_request": queries.latest_request(db, group, user),
        "join_form": join_form or JoinForm(),
        "can_decide": can_decide,
        "pending": queries.pending_count(db, group) if can_decide else 0,
        "roster": queries.full_roster(group) if queries.can_see_roster(group, user) else None,
        "member_referrals": queries.open_referrals(db, group) if membership else None,
    }
    return render_template("groups/group.html", **context), status


@bp.get("/groups/mine")
@login_required
def mine() -> ResponseReturnValue:
    """My groups: the committee's questions waiting for my groups' answers, and the
    requests to join the groups I lead."""
    return render_template("groups/mine.html", groups=queries.my_groups(get_session(), g.user))


@bp.get("/groups/<slug>")
def group_page(slug: str) -> ResponseReturnValue:
    """One group: description, public roster, open public referrals; more for members."""
    return render_group(load_group(slug))


@bp.post("/groups/<slug>/join")
@login_required
def join(slug: str) -> ResponseReturnValue:
    """Ask to join the group (tells the leads)."""
    group = load_group(slug)
    form = JoinForm()
    if not form.validate():
        return render_group(group, form, 400)
    # Translators: a confirmation; %(name)s is the name of a working group.
    done = _("Your request to join %(name)s was sent to the group's leads.", name=group.name)
    return apply_change(done, _page_of(group), service.request_to_join, group, g.user,
                        form.note.data or "")


@bp.post("/groups/<slug>/leave")
@login_required
def leave(slug: str) -> ResponseReturnValue:
    """Leave the group."""
    group = load_group(slug)
    # Translators: a confirmation; %(name)s is the name of a working group.
    done = _("You left %(name)s.", name=group.name)
    return apply_change(done, _page_of(group), service.leave, group, g.user)


@bp.post("/groups/<slug>/listing")
@login_required
def listing(slug: str) -> ResponseReturnValue:
    """Show or hide oneself on the group's public roster."""
    group = load_group(slug)
    form = ListingForm()
    if not form.validate():
        # Translators: an error.
        fail(400, " ".join(form.listed.errors) or _("The form could not be read."))
    listed = form.listed.data == "1"
    if listed:
        # Translators: a confirmation; %(name)s is the name of a working group.
        done = _("You are now shown on the public list of members of %(name)s.", name=group.name)
    else:
        # Translators: a confirmation; %(name)s is the name of a working group.
        done = _("You are no longer shown on the public list of members of %(name)s.",
                 name=group.name)
    return apply_change(done, _page_of(group), service.set_listing, group, g.user, listed)
