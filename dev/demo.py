"""Demo data for `make run`: the stand-in's accounts with their roles, working-group
members, canned replies, and requests in every state of the workflow — all made
through the same service functions the app uses, so the audit log is real too."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.attention import service as attention_service
from app.auth.models import User
from app.auth.oauth import Identity
from app.auth.service import grant_role, upsert_user
from app.cases import service
from app.cases.access import case_access
from app.cases.models import Case
from app.groups import service as group_service
from app.groups.models import WorkingGroup
from app.meetings.models import Meeting
from app.partners import service as partners
from app.queue import queries as queue_queries
from app.queue import service as queue_service
from app.role_requests import service as role_requests
from dev.demo_meetings import committee_decides, load_meetings_demo, plan_past_meeting
from dev.demo_people import load_people_demo
from dev.demo_wikicheck import load_wikicheck_demo

# (username, central id, roles) — the same accounts the OAuth stand-in offers.
DEMO_USERS: tuple[tuple[str, int, tuple[str, ...]], ...] = (
    ("Ada Requester", 1001, ()),
    ("Ngozi Committee", 1002, ("committee",)),
    ("Mei Committee", 1003, ("committee",)),
    ("Carlos Committee", 1004, ("committee",)),
    ("Sven Helpdesk", 1005, ("helpdesk",)),
    ("Leila Lead", 1006, ()),
    ("Admin Demo", 1007, ("admin",)),
    ("Blocked Example", 1008, ()),
    ("Omar Requester", 1009, ()),
)

# What some demo people say about themselves in their preferences (country, languages,
# regions): the committee page shows its members', "filling the gaps" counts members'.
ABOUT: dict[str, tuple[str, list[str], list[str]]] = {
    "Ngozi Committee": ("NG", ["en", "yo", "ha"], ["ssa"]),
    "Mei Committee": ("TW", ["zh", "en"], ["eseap"]),
    "Carlos Committee": ("AR", ["es", "pt", "en"], ["lac"]),
    "Leila Lead": ("SE", ["sv", "ar", "en"], ["western_europe", "mena"]),
}

ORGANISATIONS = (
    ("National Library of Examples", "glam", "SE", "Q1"),
    ("World Health Example Organization", "igo", "CH", "Q2"),
    ("University of Nairobi Example Archive", "academic", "KE", "Q3"),
    ("Museo de Ejemplo", "glam", "AR", "Q4"),
    ("Climate Data Example Initiative", "ingo", "IN", "Q5"),
)

# (title, organisation index, requester, themes, countries, region, request type,
#  steps to take from "submitted")
CASES: tuple[tuple[str, int, str, list[str], list[str], str, str, tuple[str, ...]], ...] = (
    ("Historic maps of the Baltic coast", 0, "Ada Requester", ["heritage"], ["SE"],
     "western_europe", "commons_upload", ()),
    ("Health infographics in six languages", 1, "Omar Requester", ["health"], ["CH"],
     "western_europe", "commons_upload", ("triage",)),
    ("Photographs of Kenyan independence", 2, "Ada Requester", ["heritage"], ["KE"], "ssa",
     "commons_upload", ("triage", "ask_information")),
    ("Monsoon rainfall data for Wikidata", 4, "Omar Requester", ["climate", "science"],
     ["IN", "BD"], "south_asia", "wikidata_donation", ("triage", "refer")),
    ("Argentine colonial paintings", 3, "Ada Requester", ["heritage"], ["AR"], "lac",
     "commons_upload", ("triage", "proceed")),
    ("Vaccination campaign videos", 1, "Omar Requester", ["health"], ["CH"],
     "western_europe", "commons_upload", ("triage", "proceed", "approve")),
    ("Swedish newspaper archive 1900–1950", 0, "Ada Requester", ["heritage"], ["SE"],
     "western_europe", "other", ("triage", "proceed", "approve", "start_support")),
    ("Flood maps of Bangladesh", 4, "Omar Requester", ["climate"], ["BD"], "south_asia",
     "wikidata_donation",
     ("triage", "proceed", "approve", "start_support", "close_resolved")),
    ("Logos of our partners", 2, "Ada Requester", ["other"], ["KE"], "ssa", "commons_upload",
     ("triage", "decline")),
    ("A project we postponed", 3, "Omar Requester", ["education"], ["AR"], "lac", "other",
     ("triage", "withdraw")),
    # Two more approved requests: with the vaccination videos, the ranked support queue.
    ("Oral histories of the Andes", 3, "Ada Requester", ["heritage"], ["AR"], "lac",
     "commons_upload", ("triage", "proceed", "approve")),
    ("Bird sound recordings of Kenya", 2, "Omar Requester", ["science"], ["KE"], "ssa",
     "commons_upload", ("triage", "proceed", "approve")),
)

CANNED = (
    ("en", "Thanks for your request",
     "Thank you, $organisation! We received $reference and the helpdesk will look at it "
     "soon. Next step: $next_step."),
    ("sv", "Tack för er förfrågan",
     "Tack, $organisation! Vi har tagit emot $reference. Nästa steg: $next_step."),
)


def _users(db: Session) -> dict[str, User]:
    """The accounts as their first sign-in makes them (audited `user.create`), with
    their roles granted and what they say about themselves."""
    users = {}
    for username, central_id, roles in DEMO_USERS:
        user = upsert_user(db, Identity(central_id=central_id, username=username,
                                        blocked=username.startswith("Blocked"), claims={}))
        user.country, user.languages, user.regions = ABOUT.get(username, (None, [], []))
        db.flush()
        for role in roles:
            grant_role(db, user, role, None)
        users[username] = user
    return users


# (group, member, lead, listed publicly, country the member works from)
MEMBERSHIPS = (
    ("implementation", "Leila Lead", True, True, "SE"),
    ("translation", "Leila Lead", False, False, None),
    ("communication", "Sven Helpdesk", True, True, "SE"),
)


def _groups(db: Session, users: dict[str, User]) -> None:
    """The working groups' members, as they joined: each asked, an administrator
    accepted and made the leads, the member chose to be listed (all audited)."""
    groups = {g.slug: g for g in db.scalars(select(WorkingGroup))}
    admin = users["Admin Demo"]
    for slug, username, lead, listed, country in MEMBERSHIPS:
        group, user = groups[slug], users[username]
        asked = group_service.request_to_join(db, group, user, "I would like to help.")
        membership = group_service.accept(db, group, asked, admin)
        membership.country = country
        if lead:
            group_service.set_lead(db, group, username, True, admin)
        group_service.set_listing(db, group, user, listed)
    db.flush()


COMMITTEE_STEPS = ("ask_information", "refer", "proceed", "approve", "decline")


def _advance(db: Session, case: Case, step: str, users: dict[str, User],
             meeting: Meeting | None) -> None:
    """One step of the workflow; a committee decision at `meeting` when one is given."""
    sven = users["Sven Helpdesk"]
    if step in ("triage", "start_support"):
        service.move(db, case, sven, {"helpdesk"}, step)
    elif step == "close_resolved":
        service.move(db, case, sven, {"helpdesk"}, step,
                     message="The upload is finished. Thank you!")
    elif step == "withdraw":
        service.move(db, case, case.requester, {"requester"}, step)
    else:
        committee_decides(db, case, step, users, meeting)
    db.flush()


def _meeting_for(steps: tuple[str, ...], index: int, past: Meeting) -> Meeting | None:
    """Last month's meeting took each case's latest committee decision; the earlier ones
    (a proceed before the final go) and referrals (which name working groups, so the
    case page records them) were taken on the case page."""
    step = steps[index]
    latest = [i for i, s in enumerate(steps) if s in COMMITTEE_STEPS][-1:]
    return past if step != "refer" and latest == [index] else None


def load_demo_data(db: Session) -> bool:
    """Create the demo data; False when it was already there."""
    if db.scalars(select(User).where(User.central_id == DEMO_USERS[0][1])).first():
        return False
    users = _users(db)
    _groups(db, users)
    admin = users["Admin Demo"]
    organisations = [partners.create(db, admin, {
        "name": name, "kind": kind, "country": country, "website": None,
        "wikidata_item": item, "themes": [], "notes": None})
        for name, kind, country, item in ORGANISATIONS]
    past = plan_past_meeting(db, users)
    for title, org_index, requester, themes, countries, region, request_type, steps in CASES:
        user = users[requester]
        case = service.create_case(db, user, {
            "title": title, "description": f"{title}: about 2,000 items, digitised.",
            "organisation_id": organisations[org_index].id, "request_type": request_type,
            "content_kinds": ["data"] if request_type == "wikidata_donation" else ["images"],
            "content_volume": "about 2,000 items", "licence": "cc_by_sa",
            "target_projects": ["wikidata"] if request_type == "wikidata_donation"
            else ["commons"], "themes": themes, "countries": countries, "region": region,
            "languages": ["en"], "support_types": ["mass_upload"], "timeline": "2027",
            "public_listing": True, "requester_id": user.id,
            "contact_name": requester, "contact_email": "requester@example.org",
            "public_summary": f"{organisations[org_index].name}: {title.lower()}.",
        })
        db.flush()
        for index, step in enumerate(steps):
            _advance(db, case, step, users, _meeting_for(steps, index, past))
    load_meetings_demo(db, users, past)
    for language, title, body in CANNED:
        service.add_canned_reply(db, admin, {"language": language, "title": title,
                                             "body": body})
    _rank_the_queue(db, users)
    _saved_views(db, users)
    load_people_demo(db, users)
    load_wikicheck_demo(db, users)
    _role_requests(db, users)
    db.commit()
    return True


def _role_requests(db: Session, users: dict[str, User]) -> None:
    """Omar offers to help on the helpdesk (waiting for an administrator); Leila asked to
    join the committee and was declined with an answer (app/role_requests)."""
    role_requests.ask(db, users["Omar Requester"], "helpdesk",
                      "I answered questions on the Commons help desk for two years and "
                      "speak Arabic and French. About 5 hours a week.")
    leila = role_requests.ask(db, users["Leila Lead"], "committee",
                              "I lead the implementation group and know the upload tools.")
    role_requests.decline(db, leila.id, users["Admin Demo"],
                          "The committee is full until the next election in March; the "
                          "implementation group needs you as its lead until then.")


def _saved_views(db: Session, users: dict[str, User]) -> None:
    """Ngozi's saved filters on the committee dashboard (app/attention): two tabs."""
    ngozi = users["Ngozi Committee"]
    for name, args, uses in (("Heritage", {"theme": "heritage", "state": "all"}, 3),
                             ("Urgent", {"priority": "urgent"}, 1)):
        view = attention_service.save_view(db, ngozi, name, args, 0)
        view.uses = uses


def _rank_the_queue(db: Session, users: dict[str, User]) -> None:
    """The committee moves the bird recordings up the support queue; the helpdesk labels
    the oral histories (app/queue/)."""
    order = queue_queries.queue_order(db)
    by_title = {case.title: case for case in db.scalars(select(Case).where(Case.id.in_(order)))}
    birds = by_title["Bird sound recordings of Kenya"]
    andes = by_title["Oral histories of the Andes"]
    queue_service.move_case(db, users["Ngozi Committee"], birds.id, "up",
                            "The recordings are at risk: the tapes are decaying.", order)
    sven = users["Sven Helpdesk"]
    queue_service.add_label(db, andes, sven, case_access(db, sven, andes), "needs OCR",
                            andes.version)
    db.flush()
