"""The request form, its email-intake variant, and the link-requester form."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, ClassVar

from babel import Locale
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    HiddenField,
    RadioField,
    SelectField,
)
from wtforms.validators import DataRequired, Email

from app.cases import labels as vocab
from app.cases.service import MAX_TEXT
from app.core.multichoice import MultiChoiceField, country_groups, language_groups
from app.core.regions import country_choices
from app.intake.fields import (
    CheckboxGroupField,
    ValidChoice,
    at_most,
    clean,
    long_text,
    text,
)
from app.partners.forms import website_field, wikidata_field

# Translators: help for the public listing checkbox of a request.
PUBLIC_LISTING_HELP = _l(
    "If you tick this, once the helpdesk has looked at your request anyone can see on this "
    "site, in its feed and on Meta-Wiki: its reference, title, organisation name and kind, "
    "themes, region, target projects, status and dates, and a short public summary written "
    "by the committee or the helpdesk. Your description, licence, contact details and "
    "messages are never made public."
)


@dataclass(frozen=True)
class FieldError:
    """One wrong field, for the error summary: where to jump, its label, the messages."""

    anchor: str
    label: str
    messages: list[str]


def _with_blank(prompt: Any, pairs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [("", str(prompt)), *pairs]


class RequestForm(FlaskForm):
    """Everything a request records (DESIGN.md, "What a request records")."""

    # About the request
    title = text(_l("Title"), 255, DataRequired(message=_l("Give your request a title.")),
                 # Translators: help for a request's title; the example title in quotes may be
                 # translated.
                 description=_l("A short name, like “Digitised maps of the Baltic”."))
    description = long_text(
        _l("Description"), MAX_TEXT,
        # Translators: a form error.
        DataRequired(message=_l("Describe the content and what you would like to do.")),
        # Translators: help for a request's description.
        description=_l("What is the content, where does it come from, and what would you "
                       "like to do with it on the Wikimedia projects?"),
    )
    # Translators: a form label: Commons mass upload, Wikidata data donation or another partnership.
    request_type = SelectField(_l("Type of request"), validate_choice=False,
                               # Translators: a form error.
                               validators=[ValidChoice(_l("Choose the type of request."))])
    # Translators: a form label: when the requester wants to start, and any deadlines (the
    # schedule of the request).
    timeline = text(_l("Timeline"), 500,
                    # Translators: help for the timeline field.
                    description=_l("When would you like to start? Is there a deadline?"))

    # Organisation
    organisation_id = SelectField(
        # Translators: a form label: a list of organisations already known to the helpdesk.
        _l("Organisation from the partner registry"), validate_choice=False,
        validators=[ValidChoice(required=False)],
        # Translators: help; “Not in the registry” repeats the first choice of the list and must
        # match its translation.
        description=_l("If your organisation is not in the list, leave it at “Not in the "
                       "registry” and describe it below."),
    )
    # Translators: a form label for a new organisation.
    org_name = text(_l("Name of the organisation"), 255)
    # Translators: a form label and column heading: IGO, INGO, GLAM, government, academic or other.
    org_kind = SelectField(_l("Kind of organisation"), validate_choice=False,
                           validators=[ValidChoice(required=False)])
    # Translators: a form label.
    org_country = SelectField(_l("Country of the organisation"), validate_choice=False,
                              validators=[ValidChoice(required=False)])
    # The registry's own fields for an organisation's website and Wikidata item.
    org_website = website_field()
    org_wikidata = wikidata_field(normalise=False)

    # Content
    content_kinds = CheckboxGroupField(
        # Translators: a form label: images, audio or video, data, text.
        _l("Kinds of content"),
        # Translators: a form error.
        validators=[ValidChoice(_l("Choose at least one kind of content."))],
    )
    # Translators: a form label: about how much content (number of files, size).
    content_volume = text(_l("Rough volume"), 255,
                          # Translators: help for the volume; the examples in quotes may be
                          # translated.
                          description=_l("For example “about 10,000 photographs” or “2 GB "
                                         "of data”."))
    licence = RadioField(
        # Translators: a form label: the copyright licence of the content.
        _l("Licence"), validate_choice=False,
        # Translators: a form error.
        validators=[ValidChoice(_l("Choose the licence of the content."))],
        # Translators: help; keep the licence names CC0, CC BY, CC BY-SA.
        description=_l("Content on the Wikimedia projects must be under a free licence or in "
                       "the public domain: CC0, CC BY, CC BY-SA or public domain. Any other "
                       "licence is accepted here, but the request will be flagged for the "
                       "Expert Committee to look at."),
    )
    # Translators: a form label.
    licence_details = text(_l("Licence details"), 500,
                           # Translators: help for the licence details.
                           description=_l("Version, exceptions, or who holds the rights."))

    # Where it goes
    target_projects = CheckboxGroupField(
        # Translators: a form label: the Wikimedia projects the content is for (Commons, Wikidata,
        # …).
        _l("Target projects"),
        # Translators: a form error.
        validators=[ValidChoice(_l("Choose at least one Wikimedia project."))],
    )
    # Translators: a form label and heading: the subject areas of a request (climate, health, …).
    themes = CheckboxGroupField(_l("Themes"),
                                # Translators: a form error.
                                validators=[ValidChoice(_l("Choose at least one theme."))])

    # Where and who
    countries = MultiChoiceField(
        # Translators: a form label and heading: countries the content comes from or is about.
        _l("Countries"),
        # Translators: a form error.
        validators=[ValidChoice(_l("Choose at least one country."))],
        # Translators: help for the list of countries of a request, grouped by movement region.
        description=_l("The countries the content comes from or is about, grouped by "
                       "movement region. Tick as many as you need."),
    )
    languages = MultiChoiceField(
        # Translators: a form label and heading: the languages of the content (or a committee
        # member's languages).
        _l("Languages"), validators=[ValidChoice(required=False)],
        # Translators: help for the list of languages of a request.
        description=_l("The languages of the content. Tick as many as you need."),
    )

    # Support asked for
    # Translators: a form label: the kinds of support asked for.
    support_types = CheckboxGroupField(_l("What help would you like?"),
                                       validators=[ValidChoice(required=False)])
    # Translators: a form label.
    support_details = long_text(_l("More about the help you need"), 500)

    # Contact
    # Translators: a form label: the name of the person to contact about the request.
    contact_name = text(_l("Contact name"), 255)
    contact_email = EmailField(
        # Translators: a form label: the email address of the person to contact.
        _l("Contact email"), filters=[clean],
        # Translators: a form error.
        validators=[DataRequired(message=_l("Give an email address we can reach you at.")),
                    at_most(255),
                    # Translators: a form error; keep name@example.org as it is.
                    Email(message=_l("Enter an email address like name@example.org."))],
        # Translators: help for an email field.
        description=_l("Private: only the helpdesk and the Expert Committee see it."),
    )

    # Consent
    # Translators: a checkbox label: the requester agrees that the request is shown on the public
    # case list.
    public_listing = BooleanField(_l("List this request publicly"),
                                  description=PUBLIC_LISTING_HELP)

    ORGANISATION_FIELDS: ClassVar[tuple[str, ...]] = (
        "org_name", "org_kind", "org_country", "org_website", "org_wikidata")
    PAGE_ORDER: ClassVar[tuple[str, ...]] = (
        "title", "description", "request_type", "timeline",
        "organisation_id", *ORGANISATION_FIELDS,
        "content_kinds", "content_volume", "licence", "licence_details",
        "target_projects", "themes", "countries", "languages",
        "support_types", "support_details", "contact_name", "contact_email", "public_listing",
    )
    # Fields shown as a fieldset of boxes: the error summary links to the first box.
    GROUPS: ClassVar[tuple[str, ...]] = (
        "content_kinds", "licence", "target_projects", "themes", "countries", "languages",
        "support_types")

    def set_choices(self, organisations: list[tuple[str, str]], locale: Locale | str) -> None:
        """Fill the choices: vocabularies and CLDR names in the page language."""
        # Translators: the first, empty choice of a drop-down list.
        self.request_type.choices = _with_blank(_l("Choose…"), vocab.choices(vocab.REQUEST_TYPES))
        # Translators: a choice in the list of organisations: the organisation is new and described
        # in the fields below.
        self.organisation_id.choices = _with_blank(_l("Not in the registry: I describe it "
                                                      "below"), organisations)
        self.org_kind.choices = _with_blank(_l("Choose…"),
                                            vocab.choices(vocab.ORGANISATION_KINDS))
        self.org_country.choices = _with_blank(_l("Choose…"), country_choices(locale))
        self.content_kinds.choices = vocab.choices(vocab.CONTENT_KINDS)
        self.licence.choices = vocab.choices(vocab.LICENCES)
        self.target_projects.choices = vocab.choices(vocab.TARGET_PROJECTS)
        self.themes.choices = vocab.choices(vocab.THEMES)
        self.countries.set_groups(country_groups(locale))
        self.languages.set_groups(language_groups(locale, str(locale)))
        self.support_types.choices = vocab.choices(vocab.SUPPORT_TYPES)

    @property
    def new_organisation(self) -> bool:
        """Did the requester describe a new organisation (rather than pick one)?"""
        return not self.organisation_id.data

    def validate(self, extra_validators: Any = None) -> bool:
        """The field checks, then: an organisation picked from the registry or a new one."""
        valid = super().validate(extra_validators)
        if self.organisation_id.data and self.org_name.data:
            # Translators: a form error.
            self._add_error("org_name", _l(
                "You chose an organisation from the registry and also entered a new one. "
                "Keep only one: empty this name, or set the list above to “Not in the "
                "registry”."))
            valid = False
        elif self.new_organisation and not self.organisation_id.errors:
            if not self.org_name.data and not self.org_name.errors:
                # Translators: a form error.
                self._add_error("org_name", _l("Choose your organisation in the list above, "
                                               "or enter the name of a new one here."))
                valid = False
            if not self.org_kind.data and not self.org_kind.errors:
                # Translators: a form error.
                self._add_error("org_kind", _l("Choose the kind of organisation."))
                valid = False
        return valid

    def _add_error(self, name: str, message: Any) -> None:
        field = self[name]
        field.errors = [*field.errors, str(message)]

    def refuse_organisation(self, name: str, message: str) -> None:
        """Mark a new-organisation field as wrong (e.g. a duplicate of the registry)."""
        self._add_error(name, message)

    def error_list(self) -> list[FieldError]:
        """Wrong fields in the order of the page, for the error summary."""
        found = []
        for name in self.PAGE_ORDER:
            field = self[name]
            if field.errors:
                anchor = f"{field.id}-0" if name in self.GROUPS else field.id
                found.append(FieldError(anchor, str(field.label.text),
                                        [str(m) for m in field.errors]))
        return found


class EditRequestForm(RequestForm):
    """The same request, changed after filing; `version` is the case's version the form
    was loaded at (a save over someone else's change is refused)."""

    version = HiddenField()

    # Lists a request opened from the mailbox has empty until the helpdesk fills them in:
    # staff may save the rest (e.g. the real organisation) without them.
    OPTIONAL_FOR_STAFF: ClassVar[tuple[str, ...]] = (
        "content_kinds", "target_projects", "themes", "countries")

    def optional_for_staff(self) -> None:
        """Let staff leave the OPTIONAL_FOR_STAFF lists empty."""
        for name in self.OPTIONAL_FOR_STAFF:
            self[name].validators = [ValidChoice(required=False)]
            self[name].flags.required = False


class EmailRequestForm(RequestForm):
    """The same request, logged by the helpdesk from an email: the sender is the contact."""

    # Translators: a form label on the page where the helpdesk logs a request that came by email.
    contact_name = text(_l("Sender's name"), 255)
    contact_email = EmailField(
        # Translators: a form label on the page where the helpdesk logs a request that came by
        # email.
        _l("Sender's email"), filters=[clean],
        # Translators: a form error.
        validators=[DataRequired(message=_l("Give the sender's email address.")),
                    at_most(255),
                    Email(message=_l("Enter an email address like name@example.org."))],
        description=_l("Private: only the helpdesk and the Expert Committee see it."),
    )
    contact_username = text(
        # Translators: a form label on the page where the helpdesk logs a request that came by
        # email.
        _l("Sender's Wikimedia username"), 255,
        # Translators: help for the sender's username.
        description=_l("Optional. When the sender has signed in to the helpdesk, the case "
                       "can be linked to their account."),
    )
    original_email = long_text(
        # Translators: a form label: the text of the email the request came in.
        _l("The original email"), MAX_TEXT,
        # Translators: a form error.
        DataRequired(message=_l("Paste the email the request came in with.")),
        # Translators: help; an internal note is a message only the helpdesk and the committee see.
        description=_l("Stored as an internal note: only the helpdesk and the Expert "
                       "Committee see it."),
    )

    PAGE_ORDER: ClassVar[tuple[str, ...]] = (
        "contact_name", "contact_email", "contact_username", "original_email",
        *(name for name in RequestForm.PAGE_ORDER
          if name not in ("contact_name", "contact_email")),
    )


class LinkRequesterForm(FlaskForm):
    """Link an email case to the wiki account of its sender (read here, checked by
    `linking.link_requester`)."""

    username = text(_l("Wikimedia username"), 255,
                    # Translators: help for the username when linking a request to an account.
                    description=_l("The person must have signed in to the helpdesk once."))
    version = HiddenField()
