"""Forms of the admin pages."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional


class GrantRoleForm(FlaskForm):
    """Give a role to a user who has signed in at least once."""

    username = StringField(
        # Translators: a form label: the name of a Wikimedia (SUL) account.
        _l("Wikimedia username"),
        # Translators: a form error.
        validators=[DataRequired(message=_l("Enter a username.")), Length(max=255)],
        # Translators: help for the username on the roles page.
        description=_l("The user must have signed in to the helpdesk at least once."),
    )
    # Translators: a form label and column heading: one of the roles (Helpdesk staff, Expert
    # Committee member, Administrator).
    role = SelectField(_l("Role"), choices=[])


class RevokeRoleForm(FlaskForm):
    """Take a role away."""

    user_id = HiddenField(validators=[DataRequired()])
    role = HiddenField(validators=[DataRequired()])


class SignOutEverywhereForm(FlaskForm):
    """End every signed-in session of a user (every browser, every copied cookie)."""

    username = StringField(
        _l("Wikimedia username"),
        validators=[DataRequired(message=_l("Enter a username.")), Length(max=255)],
        # Translators: help for the username in the form that signs a user out everywhere.
        description=_l("They stay signed out until they sign in again; their requests and "
                       "roles are not changed."),
    )


def _day(text: str | None) -> date | None:
    """A day typed as 2026-12-04 (what a date field sends), or None when empty."""
    return date.fromisoformat(text) if text else None


class AuditFilterForm(FlaskForm):
    """The audit log's filters, sent with GET (no CSRF token: it changes nothing), like
    MediaWiki's Special:Log: who did it, what kind of change, on which request, when."""

    class Meta:
        csrf = False

    person = StringField(
        # Translators: a filter of the audit log: the username of the person who made the changes.
        _l("Who"),
        validators=[Optional(), Length(max=255)],
        # Translators: help for the 'Who' filter of the audit log.
        description=_l("A Wikimedia username."),
    )
    # Translators: a filter of the audit log: the kind of change (requests, roles, working groups…).
    kind = SelectField(_l("Kind of change"), choices=[], validators=[Optional()])
    case = StringField(
        # Translators: a filter of the audit log: the reference of a request.
        _l("Request"),
        validators=[Optional(), Length(max=40)],
        # Translators: help for the request filter of the audit log; keep the reference as it is.
        description=_l("Its reference, e.g. CPH-2026-0042."),
    )
    # Translators: a filter of the audit log: the first day shown.
    since = StringField(_l("From"), validators=[Optional()], render_kw={"type": "date"})
    # Translators: a filter of the audit log: the last day shown.
    until = StringField(_l("Until"), validators=[Optional()], render_kw={"type": "date"})

    def days(self) -> tuple[date | None, date | None]:
        """The first and last day asked for; a field that is not a date gets an error."""
        found: list[date | None] = []
        for field in (self.since, self.until):
            try:
                found.append(_day((field.data or "").strip()))
            except ValueError:
                # Translators: a form error: the text typed is not a date.
                field.errors = [*field.errors, _l("Give a date, e.g. 2026-12-04.")]
                found.append(None)
        return found[0], found[1]

    def chosen(self) -> dict[str, str]:
        """The filters that are set, as query arguments (for the page links)."""
        return {name: str(getattr(self, name).data).strip() for name in
                ("person", "kind", "case", "since", "until")
                if (getattr(self, name).data or "").strip()}
