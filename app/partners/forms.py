"""The registry's forms: an organisation, a contact, a Wikimedian in Residence placement."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from babel import Locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, Field, HiddenField, SelectField, StringField, URLField
from wtforms.validators import DataRequired, Email, Optional, Regexp, StopValidation

from app.cases import labels as vocab
from app.cases.service import MAX_TEXT
from app.core.regions import country_choices
from app.intake.fields import (
    CheckboxGroupField,
    HttpUrl,
    ValidChoice,
    at_most,
    clean,
    long_text,
    text,
)

WIKIDATA_ITEM = r"^Q[1-9][0-9]*$"
_WIKIDATA_INPUT = re.compile(
    r"(?:https?://(?:www\.|m\.)?wikidata\.org/(?:wiki|entity)/)?[qQ]([0-9]+)")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def wikidata_input(value: Any) -> Any:
    """'q42', ' Q42 ' and the item's wikidata.org address all become 'Q42'."""
    value = clean(value)
    if isinstance(value, str):
        match = _WIKIDATA_INPUT.fullmatch(value)
        if match:
            return "Q" + match.group(1)
    return value


def website_field() -> URLField:
    """An organisation's website (optional): an http(s) address."""
    # Translators: a form label: the organisation's web site.
    return URLField(_l("Website"), filters=[clean],
                    validators=[Optional(), at_most(500), HttpUrl()],
                    # Translators: help for a web address field; keep https:// and http://.
                    description=_l("Starts with https:// or http://."))


def wikidata_field(normalise: bool = True) -> StringField:
    """An organisation's Wikidata item (optional), like Q42. With `normalise`, 'q42' and
    the item's address are taken for 'Q42' (`wikidata_input`)."""
    return StringField(
        # Translators: a form label: the organisation's item on Wikidata (an id like Q42).
        _l("Wikidata item"), filters=[wikidata_input if normalise else clean],
        validators=[Optional(), at_most(32),
                    # Translators: a form error; keep Q42 as it is.
                    Regexp(WIKIDATA_ITEM, message=_l(
                        "A Wikidata item is a Q followed by digits, like Q42. Leave it "
                        "empty if you do not know it."))],
        # Translators: help; keep Q42 as it is.
        description=_l("The organisation's item on Wikidata, like Q42 (optional)."),
    )


