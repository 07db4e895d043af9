"""Every field of every form any person sees withstands the corpus."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flask import Flask

from tests.system.hostile.corpus import (
    IN_ALL,
    SAME_FIELDS_AS,
    Findings,
    crawl,
    find_form,
    fuzz,
    order_of,
    payloads_for,
    signed_in_clients,
)


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
                 "/canned-replies", "/guidelines/new", "/partners/new",
                 "/groups/manage/add"):
        assert rule in findings.submitted, (rule, sorted(findings.submitted), missed)
    assert any(path.endswith("/message") for path in findings.submitted)
    assert any(path.endswith("/decision") for path in findings.submitted)
    # A form found no more is fine when its route was sent the corpus through the same
    # form elsewhere (a referral answered on My groups is gone from the case page).
    sent = {endpoint_of(app, path) for path in findings.submitted}
    missed = [item for item in missed if item.split(" ", 1)[0] not in sent]
    assert not missed, missed
    assert findings.stored > 100, findings.stored
    # Every POST route of the app (new ones too) was sent the corpus, but those listed.
    every = {rule.endpoint for rule in app.url_map.iter_rules() if "POST" in (rule.methods or ())}
    unsent = every - {endpoint_of(app, path) for path in findings.submitted}
    assert unsent == set(NOT_CRAWLED), sorted(unsent ^ set(NOT_CRAWLED))


# POST routes the crawl does not send the corpus to, and why.
NOT_CRAWLED: dict[str, str] = {
    "auth.logout": "signing out would end the crawl's session (it reads no fields)",
    "attention.unwatch_one_click": "a mail program's one-click unsubscribe, on no page; it "
                                   "reads one field, List-Unsubscribe, that must be exactly "
                                   "One-Click (tests/notifications/test_list_unsubscribe.py)",
}


def endpoint_of(app: Flask, path: str) -> str:
    """The endpoint a form's action posts to."""
    endpoint, _args = app.url_map.bind("localhost").match(path, method="POST")
    return str(endpoint)


