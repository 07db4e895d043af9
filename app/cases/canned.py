"""Canned replies: reusable texts per language with placeholders."""

from __future__ import annotations

from string import Template
from typing import Protocol

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
