"""Checklist templates per request type, copied onto each case."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel.speaklater import LazyString

ITEMS: dict[str, LazyString] = {
    # Translators: a step of the helpdesk's support checklist on a case (done or not): the licence
    # of the content was verified.
    "licence_checked": _l("Licence checked"),
    # Translators: a step of the support checklist: the partner and the helpdesk agreed how the
    # upload will be done.
    "upload_plan": _l("Upload plan agreed"),
    # Translators: a step of the support checklist: a small first batch of files was uploaded to
    # check everything.
    "test_batch": _l("Test batch uploaded"),
    # Translators: a step of the support checklist: a category on Wikimedia Commons for the
    # partner's files.
    "category_created": _l("Commons category created"),
    # Translators: a step of the support checklist: the partner's metadata fields were matched to
    # Wikidata properties.
    "metadata_mapped": _l("Metadata mapped to Wikidata properties"),
    # Translators: a step of the support checklist.
    "data_model": _l("Data model agreed with the Wikidata community"),
    # Translators: a step of the support checklist: the local Wikimedia volunteers or affiliate were
    # contacted.
    "community_contacted": _l("Local community contacted"),
    # Translators: a step of the support checklist: the whole upload is finished.
    "upload_done": _l("Upload done"),
    # Translators: a step of the support checklist.
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
