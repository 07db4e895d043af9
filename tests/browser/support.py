"""Shared pieces of the browser tests and the screenshot script: launching Debian's
chromium, serving the app, signing in through the stand-in, and axe-core audits."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path
from typing import Any

from playwright.sync_api import Browser, BrowserContext, CDPSession, Page, Playwright
from playwright.sync_api import Response as PageResponse

REPO = Path(__file__).resolve().parent.parent.parent
CHROMIUM = "/usr/bin/chromium"  # Debian's package; Playwright's own download is not used
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_SCRIPT = REPO / "node_modules" / "axe-core" / "axe.min.js"  # `npm ci` installs it
# WCAG 2.0/2.1/2.2 A and AA, plus axe's best practices (landmarks, headings, …).
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
FAILING_IMPACTS = ("serious", "critical")
TIMEOUT_MS = 15_000


def launch(playwright: Playwright) -> Browser:
    """Headless Debian chromium."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=True,
                                      args=CHROMIUM_ARGS)


@lru_cache(maxsize=1)
def axe_source() -> str:
    """axe-core's source; a clear message when `npm ci` has not been run."""
    if not AXE_SCRIPT.is_file():
        raise RuntimeError(f"{AXE_SCRIPT} is missing: run `npm ci` at the repository root")
    return AXE_SCRIPT.read_text(encoding="utf-8")


_RUN_AXE = """async (tags) => {
  const results = await axe.run(document, {
    runOnly: {type: 'tag', values: tags},
    resultTypes: ['violations'],
  });
  return results.violations.map(v => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.map(n => ({target: n.target.join(' '), impact: n.impact,
                              summary: (n.failureSummary || '').replace(/\\s+/g, ' ')})),
  }));
}"""

# The app works without JavaScript; scripts only enhance it: each one a self-hosted file
# under /static/js/ loaded with `defer`, no inline script and no inline event handler.
# The count of scripts that break that rule (0 on every page).
_SCRIPTS_ON_PAGE = """() => {
  const handlers = [...document.querySelectorAll('*')].filter(
    el => [...el.attributes].some(a => a.name.startsWith('on')));
  const ours = s => s.defer && new URL(s.src || 'x:', location.href).origin === location.origin
    && new URL(s.src, location.href).pathname.startsWith('/static/js/');
  return [...document.scripts].filter(s => !ours(s)).length + handlers.length;
}"""


# Errors tied to their fields: every error message is in the aria-describedby of its
# field (or of the fieldset of a group), and every field marked invalid points to one.
_UNTIED_ERRORS = """() => {
  const ids = el => (el.getAttribute('aria-describedby') || '').split(/\\s+/).filter(Boolean);
  const name = el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : '');
  const found = [];
  const described = new Set();
  for (const el of document.querySelectorAll('[aria-describedby]')) {
    for (const id of ids(el)) {
      described.add(id);
      if (!document.getElementById(id)) {
        found.push({target: name(el), summary: `aria-describedby names a missing id: ${id}`});
      }
    }
  }
  for (const el of document.querySelectorAll('.field-error')) {
    if (!el.id || !described.has(el.id)) {
      found.push({target: name(el), summary: 'no field names this error in aria-describedby'});
    }
  }
  const hasError = el => ids(el).some(id => document.getElementById(id)?.matches('.field-error'));
  for (const el of document.querySelectorAll('[aria-invalid="true"]')) {
    const group = el.closest('fieldset[aria-describedby]');
    if (!hasError(el) && !(group && hasError(group))) {
      found.push({target: name(el), summary: 'marked invalid, but describedby has no error'});
    }
  }
  return found;
}"""


