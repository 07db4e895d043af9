"""Staff search: `/search`, for the helpdesk, the Expert Committee and administrators.

Everyone there may search every case's reference, title, description, organisation,
public summary, messages to and from the requester and email addresses; internal
messages only those who read them on the case page (helpdesk and committee,
`CaseAccess.is_staff`). The public searches the public list (`/cases?q=`).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request
from flask.typing import ResponseReturnValue

from app.auth.roles import current_roles, role_required
from app.cases.labels import state_label
from app.core.db import get_session
from app.core.errors import fail
from app.public.params import ParamError, parse_int
from app.search.forms import CHANNELS, SearchForm
from app.search.queries import Scope, StaffFilters
from app.search.results import staff_results
from app.search.terms import parse_terms

bp = Blueprint("search", __name__)

PER_PAGE = 20
SEARCHERS = ("helpdesk", "committee", "admin")
READS_INTERNAL = frozenset({"helpdesk", "committee"})


def _kept(form: SearchForm) -> dict[str, Any]:
    """The query and filters, for the pager's links."""
    kept = {"q": form.q.data, "state": form.state.data, "channel": form.channel.data,
            "created_from": form.created_from.data, "created_to": form.created_to.data}
    return {name: value for name, value in kept.items() if value}


@bp.get("/search")
@role_required(*SEARCHERS)
def search() -> ResponseReturnValue:
    """The search form, and when something was asked for, the ranked results."""
    form = SearchForm(formdata=request.args)
    try:
        number = parse_int(request.args, "page", 1)
    except ParamError as exc:
        fail(400, str(exc))
    context: dict[str, Any] = {"form": form, "results": None, "page": None,
                               "kept": {}, "state_label": state_label, "channels": CHANNELS}
    asked = bool(request.args)
    if asked and not form.validate():
        return render_template("search/search.html", **context), 422
    terms = parse_terms(form.q.data or "")
    if terms.empty:
        return render_template("search/search.html", **context)
    filters = StaffFilters(state=form.state.data or None, channel=form.channel.data or None,
                           created_from=form.created_from.data,
                           created_to=form.created_to.data)
    scope = Scope(staff=True, internal=bool(current_roles() & READS_INTERNAL))
    results, page, capped = staff_results(get_session(), terms, scope, filters, number,
                                          PER_PAGE)
    context.update(results=results, page=page, capped=capped, kept=_kept(form))
    return render_template("search/search.html", **context)
