"""Writes of the wiki checks and the impact follow-up: the case's places on the wikis,
checks with their evidence, overrides with a reason, snapshots. All audited; nothing is
committed here (views call `commit_work()`, the jobs commit per case)."""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import quote

from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases.access import CaseAccess
from app.cases.errors import NotAllowed, WorkflowError
from app.cases.models import Case, ChecklistItem
from app.core import audit
from app.core.models import utcnow
from app.notifications.models import OutboxMessage
from app.wikicheck import labels, wiki
from app.wikicheck.models import CaseWiki, ImpactMailOptOut, ImpactSnapshot
from app.wikicheck.wiki import Budget, WikiDown, WikiReader

log = logging.getLogger(__name__)

STEPS = ("category", "licence", "test_batch", "organisation")
# The support checklist's step (app/cases/checklists.py) a verified step ticks.
CHECKLIST_KEYS = {"category": "category_created", "licence": "licence_checked",
                  "test_batch": "test_batch"}
SNAPSHOT_DAYS = (0, 30, 90, 365)
MAX_REASON = 500
_ITEM = re.compile(r"^Q[1-9][0-9]{0,11}$")
# Characters MediaWiki never allows in a page title (and control characters).
_NOT_IN_TITLES = re.compile(r"[#<>\[\]|{}\x00-\x1f\x7f]")


class WikiUnreachable(WorkflowError):
    """A check could not read the wikis (nothing was recorded)."""

    status = 503


@dataclass(frozen=True)
class WikiSettings:
    """The settings of the checks and snapshots (from the app's configuration)."""

    commons_api: str
    wikidata_api: str
    pageviews_api: str
    timeout: float
    max_requests: int
    licences: list[str]
    licence_sample: int
    test_batch_min: int
    organisation_classes: list[str]
    file_cap: int
    depth: int
    views_max_pages: int
    agent: str

    @classmethod
    def of(cls, config: Mapping[str, Any]) -> WikiSettings:
        """Read them from `current_app.config` (or any mapping of the settings)."""
        return cls(
            commons_api=config["COMMONS_API"], wikidata_api=config["WIKIDATA_API"],
            pageviews_api=config["PAGEVIEWS_API"], timeout=float(config["WIKI_TIMEOUT"]),
            max_requests=int(config["WIKI_MAX_REQUESTS"]),
            licences=list(config["ACCEPTED_LICENCE_CATEGORIES"]),
            licence_sample=int(config["LICENCE_SAMPLE_FILES"]),
            test_batch_min=int(config["TEST_BATCH_MIN_FILES"]),
            organisation_classes=list(config["ORGANISATION_CLASSES"]),
            file_cap=int(config["IMPACT_FILE_CAP"]), depth=int(config["IMPACT_CATEGORY_DEPTH"]),
            views_max_pages=int(config["IMPACT_VIEWS_MAX_PAGES"]),
            agent=wiki.user_agent(str(config.get("SOURCE_URL", "")),
                                  str(config.get("CONTACT", ""))),
        )

    def reader(self, api_url: str, budget: Budget) -> WikiReader:
        """A reader of one wiki, counting against `budget`."""
        return WikiReader(api_url, budget, timeout=self.timeout, agent=self.agent)


def page_url(api_url: str, title: str) -> str:
    """The address of a page of the wiki whose api.php is `api_url`."""
    base = api_url.rsplit("/", 1)[0]
    return f"{base}/index.php?title={quote(title.replace(' ', '_'), safe=':/')}"


def wiki_row(db: Session, case: Case) -> CaseWiki:
    """The case's row, made when missing (not yet flushed)."""
    row = db.scalars(select(CaseWiki).where(CaseWiki.case_id == case.id)).first()
    if row is None:
        row = CaseWiki(case_id=case.id, commons_category="", wikidata_item="", checks={})
        db.add(row)
    return row


def _staff_only(access: CaseAccess) -> None:
    if not access.is_staff:
        # Translators: an error; the wiki checks of a request (its Commons category, licences…).
        raise NotAllowed(_("Only the helpdesk and the committee check a request on the wikis."))


