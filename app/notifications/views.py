"""The undelivered-mail page: messages delivery gave up on, with a Resend button.

For administrators and the helpdesk only (others: 403; signed out: sign in).
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _

from app.auth.roles import role_required
from app.core.db import commit_work, get_session
from app.notifications import queries, service
from app.notifications.delivery import mail_settings
from app.notifications.forms import ResendForm

bp = Blueprint("notifications", __name__, url_prefix="/undelivered-mail")
STAFF = ("admin", "helpdesk")


@bp.app_template_global("undelivered_mail_count")
def undelivered_mail_count() -> int:
    """For the home page of administrators and the helpdesk."""
    return queries.undelivered_count(get_session(), mail_settings().max_attempts)


@bp.get("")
@role_required(*STAFF)
def undelivered() -> ResponseReturnValue:
    """Every message delivery gave up on, last tried first."""
    db = get_session()
    max_attempts = mail_settings().max_attempts
    messages = queries.undelivered(db, max_attempts)
    failing = {row.address: row for row in queries.failing(
        db, [message.to_address for message, _reference in messages])}
    return render_template("notifications/undelivered.html", messages=messages,
                           failing=failing, form=ResendForm())


@bp.post("/<int:row_id>/resend")
@role_required(*STAFF)
def resend(row_id: int) -> ResponseReturnValue:
    """Queue one message again with all its attempts (audited)."""
    form = ResendForm()
    if not form.validate_on_submit():
        # Translators: an error on the undelivered-mail page (the form had expired).
        flash(_("The page had expired. Please try again."), "error")
        return redirect(url_for("notifications.undelivered")), 303
    db = get_session()
    row = queries.undelivered_message(db, row_id, mail_settings().max_attempts)
    if row is None:
        # Translators: an error on the undelivered-mail page: the message was already sent
        # again or no longer exists.
        flash(_("That message is no longer waiting to be resent."), "error")
        return redirect(url_for("notifications.undelivered")), 303
    address = row.to_address
    service.resend(db, row, g.user)
    commit_work()
    # Translators: a confirmation; %(address)s is an email address.
    flash(_("The message to %(address)s will be sent again within a few minutes.",
            address=address), "success")
    return redirect(url_for("notifications.undelivered")), 303
