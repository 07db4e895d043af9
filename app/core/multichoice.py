"""One field for choosing several items of a long list (countries, languages): grouped
checkboxes in a scrollable box, usable without JavaScript. ``static/js/multichoice.js``
adds a filter box and keeps the "Chosen: …" line up to date.

A list box where a plain click wipes the earlier choices, and "hold Ctrl" even on a
phone, was the problem: checkboxes never lose a choice, and each item is found by
scrolling within its group, by the browser's find-in-page, or by the filter.

Countries are grouped by movement region, languages by "common" then "all others",
each group sorted by name in the page language (CLDR). Each code appears once only,
so a box cannot be ticked in one group and unticked in another.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l
from wtforms import SelectMultipleField

from app.core.regions import (
    REGIONS,
    LocaleLike,
    country_choices,
    language_choices,
    region_label,
    region_of,
)

Pairs = list[tuple[str, str]]

# Languages most requests are in, shown first: the six UN languages, the languages of
# this tool, and a few of the most spoken ones with large Wikimedia communities.
COMMON_LANGUAGES: tuple[str, ...] = (
    "ar", "bn", "de", "en", "es", "fa", "fr", "hi", "id", "it", "ja", "pt", "ru", "sv",
    "sw", "tr", "ur", "zh",
)


@dataclass(frozen=True)
class ChoiceGroup:
    """A labelled part of a long list: (code, name) pairs in display order."""

    label: str
    choices: Pairs


class MultiChoiceField(SelectMultipleField):
    """Several choices of a long list, shown in groups (see the module's docstring).

    ``choices`` holds every (code, name) pair, for validation; ``groups`` the same pairs
    in their groups, for the page. Set both with `set_groups`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("validate_choice", False)  # the form's own validator says it better
        super().__init__(*args, **kwargs)
        self.groups: list[ChoiceGroup] = []

    def set_groups(self, groups: Iterable[ChoiceGroup]) -> None:
        """Offer these groups (empty ones are left out)."""
        self.groups = [group for group in groups if group.choices]
        self.choices = [pair for group in self.groups for pair in group.choices]

    def chosen(self) -> list[str]:
        """The codes chosen, as sent or saved."""
        data: Sequence[Any] = self.data or ()
        return [str(value) for value in data]

    def chosen_names(self) -> list[str]:
        """The names of the chosen items, in list order (unknown codes left out)."""
        chosen = set(self.chosen())
        return [name for group in self.groups for code, name in group.choices if code in chosen]


def country_groups(locale: LocaleLike) -> list[ChoiceGroup]:
    """Every country, grouped by movement region (in REGIONS order), by name within."""
    by_region: dict[str, Pairs] = {region: [] for region in REGIONS}
    for code, name in country_choices(locale):
        by_region[region_of(code) or "other"].append((code, name))
    return [ChoiceGroup(region_label(region), pairs) for region, pairs in by_region.items()]


def language_groups(locale: LocaleLike, page_language: str = "") -> list[ChoiceGroup]:
    """Common languages (and the page's own) first, then every other one, by name."""
    every = language_choices(locale)
    common = {*COMMON_LANGUAGES, page_language.split("_")[0]}
    return [
        # Translators: a group heading in a long list of languages to choose from.
        ChoiceGroup(str(_l("Common languages")), [p for p in every if p[0] in common]),
        # Translators: a group heading in a long list of languages, after 'Common languages'.
        ChoiceGroup(str(_l("All other languages")), [p for p in every if p[0] not in common]),
    ]
