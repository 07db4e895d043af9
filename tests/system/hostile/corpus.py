"""The hostile-input corpus and what the tests share: the payloads, reading a page's
forms as a browser would send them, judging an answer, crawling and fuzzing forms."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import quote, urlencode, urlsplit
from xml.etree import ElementTree

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.helpers import SignIn
from tests.system.test_authorization import ROLES, USERNAMES, path_for, routes

# -- the corpus ---------------------------------------------------------------------

PAYLOADS: dict[str, str | bytes] = {
    "script": '<script>alert("xss-1")</script><svg onload=alert(3)>',
    "attribute": "\"><img src=x onerror=alert(2)>'><b>",
    "code": "' OR '1'='1'; DROP TABLE cases; -- \\'\\\"%_ "
            "{{ 'ss' ~ 'ti' ~ 7*191 }}{% if 1 %}sstiblock{% endif %}${7*7}",
    "wikitext": "{{subst:Welcome}} [[Category:Spam]] [[File:X.jpg|thumb]] ~~~~ __NOTOC__ "
                "<nowiki>|</nowiki> {{#invoke:X|y}} '''bold''' <!-- END helpdesk-bot --> "
                "\u202egnp.exe\u202c \u2066ltr\u2069 \u200f\u061c\u200d 😀 𝕏 \ufeff",
    "nul": "before\x00after",
    "control": "bell\x07 esc\x1b[31m vt\x0b ff\x0c\r\nBcc: evil@example.org",
    "huge": "H" * 100_000,
    "number": "99999999999999999999999",
    "digits": "¹²³",  # digits to str.isdigit(), not to int()
    "url": "javascript:alert(9)//[x](javascript:alert(10)) <a href=javascript:alert(11)>a</a>",
    "invalid_utf8": b"\xff\xfe\xc3(bad",
}
# Every text payload in one: a form that can be sent only once (a decision, a
# withdrawal) stores this one, after the 100 kB one. A field that takes it is not
# sent its parts one by one; a field that refuses it is (to find what gets through).
IN_ALL = tuple(label for label in PAYLOADS
               if label not in ("huge", "number", "digits", "invalid_utf8"))
PAYLOADS["all"] = " | ".join(str(PAYLOADS[label]) for label in IN_ALL)
# Text fields get every payload but the number; fields with a fixed set of values
# (select, checkbox, radio, buttons) and hidden ones fewer; the CSRF token two.
TEXT_PAYLOADS = ("huge", "all", *(label for label in PAYLOADS
                                   if label not in ("huge", "all", "number", "digits")))
CHOICE_PAYLOADS = ("script", "nul", "number", "digits", "invalid_utf8")
HIDDEN_PAYLOADS = ("script", "nul", "number", "digits", "huge", "invalid_utf8")
TOKEN_PAYLOADS = ("attribute", "invalid_utf8")  # the CSRF token: refused either way
# Forms built from the same form class as another: only their own fields are sent
# hostile (the shared ones go through the same validation and the same columns).
SAME_FIELDS_AS = {"intake.log_email": "intake.new_request"}

# NUL and the other C0 controls but tab and line breaks (invalid in XML, refused by
# MediaWiki): dropped from input, so they never come back.
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")
# An evaluated template payload (its text, escaped or not, keeps the {% %} around).
EVALUATED = re.compile(r"ssti1337|(?<!%})sstiblock")
MESSAGE_MARKERS = ('class="error-page', "field-error", "message--error", "message--warning",
                   'role="alert"', "message--notice")

QUERY_VALUES: dict[str, str] = {
    "invalid_utf8": "%FF%FE%C3%28",
    "nul": "a%00b",
    "huge": "q" * 100_000,
    "script": quote(PAYLOADS["script"]),  # type: ignore[arg-type]
    "number": "99999999999999999999999",
}
# Query parameters besides those found in the source: common ones a crawler tries.
EXTRA_PARAMS = {"uselang", "next", "page", "per_page", "sort", "dir", "q", "format", "id"}
PATH_VALUES = ("%00", "%FF%FE", "%3Cscript%3Ealert(1)%3C%2Fscript%3E", "a" * 5000, "..%2F..",
               "99999999999999999999", "0")

SKIP_POSTS = {"/logout"}  # signing out would end the crawl's session


# -- reading pages --------------------------------------------------------------------

@dataclass
class Field:
    name: str
    kind: str  # text, textarea, select, checkbox, radio, hidden, button, email, …
    values: list[str] = field(default_factory=list)  # as rendered (selected / checked)
    options: list[str] = field(default_factory=list)  # choices of select/checkbox/radio

    @property
    def is_choice(self) -> bool:
        return self.kind in ("select", "checkbox", "radio", "button", "submit")


@dataclass
class Form:
    method: str
    action: str
    fields: dict[str, Field] = field(default_factory=dict)

    def key(self, app: Flask) -> tuple[str, tuple[str, ...], str]:
        """The same form wherever it is (one group's edit form stands for every group's):
        the endpoint, the field names, and which workflow action it is."""
        endpoint, _args = app.url_map.bind("localhost").match(
            urlsplit(self.action).path, method="POST")
        fixed = self.fields.get("action")
        action = fixed.values[0] if fixed and fixed.kind == "hidden" and fixed.values else ""
        return endpoint, tuple(sorted(self.fields)), action


class FormParser(HTMLParser):
    """Every form of a page with its fields, values as a browser would send them."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._textarea: Field | None = None

    def _field(self, name: str, kind: str) -> Field:
        assert self._form is not None
        return self._form.fields.setdefault(name, Field(name, kind))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {key: value if value is not None else "" for key, value in attrs}
        if tag == "form":
            self._form = Form(a.get("method", "get").lower(), a.get("action", ""))
            self.forms.append(self._form)
            return
        if self._form is None or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            kind = a.get("type", "text").lower()
            item = self._field(a["name"], kind)
            if kind in ("checkbox", "radio"):
                item.options.append(a.get("value", "on"))
                if "checked" in a:
                    item.values.append(a.get("value", "on"))
            elif kind not in ("submit", "image", "reset", "file"):
                item.values = [a.get("value", "")]
        elif tag == "button" and a.get("type", "submit") == "submit":
            item = self._field(a["name"], "button")
            item.options.append(a.get("value", ""))
            if not item.values:
                item.values = [a.get("value", "")]
        elif tag == "textarea":
            self._textarea = self._field(a["name"], "textarea")
            self._textarea.values = [""]
        elif tag == "select":
            self._select = self._field(a["name"], "select")
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            if value is not None:
                self._select.options.append(value)
                if "selected" in a:
                    self._select.values.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            value = self._textarea.values[0]
            self._textarea.values = [value.removeprefix("\r\n").removeprefix("\n")]
            self._textarea = None

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.values[0] += data