def set_places(db: Session, case: Case, actor: User, access: CaseAccess, category: str,
               item: str) -> CaseWiki:
    """Staff name the case's Commons category and its organisation's Wikidata item."""
    _staff_only(access)
    category = wiki.normal_category(category)
    if len(category) > 255:
        # Translators: an error; the name of a category on Wikimedia Commons.
        raise WorkflowError(_("The category name is too long."), field="commons_category")
    if _NOT_IN_TITLES.search(category):
        # Translators: an error; the name of a category on Wikimedia Commons. Keep the
        # characters as they are.
        raise WorkflowError(_("A category name cannot contain # < > [ ] | { }."),
                            field="commons_category")
    item = item.strip().upper()
    if item.startswith("HTTP"):
        item = item.rstrip("/").rsplit("/", 1)[-1]
    if item and not _ITEM.match(item):
        # Translators: an error; keep Q43229 as it is (an example of a Wikidata item id).
        raise WorkflowError(_("A Wikidata item is written like Q43229."), field="wikidata_item")
    row = wiki_row(db, case)
    before = {"commons_category": row.commons_category, "wikidata_item": row.wikidata_item}
    if row.commons_category != category or row.wikidata_item != item:
        row.checks = {}  # what was verified was about the old names
        row.checked_at = None
    row.commons_category, row.wikidata_item = category, item
    row.updated_at = utcnow()
    audit.record(db, actor, "wiki.places", "case", case.id, before=before,
                 after={"commons_category": category, "wikidata_item": item})
    return row


# -- checks ---------------------------------------------------------------------------------

def _result(status: str, code: str, now: datetime, **facts: Any) -> dict[str, Any]:
    return {"status": status, "code": code, "checked_at": now.isoformat(), **facts}


def verify(settings: WikiSettings, category: str, item: str,
           now: datetime) -> tuple[dict[str, dict[str, Any]], int]:
    """Each step's result read from the wikis, and the requests that cost. WikiDown when
    a wiki does not answer."""
    budget = Budget(settings.max_requests)
    results: dict[str, dict[str, Any]] = {}
    commons = settings.reader(settings.commons_api, budget)
    try:
        if not category:
            for step in ("category", "licence", "test_batch"):
                results[step] = _result("failed", "no_category", now)
        else:
            facts = wiki.category_facts(commons, category, settings.licences,
                                        settings.licence_sample)
            url = page_url(settings.commons_api, category)
            if not facts.exists:
                results["category"] = _result("failed", "missing", now, url=url)
                results["licence"] = _result("failed", "missing", now, url=url)
                results["test_batch"] = _result("failed", "missing", now, url=url)
            else:
                results["category"] = _result("passed", "found", now, url=url, count=facts.files)
                results["licence"] = _licence_result(facts, url, now)
                needed = settings.test_batch_min
                results["test_batch"] = _result(
                    "passed" if facts.files >= needed else "failed",
                    "enough" if facts.files >= needed else "too_few",
                    now, url=url, count=facts.files, needed=needed)
    finally:
        commons.close()
    results["organisation"] = _organisation_result(settings, item, budget, now)
    return results, budget.used


def _licence_result(facts: wiki.CategoryFacts, url: str, now: datetime) -> dict[str, Any]:
    if not facts.sampled:
        return _result("failed", "no_files", now, url=url, count=0)
    if facts.unlicensed:
        return _result("failed", "unlicensed", now, url=url, count=len(facts.unlicensed),
                       sampled=facts.sampled, examples=facts.unlicensed[:5])
    return _result("passed", "licensed", now, url=url, count=facts.sampled)


def _organisation_result(settings: WikiSettings, item: str, budget: Budget,
                         now: datetime) -> dict[str, Any]:
    if not item:
        return _result("failed", "no_item", now)
    reader = settings.reader(settings.wikidata_api, budget)
    try:
        facts = wiki.item_facts(reader, item)
    finally:
        reader.close()
    url = page_url(settings.wikidata_api, item)
    if not facts.exists:
        return _result("failed", "missing", now, url=url)
    matching = [value for value in facts.classes if value in settings.organisation_classes]
    if not matching:
        return _result("failed", "not_organisation", now, url=url, classes=facts.classes[:5])
    return _result("passed", "organisation", now, url=url, classes=matching[:3])


def _tick(db: Session, case: Case, results: Mapping[str, Mapping[str, Any]],
          now: datetime) -> list[str]:
    """Tick the checklist steps whose check passed (or was overridden); their keys."""
    keys = {CHECKLIST_KEYS[step]: result for step, result in results.items()
            if step in CHECKLIST_KEYS and result["status"] in ("passed", "overridden")}
    if not keys:
        return []
    ticked = []
    for entry in db.scalars(select(ChecklistItem).where(ChecklistItem.case_id == case.id,
                                                        ChecklistItem.key.in_(keys))):
        if not entry.done:
            entry.done, entry.done_at = True, now
            entry.link = entry.link or str(keys[entry.key].get("url", ""))[:500]
            ticked.append(entry.key)
    return sorted(ticked)


