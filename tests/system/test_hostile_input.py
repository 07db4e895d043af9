"""A corpus of hostile inputs through every form field and every query parameter.

Script injection in every context, SQL metacharacters, template and wikitext
syntax, bidi controls, NUL bytes and other control characters, 100 kB strings,
huge numbers and invalid UTF-8. The forms are found by crawling: every person
of the authorization matrix (tests/test_authorization.py) opens every page; each
<form method=post> is parsed and sent again with one field at a time replaced by
each payload (the other fields as rendered, empty ones filled with something
valid). The query parameters are the ones the app reads (found in app/'s source),
sent to every GET route (the JSON API and the Atom feed too), with hostile path
segments and headers as well.

Bounded: a compact corpus; text fields first get the 100 kB string and every
text payload in one, and the single payloads only if that one was refused;
choice and hidden fields get a handful; a form built from the same form class as
another (email intake) is sent only its own fields.

Every answer must be below 500; a 4xx must carry a message; nothing of a payload
may come back unescaped (no raw tag, no javascript: link, no evaluated template).
A value that is stored must come back escaped where it is shown (HTML), exactly
(JSON) and well-formed (Atom).
"""

from __future__ import annotations

import inspect
import json
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode, urlsplit
from xml.etree import ElementTree

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.exc import DataError
from werkzeug.test import TestResponse

from app.auth.models import User
from app.cases import service
from app.cases.models import Case
from app.core.db import get_session
from tests.factories import make_user
from tests.helpers import SignIn, csrf_token
from tests.system import test_authorization as matrix
from tests.system.test_authorization import EXPECTED, ROLES, USERNAMES, path_for, routes

world = matrix.world  # the authorization matrix's data, a fixture here too

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
        body = response.get_data(as_text=True)
        if status >= 500:
            self.problems.append(f"{what}: {status}")
            return
        mimetype = response.mimetype
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


@pytest.fixture
def hostile_world(app: Flask, world: dict[str, Any]) -> dict[str, Any]:
    """The authorization world, plus what makes the remaining forms appear: a case
    that came by email and is in initial review (link-requester, decision, review),
    a canned reply, a second organisation (merge) with a contact and a placement,
    and a pending join request."""
    from datetime import date

    from app.cases.models import CannedReply
    from app.groups.models import JoinRequest, WorkingGroup
    from app.partners.models import OrganisationContact, Placement
    from tests.factories import make_organisation

    with app.app_context():
        db = get_session()
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        omar = make_user(db, "Omar Requester")
        case = db.scalars(select(Case)).first()
        assert case is not None
        email_case = service.create_case(db, sven, {
            "title": "By email", "description": "Sent by email.",
            "organisation_id": case.organisation_id, "request_type": "commons_upload",
            "content_kinds": ["images"], "licence": "cc0", "target_projects": ["commons"],
            "themes": ["heritage"], "countries": ["SE"], "region": "western_europe",
            "contact_email": "sender@example.org", "channel": "email", "requester_id": None,
        })
        service.move(db, email_case, sven, {"helpdesk"}, "triage")
        reply = CannedReply(title="Thanks", body="Thank you, {reference}.", language="en",
                            updated_by_id=sven.id)
        other = make_organisation(db, "Archive of Examples")
        group = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == "implementation")
                           ).one()
        db.add_all([
            reply,
            OrganisationContact(organisation_id=case.organisation_id, name="Eva",
                                email="eva@example.org", role="curator"),
            Placement(organisation_id=case.organisation_id, person="Wikimedian",
                      start_date=date(2025, 1, 1), description="In residence"),
            JoinRequest(group_id=group.id, user_id=omar.id, note="Let me help"),
        ])
        db.commit()
        made = {"reply_id": reply.id, "email_reference": email_case.reference,
                "other_org_id": other.id}
    return {**world, **made}  # outside the app context: each request gets its own `g`


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
    pages = [*get_pages(world, app), f"/requests/{world['email_reference']}",
             f"/partners/{world['other_org_id']}"]
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
# Forms whose success takes other forms away (a withdrawn case has no more actions):
# they are sent last.
DESTRUCTIVE = ("withdraw", "close", "delete", "archive", "merge", "leave", "decline",
               "decision")


