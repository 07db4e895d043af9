"""Form building blocks of the intake: checkbox groups, input clean-up, validators."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from wtforms import Field, SelectMultipleField, StringField, TextAreaField
from wtforms.validators import Length, StopValidation, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget

from app.core.forms import Message, clean, clean_line


class CheckboxGroupField(SelectMultipleField):
    """Several choices as checkboxes (the template puts them in a fieldset)."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validate_choice", False)  # ValidChoice says it better
        super().__init__(*args, **kwargs)


def text(label: Message, limit: int, *validators: Any, **kwargs: Any) -> StringField:
    """A one-line text field, cleaned (bidi controls too: `clean_line`), at most `limit`
    characters."""
    return StringField(label, validators=[*validators, at_most(limit)], filters=[clean_line],
                       **kwargs)


def long_text(label: Message, limit: int, *validators: Any, **kwargs: Any) -> TextAreaField:
    """A text area, cleaned, at most `limit` characters."""
    return TextAreaField(label, validators=[*validators, at_most(limit)], filters=[clean],
                         **kwargs)


def at_most(limit: int) -> Length:
    """Refuse text longer than `limit` characters."""
    # Translators: a form error; %(max)s is a number.
    return Length(max=limit, message=_l("This is too long: at most %(max)s characters."))


def _codes(field: Field) -> set[str]:
    choices: Sequence[Any] = getattr(field, "choices", None) or ()
    return {str(choice[0]) for choice in choices if str(choice[0]) != ""}


class ValidChoice:
    """The value (or every value of a multiple choice) is one of the field's choices.

    With `required`, at least one must be chosen; `message` says what to do.
    """

    def __init__(self, message: Message | None = None, required: bool = True) -> None:
        self.message = message
        self.required = required
        self.field_flags = {"required": True} if required else {}

    def __call__(self, form: Any, field: Field) -> None:
        data = field.data
        values = [str(v) for v in data] if isinstance(data, list | tuple) else (
            [] if data in (None, "") else [str(data)]
        )
        if not values:
            if self.required:
                # Translators: a form error for a list of choices.
                raise StopValidation(str(self.message or _l("Please choose one.")))
            return
        if not set(values) <= _codes(field):
            # Translators: a form error: the value sent is not one of the choices.
            raise StopValidation(str(_l("Please choose from the list.")))


class HttpUrl:
    """An optional web address that starts with http:// or https://."""

    def __call__(self, form: Any, field: Field) -> None:
        value = field.data or ""
        if not value:
            return
        parts = urlsplit(value)
        if (parts.scheme.lower() not in ("http", "https") or not parts.netloc
                or any(ch.isspace() for ch in value)):
            # Translators: a form error; keep https:// and http:// and the example address as they
            # are.
            raise ValidationError(str(_l(
                "Enter a web address that starts with https:// or http://, "
                "like https://www.example.org."
            )))