def check_case(db: Session, case: Case, actor: User | None, settings: WikiSettings,
               access: CaseAccess | None = None) -> tuple[CaseWiki, int]:
    """Verify the case's steps on the wikis now; record the evidence. Overrides stay
    unless the step now passes. Returns the row and the requests the check cost;
    WikiUnreachable (nothing recorded) if a wiki is down."""
    if access is not None:
        _staff_only(access)
    row = wiki_row(db, case)
    now = utcnow()
    try:
        results, cost = verify(settings, row.commons_category, row.wikidata_item, now)
    except WikiDown as error:
        log.warning("wiki check of %s: %s", case.reference, error)
        # Translators: an error after "Check now" on a request: Wikimedia Commons or Wikidata
        # could not be read.
        raise WikiUnreachable(_("The wikis could not be reached just now; nothing was "
                                "changed. Try again later.")) from error
    old = dict(row.checks or {})
    for step, result in results.items():
        if old.get(step, {}).get("status") == "overridden" and result["status"] != "passed":
            results[step] = {**old[step], "last_check": result}
    row.checks, row.checked_at, row.updated_at = results, now, now
    ticked = _tick(db, case, results, now)
    audit.record(db, actor, "wiki.check", "case", case.id, after={
        "results": {step: result["status"] for step, result in results.items()},
        "ticked": ticked, "requests": cost})
    return row, cost


def override(db: Session, case: Case, actor: User, access: CaseAccess, step: str,
             reason: str) -> CaseWiki:
    """A person counts a step as verified despite the check, with a reason (audited)."""
    _staff_only(access)
    if step not in STEPS:
        # Translators: an error.
        raise WorkflowError(_("There is no such check."))
    reason = " ".join(reason.split())
    if not reason:
        # Translators: an error: overriding a failed wiki check needs a reason.
        raise WorkflowError(_("Say why the step counts as done."), field="reason")
    if len(reason) > MAX_REASON:
        # Translators: an error; %(max)d is a number.
        raise WorkflowError(_("The reason can have at most %(max)d characters.",
                              max=MAX_REASON), field="reason")
    row = wiki_row(db, case)
    now = utcnow()
    checks = dict(row.checks or {})
    before = checks.get(step)
    checks[step] = {"status": "overridden", "code": "override", "reason": reason,
                    "by": actor.username, "checked_at": now.isoformat(),
                    "last_check": before}
    row.checks, row.updated_at = checks, now
    ticked = _tick(db, case, {step: checks[step]}, now)
    audit.record(db, actor, "wiki.override", "case", case.id,
                 before={"step": step, "status": (before or {}).get("status")},
                 after={"step": step, "reason": reason, "ticked": ticked})
    return row


# -- impact snapshots -----------------------------------------------------------------------

@dataclass
class SnapshotRun:
    """What one run of the daily job did."""

    started: int = 0
    taken: int = 0
    failed: int = 0
    requests: int = 0


def start_followups(db: Session, now: datetime) -> int:
    """Day 0 for each case with a category that reached "upload done" or closed."""
    done_upload = (select(ChecklistItem.case_id)
                   .where(ChecklistItem.key == "upload_done", ChecklistItem.done.is_(True)))
    rows = db.execute(
        select(CaseWiki, Case.closed_at)
        .join(Case, Case.id == CaseWiki.case_id)
        .where(CaseWiki.impact_started_at.is_(None), CaseWiki.commons_category != "",
               (Case.closed_at.is_not(None)) | Case.id.in_(done_upload))
    ).all()
    for row, _closed in rows:
        row.impact_started_at = now
        audit.record(db, None, "wiki.impact_started", "case", row.case_id,
                     after={"commons_category": row.commons_category})
    return len(rows)


def due_days(started: datetime, taken: set[int], today: date) -> list[int]:
    """The follow-up days due by `today` and not taken yet."""
    return [day for day in SNAPSHOT_DAYS
            if day not in taken and started.date() + timedelta(days=day) <= today]


@dataclass(frozen=True)
class Measurement:
    """The figures of a snapshot (the columns of ImpactSnapshot), the requests they cost,
    and how the uses were read (wiki.GLOBAL_USAGE or wiki.FILE_USAGE)."""

    figures: dict[str, Any]
    requests: int
    usage_source: str


