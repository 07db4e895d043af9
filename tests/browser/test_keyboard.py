"""The request form, completed with the keyboard only (Tab, typing, Space, arrow keys,
Enter): every stop shows a visible focus indicator, the skip link works, and a
validation error from the server is tied to its field and reachable from the summary."""

from __future__ import annotations

from typing import Any

from flask import Flask

from tests.browser.conftest import OpenVisitor
from tests.browser.support import Visitor
from tests.system.test_lifecycle import state_of

# What has focus, and how it shows: computed outline and box-shadow under :focus-visible.
_FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return null;
  const style = getComputedStyle(el);
  const box = el.getBoundingClientRect();
  return {
    id: el.id, tag: el.tagName.toLowerCase(), name: el.getAttribute('name') || '',
    type: el.getAttribute('type') || '', value: el.value === undefined ? '' : el.value,
    checked: !!el.checked, text: (el.innerText || '').trim().slice(0, 60),
    focusVisible: el.matches(':focus-visible'),
    outline: parseFloat(style.outlineWidth) > 0 && style.outlineStyle !== 'none',
    shadow: style.boxShadow !== 'none',
    width: box.width, height: box.height,
  };
}"""

MAX_TABS = 400


def focused(tab: Visitor) -> dict[str, Any]:
    info: dict[str, Any] | None = tab.page.evaluate(_FOCUSED)
    assert info is not None, "nothing has focus"
    return info


def assert_focus_visible(info: dict[str, Any]) -> None:
    where = f"<{info['tag']} id={info['id']!r} name={info['name']!r}> {info['text']!r}"
    assert info["focusVisible"], f"{where} has focus but does not match :focus-visible"
    assert info["outline"] or info["shadow"], f"{where}: no visible focus indicator"
    assert info["width"] > 1 and info["height"] > 1, f"{where} is focused but not visible"


class Keyboard:
    """Moves through a page with Tab only, checking every stop's focus indicator."""

    def __init__(self, tab: Visitor) -> None:
        self.tab = tab
        self.keys = tab.page.keyboard
        self.stops = 0

    def tab_to(self, **wanted: Any) -> dict[str, Any]:
        """Press Tab until the focused element has the `wanted` attributes."""
        for _ in range(MAX_TABS):
            self.keys.press("Tab")
            self.stops += 1
            info = focused(self.tab)
            assert_focus_visible(info)
            if all(info[key] == value for key, value in wanted.items()):
                return info
        raise AssertionError(f"Tab never reached {wanted}")

    def type_into(self, field_id: str, text: str) -> None:
        self.tab_to(id=field_id)
        self.keys.press("Control+A")
        self.keys.type(text)

    def arrow_to(self, field_id: str, value: str, key: str = "ArrowDown") -> None:
        """A select: arrow keys until `value` is chosen."""
        self.tab_to(id=field_id)
        for _ in range(300):
            if focused(self.tab)["value"] == value:
                return
            self.keys.press(key)
        raise AssertionError(f"{field_id}: the arrow keys never chose {value!r}")

    def tick(self, name: str, value: str) -> None:
        """A checkbox: Space."""
        info = self.tab_to(name=name, value=value)
        assert not info["checked"]
        self.keys.press("Space")
        assert focused(self.tab)["checked"]

    def radio(self, name: str, value: str) -> None:
        """A radio group: Tab into it, arrow keys to the wanted choice."""
        self.tab_to(name=name)
        for _ in range(20):
            info = focused(self.tab)
            if info["value"] == value and info["checked"]:
                return
            self.keys.press("ArrowDown")
        raise AssertionError(f"the arrow keys never chose {name}={value}")


def describedby_texts(tab: Visitor, selector: str) -> str:
    """The text of the elements the field's aria-describedby points to."""
    text: str = tab.page.evaluate("""(selector) => {
      const el = document.querySelector(selector);
      return (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean)
        .map(id => document.getElementById(id))
        .map(d => d ? d.innerText : '#MISSING')
        .join(' | ');
    }""", selector)
    return text


