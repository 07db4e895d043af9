"""The bot's languages, rendered from the app's own catalogues (translations/).

Each page is written in English and, as subpages (`…/Status/sv`), in every other
language the bot is configured for. Texts come from the same gettext catalogues as
the app (`translations/<lang>/LC_MESSAGES/messages.mo`, or the `.po` file when
it has not been compiled), so a state reads the same on the wiki as in the tool;
a message with no translation yet is shown in English. Dates and numbers follow
CLDR (Babel): long or medium dates, the locale's own digits where its default
numbering system is not Latin (Bengali).

Messages of the bot itself are marked for `pybabel extract` (babel.cfg covers
bot/**.py) by calling `gettext`, `ngettext` or `pgettext` on a `Language` with
literal strings, or `N_()` for tables translated later.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal
from babel.support import NullTranslations, Translations

SOURCE_LANGUAGE = "en"
LANGUAGES = ("en", "sv", "es", "fr", "ar", "bn")
TRANSLATIONS_DIR = Path(__file__).resolve().parents[1] / "translations"

# The zero of each numbering system CLDR names as a locale's default (the other
# nine digits follow it in Unicode).
_ZERO = {
    "latn": "0", "arab": "\u0660", "arabext": "\u06f0", "beng": "\u09e6",
    "deva": "\u0966", "gujr": "\u0ae6", "guru": "\u0a66", "knda": "\u0ce6",
    "mlym": "\u0d66", "mymr": "\u1040", "orya": "\u0b66", "tamldec": "\u0be6",
    "telu": "\u0c66", "thai": "\u0e50", "tibt": "\u0f20",
}
# English dates as the Hub writes English (and as Meta-Wiki reads them): 4 December 2026.
_DATE_LOCALE = {"en": "en_GB"}


def N_(message: str) -> str:
    """Mark `message` for extraction; it is translated later, where it is shown."""
    return message


def _digits(numbering: str) -> dict[int, int]:
    zero = _ZERO.get(numbering, "0")
    return str.maketrans("0123456789", "".join(chr(ord(zero) + n) for n in range(10)))


def _catalogue(code: str, directory: Path) -> NullTranslations:
    """The compiled catalogue, else the .po file compiled in memory, else nothing."""
    folder = directory / code / "LC_MESSAGES"
    mo_file, po_file = folder / "messages.mo", folder / "messages.po"
    try:
        if mo_file.is_file() and (
            not po_file.is_file() or mo_file.stat().st_mtime >= po_file.stat().st_mtime
        ):
            with mo_file.open("rb") as stream:
                return Translations(stream)
        if po_file.is_file():
            with po_file.open("rb") as stream:
                catalog = read_po(stream, locale=code)
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            return Translations(buffer)
    except (OSError, ValueError):
        pass
    return NullTranslations()


@dataclass(frozen=True)
class Language:
    """One language of the pages: its catalogue, CLDR data and direction."""

    code: str
    translations: NullTranslations = field(repr=False, compare=False)

    @cached_property
    def locale(self) -> Locale:
        """Babel's locale of the language."""
        return Locale.parse(self.code)

    @cached_property
    def direction(self) -> str:
        """'rtl' or 'ltr'."""
        return "rtl" if self.locale.character_order == "right-to-left" else "ltr"

    @cached_property
    def name(self) -> str:
        """The language's own name for itself (its autonym), from CLDR."""
        return self.locale.get_display_name(self.code) or self.code

    def language_name(self, code: str) -> str:
        """The name of the language `code` (CLDR, e.g. "sv" or "pt_BR") in this language,
        or the code itself when CLDR does not know it."""
        names = self.locale.languages
        return str(names.get(code) or names.get(code.replace("-", "_")) or code)

    def gettext(self, message: str) -> str:
        """`message` in this language (English when it has no translation yet)."""
        return str(self.translations.gettext(message))

    def pgettext(self, context: str, message: str) -> str:
        """`message` with a context, in this language."""
        return str(self.translations.pgettext(context, message))

    def ngettext(self, singular: str, plural: str, count: int) -> str:
        """The singular or plural form for `count`, in this language."""
        return str(self.translations.ngettext(singular, plural, count))

    def native_digits(self, text: str) -> str:
        """`text` with the locale's own digits (CLDR's default numbering system)."""
        return text.translate(_digits(self.locale.default_numbering_system))

    def number(self, value: int) -> str:
        """A whole number as the language writes it."""
        return self.native_digits(format_decimal(value, locale=self.code))

    def date(self, value: date, style: str = "long") -> str:
        """A date, long ("4 December 2026") or medium ("4 Dec 2026"), in the language."""
        locale = _DATE_LOCALE.get(self.code, self.code)
        return self.native_digits(format_date(value, style, locale=locale))


@lru_cache(maxsize=32)
def language(code: str, directory: Path = TRANSLATIONS_DIR) -> Language:
    """A language with its catalogue (English has none: the messages are English)."""
    if code == SOURCE_LANGUAGE:
        return Language(code, NullTranslations())
    return Language(code, _catalogue(code, directory))


def languages(codes: tuple[str, ...] = LANGUAGES,
              directory: Path = TRANSLATIONS_DIR) -> tuple[Language, ...]:
    """The languages of the pages, English first."""
    ordered = (SOURCE_LANGUAGE, *(code for code in codes if code != SOURCE_LANGUAGE))
    return tuple(language(code, directory) for code in dict.fromkeys(ordered))
