"""Forms of the admin pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length


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
