"""Reading the app's HTML in tests through a real parser (Beautiful Soup), never with
regular expressions over markup: attribute order, quoting and white space don't matter."""

from __future__ import annotations

from copy import copy

from bs4 import BeautifulSoup, Tag
from werkzeug.test import TestResponse


def parse(page: str | bytes | TestResponse) -> BeautifulSoup:
    """The document of a page (its text, bytes, or a test-client response)."""
    if isinstance(page, TestResponse):
        page = page.get_data(as_text=True)
    return BeautifulSoup(page, "html.parser")


def one(page: str | BeautifulSoup, selector: str) -> Tag:
    """The one element `selector` finds; fails the test when there is none."""
    soup = page if isinstance(page, BeautifulSoup) else parse(page)
    found = soup.select_one(selector)
    assert found is not None, f"nothing matches {selector!r}"
    return found


def text_of(element: Tag) -> str:
    """The visible text of an element, white space folded; cells and blocks are apart,
    and an isolated value (<bdi>) reads as part of its sentence."""
    element = copy(element)
    for isolated in element.find_all("bdi"):
        isolated.unwrap()
    element.smooth()
    return " ".join(element.get_text(" ").split())


def field_value(page: str | BeautifulSoup, name: str) -> str | None:
    """The value of the form field `name` (input, textarea or selected option), or None."""
    soup = page if isinstance(page, BeautifulSoup) else parse(page)
    field = soup.select_one(f'[name="{name}"]')
    if not isinstance(field, Tag):
        return None
    if field.name == "textarea":
        text = field.get_text()  # a browser drops one newline right after <textarea>
        return text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
    if field.name == "select":
        chosen = field.find("option", selected=True) or field.find("option")
        return str(chosen.get("value", "")) if isinstance(chosen, Tag) else None
    value = field.get("value")
    return None if value is None else str(value)


def hidden_fields(page: str | BeautifulSoup, selector: str = "form") -> dict[str, str]:
    """The hidden inputs of the first form `selector` finds (CSRF token, version…)."""
    form = one(page, selector)
    return {str(field["name"]): str(field.get("value", ""))
            for field in form.select('input[type="hidden"][name]')}


def is_checked(page: str | BeautifulSoup, name: str, value: str) -> bool:
    """Is the checkbox/radio `name` with `value`, or the option `value` of the select
    `name`, chosen on the page?"""
    soup = page if isinstance(page, BeautifulSoup) else parse(page)
    for box in soup.find_all("input", attrs={"name": name, "value": value}):
        if box.has_attr("checked"):
            return True
    for select in soup.find_all("select", attrs={"name": name}):
        option = select.find("option", attrs={"value": value})
        if isinstance(option, Tag) and option.has_attr("selected"):
            return True
    return False


def table_rows(page: str | BeautifulSoup, selector: str = "table") -> list[list[str]]:
    """The text of each body row's cells of the first table `selector` finds."""
    table = one(page, selector)
    return [[text_of(cell) for cell in row.find_all(["th", "td"])]
            for row in table.find_all("tr") if row.find_parent("thead") is None
            and row.find("td") is not None]


def link_with_rel(page: str | BeautifulSoup, rel: str) -> str | None:
    """The href of the first link with this `rel` (e.g. the pager's "next")."""
    soup = page if isinstance(page, BeautifulSoup) else parse(page)
    link = soup.find("a", rel=rel)
    return str(link["href"]) if isinstance(link, Tag) else None
