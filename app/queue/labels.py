"""A case's place in line for support as people read it: "3rd in line for support".

Languages write ordinals differently ("1st, 2nd, 3rd, 4th", "1:a, 2:a, 3:e", "1er, 2e"),
so the sentence is chosen by the CLDR ordinal category of the number in the page's
language (Babel's `Locale.ordinal_form`: zero, one, two, few, many or other), one
translatable message per category. A language translates the categories it uses; the
others are never shown in it.
"""

from __future__ import annotations

from flask_babel import pgettext

from app.core.babel_cache import locale_and_zone
from app.core.formats import format_number


def ordinal_category(place: int) -> str:
    """The CLDR ordinal category of `place` in the current language ('other' when the
    language has no ordinal rules)."""
    locale = locale_and_zone()[0]
    return str(locale.ordinal_form(place)) if locale is not None else "other"


def place_in_line(place: int) -> str:
    """'3rd in line for support' (1 = the next case the helpdesk supports), with the
    number in the language's digits."""
    category = ordinal_category(place)
    number = format_number(place)
    if category == "one":
        # Translators: a request's place in the queue of approved requests waiting for the
        # helpdesk's support (1 = next), for numbers of the CLDR ordinal category "one" of
        # your language (in English 1, 21, 31… → "1st"). %(place)s is the number. Languages
        # without this category never show this message: copy the "other" one.
        return pgettext("ordinal one", "%(place)sst in line for support", place=number)
    if category == "two":
        # Translators: as "%(place)sst in line for support", for the CLDR ordinal category
        # "two" (in English 2, 22, 32… → "2nd"). Languages without it: copy the "other" one.
        return pgettext("ordinal two", "%(place)snd in line for support", place=number)
    if category == "few":
        # Translators: as "%(place)sst in line for support", for the CLDR ordinal category
        # "few" (in English 3, 23, 33… → "3rd"). Languages without it: copy the "other" one.
        return pgettext("ordinal few", "%(place)srd in line for support", place=number)
    if category == "many":
        # Translators: as "%(place)sst in line for support", for the CLDR ordinal category
        # "many" (English has none). Languages without it: copy the "other" one.
        return pgettext("ordinal many", "%(place)sth in line for support", place=number)
    if category == "zero":
        # Translators: as "%(place)sst in line for support", for the CLDR ordinal category
        # "zero" (English has none). Languages without it: copy the "other" one.
        return pgettext("ordinal zero", "%(place)sth in line for support", place=number)
    # Translators: a request's place in the queue of approved requests waiting for the
    # helpdesk's support (1 = next), for numbers of the CLDR ordinal category "other" of
    # your language (in English 4, 11, 12, 13, 100… → "4th"); every language uses it.
    # %(place)s is the number.
    return pgettext("ordinal other", "%(place)sth in line for support", place=number)
