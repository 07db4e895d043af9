"""Words of the wiki panel: the steps, and what each check found."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_babel.speaklater import LazyString

from app.core.formats import format_number

STEP_LABELS: dict[str, LazyString] = {
    # Translators: a check of a request on the wikis: its category on Wikimedia Commons exists.
    "category": _l("Commons category exists"),
    # Translators: a check on the wikis: the files in the Commons category carry an accepted
    # licence.
    "licence": _l("Files carry an accepted licence"),
    # Translators: a check on the wikis: a first small batch of files is in the category.
    "test_batch": _l("Test batch uploaded"),
    # Translators: a check on the wikis: the organisation's Wikidata item exists and is an
    # organisation.
    "organisation": _l("Organisation's Wikidata item"),
}

STATUS_LABELS: dict[str, LazyString] = {
    # Translators: the result of a check on the wikis.
    "passed": _l("Verified"),
    # Translators: the result of a check on the wikis.
    "failed": _l("Not verified"),
    # Translators: the result of a check on the wikis that a person counted as done anyway.
    "overridden": _l("Counted as done by a person"),
}


def files(count: int) -> str:
    """'12 files'."""
    # Translators: a number of files on Wikimedia Commons.
    return ngettext("%(num)s file", "%(num)s files", count)


def explain(step: str, result: dict[str, Any]) -> str:
    """What a check found, in a sentence."""
    code, count = result.get("code", ""), int(result.get("count") or 0)
    if code == "override":
        # Translators: %(name)s is a username, %(reason)s what they wrote.
        return _("%(name)s counted this step as done: %(reason)s", name=result.get("by", "?"),
                 reason=result.get("reason", ""))
    if code == "no_category":
        # Translators: a failed wiki check: staff have not named the Commons category yet.
        return _("No Commons category is named on this request yet.")
    if code == "no_item":
        # Translators: a failed wiki check.
        return _("No Wikidata item is named on this request yet.")
    if code == "missing":
        if step == "organisation":
            # Translators: a failed wiki check.
            return _("The Wikidata item does not exist.")
        # Translators: a failed wiki check.
        return _("The category does not exist on Commons.")
    if code == "found":
        # Translators: a passed wiki check; %(files)s is e.g. '12 files'.
        return _("The category exists and holds %(files)s.", files=files(count))
    if code == "no_files":
        # Translators: a failed wiki check.
        return _("The category holds no files yet.")
    if code == "unlicensed":
        # Translators: a failed wiki check; %(files)s is e.g. '3 files', %(examples)s file names.
        return _("%(files)s of the category carry no accepted licence, e.g. %(examples)s.",
                 files=files(count), examples=", ".join(result.get("examples", [])))
    if code == "licensed":
        # Translators: a passed wiki check; %(files)s is e.g. '12 files'.
        return _("All %(files)s read carry an accepted licence.", files=files(count))
    if code in ("enough", "too_few"):
        # Translators: a wiki check; %(files)s is e.g. '4 files', %(needed)s a number.
        return _("%(files)s in the category; the test batch needs at least %(needed)s.",
                 files=files(count), needed=format_number(int(result.get("needed") or 0)))
    if code == "not_organisation":
        # Translators: a failed wiki check; %(classes)s are Wikidata ids like Q5.
        return _("The item is not an organisation (instance of: %(classes)s).",
                 classes=", ".join(result.get("classes", [])) or "—")
    if code == "organisation":
        # Translators: a passed wiki check; %(classes)s are Wikidata ids like Q43229.
        return _("The item is an organisation (instance of %(classes)s).",
                 classes=", ".join(result.get("classes", [])))
    return ""


def capped(value: int, is_capped: bool) -> str:
    """'10,000+' for a figure that reached its cap, else the number."""
    return f"{format_number(value)}+" if is_capped else format_number(value)