def order_of(key: tuple[str, tuple[str, ...], str]) -> tuple[bool, bool]:
    endpoint, _fields, action = key
    destructive = any(word in f"{endpoint} {action}" for word in DESTRUCTIVE)
    return destructive, endpoint in SAME_FIELDS_AS


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


def test_every_form_field_withstands_the_corpus(
    app: Flask, hostile_world: dict[str, Any]
) -> None:
    clients = signed_in_clients(app)
    forms = crawl(app, hostile_world, clients)
    findings = Findings()
    missed = []
    fuzzed: dict[str, set[str]] = {}
    for key, (role, page) in sorted(forms.items(), key=lambda item: order_of(item[0])):
        client = clients[role]
        form = find_form(app, client, page, key, findings)
        if form is None:
            missed.append(f"{key[0]} ({role}, {page})")
            continue
        findings.submitted.add(urlsplit(form.action).path)
        fuzzed[key[0]] = set(form.fields)
        shared = fuzzed.get(SAME_FIELDS_AS.get(key[0], ""), set())
        # Text fields first: a form that goes away after one success keeps what it stored.
        fields = sorted(form.fields.values(), key=lambda item: (
            item.name == "csrf_token", item.is_choice, item.kind == "hidden"))
        plan = [(item.name, label) for item in fields if item.name not in shared
                for label in payloads_for(item)]
        for name, label in plan:
            if form is None:
                break  # the form is gone (e.g. the case it acts on was closed)
            if label in IN_ALL and (key, name, "all") in findings.accepted:
                continue  # stored together already: each one alone adds nothing
            if name in form.fields:
                form = fuzz(app, client, page, key, form, name, label, role, hostile_world,
                            findings)
    assert not findings.problems, (
        f"{len(findings.problems)} problems in {findings.requests} answers:\n"
        + "\n".join(findings.problems[:80]))
    # The crawl reached the forms that matter (a lost one would hide its fields).
    for rule in ("/requests/new", "/requests/log-email", "/admin/roles/grant", "/preferences",
                 "/canned-replies", "/committee/profile", "/guidelines/new", "/partners/new",
                 "/groups/manage/add"):
        assert rule in findings.submitted, (rule, sorted(findings.submitted), missed)
    assert any(path.endswith("/message") for path in findings.submitted)
    assert any(path.endswith("/decision") for path in findings.submitted)
    assert not missed, missed
    assert findings.stored > 100, findings.stored


# -- query parameters and path segments ------------------------------------------------

def known_parameters(app: Flask, root: Path) -> set[str]:
    """Every query parameter the app's source reads, plus common ones."""
    found = set(EXTRA_PARAMS)
    source = "\n".join(path.read_text(encoding="utf-8") for path in (root / "app").rglob("*.py"))
    found |= set(re.findall(r"""args\.get(?:list)?\(\s*["']([a-z_]+)["']""", source))
    found |= set(re.findall(r"""(?:_choice|_code|parse_int)\(\s*args\s*,\s*["']([a-z_]+)["']""",
                            source))
    found |= set(re.findall(r"""request\.args,\s*["']([a-z_]+)["']""", source))
    found |= set(re.findall(r"""["']([a-z_]+)["']\s+(?:not\s+)?in\s+request\.args""", source))
    from app.public.params import FILTER_CODES

    return found | set(FILTER_CODES) | {"open"}