def with_blank(pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """A 'Choose…' option first, for a select that starts empty."""
    # Translators: the first, empty choice of a drop-down list.
    return [("", str(_l("Choose…"))), *pairs]


class OrganisationForm(FlaskForm):
    """An entry of the partner registry."""

    # Translators: a form label: the name of an organisation in the partner registry.
    name = text(_l("Name"), 255, DataRequired(message=_l("Enter the organisation's name.")))
    # Translators: a form label: IGO, INGO, GLAM, government, academic or other.
    kind = SelectField(_l("Kind of organisation"), validate_choice=False,
                       # Translators: a form error.
                       validators=[ValidChoice(_l("Choose the kind of organisation."))])
    # Translators: a form label and heading: the organisation's country.
    country = SelectField(_l("Country"), validate_choice=False,
                          validators=[ValidChoice(required=False)])
    website = website_field()
    wikidata_item = wikidata_field()
    # Translators: a form label: the subject areas the organisation works on.
    themes = CheckboxGroupField(_l("Themes"), validators=[ValidChoice(required=False)])
    # Translators: a form label and heading: notes about an organisation that only staff see.
    notes = long_text(_l("Private notes"), MAX_TEXT,
                      # Translators: help for the private notes.
                      description=_l("Only the helpdesk and the Expert Committee see these "
                                     "notes. They are never shown publicly."))
    # What the entry looked like when the form was loaded (see queries.fingerprint).
    loaded = HiddenField()

    def set_choices(self, locale: Locale | str) -> None:
        """Vocabulary labels and CLDR country names in the page language."""
        self.kind.choices = with_blank(vocab.choices(vocab.ORGANISATION_KINDS))
        self.country.choices = with_blank(country_choices(locale))
        self.themes.choices = vocab.choices(vocab.THEMES)

    def values(self) -> dict[str, Any]:
        """The organisation's fields as entered (empty optional ones as None)."""
        return {
            "name": self.name.data,
            "kind": self.kind.data,
            "country": self.country.data or None,
            "website": self.website.data or None,
            "wikidata_item": self.wikidata_item.data or None,
            "themes": [code for code in vocab.THEMES if code in (self.themes.data or [])],
            "notes": self.notes.data or None,
        }


class ContactForm(FlaskForm):
    """A contact person at the organisation."""

    # Translators: a form label: the name of a contact person at the organisation.
    name = text(_l("Contact name"), 255, DataRequired(message=_l("Enter the contact's name.")))
    email = EmailField(
        # Translators: a form label and column heading: an email address.
        _l("Email"), filters=[clean],
        validators=[Optional(), at_most(255),
                    # Translators: a form error; keep name@example.org as it is.
                    Email(message=_l("Enter an email address like name@example.org."))],
    )
    # Translators: a form label: the contact person's job at the organisation (not a role on the
    # helpdesk).
    role = text(_l("Role"), 255, description=_l("For example “Head of digital collections”."))


class IsoDate:
    """A date written year-month-day (what a date input sends), like 2026-03-31."""

    def __init__(self, required_message: Any = None) -> None:
        self.required_message = required_message
        self.field_flags = {"required": True} if required_message else {}

    def __call__(self, form: Any, field: Field) -> None:
        value = field.data or ""
        if not value:
            if self.required_message:
                raise StopValidation(str(self.required_message))
            return
        if parse_date(value) is None:
            # Translators: a form error; keep the example date 2026-03-31 as it is.
            raise StopValidation(str(_l("Enter a date as year-month-day, like 2026-03-31.")))


def parse_date(value: str | None) -> date | None:
    """The date of a 'YYYY-MM-DD' string, or None if it is not one."""
    if not value or not _ISO_DATE.fullmatch(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


class PlacementForm(FlaskForm):
    """A Wikimedian in Residence placement."""

    # Translators: a form label: the person placed at the organisation as Wikimedian in Residence.
    # Use the term the Wikimedia community in your language uses.
    person = text(_l("Wikimedian in Residence"), 255,
                  # Translators: a form error.
                  DataRequired(message=_l("Enter who the Wikimedian in Residence is.")),
                  # Translators: help for the Wikimedian in Residence field.
                  description=_l("Their name or Wikimedia username."))
    # Translators: a form label: when a Wikimedian in Residence placement started.
    start_date = StringField(_l("Start date"), filters=[clean],
                             # Translators: a form error; a placement is a Wikimedian in Residence's
                             # time at the organisation.
                             validators=[IsoDate(_l("Enter the date the placement started."))],
                             render_kw={"type": "date"},
                             # Translators: help for a date field; keep 2026-03-31 as it is.
                             description=_l("Year-month-day, like 2026-03-31."))
    # Translators: a form label: when a Wikimedian in Residence placement ended.
    end_date = StringField(_l("End date"), filters=[clean], validators=[IsoDate()],
                           render_kw={"type": "date"},
                           # Translators: help for the end date of a placement.
                           description=_l("Leave it empty while the placement goes on."))
    # Translators: a form label and column heading: a description of a Wikimedian in Residence
    # placement.
    description = long_text(_l("About the placement"), MAX_TEXT)

    def validate(self, extra_validators: Any = None) -> bool:
        """The field checks, then: the placement does not end before it starts."""
        valid = super().validate(extra_validators)
        start, end = self.start, self.end
        if valid and start is not None and end is not None and end < start:
            # Translators: a form error.
            self.end_date.errors = [*self.end_date.errors, str(_l(
                "The end date cannot be before the start date."))]
            valid = False
        return valid

    @property
    def start(self) -> date | None:
        """The start date entered (None when missing or wrong)."""
        return parse_date(self.start_date.data)

    @property
    def end(self) -> date | None:
        """The end date entered (None when empty or wrong)."""
        return parse_date(self.end_date.data)
