"""The `cases` blueprint object, shared by the route modules."""

from flask import Blueprint

from app.cases import canned
from app.cases.models import Case

bp = Blueprint("cases", __name__)


@bp.app_template_global()
def summary_draft(case: Case, action: str) -> str | None:
    """The suggested public summary for a helpdesk's workflow action that asks for one
    (triage, closing), None for any other action (templates/cases/_summary_field.html)."""
    return canned.draft_summary(case, action) if action in canned.SUMMARY_ACTIONS else None
