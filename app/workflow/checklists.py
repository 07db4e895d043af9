"""Checklist templates per request type, copied onto each case."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

ITEMS: dict[str, LazyString] = {
    "licence_checked": _l("Licence checked"),
    "upload_plan": _l("Upload plan agreed"),
    "test_batch": _l("Test batch uploaded"),
    "category_created": _l("Commons category created"),
    "metadata_mapped": _l("Metadata mapped to Wikidata properties"),
    "data_model": _l("Data model agreed with the Wikidata community"),
    "community_contacted": _l("Local community contacted"),
    "upload_done": _l("Upload done"),
    "followup": _l("Follow-up with the partner planned"),
}

# Items whose completion is recorded with a link (Commons category, Wikidata items…).
LINKED_ITEMS = frozenset({"category_created", "upload_done", "data_model"})

TEMPLATES: dict[str, tuple[str, ...]] = {
    "commons_upload": ("licence_checked", "upload_plan", "test_batch", "category_created",
                       "metadata_mapped", "community_contacted", "upload_done"),
    "wikidata_donation": ("licence_checked", "upload_plan", "data_model",
                          "community_contacted", "upload_done"),
    "other": ("licence_checked", "upload_plan", "community_contacted", "followup"),
}


def template_for(request_type: str) -> tuple[str, ...]:
    """The checklist keys for a request type."""
    return TEMPLATES.get(request_type, TEMPLATES["other"])
