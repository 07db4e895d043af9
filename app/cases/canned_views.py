"""Canned replies kept by the helpdesk and the committee: list, add, edit, delete."""

from __future__ import annotations

from flask import flash, g, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import format_decimal
from flask_babel import gettext as _
from sqlalchemy import select

from app.auth.roles import role_required
from app.cases.blueprint import bp
from app.cases.canned import PLACEHOLDERS
from app.cases.models import CannedReply
from app.core import audit
from app.core.db import as_id, get_session
from app.core.errors import fail
from app.core.i18n import available_languages, language_name
from app.core.models import utcnow

MAX_TITLE = 255  # the size of canned_replies.title
MAX_BODY = 10000


def _validated() -> tuple[dict[str, str], dict[str, str]]:
    values = {key: request.form.get(key, "").replace("\x00", "").strip()
              for key in ("language", "title", "body")}
    errors = {}
    if values["language"] not in available_languages():
        # Translators: a form error on the canned replies page.
        errors["language"] = _("Choose a language.")
    if not values["title"] or len(values["title"]) > MAX_TITLE:
        # Translators: a form error on the canned replies page; %(max)s is a number.
        errors["title"] = _("Give a title of at most %(max)s characters.",
                            max=format_decimal(MAX_TITLE))
    if not values["body"] or len(values["body"]) > MAX_BODY:
        # Translators: a form error on the canned replies page; %(max)s is a number.
        errors["body"] = _("Write the reply (at most %(max)s characters).",
                           max=format_decimal(MAX_BODY))
    return values, errors


def _render(values: dict[str, str] | None = None, errors: dict[str, str] | None = None,
            editing: CannedReply | None = None, status: int = 200) -> ResponseReturnValue:
    replies = get_session().scalars(select(CannedReply)
                                    .order_by(CannedReply.language, CannedReply.title)).all()
    languages = [(code, language_name(code)) for code in available_languages()]
    return render_template("cases/canned.html", replies=replies, languages=languages,
                           values=values or {}, errors=errors or {}, editing=editing,
                           placeholders=[f"${name}" for name in PLACEHOLDERS]), status


@bp.get("/canned-replies")
@role_required("helpdesk", "committee")
def canned_replies() -> ResponseReturnValue:
    """All canned replies, and a form to add one."""
    editing = None
    edit_id = as_id(request.args.get("edit"))
    if edit_id:
        editing = get_session().get(CannedReply, edit_id)
    values = ({"language": editing.language, "title": editing.title, "body": editing.body}
              if editing else {})
    return _render(values, editing=editing)


@bp.post("/canned-replies")
@role_required("helpdesk", "committee")
def add_canned_reply() -> ResponseReturnValue:
    """Add a canned reply (audited)."""
    values, errors = _validated()
    if errors:
        return _render(values, errors, status=400)
    db = get_session()
    reply = CannedReply(updated_by_id=g.user.id, **values)
    db.add(reply)
    db.flush()
    audit.record(db, g.user, "canned_reply.create", "canned_reply", reply.id,
                 after={"title": reply.title, "language": reply.language})
    db.commit()
    # Translators: a confirmation; a canned reply is a reusable message text kept by the helpdesk
    # and the committee.
    flash(_("The canned reply was added."), "success")
    return redirect(url_for("cases.canned_replies"))


@bp.post("/canned-replies/<int:reply_id>")
@role_required("helpdesk", "committee")
def edit_canned_reply(reply_id: int) -> ResponseReturnValue:
    """Change a canned reply (audited)."""
    db = get_session()
    reply = db.get(CannedReply, reply_id)
    if reply is None:
        # Translators: an error; a canned reply is a reusable message text.
        fail(404, _("There is no such canned reply."))
    values, errors = _validated()
    if errors:
        return _render(values, errors, editing=reply, status=400)
    before = {"title": reply.title, "language": reply.language, "body": reply.body}
    reply.language, reply.title, reply.body = values["language"], values["title"], values["body"]
    reply.updated_by_id, reply.updated_at = g.user.id, utcnow()
    audit.record(db, g.user, "canned_reply.update", "canned_reply", reply.id,
                 before=before, after=values)
    db.commit()
    # Translators: a confirmation.
    flash(_("The canned reply was saved."), "success")
    return redirect(url_for("cases.canned_replies"))


@bp.post("/canned-replies/<int:reply_id>/delete")
@role_required("helpdesk", "committee")
def delete_canned_reply(reply_id: int) -> ResponseReturnValue:
    """Remove a canned reply (audited)."""
    db = get_session()
    reply = db.get(CannedReply, reply_id)
    if reply is None:
        # Translators: an error; a canned reply is a reusable message text.
        fail(404, _("There is no such canned reply."))
    audit.record(db, g.user, "canned_reply.delete", "canned_reply", reply.id,
                 before={"title": reply.title, "language": reply.language})
    db.delete(reply)
    db.commit()
    # Translators: a confirmation.
    flash(_("The canned reply was deleted."), "success")
    return redirect(url_for("cases.canned_replies"))
