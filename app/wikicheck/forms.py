"""Forms of the wiki panel on the case page."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import Length

from app.core.forms import clean, clean_line
from app.wikicheck.service import MAX_REASON


class PlacesForm(FlaskForm):
    """The case's Commons category and the organisation's Wikidata item."""

    # Translators: a form label on a request: the category on Wikimedia Commons for its files.
    commons_category = StringField(_l("Commons category"), filters=[clean_line],
                                   validators=[Length(max=255)])
    # Translators: a form label: the Wikidata item (like Q43229) of the requesting organisation.
    wikidata_item = StringField(_l("The organisation's Wikidata item"), filters=[clean_line],
                                validators=[Length(max=300)])


class CheckForm(FlaskForm):
    """The *Check now* button."""


class OverrideForm(FlaskForm):
    """Count a step as done despite its check, with a reason."""

    step = HiddenField()
    # Translators: a form label: why a step counts as done although the wiki check failed.
    reason = TextAreaField(_l("Reason"), filters=[clean],
                           validators=[Length(max=MAX_REASON)])