def parameters_read(app: Flask, rule: str, params: set[str], root: Path) -> set[str]:
    """The parameters a view reads: none unless it uses request.args; then those named
    in its package or in the app modules the package imports (e.g. public/params.py)."""
    endpoint = next(item.endpoint for item in app.url_map.iter_rules() if item.rule == rule)
    view = inspect.unwrap(app.view_functions[endpoint])
    if "request.args" not in inspect.getsource(view):
        return set()
    package = Path(inspect.getfile(view)).parent
    files = set(package.glob("*.py"))
    for path in list(files):
        for dots, name in re.findall(r"from (\.+)([a-z_.]*) import",
                                     path.read_text(encoding="utf-8")):
            base = package if len(dots) == 1 else package.parent
            target = base.joinpath(*name.split(".")) if name else base
            files |= {target.with_suffix(".py")} | set(target.glob("*.py"))
    source = "\n".join(path.read_text(encoding="utf-8") for path in files if path.is_file())
    return {name for name in params if re.search(rf"[\"']{name}[\"']", source)}


def test_every_query_parameter_withstands_the_corpus(
    app: Flask, hostile_world: dict[str, Any], repo_root: Path
) -> None:
    clients = signed_in_clients(app)
    params = known_parameters(app, repo_root)
    assert {"q", "state", "page", "per_page", "uselang", "next", "canned", "edit",
            "kind", "oauth_verifier"} <= params, params
    findings = Findings()
    get_rules = sorted(rule for method, rule in routes(app)
                       if method == "GET" and "<path:" not in rule)
    for rule in get_rules:
        path = path_for(rule, hostile_world)
        # Someone signed out, and someone who may see the page (pages differ by role).
        viewer = next((role for role in ("helpdesk", "committee", "admin", "requester")
                       if EXPECTED[("GET", rule)][role] == 200), "anonymous")
        # Every parameter at once (the 100 kB value in two of them).
        for role in dict.fromkeys(("anonymous", viewer)):
            for label, value in QUERY_VALUES.items():
                names = ("q", "uselang") if label == "huge" else sorted(params)
                query = "&".join(f"{name}={value}" for name in names)
                findings.check(f"{role} GET {rule}?<all>={label}",
                               clients[role].get(path, query_string=query))
        # One parameter at a time where the view reads them (a refused first parameter
        # would hide what the next one does).
        for name in sorted(parameters_read(app, rule, params, repo_root)):
            for label, value in QUERY_VALUES.items():
                findings.check(f"{viewer} GET {rule}?{name}={label}",
                               clients[viewer].get(path, query_string=f"{name}={value}"))
        # Hostile path segments where the rule has a variable part.
        for variable in re.findall(r"<(?:[a-z]+:)?([a-z_]+)>", rule):
            for value in PATH_VALUES:
                bad = rule
                for other in re.findall(r"<[^>]+>", rule):
                    bad = bad.replace(other, value if variable in other else
                                      path_for(other, hostile_world))
                findings.check(f"helpdesk GET {bad[:80]}", clients["helpdesk"].get(bad))
    # Headers a client controls.
    for header, value in (("Accept-Language", "'; DROP TABLE users; --, *;q=x, \x7f"),
                          ("X-Forwarded-For", "<script>alert(1)</script>"),
                          ("Host", "evil.example<script>")):
        findings.check(f"GET / with {header}", clients["anonymous"].get(
            "/", headers={header: value}))
    assert not findings.problems, (
        f"{len(findings.problems)} problems in {findings.requests} answers:\n"
        + "\n".join(findings.problems[:80]))


# -- stored values come back escaped ----------------------------------------------------