class Executable(HTMLParser):
    """What a browser would run: inline scripts, event handlers, javascript: links."""

    URL_ATTRIBUTES = ("href", "src", "action", "formaction", "xlink:href", "data", "poster")

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        names = {key for key, _value in attrs}
        if tag == "script" and "src" not in names:
            self.found.append("an inline <script>")
        for key, value in attrs:
            if key.startswith("on"):
                self.found.append(f"an event handler <{tag} {key}=…>")
            if key in self.URL_ATTRIBUTES and re.sub(r"[\s\x00-\x20]", "", value or "") \
                    .lower().startswith(("javascript:", "vbscript:", "data:text/html")):
                self.found.append(f"a script link <{tag} {key}={value[:40]!r}>")

    handle_startendtag = handle_starttag


def executable(html: str) -> list[str]:
    parser = Executable()
    parser.feed(html)
    return parser.found


def forms_of(html: str) -> list[Form]:
    parser = FormParser()
    parser.feed(html)
    return parser.forms


def baseline(form: Form, world: dict[str, Any]) -> list[tuple[str, str | bytes]]:
    """The form as a browser would send it, with empty fields filled with valid values."""
    pairs: list[tuple[str, str | bytes]] = []
    for item in form.fields.values():
        values = list(item.values)
        chosen = [option for option in item.options if option][:1]
        if item.kind in ("select", "radio") and not any(values) and chosen:
            values = chosen
        if item.kind == "checkbox" and not values and len(item.options) > 1:
            values = chosen  # a group: one ticked
        if item.name == "participants":
            values = item.options  # every committee member: a decision needs a quorum
        if item.kind in ("text", "textarea", "email", "url", "search", "date", "number") \
                and not any(values):
            values = [filler(item)]
        pairs.extend((item.name, value) for value in values)
    if form.action.endswith(("/requests/new", "/requests/log-email")):
        # An organisation from the registry (a new one would be a duplicate next time).
        pairs = [(k, v) for k, v in pairs if not k.startswith("org_") and k != "organisation_id"]
        pairs.append(("organisation_id", str(world["org_id"])))
    return pairs


