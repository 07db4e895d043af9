"""Dates, times and numbers as CLDR writes them in the page's language.

- One date format everywhere: CLDR's date with an abbreviated month name (the skeleton
  ``yMMMd``: "Dec 4, 2026", "4 dec. 2026", "4 ديسمبر 2026"), never an all-digit date
  such as "12/4/26" that readers of different countries read differently.
- Times without seconds (CLDR's short time), joined to the date as the language does.
- Relative times ("3 days ago") come in a ``<time>`` element whose ``title`` holds the
  date and time, so the exact moment shows on hover and is read out on request.
- Digits in the locale's own script where CLDR's default numbering system for the
  language is not the Latin one (Bengali: ০১২৩…), as MediaWiki does. Arabic keeps Latin
  digits: CLDR's default for ``ar`` is ``latn``. Babel only knows which numbering
  system is the default, not its digits, so these come from ``NATIVE_ZEROS``.

Stored times are naive UTC; they are shown in the request's time zone (Flask-Babel's).
"""

from __future__ import annotations

import unicodedata
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import lru_cache
from typing import Any

from babel import Locale, dates, numbers
from flask_babel import gettext as _
from markupsafe import Markup

from app.core.babel_cache import locale_and_zone
from app.core.models import utcnow

# The digit zero of each CLDR numbering system that is some language's default (the
# nine other digits follow it in Unicode). Missing systems keep Latin digits.
NATIVE_ZEROS: dict[str, str] = {
    system: unicodedata.lookup(f"{name} DIGIT ZERO") for system, name in (
        ("arab", "ARABIC-INDIC"), ("arabext", "EXTENDED ARABIC-INDIC"), ("beng", "BENGALI"),
        ("deva", "DEVANAGARI"), ("mymr", "MYANMAR"), ("tibt", "TIBETAN"), ("olck", "OL CHIKI"),
        ("cakm", "CHAKMA"), ("adlm", "ADLAM"), ("nkoo", "NKO"), ("mtei", "MEETEI MAYEK"),
        ("hmnp", "NYIAKENG PUACHUE HMONG"),
    )
}

DATE_SKELETON = "yMMMd"
# Under a minute is "just now"; Babel would say "0 minutes ago".
JUST_NOW = timedelta(minutes=1)

Moment = date | datetime


@lru_cache(maxsize=64)
def digit_table(locale: Locale) -> dict[int, str] | None:
    """str.translate's table from Latin digits to the locale's default digits, or None
    when the default numbering system is the Latin one (or one we have no digits for)."""
    zero = NATIVE_ZEROS.get(locale.default_numbering_system)
    if zero is None:
        return None
    return {ord("0") + offset: chr(ord(zero) + offset) for offset in range(10)}


def localise_digits(text: str, locale: Locale | None = None) -> str:
    """`text` with its Latin digits written in the locale's own digits (if it has any)."""
    locale = locale or locale_and_zone()[0]
    table = digit_table(locale) if locale is not None else None
    return text.translate(table) if table else text


def has_native_digits() -> bool:
    """Does the request's language write numbers in digits of its own?"""
    locale = locale_and_zone()[0]
    return locale is not None and digit_table(locale) is not None


def format_number(value: int | float | Decimal, fmt: str | None = None) -> str:
    """A number as the language writes it (grouping, decimal sign, digits)."""
    locale = locale_and_zone()[0]
    return localise_digits(numbers.format_decimal(value, fmt, locale=locale), locale)


@lru_cache(maxsize=64)
def _patterns(locale: Locale) -> tuple[str, str, str]:
    """(date pattern, short time pattern, how the language joins a date and a time)."""
    skeletons = locale.datetime_skeletons
    key = dates.match_skeleton(DATE_SKELETON, skeletons) or DATE_SKELETON
    date_pattern = str(skeletons.get(key, locale.date_formats["medium"]))
    time_pattern = locale.time_formats["short"].pattern
    return date_pattern, time_pattern, str(locale.datetime_formats["medium"])


