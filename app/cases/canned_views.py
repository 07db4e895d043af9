"""Canned replies kept by the helpdesk and the committee: list, add, edit, delete."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.auth.roles import role_required
from app.cases import queries, service
from app.cases.blueprint import bp
from app.cases.canned import PLACEHOLDERS
from app.cases.forms import canned_reply_values
from app.cases.models import CannedReply
from app.core.db import as_id, commit_work, get_session
from app.core.errors import fail
from app.core.i18n import available_languages, language_name


def _render(values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
            editing: CannedReply | None = None, status: int = 200) -> ResponseReturnValue:
    languages = [(code, language_name(code)) for code in available_languages()]
    return render_template("cases/canned.html", replies=queries.canned_replies(get_session()),
                           languages=languages, values=values or {}, errors=errors or {},
                           editing=editing,
                           placeholders=[f"${name}" for name in PLACEHOLDERS]), status


def _reply_or_404(reply_id: int) -> CannedReply:
    reply = queries.canned_reply(get_session(), reply_id)
    if reply is None:
        # Translators: an error; a canned reply is a reusable message text.
        fail(404, _("There is no such canned reply."))
    return reply


@bp.get("/canned-replies")
@role_required("helpdesk", "committee")
def canned_replies() -> ResponseReturnValue:
    """All canned replies, and a form to add one."""
    editing = queries.canned_reply(get_session(), as_id(request.args.get("edit")))
    values = ({"language": editing.language, "title": editing.title, "body": editing.body}
              if editing else {})
    return _render(values, editing=editing)


@bp.post("/canned-replies")
@role_required("helpdesk", "committee")
def add_canned_reply() -> ResponseReturnValue:
    """Add a canned reply (audited)."""
    values, errors = canned_reply_values(request.form)
    if errors:
        return _render(values, errors, status=400)
    service.add_canned_reply(get_session(), g.user, values)
    commit_work()
    # Translators: a confirmation; a canned reply is a reusable message text kept by the helpdesk
    # and the committee.
    flash(_("The canned reply was added."), "success")
    return redirect(url_for("cases.canned_replies"))


@bp.post("/canned-replies/<int:reply_id>")
@role_required("helpdesk", "committee")
def edit_canned_reply(reply_id: int) -> ResponseReturnValue:
    """Change a canned reply (audited)."""
    reply = _reply_or_404(reply_id)
    values, errors = canned_reply_values(request.form)
    if errors:
        return _render(values, errors, editing=reply, status=400)
    service.update_canned_reply(get_session(), g.user, reply, values)
    commit_work()
    # Translators: a confirmation.
    flash(_("The canned reply was saved."), "success")
    return redirect(url_for("cases.canned_replies"))


@bp.post("/canned-replies/<int:reply_id>/delete")
@role_required("helpdesk", "committee")
def delete_canned_reply(reply_id: int) -> ResponseReturnValue:
    """Remove a canned reply (audited)."""
    service.delete_canned_reply(get_session(), g.user, _reply_or_404(reply_id))
    commit_work()
    # Translators: a confirmation.
    flash(_("The canned reply was deleted."), "success")
    return redirect(url_for("cases.canned_replies"))
