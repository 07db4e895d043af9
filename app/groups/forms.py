"""Forms of the working group pages."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length, Regexp

from .service import MAX_NOTE

SLUG_PATTERN = r"^[a-z0-9-]{2,64}$"
RESERVED_SLUGS = frozenset({"manage"})
MAX_NAME = 255
MAX_DESCRIPTION = 5000


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


class JoinForm(FlaskForm):
    """Ask to join a group, with a short note to the leads."""

    note = TextAreaField(
        _l("A note to the group's leads (optional)"),
        filters=[_strip],
        validators=[Length(max=MAX_NOTE, message=_l(
            "The note can have at most %(max)d characters."))],
        description=_l("Say in a sentence or two why you would like to join. At most "
                       "1,000 characters. Only the group's leads and the administrators "
                       "see it."),
        render_kw={"maxlength": MAX_NOTE, "rows": 3},
    )


class ListingForm(FlaskForm):
    """Show or hide oneself on the public roster."""

    listed = HiddenField(validators=[AnyOf(["0", "1"], message=_l(
        "Choose whether to be shown on the public list of members."))])


class GroupDetailsForm(FlaskForm):
    """A group's name and description."""

    name = StringField(
        _l("Name"), filters=[_strip],
        validators=[DataRequired(message=_l("Give the group a name.")),
                    Length(max=MAX_NAME, message=_l("A name has at most %(max)d characters."))],
        render_kw={"maxlength": MAX_NAME},
    )
    description = TextAreaField(
        _l("Description"), filters=[_strip],
        validators=[Length(max=MAX_DESCRIPTION, message=_l(
            "A description has at most %(max)d characters."))],
        description=_l("Shown publicly: what the group does and how it helps partners."),
        render_kw={"rows": 3},
    )


class NewGroupForm(GroupDetailsForm):
    """A new group: its address (slug) too."""

    slug = StringField(
        _l("Short name in the address"), filters=[_strip],
        validators=[
            DataRequired(message=_l("Give the group a short name for its address.")),
            Regexp(SLUG_PATTERN, message=_l(
                "Use 2 to 64 lower-case letters (a–z), digits and hyphens, like "
                "“filling-the-gaps”.")),
        ],
        description=_l("Used in the group's address, after /groups/; it cannot be "
                       "changed later."),
        render_kw={"maxlength": 64},
    )


class LeadForm(FlaskForm):
    """Make a member a lead of the group, or not."""

    username = StringField(
        _l("Username"), filters=[_strip],
        validators=[DataRequired(message=_l("Enter the username of a member of the group.")),
                    Length(max=255, message=_l("A username has at most %(max)d characters."))],
    )
    lead = HiddenField(validators=[AnyOf(["0", "1"], message=_l(
        "Choose whether to make the member a lead or not."))])