def measure(settings: WikiSettings, category: str, today: date) -> Measurement:
    """The figures of a snapshot. WikiDown if a wiki is unreachable.

    When the request budget runs out first, the figures are what was read, shown as a
    lower bound ("1,500+" files), like a category beyond the file cap.
    """
    budget = Budget(settings.max_requests)
    commons = settings.reader(settings.commons_api, budget)
    try:
        usage = wiki.category_usage(commons, category, depth=settings.depth,
                                    cap=settings.file_cap)
    finally:
        commons.close()
    pages = sorted(usage.pages)
    views_budget = Budget(settings.views_max_pages)
    views = wiki.page_views(settings.pageviews_api, pages, today=today,
                            timeout=settings.timeout, agent=settings.agent, budget=views_budget)
    figures = {"files": usage.files, "files_capped": usage.files_capped or not usage.complete,
               "files_in_use": usage.files_in_use, "wikis": usage.wikis, "pages": len(pages),
               "views": views, "views_capped": len(pages) > settings.views_max_pages}
    return Measurement(figures, budget.used + views_budget.used, usage.source)


def take_snapshots(db: Session, row: CaseWiki, settings: WikiSettings,
                   now: datetime) -> tuple[list[ImpactSnapshot], int]:
    """The due snapshots of one case (one measurement serves all days due at once), and
    the requests they cost. WikiDown (nothing recorded) if a wiki is down."""
    if row.impact_started_at is None:
        return [], 0
    taken = set(db.scalars(select(ImpactSnapshot.day)
                           .where(ImpactSnapshot.case_id == row.case_id)))
    days = due_days(row.impact_started_at, taken, now.date())
    if not days:
        return [], 0
    measured = measure(settings, row.commons_category, now.date())
    made = [ImpactSnapshot(case_id=row.case_id, day=day, taken_at=now, **measured.figures)
            for day in days]
    db.add_all(made)
    audit.record(db, None, "wiki.snapshot", "case", row.case_id,
                 after={"days": days, "requests": measured.requests,
                        "usage_source": measured.usage_source, **measured.figures})
    case = db.get(Case, row.case_id)
    if case is not None:
        mail_figures(db, case, made[-1])
    return made, measured.requests


def mail_figures(db: Session, case: Case, snapshot: ImpactSnapshot) -> bool:
    """Tell the requester the figures of a snapshot (through the outbox), unless they
    turned emails off or opted out of these in Preferences. Whether a message was queued."""
    user = case.requester
    if user is not None and (not user.email_notifications or db.scalar(
            select(ImpactMailOptOut.id).where(ImpactMailOptOut.user_id == user.id))):
        return False
    address = case.contact_email or (user.email if user else None)
    if not address:
        return False
    language = (user.language if user else None) or "en"
    base = str(current_app.config.get("HELPDESK_URL") or "").rstrip("/")
    with force_locale(language):
        # Translators: the subject of the impact email; %(ref)s is the case reference, %(day)s a
        # number of days after the upload.
        subject = _("Your files on the wikis: %(ref)s, day %(day)s", ref=case.reference,
                    day=snapshot.day)
        body = render_template(
            "email/impact.txt", case=case, day=snapshot.day, snapshot=snapshot,
            files=labels.capped(snapshot.files, snapshot.files_capped),
            views=labels.capped(snapshot.views, snapshot.views_capped),
            url=f"{base}/requests/{case.reference}", preferences_url=f"{base}/preferences")
    db.add(OutboxMessage(case_id=case.id, recipient_id=user.id if user else None,
                         to_address=address, language=language, kind="impact",
                         subject=subject[:255], body=body))
    return True


def set_impact_mail(db: Session, user: User, wanted: bool) -> bool:
    """Preferences: whether `user` gets the impact emails. Whether anything changed."""
    row = db.scalars(select(ImpactMailOptOut).where(ImpactMailOptOut.user_id == user.id)).first()
    if wanted == (row is None):
        return False
    if wanted and row is not None:
        db.delete(row)
    else:
        db.add(ImpactMailOptOut(user_id=user.id))
    audit.record(db, user, "user.impact_mail", "user", user.id, before={"wanted": not wanted},
                 after={"wanted": wanted})
    return True


def impact_mail_wanted(db: Session, user: User) -> bool:
    """Whether `user` gets the impact emails (the default)."""
    return db.scalar(select(ImpactMailOptOut.id).where(ImpactMailOptOut.user_id == user.id)) \
        is None
