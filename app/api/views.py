"""The public JSON API under /api/v1/: the public projection, read-only, CORS open."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.api.openapi import DEFAULT_PER_PAGE, MAX_PER_PAGE, openapi_document
from app.core.db import get_session
from app.core.errors import fail
from app.core.models import utcnow
from app.meetings.queries import meeting_by_id, public_meeting, public_meetings
from app.public.asks import public_asks
from app.public.groups import public_groups
from app.public.params import FILTER_CODES, ParamError, parse_filters, parse_int
from app.public.projection import project, project_impact
from app.public.queries import find_public_case, page_of_public_cases
from app.queue.queries import place_of, places_of
from app.wikicheck.models import ImpactSnapshot
from app.wikicheck.queries import latest_snapshots, snapshots_of

bp = Blueprint("api", __name__, url_prefix="/api/v1")

LIST_FILTERS = (*FILTER_CODES, "open")


@bp.after_request
def json_headers(response: Response) -> Response:
    """Anyone may read the API from a browser; JSON says it is UTF-8."""
    response.headers["Access-Control-Allow-Origin"] = "*"
    if response.mimetype == "application/json":
        response.headers["Content-Type"] = "application/json; charset=utf-8"
    return response


def _base_url() -> str:
    return request.url_root


@bp.get("/cases")
def list_cases() -> ResponseReturnValue:
    """One page of the public projection, filtered."""
    try:
        filters = parse_filters(request.args, LIST_FILTERS)
        page = parse_int(request.args, "page", 1)
        per_page = parse_int(request.args, "per_page", DEFAULT_PER_PAGE, MAX_PER_PAGE)
    except ParamError as exc:
        fail(400, str(exc))
    # The API answers the page asked for, also past the last one (with no cases).
    cases, found = page_of_public_cases(get_session(), filters, page, per_page, clamp=False)
    total, pages = found.total, found.pages
    next_url = None
    if page < pages:
        args = {key: value for key, value in request.args.items() if key in LIST_FILTERS}
        next_url = url_for("api.list_cases", _external=True, **args, page=page + 1,
                           per_page=per_page)
    now, base = utcnow(), _base_url()
    places = places_of(get_session(), cases)
    impacts = latest_snapshots(get_session(), [case.id for case in cases])
    return jsonify({
        "cases": [{**project(case, base, now, place=places.get(case.id)),
                   "impact": _latest_impact(impacts.get(case.id))} for case in cases],
        "page": page,
        "per_page": per_page,
        "total": total,
        "pages": pages,
        "next": next_url,
    })


def _latest_impact(snapshot: ImpactSnapshot | None) -> dict[str, Any] | None:
    """The list's compact impact of a case: its latest snapshot, or None. The list holds
    only cases of the projection, whose impact is public (as at /cases/<ref>/impact)."""
    return project_impact([snapshot])[0] if snapshot is not None else None


@bp.get("/cases/<reference>")
def case_detail(reference: str) -> ResponseReturnValue:
    """One case of the public projection (404 when missing or not public)."""
    case = find_public_case(get_session(), reference)
    if case is None:
        # Translators: an error of the public JSON API; %(reference)s is a case reference like
        # CPH-2026-0042.
        fail(404, _("There is no public case %(reference)s.", reference=reference[:40]))
    return jsonify(project(case, _base_url(),
                           place=place_of(get_session(), case.id, case.state)))


@bp.get("/cases/<reference>/impact")
def case_impact(reference: str) -> ResponseReturnValue:
    """The impact snapshots of one public case (404 when missing or not public)."""
    case = find_public_case(get_session(), reference)
    if case is None:
        fail(404, _("There is no public case %(reference)s.", reference=reference[:40]))
    return jsonify({"reference": case.reference,
                    "impact": project_impact(snapshots_of(get_session(), case.id))})


@bp.get("/working-groups")
def working_groups() -> ResponseReturnValue:
    """Every working group that is not archived, with listed members and open referrals."""
    return jsonify({"working_groups": public_groups(get_session(), _base_url())})


@bp.get("/meetings")
def meetings() -> ResponseReturnValue:
    """Every committee meeting, the latest first (their public minutes at each url)."""
    return jsonify({"meetings": public_meetings(get_session(), _base_url())})


@bp.get("/meetings/<int:meeting_id>")
def meeting_detail(meeting_id: int) -> ResponseReturnValue:
    """One meeting with its public minutes (404 when there is none)."""
    db = get_session()
    meeting = meeting_by_id(db, meeting_id)
    if meeting is None:
        # Translators: an error of the public JSON API; %(id)s is a number.
        fail(404, _("There is no meeting %(id)s.", id=meeting_id))
    return jsonify(public_meeting(db, meeting, _base_url()))


@bp.get("/asks")
def asks() -> ResponseReturnValue:
    """Asks of working groups that are not done yet (public fields only: a case only
    while it is public, never who took an ask)."""
    return jsonify({"asks": public_asks(get_session(), _base_url())})


@bp.get("/openapi.json")
def openapi() -> ResponseReturnValue:
    """The OpenAPI 3.1 description of this API."""
    return jsonify(openapi_document())
