"""Every query parameter the app reads, hostile path segments and headers, on every GET
route (the JSON API and the Atom feed too)."""

from __future__ import annotations

import inspect
import re
from pathlib import Path
from typing import Any

from flask import Flask

from tests.system.hostile.corpus import (
    EXTRA_PARAMS,
    PATH_VALUES,
    QUERY_VALUES,
    Findings,
    signed_in_clients,
)
from tests.system.test_authorization import EXPECTED, path_for, routes

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
    found |= query_form_fields(source)
    from app.public.params import FILTER_CODES

    return found | set(FILTER_CODES) | {"open"}


def query_form_fields(source: str) -> set[str]:
    """The fields of the forms filled from the query (``SomeForm(formdata=request.args)``,
    e.g. the audit log's filters)."""
    found: set[str] = set()
    for name in re.findall(r"(\w+)\(formdata=request\.args", source):
        body = re.search(rf"^class {name}\(.*?(?=^class |\Z)", source, re.M | re.S)
        if body:
            found |= set(re.findall(r"^    ([a-z_]+) = \w+Field\(", body.group(0), re.M))
    return found


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
    return {name for name in params if re.search(rf"[\"']{name}[\"']", source)} | (
        params & query_form_fields(source))


def test_every_query_parameter_withstands_the_corpus(
    app: Flask, hostile_world: dict[str, Any], repo_root: Path
) -> None:
    clients = signed_in_clients(app)
    params = known_parameters(app, repo_root)
    assert {"q", "state", "page", "per_page", "uselang", "next", "canned", "edit",
            "kind", "oauth_verifier", "person", "since", "until"} <= params, params
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


