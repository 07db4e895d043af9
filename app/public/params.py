"""Reading the public projection's query parameters: filters and pages.

Shared by the public pages and the JSON API, so both accept the same codes and
refuse a bad value with the same clear, translated message.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping

from flask_babel import gettext as _

from app.cases.labels import ORGANISATION_KINDS, TARGET_PROJECTS, THEMES
from app.cases.transitions import STATES
from app.core.regions import REGIONS
from app.public.queries import CaseFilters

# Every filter the projection knows, and its valid codes.
FILTER_CODES: dict[str, Collection[str]] = {
    "state": STATES,
    "theme": THEMES,
    "region": REGIONS,
    "project": TARGET_PROJECTS,
    "organisation_kind": ORGANISATION_KINDS,
}
BOOLEANS = {"true": True, "false": False}


class ParamError(ValueError):
    """A query parameter with a value we cannot use; the message says which and why."""


def _code(args: Mapping[str, str], name: str) -> str | None:
    value = (args.get(name) or "").strip()
    if not value:
        return None
    codes = FILTER_CODES[name]
    if value not in codes:
        # Translators: an error of the public JSON API and case list; %(name)s is a parameter name
        # from the address (e.g. theme), %(value)s its value, %(valid)s the list of valid codes.
        raise ParamError(_("Unknown value for “%(name)s”: “%(value)s”. Valid values: %(valid)s.",
                           name=name, value=value[:40], valid=", ".join(codes)))
    return value


def parse_filters(args: Mapping[str, str], names: Iterable[str]) -> CaseFilters:
    """The filters named in `names` (codes and `open`) read from query arguments."""
    names = set(names)
    values: dict[str, object] = {
        name: _code(args, name) for name in FILTER_CODES if name in names
    }
    if "open" in names:
        raw = (args.get("open") or "").strip().lower()
        if raw and raw not in BOOLEANS:
            # Translators: an error of the public JSON API; keep open, true and false as they are
            # (they are parameter values).
            raise ParamError(_("“open” must be “true” or “false”."))
        values["open"] = BOOLEANS.get(raw)
    return CaseFilters(**values)  # type: ignore[arg-type]


MAX_PAGE = 1_000_000


def parse_int(args: Mapping[str, str], name: str, default: int,
              maximum: int = MAX_PAGE) -> int:
    """A whole number from 1 to `maximum`, or `default` when absent (given but empty is
    an error: no form of ours sends an empty page number)."""
    if name not in args:
        return default
    raw = (args.get(name) or "").strip()
    digits = raw.lstrip("0")
    if not raw.isascii() or not raw.isdigit() or not digits:
        # Translators: an error of the public JSON API; %(name)s is a parameter name like page.
        raise ParamError(_("“%(name)s” must be a whole number of at least 1.", name=name))
    if len(digits) > 12 or int(digits) > maximum:
        # Translators: an error of the public JSON API; %(name)s is a parameter name like page,
        # %(maximum)s a number.
        raise ParamError(_("“%(name)s” can be at most %(maximum)s.", name=name,
                           maximum=maximum))
    return int(digits)
