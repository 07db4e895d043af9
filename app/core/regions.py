"""Wikimedia movement regions, countries and content languages for the forms.

Each country or territory that CLDR knows (ISO 3166 alpha-2 codes, plus Kosovo
``XK`` and a few CLDR extras such as ``IC`` Canary Islands) belongs to exactly
one region; the mapping lives in ``app/data/regions.csv``. Country and language
names come from CLDR through Babel, in the language asked for (languages through
`app.core.i18n.language_name`, which falls back to the language's own name).
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

from app.core.babel_cache import labels
from app.core.i18n import language_name  # the one namer of languages (also imported from here)

REGIONS_CSV = Path(__file__).resolve().parent / "data" / "regions.csv"

REGIONS: tuple[str, ...] = (
    "eseap",
    "cee",
    "mena",
    "ssa",
    "south_asia",
    "lac",
    "north_america",
    "western_europe",
    "other",
)

_LABELS: dict[str, LazyString] = {
    # Translators: a Wikimedia movement region (ESEAP); use the name the movement uses in your
    # language.
    "eseap": _l("East, Southeast Asia and the Pacific"),
    # Translators: a Wikimedia movement region (CEE).
    "cee": _l("Central and Eastern Europe"),
    # Translators: a Wikimedia movement region (MENA).
    "mena": _l("Middle East and North Africa"),
    # Translators: a Wikimedia movement region.
    "ssa": _l("Sub-Saharan Africa"),
    # Translators: a Wikimedia movement region.
    "south_asia": _l("South Asia"),
    # Translators: a Wikimedia movement region (LAC).
    "lac": _l("Latin America and the Caribbean"),
    # Translators: a Wikimedia movement region.
    "north_america": _l("North America"),
    # Translators: a Wikimedia movement region.
    "western_europe": _l("Western Europe"),
    # Translators: a region choice for requests that are international or fit no single region.
    "other": _l("Other / international"),
}

# Language codes that name no language: undetermined, multiple, no linguistic
# content, uncoded; qaa-qtz is the ISO 639 private-use range.
_NOT_LANGUAGES = frozenset({"und", "mul", "zxx", "mis"})
_LANGUAGE_CODE = re.compile(r"[a-z]{2,3}")
_PRIVATE_USE = re.compile(r"q[a-t][a-z]")

LocaleLike = str | Locale


def region_label(code: str) -> str:
    """The region's name in the current language (the code itself if unknown)."""
    return labels(_LABELS).get(code, code)  # translated once per request


def region_choices() -> list[tuple[str, str]]:
    """(code, label) pairs for a select field, in display order."""
    names = labels(_LABELS)
    return [(code, names.get(code, code)) for code in REGIONS]


@lru_cache(maxsize=1)
def _country_regions() -> dict[str, str]:
    """The CSV as {country code: region code}, read once and checked."""
    mapping: dict[str, str] = {}
    with REGIONS_CSV.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            country, region = row["country"].strip().upper(), row["region"].strip()
            if region not in REGIONS:
                raise ValueError(f"{REGIONS_CSV.name}: unknown region {region!r} for {country}")
            if country in mapping:
                raise ValueError(f"{REGIONS_CSV.name}: {country} is listed twice")
            mapping[country] = region
    return mapping


def region_of(country_code: str) -> str | None:
    """The region of a country code (any case), or None if it is not one we list."""
    return _country_regions().get(country_code.strip().upper())


def regions_of(countries: Iterable[str]) -> list[str]:
    """The distinct regions of some countries, in REGIONS order (unknown codes skipped)."""
    found = {region_of(code) for code in countries}
    return [region for region in REGIONS if region in found]


def country_codes() -> tuple[str, ...]:
    """Every country or territory code the forms offer, alphabetically."""
    return tuple(sorted(_country_regions()))


@lru_cache(maxsize=64)
def _parse_locale(locale: str) -> Locale:
    try:
        return Locale.parse(locale.replace("-", "_"))
    except (ValueError, TypeError, UnknownLocaleError):
        return Locale("en")


def _locale(locale: LocaleLike) -> Locale:
    """A Babel locale from a Locale or a code like 'pt_BR' / 'pt-BR' (English if unknown)."""
    return locale if isinstance(locale, Locale) else _parse_locale(str(locale))


def _sort_key(name: str) -> tuple[str, str]:
    """Sort accents and case together with the base letter ('Égypte' next to 'Espagne').

    Not full Unicode collation (that would need ICU), but right for most Latin-script
    languages; other scripts sort by code point.
    """
    base = "".join(
        char for char in unicodedata.normalize("NFKD", name) if not unicodedata.combining(char)
    )
    return base.casefold(), name.casefold()


def country_name(code: str, locale: LocaleLike) -> str:
    """The CLDR name of a country in the given language, or the code if it has none."""
    code = code.strip().upper()
    return _locale(locale).territories.get(code) or code


def country_choices(locale: LocaleLike) -> list[tuple[str, str]]:
    """(code, localised name) pairs for every country we list, sorted by name."""
    parsed = _locale(locale)
    pairs = [(code, country_name(code, parsed)) for code in country_codes()]
    return sorted(pairs, key=lambda pair: _sort_key(pair[1]))




@lru_cache(maxsize=1)
def _language_codes() -> tuple[str, ...]:
    """Every 2- or 3-letter language code that CLDR names in English."""
    return tuple(
        sorted(
            code
            for code, name in Locale("en").languages.items()
            if name
            and _LANGUAGE_CODE.fullmatch(code)
            and code not in _NOT_LANGUAGES
            and not _PRIVATE_USE.fullmatch(code)
        )
    )


def language_codes() -> tuple[str, ...]:
    """Every content language the forms offer (2- or 3-letter codes CLDR names)."""
    return _language_codes()


def language_choices(
    locale: LocaleLike, codes: Iterable[str] | None = None
) -> list[tuple[str, str]]:
    """(code, localised name) pairs for content languages, sorted by name.

    Without ``codes``, every language CLDR names (see ``_language_codes``).
    """
    parsed = _locale(locale)
    wanted = _language_codes() if codes is None else codes
    pairs = [(code, language_name(code, parsed)) for code in wanted]  # never a bare code
    return sorted(pairs, key=lambda pair: _sort_key(pair[1]))
