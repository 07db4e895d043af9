"""Forms of the working group pages."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import AnyOf, DataRequired, Length

from app.core.formats import format_number
from app.core.forms import clean, clean_line, slug_field
from app.groups.service import MAX_NOTE

MAX_SLUG = 64  # WorkingGroup.slug holds at most this many characters
MAX_NAME = 255
MAX_DESCRIPTION = 5000


class JoinForm(FlaskForm):
    """Ask to join a group, with a short note to the leads."""

    note = TextAreaField(
        # Translators: a form label when asking to join a working group; leads answer requests to
        # join.
        _l("A note to the group's leads (optional)"),
        filters=[clean],
        # Translators: a form error; %(max)d is a number.
        validators=[Length(max=MAX_NOTE, message=_l(
            "The note can have at most %(max)d characters."))],
        # Translators: help for the note when asking to join a working group; %(max)s is a number.
        description=_l("Say in a sentence or two why you would like to join. At most "
                       "%(max)s characters. Only the group's leads and the administrators "
                       "see it.", max=LazyString(format_number, MAX_NOTE)),
        render_kw={"maxlength": MAX_NOTE, "rows": 3},
    )


class ListingForm(FlaskForm):
    """Show or hide oneself on the public roster."""

    # Translators: a form error.
    listed = HiddenField(validators=[AnyOf(["0", "1"], message=_l(
        "Choose whether to be shown on the public list of members."))])


class GroupDetailsForm(FlaskForm):
    """A group's name and description."""

    name = StringField(
        # Translators: a form label and column heading: the name of a group, organisation or person.
        _l("Name"), filters=[clean_line],
        # Translators: a form error.
        validators=[DataRequired(message=_l("Give the group a name.")),
                    # Translators: a form error; %(max)d is a number.
                    Length(max=MAX_NAME, message=_l("A name has at most %(max)d characters."))],
        render_kw={"maxlength": MAX_NAME},
    )
    description = TextAreaField(
        # Translators: a form label and heading: a description of a group, request, organisation or
        # placement.
        _l("Description"), filters=[clean],
        # Translators: a form error; %(max)d is a number.
        validators=[Length(max=MAX_DESCRIPTION, message=_l(
            "A description has at most %(max)d characters."))],
        # Translators: help for a working group's description.
        description=_l("Shown publicly: what the group does and how it helps partners."),
        render_kw={"rows": 3},
    )


class NewGroupForm(GroupDetailsForm):
    """A new group: its address (slug) too."""

    slug = slug_field(
        MAX_SLUG,
        # Translators: a form error; the short name is the group's part of the web address (a
        # 'slug').
        missing=_l("Give the group a short name for its address."),
        # Translators: a form error; keep the example “filling-the-gaps” as it is (only a–z,
        # digits and hyphens are allowed).
        wrong=_l("Use 2 to 64 lower-case letters (a–z), digits and hyphens, like "
                 "“filling-the-gaps”."),
        # Translators: help for the short name; keep /groups/ as it is.
        description=_l("Used in the group's address, after /groups/; it cannot be "
                       "changed later."),
    )


class LeadForm(FlaskForm):
    """Make a member a lead of the group, or not."""

    username = StringField(
        # Translators: a form label and field name: a Wikimedia username.
        _l("Username"), filters=[clean],
        # Translators: a form error.
        validators=[DataRequired(message=_l("Enter the username of a member of the group.")),
                    # Translators: a form error; %(max)d is a number.
                    Length(max=255, message=_l("A username has at most %(max)d characters."))],
    )
    # Translators: a form error; a lead of a working group answers requests to join it.
    lead = HiddenField(validators=[AnyOf(["0", "1"], message=_l(
        "Choose whether to make the member a lead or not."))])
