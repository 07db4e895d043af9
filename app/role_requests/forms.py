"""Forms of requests for a role."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length

from app.auth.labels import role_label
from app.core.formats import format_number
from app.core.forms import clean
from app.role_requests.service import MAX_ANSWER, MAX_REASON

# What each role asks of the person, shown under its choice.
ROLE_HELP = {
    # Translators: what the role 'Helpdesk staff' does, shown when asking for it.
    "helpdesk": _l("Triage new requests, answer requesters and give support after the "
                   "committee's go."),
    # Translators: what the role 'Expert Committee member' does, shown when asking for it.
    "committee": _l("Review requests against the committee's criteria, vote and take part "
                    "in the monthly meetings."),
}


class AskForRoleForm(FlaskForm):
    """Offer to help in a role, with a reason for the administrators."""

    role = RadioField(
        # Translators: a form label when asking for a role: which role.
        _l("The role you would like"), choices=[],
        validate_choice=False,  # the service refuses other roles, saying why
        # Translators: a form error when asking for a role.
        validators=[InputRequired(message=_l("Choose a role."))],
    )
    reason = TextAreaField(
        # Translators: a form label when asking for a role.
        _l("Why you, and how much time you can give"),
        filters=[clean],
        validators=[
            # Translators: a form error when asking for a role.
            DataRequired(message=_l("Tell the administrators why you would like the role.")),
            # Translators: a form error; %(max)d is a number.
            Length(max=MAX_REASON, message=_l("At most %(max)d characters."))],
        # Translators: help when asking for a role; %(max)s is a number.
        description=_l("Your experience with content partnerships, the languages you work "
                       "in, and the hours a month you could give. At most %(max)s "
                       "characters. Only the administrators see it.",
                       max=LazyString(format_number, MAX_REASON)),
        render_kw={"maxlength": MAX_REASON, "rows": 5},
    )

    def offer(self, roles: list[str]) -> AskForRoleForm:
        """The roles the person may still ask for, by name."""
        self.role.choices = [SelectChoice(role, role_label(role)) for role in roles]
        return self


class DeclineRoleRequestForm(FlaskForm):
    """An administrator's answer when declining (one form per request: prefixed)."""

    answer = TextAreaField(
        # Translators: a form label on the roles page: the administrator's answer to someone whose
        # request for a role is declined.
        _l("Answer if you decline"),
        filters=[clean],
        # Translators: a form error; %(max)d is a number.
        validators=[Length(max=MAX_ANSWER, message=_l("At most %(max)d characters."))],
        # Translators: help on the roles page, under the answer to a request for a role.
        description=_l("Sent to the person by email, and shown to them on the page where "
                       "they asked."),
        render_kw={"maxlength": MAX_ANSWER, "rows": 2},
    )


class ChangeRoleRequestForm(FlaskForm):
    """Approve or withdraw a request: the token only (the request is in the address)."""