def filler(item: Field) -> str:
    """Something valid for an empty field, guessed from its type and name."""
    name = item.name
    if item.kind == "email" or ("email" in name and "original" not in name):
        return "person@example.org"
    if item.kind == "url" or "website" in name or name.endswith("url"):
        return "https://example.org/"
    if item.kind == "date" or name.endswith(("_on", "date", "start", "end")):
        return "2026-01-02"
    if item.kind == "number":
        return "1"
    if "wikidata" in name:
        return "Q42"
    if "username" in name:
        return "Ada Requester"
    if name == "slug":
        return "hostile-input"
    if name == "duplicate_of":
        return ""
    return "Valid text"


def encode(pairs: list[tuple[str, str | bytes]]) -> bytes:
    return urlencode(pairs).encode("ascii")


# -- judging answers ------------------------------------------------------------------

@dataclass
class Findings:
    problems: list[str] = field(default_factory=list)
    requests: int = 0
    submitted: set[str] = field(default_factory=set)
    stored: int = 0
    accepted: set[tuple[Any, str, str]] = field(default_factory=set)  # (form, field, payload)

    def check(self, what: str, response: TestResponse) -> None:
        """An answer below 500; a message with any 4xx; nothing of a payload raw."""
        self.requests += 1
        status = response.status_code
        if status >= 500:
            self.problems.append(f"{what}: {status}")
            return
        mimetype = response.mimetype or ""
        if mimetype.startswith(("image/", "font/")) or mimetype == "application/octet-stream":
            return  # a file (the favicon, an attachment): no text to read
        body = response.get_data(as_text=True)
        if mimetype == "application/json":
            try:
                document = json.loads(body)
            except ValueError:
                self.problems.append(f"{what}: invalid JSON")
                return
            if status >= 400 and not (isinstance(document, dict) and document.get("error")):
                self.problems.append(f"{what}: {status} JSON without an error message")
            return
        if mimetype == "application/atom+xml":
            try:
                ElementTree.fromstring(response.get_data())  # noqa: S314 - our own answer
            except ElementTree.ParseError as exc:
                self.problems.append(f"{what}: malformed Atom ({exc})")
            return
        if 400 <= status < 500 and not any(marker in body for marker in MESSAGE_MARKERS):
            self.problems.append(f"{what}: {status} without a message")
        for meaning in dict.fromkeys(executable(body)):
            self.problems.append(f"{what}: {meaning} in the answer")
        if EVALUATED.search(body):
            self.problems.append(f"{what}: an evaluated template in the answer")
        if CONTROL.search(body):
            self.problems.append(f"{what}: a NUL byte or control character in the page")


def signed_in_clients(app: Flask) -> dict[str, FlaskClient]:
    sign_in = SignIn(app)
    clients = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            sign_in(client, USERNAMES[role])
        clients[role] = client
    return clients


def get_pages(world: dict[str, Any], app: Flask) -> list[str]:
    paths = [path_for(rule, world) for method, rule in sorted(routes(app))
             if method == "GET" and "<path:" not in rule]
    return [*paths, f"/canned-replies?edit={world['reply_id']}"]



# -- the forms -------------------------------------------------------------------------

def payloads_for(item: Field) -> tuple[str, ...]:
    if item.name == "csrf_token":
        return TOKEN_PAYLOADS
    if item.is_choice:
        return CHOICE_PAYLOADS
    if item.kind == "hidden":
        return HIDDEN_PAYLOADS
    return TEXT_PAYLOADS


