"""Forms of the admin pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from ..roles import ROLES


def role_choices() -> list[tuple[str, str]]:
    """Roles with translated labels."""
    labels = {"committee": _l("Expert Committee member"), "helpdesk": _l("Helpdesk staff"),
              "admin": _l("Administrator")}
    return [(role, str(labels[role])) for role in ROLES]


class GrantRoleForm(FlaskForm):
    """Give a role to a user who has signed in at least once."""

    username = StringField(
        _l("Wikimedia username"),
        validators=[DataRequired(message=_l("Enter a username.")), Length(max=255)],
        description=_l("The user must have signed in to the helpdesk at least once."),
    )
    role = SelectField(_l("Role"), choices=[])


class RevokeRoleForm(FlaskForm):
    """Take a role away."""

    user_id = HiddenField(validators=[DataRequired()])
    role = HiddenField(validators=[DataRequired()])
