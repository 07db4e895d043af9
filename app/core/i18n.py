"""Languages: which ones we ship, which one a request gets, and its direction."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from flask import Flask, current_app, g, has_request_context, request, session
from flask_babel import Babel

TRANSLATIONS_DIR = Path(__file__).resolve().parents[2] / "translations"
SOURCE_LANGUAGE = "en"


@lru_cache(maxsize=1)
def shipped_languages() -> tuple[str, ...]:
    """English plus every language with a compiled catalogue under translations/."""
    found = sorted(
        path.parent.parent.name
        for path in TRANSLATIONS_DIR.glob("*/LC_MESSAGES/messages.mo")
    )
    return (SOURCE_LANGUAGE, *[code for code in found if code != SOURCE_LANGUAGE])


def available_languages() -> tuple[str, ...]:
    """Languages offered in this app (tests may add the pseudo-locale)."""
    extra = tuple(current_app.config.get("EXTRA_LANGUAGES", ()))
    return shipped_languages() + tuple(code for code in extra if code not in shipped_languages())


@lru_cache(maxsize=1024)
def _parse(code: str) -> Locale | None:
    """A Babel locale from 'pt_BR' or 'pt-BR', or None when CLDR has no data for it."""
    try:
        return Locale.parse(code.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return None


def _named_in(code: str, locale: Locale | None) -> str | None:
    """CLDR's name of the language in `locale`; None for none, or for a "name" that is
    just the code again (CLDR's Bengali and Swedish name Gan Chinese "gan")."""
    name = locale.languages.get(code) if locale is not None else None
    return name if name and name != code else None


@lru_cache(maxsize=8192)
def _language_name(code: str, reader: str | None) -> str:
    if reader is None:  # the language's own name, as a menu offers it
        own = _parse(code)
        name = own.get_display_name(own) if own is not None else None
        if not name:
            return _named_in(code, _parse(SOURCE_LANGUAGE)) or code
        return name[:1].upper() + name[1:]
    return (_named_in(code, _parse(reader)) or _named_in(code, _parse(code))
            or _named_in(code, _parse(SOURCE_LANGUAGE)) or code)


def language_name(code: str, locale: str | Locale | None = None) -> str:
    """The name of a language, for every place that names one (forms, lists, the audit
    log, the language menu).

    For readers of `locale`: CLDR's name in that language; where CLDR has none (it names
    about 550 of the 640 content languages in Arabic, fewer in Bengali), the language's
    own name for itself (its autonym), then its English name, and only then the code.
    Without `locale`: the language's own name, capitalised, as a language menu lists it
    ('Svenska', 'العربية').
    """
    code = code.strip().replace("-", "_")
    return _language_name(code, str(locale) if locale is not None else None)


def text_direction(code: str) -> str:
    """'rtl' or 'ltr' for a language code, from CLDR."""
    try:
        return "rtl" if Locale.parse(code).character_order == "right-to-left" else "ltr"
    except (ValueError, TypeError):
        return "ltr"


def select_locale() -> str:
    """?uselang=, then the choice saved in the session or on the user, then the browser."""
    if not has_request_context():  # command line: messages in the source language
        return SOURCE_LANGUAGE
    languages = available_languages()
    asked = request.args.get("uselang", "")
    if asked in languages:
        return asked
    chosen = session.get("language")
    if chosen in languages:
        return str(chosen)
    user = g.get("user")
    if user is not None and user.language in languages:
        return str(user.language)
    return request.accept_languages.best_match(languages) or SOURCE_LANGUAGE


def remember_uselang() -> None:
    """A language picked with ?uselang= sticks for the rest of the visit."""
    asked = request.args.get("uselang", "")
    if asked and asked in available_languages() and session.get("language") != asked:
        session["language"] = asked


def init_app(app: Flask) -> None:
    """Wire Flask-Babel to our translations folder and locale selector."""
    app.config.setdefault("BABEL_TRANSLATION_DIRECTORIES", str(TRANSLATIONS_DIR))
    app.config.setdefault("BABEL_DEFAULT_LOCALE", SOURCE_LANGUAGE)
    Babel(app, locale_selector=select_locale)
    app.before_request(remember_uselang)