class Visitor:
    """One person at one browser tab, with their own cookies (a new browser context).

    ``javascript=False`` turns script execution off for the tab through the DevTools
    protocol (the same switch as Playwright's ``java_script_enabled=False``), so every
    page is loaded and every form sent without JavaScript. axe-core itself needs timers,
    so an audit switches scripts back on just while it runs on the already-loaded page.
    """

    def __init__(self, browser: Browser, base_url: str, *, who: str = "anonymous",
                 javascript: bool = True) -> None:
        self.base_url = base_url
        self.who = who
        self.context: BrowserContext = browser.new_context(
            locale="en-GB", viewport={"width": 1280, "height": 900})
        self.context.set_default_timeout(TIMEOUT_MS)
        self.page: Page = self.context.new_page()
        self._cdp: CDPSession | None = None
        if not javascript:
            self._cdp = self.context.new_cdp_session(self.page)
            self._scripts(enabled=False)

    def _scripts(self, *, enabled: bool) -> None:
        if self._cdp is not None:
            self._cdp.send("Emulation.setScriptExecutionDisabled", {"value": not enabled})

    def url(self, path: str) -> str:
        return path if path.startswith("http") else self.base_url + path

    def goto(self, path: str, status: int = 200) -> PageResponse:
        response = self.page.goto(self.url(path))
        assert response is not None, path
        assert response.status == status, f"{path}: {response.status} for {self.who}"
        return response

    @property
    def path(self) -> str:
        """The current page's path and query (for messages)."""
        return self.page.url.removeprefix(self.base_url)

    def sign_in(self, username: str, *, via_header: bool = False) -> None:
        """Sign in through /login → the stand-in's authorize page → /oauth-callback."""
        page = self.page
        if via_header:
            page.get_by_role("link", name="Sign in", exact=True).click()
        else:
            page.goto(self.url("/login?next=/"))
        page.wait_for_url(re.compile(r"/w/index\.php\?title=Special"))  # on the wiki
        assert "Sign in to the Content Partnerships Helpdesk" in page.inner_text("h1"), page.url
        page.check(f'input[name="account"][value="{username}"]')
        page.get_by_role("button", name="Allow").click()
        page.wait_for_url(re.compile(re.escape(self.base_url) + "/"))  # back in the app
        assert f"Signed in as {username}" in self.page.inner_text("header"), self.page.url
        self.who = username

    def audit(self, what: str | None = None) -> None:
        """axe-core on the current page: no serious or critical violation; no script but
        our own deferred files."""
        findings = self.findings(what)
        assert not findings.failing, findings.report()

    def findings(self, what: str | None = None) -> Findings:
        """axe-core's violations of the current page (and a check it has no script but
        our own deferred files)."""
        where = what or self.path
        scripts, language, untied = self.page.evaluate(
            f"() => [({_SCRIPTS_ON_PAGE})(), document.documentElement.lang, "
            f"({_UNTIED_ERRORS})()]")
        assert scripts == 0, f"{where}: the page has inline scripts or event handlers"
        violations = run_axe(self.page, enable=self._enabled_scripts)
        if untied:
            violations.append({"id": "helpdesk-errors-tied-to-fields", "impact": "serious",
                               "help": "Error messages must be tied to their fields",
                               "nodes": untied})
        return Findings([(where, language, self.who, violations)])

    @contextmanager
    def _enabled_scripts(self) -> Iterator[None]:
        self._scripts(enabled=True)
        try:
            yield
        finally:
            self._scripts(enabled=False)

    def close(self) -> None:
        self.context.close()


@contextmanager
def _nothing() -> Iterator[None]:
    yield


def run_axe(page: Page, enable: Any = _nothing) -> list[dict[str, Any]]:
    """Every axe violation of the current page (all impacts).

    axe is injected with page.evaluate, i.e. through the DevTools protocol, which the
    page's Content-Security-Policy does not govern; so the app is audited with its real,
    strict CSP in force (bypass_csp=True would also hide, say, a blocked inline style).
    """
    with enable():
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(axe_source())
        result: list[dict[str, Any]] = page.evaluate(_RUN_AXE, AXE_TAGS)
    return result


class Findings:
    """axe violations found on pages, reported grouped by rule and element, with the
    pages (and their language, and who looked) where each was seen."""

    def __init__(self, pages: list[tuple[str, str, str, list[dict[str, Any]]]] | None = None
                 ) -> None:
        self.pages = pages or []

    def add(self, other: Findings) -> None:
        self.pages.extend(other.pages)

    @property
    def failing(self) -> list[tuple[str, str, str, dict[str, Any]]]:
        return [(where, language, who, violation)
                for where, language, who, violations in self.pages
                for violation in violations if violation["impact"] in FAILING_IMPACTS]

    def report(self) -> str:
        """A readable failure: each rule, each element, the pages it was seen on."""
        rules: dict[tuple[str, str, str], dict[tuple[str, str], list[str]]] = {}
        for where, language, who, violation in self.failing:
            rule = (violation["id"], violation["impact"], violation["help"])
            for node in violation["nodes"]:
                key = (node["target"], node["summary"][:300])
                rules.setdefault(rule, {}).setdefault(key, []).append(
                    f"{where} [{language}, {who}]")
        pages = {where for where, *_rest in self.failing}
        lines = [f"axe-core found serious/critical violations on {len(pages)} page(s):"]
        for (rule_id, impact, help_text), nodes in rules.items():
            lines.append(f"\n{rule_id} [{impact}]: {help_text}")
            for (target, detail), seen_on in nodes.items():
                lines.append(f"  element {target}\n    {detail}")
                shown = ", ".join(seen_on[:6])
                more = f" and {len(seen_on) - 6} more" if len(seen_on) > 6 else ""
                lines.append(f"    on {shown}{more}")
        return "\n".join(lines)
