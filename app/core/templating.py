"""What every template can use: the user, roles, languages, navigation."""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache
from typing import Any, cast

from flask import Flask, current_app, g, has_request_context, request
from flask_babel import get_locale
from jinja2 import pass_context
from jinja2.runtime import Context
from markupsafe import Markup
from sqlalchemy.exc import SQLAlchemyError

from app.admin import labels as audit_labels
from app.auth.roles import current_roles
from app.cases import labels as vocab
from app.cases.labels import state_label
from app.core import babel_cache, formats, i18n
from app.core.db import get_session
from app.core.tables import label_cells
from app.groups.queries import member_of_a_group


def _page_language() -> str:
    locale = get_locale()
    return str(locale) if locale else i18n.SOURCE_LANGUAGE


@lru_cache(maxsize=16)
def _languages(codes: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    """(code, own name) of each language (CLDR names never change while we run)."""
    return tuple((code, i18n.language_name(code)) for code in codes)


_direction = lru_cache(maxsize=64)(i18n.text_direction)


def template_context() -> dict[str, Any]:
    """Variables for the base layout (none outside a request, e.g. for emails)."""
    if not has_request_context():
        return {}
    lang = _page_language()
    args = {key: value for key, value in request.args.items() if key != "uselang"}
    return {
        "current_user": g.get("user"),
        "user_roles": current_roles(),
        "page_lang": lang.replace("_", "-"),
        "page_dir": _direction(lang),
        "languages": _languages(i18n.available_languages()),
        "current_args": args,
        "source_url": current_app.config["SOURCE_URL"],
        "view_endpoints": current_app.view_functions,
    }


def vocab_label(name: str, code: str | None) -> str:
    """Label of a code in one of app.cases.labels's vocabularies."""
    return vocab.label(getattr(vocab, name), code)


def vocab_labels(name: str, codes: list[str] | None) -> str:
    """Labels of several codes, comma-separated."""
    return ", ".join(vocab_label(name, code) for code in codes or [])


def in_a_group() -> bool:
    """Does the signed-in user belong to a working group (the menu's "My groups")?
    False when signed out, and when the database cannot say (an error page)."""
    user = g.get("user")
    if user is None:
        return False
    try:
        return member_of_a_group(get_session(), user)
    except SQLAlchemyError:
        return False


def vocab_choices(name: str) -> list[tuple[str, str]]:
    """(code, label) pairs of a vocabulary."""
    return vocab.choices(getattr(vocab, name))


def user_text(value: Any) -> Markup:
    """Text someone typed, isolated from the page around it (``<bdi>``, escaped): a name
    written right to left, or with bidi controls (U+202E), cannot reorder the words
    around it ("exe.png" from "gnp.exe"). Nothing for None or an empty value."""
    if value is None or value == "":
        return Markup("")
    return Markup("<bdi>%s</bdi>") % value


def init_app(app: Flask) -> None:
    """Register the context processor, globals and filters (after Flask-Babel's)."""
    app.context_processor(template_context)
    app.jinja_env.globals.update(vocab_label=vocab_label, vocab_labels=vocab_labels,
                                 vocab_choices=vocab_choices, state_label=state_label,
                                 in_a_group=in_a_group,
                                 audit_action=audit_labels.action_label,
                                 audit_object=audit_labels.object_label,
                                 audit_changes=audit_labels.changes)
    app.jinja_env.filters["state_label"] = state_label  # {{ case.state|state_label }}
    app.jinja_env.globals["label_cells"] = label_cells  # tables as cards on phones
    app.jinja_env.filters["bdi"] = user_text  # {{ case.title|bdi }}
    _date_filters(app)
    # Flask-Babel's callables, but with the translations looked up once per request.
    translations = babel_cache.translations
    app.jinja_env.install_gettext_callables(  # type: ignore[attr-defined]
        gettext=lambda s: translations().ugettext(s),
        ngettext=lambda s, p, n: translations().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: translations().unpgettext(c, s, p, n),
    )
    for name in ("gettext", "ngettext", "pgettext", "npgettext"):
        app.jinja_env.globals[name] = _numbers_in_local_digits(
            cast(Callable[..., Any], app.jinja_env.globals[name]))


def _date_filters(app: Flask) -> None:
    """Dates, times and numbers as the language writes them (app.core.formats):
    ``|date``, ``|datetime`` (no seconds), ``|when`` (a <time> with the date, the time
    on hover; ``when(time=True)`` shows both), ``|ago`` (a <time>: "3 days ago", the
    date and time on hover) and ``|number`` (also as Flask-Babel's ``|numberformat``)."""
    filters = app.jinja_env.filters
    filters["date"] = lambda value, fmt=None: formats.format_date(value, fmt) if value else ""
    filters["datetime"] = lambda value: formats.format_datetime(value) if value else ""
    filters["when"] = lambda value, time=False: formats.time_element(value, with_time=time)
    filters["ago"] = lambda value: formats.time_element(value, relative=True)
    filters["number"] = lambda value, fmt=None: (
        formats.format_number(value, fmt) if value is not None else "")
    filters["numberformat"] = filters["number"]  # Flask-Babel's, with the language's digits


def _numbers_in_local_digits(function: Callable[..., Any]) -> Callable[..., Any]:
    """Jinja's gettext callable, with whole numbers given to the message (``%(num)s``)
    written in the language's own digits where it has them (Bengali)."""

    @pass_context
    def translate(context: Context, *args: Any, **variables: Any) -> Any:
        if formats.has_native_digits():
            args = tuple(formats.local_number(value) for value in args)
            variables = {key: formats.local_number(value) for key, value in variables.items()}
        return context.call(function, *args, **variables)  # Markup when autoescaping

    return translate
