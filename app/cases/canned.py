"""Canned replies: reusable texts per language with placeholders."""

from __future__ import annotations

from string import Template

from ..models import CannedReply, Case

PLACEHOLDERS = ("reference", "organisation", "title", "next_step")


def fill(reply: CannedReply, case: Case, next_step: str) -> str:
    """The reply's text with $reference, $organisation, $title and $next_step filled in.
    Unknown placeholders are left as written."""
    return Template(reply.body).safe_substitute(
        reference=case.reference,
        organisation=case.organisation.name,
        title=case.title,
        next_step=next_step,
    )