@lru_cache(maxsize=4096)
def _apply(value: datetime, pattern: str, tzinfo: Any, locale: Locale) -> str:
    # A pure function of its arguments: lists show the same rows request after request.
    return localise_digits(dates.format_datetime(value, pattern, tzinfo=tzinfo, locale=locale),
                           locale)


def _as_datetime(value: Moment) -> datetime:
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)


def format_date(value: Moment, fmt: str | None = None) -> str:
    """A date: day, abbreviated month and year ("Dec 4, 2026"), or a CLDR pattern. A
    datetime is first moved into the request's time zone; a date is shown as it is."""
    locale, zone = locale_and_zone()
    pattern = fmt or _patterns(locale)[0]
    if isinstance(value, datetime):
        return _apply(value, pattern, zone, locale)
    return _apply(_as_datetime(value), pattern, None, locale)


def format_time(value: datetime) -> str:
    """A time of day without seconds ("3:04 PM", "15:04")."""
    locale, zone = locale_and_zone()
    return _apply(value, _patterns(locale)[1], zone, locale)


def format_datetime(value: datetime) -> str:
    """A date and time without seconds ("Dec 4, 2026, 3:04 PM", "4 dec. 2026 15:04")."""
    locale, zone = locale_and_zone()
    date_pattern, time_pattern, joined = _patterns(locale)
    return joined.replace("{1}", _apply(value, date_pattern, zone, locale)).replace(
        "{0}", _apply(value, time_pattern, zone, locale))


def format_ago(value: datetime, now: datetime | None = None) -> str:
    """How long ago (or how far ahead) a moment is: "3 days ago", "in 2 hours"."""
    delta = value - (now or utcnow())
    if abs(delta) < JUST_NOW:
        # Translators: a relative time: less than a minute ago.
        return _("just now")
    locale = locale_and_zone()[0]
    text = dates.format_timedelta(delta, granularity="minute", add_direction=True,
                                  locale=locale)
    return localise_digits(text, locale)


def iso(value: Moment) -> str:
    """The machine-readable moment of a ``<time datetime>`` (UTC, to the minute)."""
    if isinstance(value, datetime):
        return value.replace(second=0, microsecond=0).isoformat(timespec="minutes") + "Z"
    return value.isoformat()


def time_element(value: Moment | None, *, relative: bool = False, with_time: bool = False
                 ) -> Markup:
    """``<time>`` for a moment: its date (with the time if asked), or how long ago it is
    (`relative`), with the date and time in its title. Empty for no moment."""
    if value is None:
        return Markup("")
    if not isinstance(value, datetime):
        return Markup('<time datetime="{}">{}</time>').format(iso(value), format_date(value))
    exact = format_datetime(value)
    if relative:
        return Markup('<time datetime="{}" title="{}" class="time-ago">{}</time>').format(
            iso(value), exact, format_ago(value))
    return Markup('<time datetime="{}" title="{}">{}</time>').format(
        iso(value), exact, exact if with_time else format_date(value))


class LocalNumber(int):
    """A whole number that prints in the language's digits (``%(num)s`` in a message)
    and still counts as the number (``%(num)d``, plural rules, comparisons)."""

    text: str

    def __new__(cls, value: int, text: str) -> LocalNumber:
        number = super().__new__(cls, value)
        number.text = text
        return number

    def __str__(self) -> str:
        return self.text


def local_number(value: Any) -> Any:
    """`value`, as a LocalNumber if it is a whole number (not a bool) and the language
    has digits of its own; anything else as it is. Years and counts are numbers too;
    identifiers (case references) are strings and are not touched."""
    if type(value) is not int:  # bool, str, LocalNumber… stay as they are
        return value
    locale = locale_and_zone()[0]
    table = digit_table(locale) if locale is not None else None
    return LocalNumber(value, str(value).translate(table)) if table else value
