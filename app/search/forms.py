"""The staff search form: read from the address (GET), so results can be linked and
bookmarked. A GET changes nothing, so it carries no CSRF token."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField, StringField
from wtforms.validators import Length, Optional, ValidationError

from app.cases.labels import choices
from app.cases.transitions import STATES
from app.core.forms import clean
from app.search.terms import MAX_QUERY

CHANNELS = {
    # Translators: a choice of the search filter "Came in by": requests filed on the web form.
    "web": _l("The request form"),
    # Translators: a choice of the search filter "Came in by": requests that came by email.
    "email": _l("Email"),
}


class SearchForm(FlaskForm):
    """What to look for, and the filters kept with it."""

    class Meta:
        csrf = False  # a GET form: nothing is written

    q = StringField(
        # Translators: the label of the search box on the staff search page.
        _l("Search for"), filters=[clean],
        validators=[Length(max=MAX_QUERY,
                           # Translators: an error of the search box; %(max)d is a number.
                           message=_l("Search for at most %(max)d characters."))],
        # Translators: help under the staff search box.
        description=_l("Words of a reference, title, description, organisation, message or "
                       "the requester's email address."),
        render_kw={"maxlength": MAX_QUERY, "type": "search"})
    # Translators: a search filter: the stage of the case in the workflow.
    state = SelectField(_l("Stage"), validators=[Optional()])
    # Translators: a search filter: how the request reached the helpdesk (web form or email).
    channel = SelectField(_l("Came in by"), validators=[Optional()])
    # Translators: a search filter: requests filed on or after this date.
    created_from = DateField(_l("Filed from"), validators=[Optional()])
    # Translators: a search filter: requests filed on or before this date.
    created_to = DateField(_l("Filed until"), validators=[Optional()])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Translators: the first choice of the stage filter: no filter.
        self.state.choices = [("", _l("Any stage")), *choices(STATES)]
        # Translators: the first choice of the "Came in by" filter: no filter.
        self.channel.choices = [("", _l("Any way")), *CHANNELS.items()]

    def validate_created_to(self, field: DateField) -> None:
        """The end of the date range is not before its start."""
        start = self.created_from.data
        if field.data and start and field.data < start:
            # Translators: an error of the search filters (two dates).
            raise ValidationError(_l("“Filed until” must not be before “Filed from”."))
