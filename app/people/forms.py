"""Forms of the right people: an ask, a directory entry, a skill, an affiliate, a CSV import."""

from __future__ import annotations

from collections.abc import Sequence

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, SelectField, StringField
from wtforms.validators import DataRequired, Regexp

from app.cases.labels import THEMES, choices
from app.core.forms import clean
from app.core.multichoice import MultiChoiceField, country_groups, language_groups
from app.core.regions import LocaleLike
from app.intake.fields import CheckboxGroupField, HttpUrl, ValidChoice, long_text, text
from app.people.labels import affiliate_kinds, skill_label
from app.people.models import Skill


def _skill_choices(skills: Sequence[Skill]) -> list[tuple[str, str]]:
    return [(skill.code, skill_label(skill.code, skill.name)) for skill in skills]


class AskForm(FlaskForm):
    """A lead posts an ask for volunteers."""

    title = text(
        # Translators: a form label: a short line saying what help a working group needs.
        _l("What help is needed"), 255,
        # Translators: a form error.
        DataRequired(message=_l("Say in a few words what help is needed.")),
    )
    description = long_text(
        # Translators: a form label.
        _l("Details"), 5000,
        # Translators: help for the details of an ask for volunteers.
        description=_l("Public: anyone can read it, also on Meta-Wiki and in the API."),
    )
    case_reference = text(
        # Translators: a form label: the reference of a request, like CPH-2026-0042.
        _l("Request (optional)"), 40,
        # Translators: help; keep CPH-2026-0042 as it is.
        description=_l("The reference of a public request, or of one referred to the group, "
                       "like CPH-2026-0042. It is shown only while the request is public."),
    )
    languages = MultiChoiceField(
        # Translators: a form label: the languages a volunteer taking the ask should know.
        _l("Languages wanted"), validators=[ValidChoice(required=False)],
    )
    skills = CheckboxGroupField(
        # Translators: a form label: the skills a volunteer taking the ask should have.
        _l("Skills wanted"), validators=[ValidChoice(required=False)],
    )

    def set_choices(self, locale: LocaleLike, skills: Sequence[Skill]) -> None:
        """Languages in the page language; the skills of the list."""
        self.languages.set_groups(language_groups(locale, str(locale)))
        self.skills.choices = _skill_choices(skills)


class DirectoryForm(FlaskForm):
    """Whether the directory lists the person, what it shows, and their skills."""

    listed = BooleanField(
        # Translators: a checkbox label on the directory settings page.
        _l("List me in the directory of people"),
        # Translators: help for the checkbox.
        description=_l("Signed-in Wikimedians can then find you by language, country, "
                       "region, skill and theme. Only your username and what you tick below "
                       "is shown."),
    )
    # Translators: a checkbox label: what the directory shows about the person.
    show_country = BooleanField(_l("Show my country"))
    # Translators: a checkbox label: what the directory shows about the person.
    show_languages = BooleanField(_l("Show my languages"))
    # Translators: a checkbox label: what the directory shows about the person.
    show_regions = BooleanField(_l("Show my regions"))
    # Translators: a checkbox label: what the directory shows about the person.
    show_skills = BooleanField(_l("Show my skills"))
    # Translators: a checkbox label: what the directory shows about the person: the themes
    # (subject areas, like health or cultural heritage) they are interested in.
    show_themes = BooleanField(_l("Show the themes I am interested in"))
    show_roles = BooleanField(
        # Translators: a checkbox label: whether the directory shows that the person is on the
        # Expert Committee, the helpdesk, or in working groups.
        _l("Show my roles (committee, helpdesk, the working groups that list me publicly)"))
    skills = CheckboxGroupField(
        # Translators: a form label: the person's skills, chosen from a list.
        _l("Your skills"), validators=[ValidChoice(required=False)],
    )
    themes = CheckboxGroupField(
        # Translators: a form label: the themes of requests (subject areas, like health or
        # cultural heritage) the person would like to help with.
        _l("Themes you are interested in"), validators=[ValidChoice(required=False)],
        # Translators: help for the themes on the directory settings page.
        description=_l("If you show them, the helpdesk and the Expert Committee see you "
                       "suggested on requests with these themes."),
    )

    def set_choices(self, skills: Sequence[Skill]) -> None:
        """The skills of the list (and the retired ones the person still has); the themes
        of requests, in the page language."""
        self.skills.choices = _skill_choices(skills)
        self.themes.choices = choices(THEMES)


class SkillForm(FlaskForm):
    """An admin adds a skill to the list."""

    code = StringField(
        # Translators: a form label: a skill's short code, like mass-uploads.
        _l("Short name"), filters=[clean],
        validators=[
            # Translators: a form error.
            DataRequired(message=_l("Give the skill a short name.")),
            # Translators: a form error; keep the example as it is.
            Regexp(r"^[a-z0-9-]{2,64}$", message=_l("Use 2 to 64 lower-case letters (a–z), "
                                                     "digits and hyphens, like mass-uploads.")),
        ],
    )
    name = text(
        # Translators: a form label: a skill's name, like Mass uploads.
        _l("Name"), 255,
        # Translators: a form error.
        DataRequired(message=_l("Give the skill a name.")),
    )


class AffiliateForm(FlaskForm):
    """An admin adds or edits an affiliate."""

    name = text(
        # Translators: a form label: the name of a Wikimedia affiliate.
        _l("Name"), 191,
        # Translators: a form error.
        DataRequired(message=_l("Give the affiliate's name.")),
    )
    kind = SelectField(
        # Translators: a form label: chapter, user group, thematic organisation or hub.
        _l("Kind"), choices=[], validate_choice=False, validators=[ValidChoice()],
    )
    countries = MultiChoiceField(
        # Translators: a form label: the countries a Wikimedia affiliate works in.
        _l("Countries"), validators=[ValidChoice(required=False)],
    )
    contact_url = text(
        # Translators: a form label: the web page to contact the affiliate (often on Meta-Wiki).
        _l("Contact page"), 500, HttpUrl(),
    )
    themes = CheckboxGroupField(
        # Translators: a form label: the themes (subject areas, like health or cultural
        # heritage) a Wikimedia affiliate works on.
        _l("Themes"), validators=[ValidChoice(required=False)],
        # Translators: help for an affiliate's themes.
        description=_l("The case page suggests the affiliate for requests on these themes."),
    )
    # Translators: a checkbox label: the affiliate is still active.
    active = BooleanField(_l("Active"), default=True)

    def set_choices(self, locale: LocaleLike) -> None:
        """Kinds, countries and themes in the page language."""
        self.kind.choices = [("", "—"), *affiliate_kinds()]
        self.countries.set_groups(country_groups(locale))
        self.themes.choices = choices(THEMES)


class ImportForm(FlaskForm):
    """An admin uploads a CSV file of affiliates."""

    file = FileField(
        # Translators: a form label: a CSV file to upload.
        _l("CSV file"),
        # Translators: a form error.
        validators=[FileRequired(message=_l("Choose a CSV file."))],
        # Translators: help; keep the column names (name, kind, …) and the kinds in English.
        description=_l("First line: name,kind,countries,themes,contact_url,active (themes, "
                       "contact_url and active may be left out). Kinds: chapter, user_group, "
                       "thematic, hub. Countries: two-letter codes separated by spaces or "
                       "semicolons. Themes: short names or names from the list below, "
                       "separated by semicolons. If any line is wrong, nothing is imported."),
    )
