"""Canned replies: reusable texts per language with placeholders; and the suggested
public summaries offered at triage and when closing."""

from __future__ import annotations

from string import Template
from typing import Protocol

from flask_babel import gettext as _

from app.cases.labels import TARGET_PROJECTS, label
from app.cases.models import Case

PLACEHOLDERS = ("reference", "organisation", "title", "next_step")


class HasBody(Protocol):
    """A canned reply (the model, or the case page's cached copy)."""

    @property
    def body(self) -> str:
        """The reply's text, with placeholders."""


def fill(reply: HasBody, case: Case, next_step: str) -> str:
    """The reply's text with $reference, $organisation, $title and $next_step filled in.
    Unknown placeholders are left as written."""
    return Template(reply.body).safe_substitute(
        reference=case.reference,
        organisation=case.organisation.name,
        title=case.title,
        next_step=next_step,
    )


# The workflow actions of the helpdesk that ask for the public summary, so that the
# public case page is not left empty: accepting a request, and each way of closing one.
SUMMARY_ACTIONS = ("triage", "close_resolved", "close_declined", "close_withdrawn",
                   "close_duplicate")


def _what_was_asked(case: Case) -> str:
    projects = ", ".join(label(TARGET_PROJECTS, code) for code in case.target_projects or [])
    if projects:
        # Translators: the first sentence of a suggested public summary of a request;
        # %(organisation)s is the organisation's name, %(title)s the request's title,
        # %(projects)s the Wikimedia projects (e.g. "Wikimedia Commons, Wikidata").
        return _("%(organisation)s asked the Content Partnerships Hub for help with "
                 "“%(title)s”, for %(projects)s.", organisation=case.organisation.name,
                 title=case.title, projects=projects)
    # Translators: the first sentence of a suggested public summary of a request, when it names
    # no Wikimedia project; %(organisation)s is the organisation's name, %(title)s the title.
    return _("%(organisation)s asked the Content Partnerships Hub for help with “%(title)s”.",
             organisation=case.organisation.name, title=case.title)


def _what_happens(action: str) -> str:
    sentences = {
        # Translators: the second sentence of a suggested public summary, at triage.
        "triage": _("The Expert Committee is reviewing the request."),
        # Translators: the second sentence of a suggested public summary, when the helpdesk
        # closes the request as resolved.
        "close_resolved": _("The helpdesk supported the work, and the request is resolved."),
        # Translators: the second sentence of a suggested public summary, when the request is
        # closed as declined.
        "close_declined": _("The request was closed without going ahead."),
        # Translators: the second sentence of a suggested public summary, when the request is
        # closed as withdrawn.
        "close_withdrawn": _("The request was withdrawn."),
        # Translators: the second sentence of a suggested public summary, when the request is
        # closed because it repeats another one.
        "close_duplicate": _("The request repeats another one and was closed."),
    }
    return sentences.get(action, "")


def draft_summary(case: Case, action: str) -> str:
    """A suggested public summary for `action`, in the reader's language, from the
    case's public fields only (title, organisation, target projects): the helpdesk
    reads it, changes it or clears it before anything is saved."""
    return " ".join(part for part in (_what_was_asked(case), _what_happens(action)) if part)
