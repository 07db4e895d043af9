"""Faster look-ups of the current translations, locale and time zone.

Flask-Babel finds the request's translations anew on every `gettext` call (several
`g` proxy look-ups and a catalogue cache look-up each); a list page makes hundreds of
such calls. Here the current translations, the formats of dates and the labels of a
vocabulary are kept on Flask-Babel's own per-request context, next to the locale they
belong to: `force_locale()` (used for emails in the recipient's language) sets
another locale object, and anything cached for a different locale object is looked up
again. Outside an application context everything falls back to Flask-Babel.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from datetime import datetime
from functools import lru_cache
from types import SimpleNamespace
from typing import Any
from weakref import WeakKeyDictionary

from babel import dates
from babel.support import NullTranslations
from flask.globals import _cv_app
from flask_babel import get_babel, get_locale, get_timezone, get_translations

_NULL = NullTranslations()


def _context() -> SimpleNamespace | None:
    """Flask-Babel's per-request namespace (as `flask_babel._get_current_context`, but
    reading the application context directly instead of through the `g` proxy)."""
    app_context = _cv_app.get(None)
    if app_context is None:
        return None
    ctx: SimpleNamespace | None = getattr(app_context.g, "_flask_babel", None)
    if ctx is None:
        ctx = app_context.g._flask_babel = SimpleNamespace()
    return ctx


def _cache(ctx: SimpleNamespace) -> dict[str, Any]:
    """Our cache on the context, valid for the context's current locale object."""
    locale = getattr(ctx, "babel_locale", None)
    if locale is None:
        locale = get_locale()
    cache: dict[str, Any] | None = getattr(ctx, "helpdesk_cache", None)
    if cache is None or cache["locale"] is not locale:
        cache = ctx.helpdesk_cache = {"locale": locale, "labels": {}}
    return cache


def translations() -> Any:
    """The current translations (as `flask_babel.get_translations()`), looked up once per
    request and locale."""
    ctx = _context()
    if ctx is None:
        return _NULL
    cache = _cache(ctx)
    found = cache.get("translations")
    if found is None:
        found = cache["translations"] = get_translations()
    return found


def gettext(string: str, **variables: Any) -> str:
    """`flask_babel.gettext`, with the translations looked up once per request."""
    text = translations().ugettext(string)
    return text % variables if variables else text  # type: ignore[no-any-return]


def ngettext(singular: str, plural: str, num: int, **variables: Any) -> str:
    """`flask_babel.ngettext`, with the translations looked up once per request."""
    variables.setdefault("num", num)
    text = translations().ungettext(singular, plural, num)
    return text % variables if variables else text  # type: ignore[no-any-return]


# Labels per catalogue: a vocabulary translated with one catalogue (Flask-Babel keeps
# one per app and locale for the life of the app) is the same in every request.
_LABELS_BY_CATALOGUE: WeakKeyDictionary[Any, dict[int, tuple[Mapping[str, Any], dict[str, str]]]]
_LABELS_BY_CATALOGUE = WeakKeyDictionary()
_LABELS_LOCK = threading.Lock()


def labels(vocabulary: Mapping[str, Any]) -> dict[str, str]:
    """Every label of a vocabulary (code → lazily translated label) in the current
    language: translated once per catalogue, looked up once per request and locale.
    The dictionary returned is shared: never change it."""
    ctx = _context()
    if ctx is None:
        return {code: str(text) for code, text in vocabulary.items()}
    cache = _cache(ctx)
    cached: dict[int, tuple[Mapping[str, Any], dict[str, str]]] = cache["labels"]
    found = cached.get(id(vocabulary))
    if found is None or found[0] is not vocabulary:
        catalogue = cache.get("translations")
        if catalogue is None:
            catalogue = translations()
        with _LABELS_LOCK:
            shared = _LABELS_BY_CATALOGUE.setdefault(catalogue, {})
            found = shared.get(id(vocabulary))
        if found is None or found[0] is not vocabulary:
            found = (vocabulary, {code: str(text) for code, text in vocabulary.items()})
            with _LABELS_LOCK:
                shared[id(vocabulary)] = found
        cached[id(vocabulary)] = found
    return found[1]


def _datetime_setup(fmt: str) -> tuple[str, Any, Any]:
    """(pattern, locale, time zone) for `format_datetime`, cached per request and locale."""
    ctx = _context()
    if ctx is None:  # pragma: no cover - the filter is used in templates, in a request
        raise RuntimeError("format_datetime needs an application context")
    cache = _cache(ctx)
    key = f"datetime:{fmt}"
    found = cache.get(key)
    if found is None:
        formats = get_babel().instance.date_formats
        pattern = fmt
        if fmt in ("short", "medium", "full", "long"):
            pattern = formats[f"datetime.{fmt}"] or fmt
        found = cache[key] = (pattern, cache["locale"], get_timezone())
    return found  # type: ignore[no-any-return]


def locale_and_zone() -> tuple[Any, Any]:
    """(Babel locale, time zone) of the request, looked up once per request and locale."""
    ctx = _context()
    if ctx is None:  # pragma: no cover - formatting happens in a request or app context
        return get_locale(), get_timezone()
    cache = _cache(ctx)
    found = cache.get("locale_and_zone")
    if found is None:
        found = cache["locale_and_zone"] = (cache["locale"], get_timezone())
    return found  # type: ignore[no-any-return]


@lru_cache(maxsize=4096)
def _format(value: datetime, pattern: str, tzinfo: Any, locale: Any) -> str:
    # A pure function of its arguments: lists show the same rows request after request.
    return dates.format_datetime(value, pattern, tzinfo=tzinfo, locale=locale)


def format_datetime(value: datetime, fmt: str = "medium") -> str:
    """`flask_babel.format_datetime(value, fmt)` (in the request's locale and time zone)."""
    pattern, locale, tzinfo = _datetime_setup(fmt)
    return _format(value, pattern, tzinfo, locale)
