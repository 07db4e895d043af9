"""Forms of the committee's pages: guidelines, criteria, substitute reviewers."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    IntegerField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Regexp, ValidationError

from app.core.formats import format_number
from app.core.forms import clean, slug_field

MAX_SLUG = 100  # Guideline.slug holds at most this many characters
# Addresses under /guidelines/ that are pages of their own, not guidelines.
RESERVED_SLUGS = frozenset({"new"})
MAX_TITLE = 255
MAX_BODY = 100_000
# The body columns are TEXT, which holds at most 65,535 bytes on MariaDB; a longer
# text (in UTF-8) is refused with a message instead of failing in the database.
MAX_BODY_BYTES = 65_535
MAX_SUMMARY = 500


def clean_body(value: Any) -> Any:
    """Markdown without NUL bytes and without trailing white space (indentation counts)."""
    return value.replace("\x00", "").rstrip() if isinstance(value, str) else value


def _fits_storage(form: Any, field: Field) -> None:
    if len((field.data or "").encode("utf-8")) > MAX_BODY_BYTES:
        # Translators: a form error; %(max)s is a number of bytes.
        raise ValidationError(str(_l(
            "This text is too long to be stored: at most %(max)s bytes in UTF-8 (letters "
            "outside the Latin alphabet take two to four bytes each). Split it into "
            "several pages.", max=format_number(MAX_BODY_BYTES))))


class GuidelineForm(FlaskForm):
    """A guidelines page's title and text, and a summary of the change."""

    title = StringField(
        # Translators: a form label and column heading: the title of a page, request or canned
        # reply.
        _l("Title"), filters=[clean],
        # Translators: a form error on a guidelines page.
        validators=[DataRequired(message=_l("Give the page a title.")),
                    # Translators: a form error; %(max)d is a number.
                    Length(max=MAX_TITLE, message=_l(
                        "A title has at most %(max)d characters."))],
        render_kw={"maxlength": MAX_TITLE},
    )
    body = TextAreaField(
        _l("Text"), filters=[clean_body],
        # Translators: a form error on a guidelines page.
        validators=[DataRequired(message=_l("Write the text of the page.")),
                    # Translators: a form error; %(max)d is a number.
                    Length(max=MAX_BODY, message=_l(
                        "The text has at most %(max)d characters.")),
                    _fits_storage],
        # Translators: help for a text field: Markdown is a way of formatting text; keep the
        # Markdown examples (# **bold** *italic* [link](https://…) ```) as they are, translate the
        # words.
        description=_l("Markdown: # Heading, **bold**, *italic*, [link](https://…), "
                       "lists, tables and ``` code blocks. HTML and images are removed."),
        render_kw={"rows": 20},
    )
    summary = StringField(
        # Translators: a form label when editing a guidelines page, like an edit summary on a wiki.
        _l("Summary of your change"), filters=[clean],
        # Translators: a form error; %(max)d is a number.
        validators=[Length(max=MAX_SUMMARY, message=_l(
            "A summary has at most %(max)d characters."))],
        # Translators: help for the edit summary; the example in quotes may be translated.
        description=_l("Shown in the page's history, e.g. “Added a section on licences”."),
        render_kw={"maxlength": MAX_SUMMARY},
    )


class NewGuidelineForm(GuidelineForm):
    """A new guidelines page: its address (slug) too."""

    slug = slug_field(
        MAX_SLUG,
        # Translators: a form error; see 'Short name in the address'.
        missing=_l("Give the page a short name for its address."),
        # Translators: a form error; keep the example “licence-checks” as it is (only a–z,
        # digits and hyphens are allowed).
        wrong=_l("Use 2 to 100 lower-case letters (a–z), digits and hyphens, like "
                 "“licence-checks”."),
        # Translators: help for the short name; keep /guidelines/ as it is.
        description=_l("Used in the page's address, after /guidelines/; it cannot be "
                       "changed later."),
    )


class EditGuidelineForm(GuidelineForm):
    """An edit: it remembers the revision it started from, to catch edit conflicts."""

    base_revision = HiddenField(
        # Translators: an error when a form lacks the version it was loaded at.
        validators=[Regexp(r"^[0-9]{1,18}$", message=_l(
            "The form did not say which version you edited. Reload the page and try again."
        ))],
    )


MAX_CRITERION_NAME = 150
MAX_CRITERION_DESCRIPTION = 2000


class CriterionForm(FlaskForm):
    """A criterion the committee scores requests against (admins keep the list)."""

    name = StringField(
        # Translators: a form label: the name of a criterion the committee scores requests against.
        _l("Name"), filters=[clean],
        # Translators: a form error on the criteria page.
        validators=[DataRequired(message=_l("Give the criterion a name.")),
                    # Translators: a form error; %(max)d is a number.
                    Length(max=MAX_CRITERION_NAME, message=_l(
                        "A name has at most %(max)d characters."))],
        render_kw={"maxlength": MAX_CRITERION_NAME},
    )
    description = TextAreaField(
        # Translators: a form label: what a criterion means, shown to members when they score.
        _l("Description"), filters=[clean],
        # Translators: a form error; %(max)d is a number.
        validators=[Length(max=MAX_CRITERION_DESCRIPTION, message=_l(
            "A description has at most %(max)d characters."))],
        # Translators: help for the description of a criterion.
        description=_l("Shown to members under the criterion when they vote."),
        render_kw={"rows": 2},
    )
    position = IntegerField(
        # Translators: a form label: where a criterion comes in the list (smaller first).
        _l("Order"),
        # Translators: a form error: the order of a criterion is a whole number.
        validators=[NumberRange(min=0, max=100_000, message=_l(
            "Give a whole number from 0 to 100,000."))],
        # Translators: help for the order of a criterion.
        description=_l("Criteria with smaller numbers come first."),
        default=100,
    )
    active = BooleanField(
        # Translators: a checkbox: members score this criterion in new votes.
        _l("In use (members score it)"), default=True)


class SubstituteForm(FlaskForm):
    """An admin adds a substitute reviewer to one case."""

    username = StringField(
        # Translators: a form label: the Wikimedia username of the substitute reviewer.
        _l("Username"), filters=[clean],
        # Translators: a form error.
        validators=[DataRequired(message=_l("Give the username of the substitute reviewer.")),
                    Length(max=255)],
        # Translators: help: who may be a substitute reviewer.
        description=_l("Someone who has signed in to the tool once, is not on the committee "
                       "and has no conflict of interest with this request."),
    )
    reason = TextAreaField(
        # Translators: a form label: why a substitute reviewer is added to a request.
        _l("Reason"), filters=[clean],
        validators=[Length(max=2000)],
        render_kw={"rows": 2},
    )