def replaced(pairs: list[tuple[str, str | bytes]], name: str,
             payload: str | bytes) -> list[tuple[str, str | bytes]]:
    kept = [(k, v) for k, v in pairs if k != name]
    return [*kept, (name, payload)]


def find_form(app: Flask, client: FlaskClient, page: str,
              key: tuple[str, tuple[str, ...], str], findings: Findings) -> Form | None:
    response = client.get(page)
    findings.check(f"GET {page}", response)
    candidates = [form for form in forms_of(response.get_data(as_text=True))
                  if form.method == "post" and form.key(app)[::2] == key[::2]]
    # The same fields if it still has them (a page may add a field meanwhile).
    return next((form for form in candidates if form.key(app) == key),
                candidates[0] if candidates else None)


def crawl(app: Flask, world: dict[str, Any],
          clients: dict[str, FlaskClient]) -> dict[tuple[str, tuple[str, ...], str],
                                                    tuple[str, str]]:
    """Every POST form any person sees: key → (role, page it is on)."""
    found: dict[tuple[str, tuple[str, ...], str], tuple[str, str]] = {}
    pages = [*get_pages(world, app), *world["crawl_pages"]]
    # Staff first: their forms move the case on; the requester may withdraw it.
    order = ("admin", "helpdesk", "committee", "recused", "member", "other_requester",
             "requester", "anonymous")
    for role in order:
        for page in pages:
            response = clients[role].get(page)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            for form in forms_of(response.get_data(as_text=True)):
                if form.method != "post" or urlsplit(form.action).path in SKIP_POSTS:
                    continue
                found.setdefault(form.key(app), (role, page))
    return found


STALE_GUARDS = ("version", "loaded_at", "base_revision", "loaded")
# Forms whose success takes other forms away (a withdrawn case has no more actions; a
# member who declared a conflict of interest no longer sets the priority; a claimed
# request has its requester; an approved request for a role cannot be withdrawn): they
# are sent last.
DESTRUCTIVE = ("withdraw", "close", "delete", "archive", "merge", "leave", "decline",
               "decision", "conflict", "claim", "approve")


# Forms named like a destructive one that other forms take away instead: sent early.
SENT_EARLY = {
    # An administrator's answer (approve, decline) leaves nothing to withdraw.
    "role_requests.withdraw",
}

MOVES_THE_CASE = ("cases.action",)


def order_of(key: tuple[str, tuple[str, ...], str]) -> tuple[bool, bool, bool]:
    """Forms that leave the case where it is first, then those that move it on (a
    committee form is there only while the case waits on the committee), then the
    destructive ones."""
    endpoint, _fields, action = key
    destructive = endpoint not in SENT_EARLY and any(
        word in f"{endpoint} {action}" for word in DESTRUCTIVE)
    return destructive, endpoint in MOVES_THE_CASE, endpoint in SAME_FIELDS_AS


def fuzz(app: Flask, client: FlaskClient, page: str, key: tuple[str, tuple[str, ...], str],
         form: Form, name: str, label: str, role: str, world: dict[str, Any],
         findings: Findings) -> Form | None:
    """Send the form with `name` replaced by one payload; the form to send next."""
    data = replaced(baseline(form, world), name, PAYLOADS[label])
    what = f"{role} POST {form.action} [{name}={label}]"
    response = client.post(form.action, data=encode(data),
                           content_type="application/x-www-form-urlencoded")
    findings.check(what, response)
    if response.status_code not in (301, 302, 303):
        return form
    # Stored: the page it leads to shows the value (escaped, or the check fails).
    findings.stored += 1
    findings.accepted.add((key, name, label))
    location = urlsplit(response.headers["Location"])
    target = location.path + (f"?{location.query}" if location.query else "")
    shown = client.get(target)
    findings.check(f"{what} → GET {target}", shown)
    if target == page:
        return next((found for found in forms_of(shown.get_data(as_text=True))
                     if found.method == "post" and found.key(app)[::2] == key[::2]), None)
    if any(guard in form.fields for guard in STALE_GUARDS):
        return find_form(app, client, page, key, findings)  # the version moved on
    return form