def test_a_hostile_request_round_trips_escaped(
    app: Flask, sign_in: SignIn, hostile_world: dict[str, Any]
) -> None:
    from tests.intake.test_intake import form_data

    ada, sven = app.test_client(), app.test_client()
    sign_in(ada, "Ada Requester")
    sign_in(sven, "Sven Helpdesk")
    title = str(PAYLOADS["script"])
    description = f"{PAYLOADS['attribute']}\n{PAYLOADS['wikitext']}\n{PAYLOADS['url']}"
    data = form_data(csrf_token(ada, "/requests/new"), title=title, description=description,
                     timeline=str(PAYLOADS["code"]), contact_name=str(PAYLOADS["code"]),
                     content_volume=str(PAYLOADS["nul"]), org_name=None, org_kind=None,
                     org_country=None, org_website=None, org_wikidata=None,
                     organisation_id=str(hostile_world["org_id"]))
    filed = ada.post("/requests/new", data=data)
    assert filed.status_code == 302, filed.get_data(as_text=True)[:2000]
    reference = filed.headers["Location"].rsplit("/", 1)[-1]
    findings = Findings()

    page = ada.get(f"/requests/{reference}")
    findings.check("case page", page)
    html = page.get_data(as_text=True)
    for value in (title, PAYLOADS["attribute"], PAYLOADS["code"], PAYLOADS["wikitext"],
                  PAYLOADS["url"]):
        assert str(escape(value)) in html, value
    assert "beforeafter" in html  # the NUL byte was dropped, the text kept

    staff_page = sven.get(f"/requests/{reference}")
    findings.check("case page (helpdesk)", staff_page)
    assert str(escape(PAYLOADS["code"])) in staff_page.get_data(as_text=True)

    # Messages with payloads, shown on the case page; control characters dropped.
    for body in (PAYLOADS["attribute"], PAYLOADS["control"]):
        message = ada.post(f"/requests/{reference}/message", data={
            **_hidden(ada, reference), "body": body})
        assert message.status_code in (302, 303), message.status_code
    html = ada.get(f"/requests/{reference}").get_data(as_text=True)
    assert str(escape(PAYLOADS["attribute"])) in html
    assert "bell esc[31m vt ff" in html

    # Public once triaged: the public page, the list, the JSON API and the feed.
    with app.app_context():
        db = get_session()
        case = db.scalars(select(Case).where(Case.reference == reference)).one()
        staff = db.scalars(select(User).where(User.username == "Sven Helpdesk")).one()
        service.move(db, case, staff, {"helpdesk"}, "triage")
        db.commit()
    anonymous = app.test_client()
    for path in (f"/cases/{reference}", "/cases", f"/dashboard?q={quote(title)}"):
        client = sven if path.startswith("/dashboard") else anonymous
        answer = client.get(path)
        findings.check(path, answer)
        assert str(escape(title)) in answer.get_data(as_text=True), path
    api = anonymous.get(f"/api/v1/cases/{reference}")
    findings.check("api", api)
    assert api.get_json()["title"] == title
    listing = anonymous.get("/api/v1/cases")
    assert title in [item["title"] for item in listing.get_json()["cases"]]
    feed = anonymous.get("/cases.atom")
    findings.check("feed", feed)
    document = ElementTree.fromstring(feed.get_data())  # noqa: S314 - our own answer
    titles = [element.text or "" for element in document.iter(
        "{http://www.w3.org/2005/Atom}title")]
    assert any(title in text for text in titles), titles
    assert not findings.problems, findings.problems


def _hidden(client: FlaskClient, reference: str) -> dict[str, str]:
    from tests.case_client import hidden_fields

    return hidden_fields(client.get(f"/requests/{reference}").get_data(as_text=True))


def test_a_value_the_database_refuses_is_a_400_with_a_message(app: Flask) -> None:
    """The forms keep values within the columns; should one slip through, the answer
    says what to do (not "the database cannot be reached", which is for outages)."""

    def refused() -> str:
        raise DataError("INSERT INTO cases …", {}, Exception("Data too long for column"))

    app.add_url_rule("/refused-value", "refused_value", refused)
    answer = app.test_client().get("/refused-value")
    assert answer.status_code == 400
    assert "too long or not in the form expected" in answer.get_data(as_text=True)


def test_a_forged_sign_in_callback_is_refused_as_such(app: Flask) -> None:
    """A callback that names no request token, or another one, is the client's doing:
    400, and the wiki is not asked (it used to be a 502, "the wiki refused")."""
    client = app.test_client()
    for query in ("oauth_verifier=x", "oauth_verifier=x&oauth_token=%FF%FE",
                  "oauth_verifier=%00&oauth_token=" + "t" * 100_000):
        assert client.get("/login").status_code == 302
        answer = client.get("/oauth-callback", query_string=query)
        assert answer.status_code == 400, query[:40]
        assert "does not belong to your sign-in attempt" in answer.get_data(as_text=True)
