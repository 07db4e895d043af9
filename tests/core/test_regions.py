"""Movement regions, the country-to-region table and CLDR country/language names."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from babel import Locale

from app.core import regions
from app.core.regions import (
    REGIONS,
    country_choices,
    country_codes,
    country_name,
    language_choices,
    language_name,
    region_choices,
    region_label,
    region_of,
    regions_of,
)

# CLDR territory codes that are not a country or territory (XK Kosovo is kept).
NOT_COUNTRIES = {"ZZ", "EU", "EZ", "UN", "QO", "XA", "XB"}


def cldr_countries() -> set[str]:
    return {
        code
        for code in Locale("en").territories
        if len(code) == 2 and code.isalpha() and code.isupper() and code not in NOT_COUNTRIES
    }


def test_regions_order() -> None:
    assert REGIONS == (
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


@pytest.fixture
def fresh_table() -> Iterator[None]:
    """The country table is read again (from whatever REGIONS_CSV is) and once more after."""
    regions._country_regions.cache_clear()
    yield
    regions._country_regions.cache_clear()


def test_csv_is_read_and_checked_by_the_app(fresh_table: None) -> None:
    """The shipped table loads through the app's own reader, which refuses a country
    listed twice and an unknown region (so loading it is the check)."""
    assert len(country_codes()) > 200


@pytest.mark.parametrize(
    ("rows", "problem"),
    [("SE,western_europe\nse,cee\n", "SE is listed twice"),
     ("SE,nordics\n", "unknown region 'nordics' for SE")],
)
def test_csv_mistakes_are_refused(fresh_table: None, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch, rows: str,
                                  problem: str) -> None:
    table = tmp_path / "regions.csv"
    table.write_text("country,region\n" + rows, encoding="utf-8")
    monkeypatch.setattr(regions, "REGIONS_CSV", table)
    with pytest.raises(ValueError, match=re.escape(problem)):
        country_codes()


def test_every_cldr_country_is_mapped() -> None:
    expected = cldr_countries()
    assert set(country_codes()) == expected
    assert all(region_of(code) is not None for code in expected)
    assert "XK" in expected


def test_mapped_regions_are_known_and_all_used() -> None:
    used = {region_of(code) for code in country_codes()}
    assert used == set(REGIONS)


@pytest.mark.parametrize(
    ("country", "region"),
    [
        ("SE", "western_europe"),
        ("UA", "cee"),
        ("KE", "ssa"),
        ("EG", "mena"),
        ("IN", "south_asia"),
        ("BR", "lac"),
        ("US", "north_america"),
        ("ID", "eseap"),
        ("FJ", "eseap"),
        ("KZ", "cee"),
        ("XK", "cee"),
        ("AT", "cee"),
        ("TR", "cee"),
        ("GE", "cee"),
        ("SD", "mena"),
        ("MR", "mena"),
        ("SO", "ssa"),
        ("MN", "eseap"),
        ("GL", "north_america"),
        ("PM", "north_america"),
        ("GF", "lac"),
        ("RE", "ssa"),
        ("NC", "eseap"),
        ("AQ", "other"),
    ],
)
def test_spot_checks(country: str, region: str) -> None:
    assert region_of(country) == region


def test_south_asia_is_saarc() -> None:
    saarc = {"AF", "BD", "BT", "IN", "MV", "NP", "PK", "LK"}
    assert {code for code in country_codes() if region_of(code) == "south_asia"} == saarc


def test_region_of_is_case_insensitive_and_rejects_unknown_codes() -> None:
    assert region_of("se") == "western_europe"
    assert region_of("Ke") == "ssa"
    assert region_of("ZZ") is None
    assert region_of("EU") is None
    assert region_of("") is None


def test_regions_of_keeps_regions_order_and_skips_unknown() -> None:
    assert regions_of(["SE", "NO", "KE"]) == ["ssa", "western_europe"]
    assert regions_of(["us", "ZZ", "id", "US"]) == ["eseap", "north_america"]
    assert regions_of([]) == []


def test_region_labels_outside_an_app_are_english() -> None:
    assert region_label("eseap") == "East, Southeast Asia and the Pacific"
    assert region_label("other") == "Other / international"
    assert region_label("nowhere") == "nowhere"
    choices = region_choices()
    assert [code for code, _ in choices] == list(REGIONS)
    assert all(isinstance(label, str) and label for _, label in choices)


def test_country_name() -> None:
    assert country_name("SE", "sv") == "Sverige"
    assert country_name("se", Locale("en")) == "Sweden"
    assert country_name("SE", "pt-BR") == "Suécia"
    arabic = country_name("EG", "ar")
    assert arabic and all("\u0600" <= char <= "\u06ff" or char.isspace() for char in arabic)
    assert country_name("QQ", "en") == "QQ"


def test_names_sort_with_accents_and_case_beside_their_base_letter() -> None:
    key = regions._sort_key
    assert key("Égypte") < key("Espagne") < key("Estonie") < key("États-Unis")
    assert key("åland") < key("Azerbaïdjan") < key("Bahamas")
    assert sorted(["b", "A", "á", "a"], key=key) == ["A", "a", "á", "b"]


def test_country_choices_are_localised_and_sorted() -> None:
    choices = country_choices("fr")
    assert [code for code, _ in choices] != list(country_codes())
    assert sorted(code for code, _ in choices) == list(country_codes())
    names = [name for _, name in choices]
    assert names == sorted(names, key=regions._sort_key)
    by_code = dict(choices)
    assert by_code["DE"] == "Allemagne"
    # Accented initials sort with their base letter: Égypte before Espagne.
    assert names.index("Égypte") < names.index("Espagne") < names.index("Estonie")


def test_language_name() -> None:
    assert language_name("sv", "en") == "Swedish"
    assert language_name("en", "fr") == "anglais"
    assert language_name("sv", "sv") == "svenska"
    assert language_name("qqq", "en") == "qqq"


def test_language_choices_default_list() -> None:
    choices = language_choices("en")
    codes = [code for code, _ in choices]
    assert len(codes) == len(set(codes)) > 400
    assert all(re.fullmatch(r"[a-z]{2,3}", code) for code in codes)
    assert {"und", "mul", "zxx", "mis"}.isdisjoint(codes)
    assert not any(re.fullmatch(r"q[a-t][a-z]", code) for code in codes)
    assert {"en", "sv", "ar", "sw", "haw", "qu"} <= set(codes)
    names = [name for _, name in choices]
    assert names == sorted(names, key=regions._sort_key)


def test_language_choices_for_given_codes() -> None:
    assert language_choices("en", codes=["sv", "fi"]) == [("fi", "Finnish"), ("sv", "Swedish")]
    assert language_choices("de", codes=["sv"]) == [("sv", "Schwedisch")]
