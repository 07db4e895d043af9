"""Demo data of the wiki checks and the impact follow-up (app/wikicheck): the first case
with a Commons category, checks as the wiki answered them (one overridden), its follow-up
begun with day-0 and day-30 snapshots, and one requester who turned the impact emails off.
No wiki is asked: the figures are made up."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases.models import Case
from app.core.models import utcnow
from app.wikicheck.models import CaseWiki, ImpactMailOptOut, ImpactSnapshot


def load_wikicheck_demo(db: Session, users: dict[str, User]) -> None:
    """Add the demo rows (called by dev.demo.load_demo_data)."""
    case = db.scalars(select(Case).order_by(Case.id)).first()
    if case is None:
        return
    now = utcnow()
    started = now - timedelta(days=31)
    stamp = (now - timedelta(days=1)).isoformat()
    url = "https://commons.wikimedia.org/w/index.php?title=Category:Maps_of_the_Baltic"
    db.add(CaseWiki(
        case_id=case.id, commons_category="Category:Maps of the Baltic",
        wikidata_item="Q1501101", checked_at=now - timedelta(days=1),
        impact_started_at=started, updated_at=now,
        checks={
            "category": {"status": "passed", "code": "found", "count": 214, "url": url,
                         "checked_at": stamp},
            "licence": {"status": "overridden", "code": "override", "by": "Sven Helpdesk",
                        "reason": "Two scans await their permission ticket (VRT).",
                        "checked_at": stamp},
            "test_batch": {"status": "passed", "code": "enough", "count": 214, "needed": 10,
                           "url": url, "checked_at": stamp},
            "organisation": {"status": "passed", "code": "organisation", "classes": ["Q33506"],
                             "url": "https://www.wikidata.org/w/index.php?title=Q1501101",
                             "checked_at": stamp},
        }))
    db.add_all([
        ImpactSnapshot(case_id=case.id, day=0, taken_at=started, files=214, files_in_use=12,
                       wikis=3, pages=15, views=4120),
        ImpactSnapshot(case_id=case.id, day=30, taken_at=now - timedelta(days=1), files=214,
                       files_in_use=37, wikis=9, pages=48, views=18755),
    ])
    omar = users.get("Omar Requester")
    if omar is not None:
        db.add(ImpactMailOptOut(user_id=omar.id))
    db.flush()
