"""Demo data of the right people (app/people): directory entries, affiliates and asks,
made through the service functions, so the audit log is real too."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases.models import Case
from app.groups.models import WorkingGroup
from app.people import service

# username → (skills, themes of interest, whether the roles are shown); everything else
# is shown, but Carlos hides his themes.
ENTRIES: tuple[tuple[str, tuple[str, ...], tuple[str, ...], bool], ...] = (
    ("Ngozi Committee", ("licensing", "partnership-agreements"), ("health", "gender"), True),
    ("Leila Lead", ("translation", "outreach", "metadata"), ("heritage", "education"), True),
    ("Sven Helpdesk", ("mass-uploads", "upload-tools", "openrefine"), ("heritage",), True),
    ("Carlos Committee", ("wikidata-modelling",), ("climate", "science"), False),
)

AFFILIATES = (
    service.AffiliateFields("Wikimedia Sverige", "chapter", ("SE",),
                            "https://meta.wikimedia.org/wiki/Wikimedia_Sverige",
                            themes=("heritage", "education")),
    service.AffiliateFields("Wikimedia Argentina", "chapter", ("AR",),
                            "https://meta.wikimedia.org/wiki/Wikimedia_Argentina"),
    service.AffiliateFields("Wikimedia Community User Group Nigeria", "user_group", ("NG",),
                            "https://meta.wikimedia.org/wiki/Wikimedia_Nigeria"),
    service.AffiliateFields("Wikimedians for Sustainable Development", "thematic", (),
                            "https://meta.wikimedia.org/wiki/Wikimedians_for_Sustainable_"
                            "Development", themes=("sustainable_development", "climate")),
    service.AffiliateFields("WikiProject Med Foundation", "thematic", (),
                            "https://meta.wikimedia.org/wiki/WikiProject_Med",
                            themes=("health",)),
    service.AffiliateFields("Art+Feminism", "user_group", (),
                            "https://meta.wikimedia.org/wiki/Art%2BFeminism_User_Group",
                            themes=("gender", "heritage")),
    service.AffiliateFields("Wikimedia CH (former)", "chapter", ("CH",), "", False),
)


def load_people_demo(db: Session, users: dict[str, User]) -> None:
    """Directory entries (with skills and themes), affiliates (three thematic ones, with
    themes and no country), and three asks of Implementation (Leila leads it): one open
    in Swahili and English, one taken by Omar, one done."""
    for username, skills, themes, roles in ENTRIES:
        service.save_entry(db, users[username], service.EntryChoice(
            listed=True, show_roles=roles, skills=skills, themes=themes,
            show_themes=username != "Carlos Committee"))
    admin = users["Admin Demo"]
    for fields in AFFILIATES:
        service.save_affiliate(db, None, fields, admin)
    group = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == "implementation")).one()
    leila = users["Leila Lead"]
    case = db.scalars(select(Case).where(Case.title == "Bird sound recordings of Kenya")).first()
    service.post_ask(db, group, service.AskFields(
        "Check the species names in Swahili",
        "About 300 recordings need their Swahili names checked before upload.",
        case.reference if case else "", ("sw", "en"), ("metadata", "translation")), leila)
    taken = service.post_ask(db, group, service.AskFields(
        "Write an OpenRefine recipe for the rainfall data", "", "", (), ("openrefine",)),
        leila)
    service.take_ask(db, taken, users["Omar Requester"])
    done = service.post_ask(db, group, service.AskFields(
        "Proofread the upload guide", "", "", ("en",), ()), leila)
    service.mark_done(db, done, leila)
