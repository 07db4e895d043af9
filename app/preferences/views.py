"""Routes of the preferences page."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_locale
from flask_babel import gettext as _

from app.auth.models import User
from app.auth.roles import current_roles, login_required
from app.core.db import commit_work, get_session
from app.meetings import service as meetings_service
from app.preferences import service
from app.preferences.forms import PreferencesForm
from app.wikicheck import service as wikicheck_service

bp = Blueprint("preferences", __name__)


def _form(user: User) -> PreferencesForm:
    form = PreferencesForm(data={"email_notifications": user.email_notifications,
                                 "email": user.email or "", "language": user.language or "",
                                 "country": user.country or "",
                                 "languages": list(user.languages or []),
                                 "regions": list(user.regions or []),
                                 "impact_mail": wikicheck_service.impact_mail_wanted(
                                     get_session(), user),
                                 "vote_mail": meetings_service.vote_mail_of(get_session(),
                                                                            user)})
    form.set_choices(get_locale() or "en")
    return form


@bp.route("/preferences", methods=["GET", "POST"])
@login_required
def edit() -> ResponseReturnValue:
    """Show and save the signed-in user's preferences (audited, without the address)."""
    user: User = g.user
    form = _form(user)
    if not form.is_submitted():
        return render_template("preferences/edit.html", form=form)
    if not form.validate():
        return render_template("preferences/edit.html", form=form), 400
    about = service.AboutMe(country=form.country.data or None,
                            languages=list(form.languages.data or []),
                            regions=list(form.regions.data or []))
    if service.save_preferences(get_session(), user,
                                email_notifications=bool(form.email_notifications.data),
                                email=form.email.data or None,
                                language=form.language.data or None, about=about):
        commit_work()
    if "committee" in current_roles() and meetings_service.set_vote_mail(
            get_session(), user, form.vote_mail.data or "immediate"):
        commit_work()
    if wikicheck_service.set_impact_mail(get_session(), user, bool(form.impact_mail.data)):
        commit_work()
    if user.language:
        session["language"] = user.language
    else:
        session.pop("language", None)
    # Translators: a confirmation.
    flash(_("Your preferences were saved."), "success")
    return redirect(url_for("preferences.edit"), 303)