def test_request_form_with_the_keyboard_only(app: Flask, visitor: OpenVisitor) -> None:
    tab = visitor("Ada Requester")
    tab.goto("/requests/new")
    page = tab.page
    keys = Keyboard(tab)

    # Every stop of the header shows its focus, on the way to the form's first field.
    keys.tab_to(id="title")
    assert keys.stops > 10
    tab.goto("/requests/new")

    # The first Tab reaches the skip link, shown while focused; Enter moves to <main>.
    skip = keys.tab_to()
    assert skip["tag"] == "a" and skip["text"] == "Skip to main content", skip
    assert skip["width"] > 10 and skip["height"] > 10
    keys.keys.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "content"
    assert page.url.endswith("#content")

    # The next Tab stop is the form's first field, not the navigation.
    title = keys.tab_to()
    assert title["id"] == "title", title
    page.keyboard.type("Digitised maps of the Baltic")
    keys.type_into("description", "Ten thousand scanned maps from our collection.")
    keys.arrow_to("request_type", "commons_upload")
    keys.type_into("timeline", "Spring 2027")
    keys.type_into("org_name", "Sjöhistoriska museet")
    keys.arrow_to("org_kind", "glam")
    keys.tab_to(id="org_country")
    page.keyboard.type("Sweden")  # type-ahead in a select
    assert focused(tab)["value"] == "SE"
    keys.tick("content_kinds", "images")
    keys.radio("licence", "cc_by_sa")
    keys.tick("target_projects", "commons")
    keys.tick("themes", "heritage")
    keys.tab_to(id="countries-filter")
    page.keyboard.type("Finland")  # the filter box leaves Finland the only box to tick
    keys.tick("countries", "FI")
    # The languages' list is long too: narrowed by its filter box, one box to tick.
    keys.tab_to(id="languages-filter")
    page.keyboard.type("Swedish")
    keys.tick("languages", "sv")
    keys.tick("support_types", "mass_upload")
    keys.type_into("contact_email", "ada at example.org")  # a mistake, caught by the server
    keys.tab_to(id="public_listing")
    page.keyboard.press("Space")
    send = keys.tab_to(tag="button", text="Send the request")
    assert send["type"] == "submit"
    with page.expect_navigation():
        page.keyboard.press("Enter")

    # The server's answer: a summary of the errors, the field marked and described.
    assert page.locator("#error-summary").is_visible()
    tab.audit("request form with an error")
    email = page.locator("#contact_email")
    assert email.get_attribute("aria-invalid") == "true"
    described = describedby_texts(tab, "#contact_email")
    assert "Enter an email address like name@example.org." in described, described
    assert "#MISSING" not in described
    # Everything typed before is still there.
    assert page.locator("#title").input_value() == "Digitised maps of the Baltic"
    assert page.locator('input[name="licence"][value="cc_by_sa"]').is_checked()
    assert page.locator('input[name="countries"]:checked').evaluate_all(
        "boxes => boxes.map(box => box.value)") == ["FI"]

    # The new page puts the focus on the error summary: its link is the next stop, and
    # Enter follows it to the field, where the address is corrected.
    assert page.evaluate("() => document.activeElement.id") == "error-summary"
    link = keys.tab_to()
    assert link["tag"] == "a" and link["text"].startswith("Contact email"), link
    page.keyboard.press("Enter")
    assert focused(tab)["id"] == "contact_email"
    page.keyboard.press("Control+A")
    page.keyboard.type("ada@example.org")
    with page.expect_navigation():
        page.keyboard.press("Enter")  # implicit submission from a text field
    reference = page.url.rsplit("/", 1)[-1]
    assert reference.startswith("CPH-"), page.url
    assert state_of(app, reference) == "submitted"
    tab.audit()
    assert keys.stops > 20
