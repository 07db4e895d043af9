"""The bot mirrors the committee's public minutes, the working groups' asks and the cases'
impact figures to a real MediaWiki, reading the real app served on loopback.

What must never reach the wiki is planted with a marker (an internal rationale, internal
minutes, a request that is not public, its impact figures) and looked for on every page
the bot wrote.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select

from app.cases.models import Case
from app.core.models import utcnow
from app.groups.models import WorkingGroup
from app.meetings import service as meetings
from app.meetings.models import Meeting
from app.people import service as people
from app.people.queries import skill_names
from app.wikicheck.models import ImpactSnapshot
from bot.blocks import find_block
from bot.config import BotConfig
from bot.sync import SyncReport, run_sync
from tests.bot_fixtures import ServedApp, add_case, add_member, bot_config, refer
from tests.factories import make_user
from tests.helpers import app_session
from tests.mediawiki import ThrowawayWiki
from tests.meetings.support import MEMBERS, case_in, make_meeting, setup_people, user

MARKER = "INTERNAL-ONLY-7f3a"
PRIVATE_FIGURE = 987654


def quiet(_text: str) -> None:
    """Swallow dry-run output."""


def sync(config: BotConfig, **options: Any) -> SyncReport:
    return run_sync(config, out=quiet, **options)


def wiki_pages(wiki: ThrowawayWiki, prefix: str) -> dict[str, str]:
    """Every page under `prefix` with its text."""
    found = wiki.api({"action": "query", "list": "allpages", "apprefix": prefix,
                      "aplimit": "max"})["query"]["allpages"]
    texts = {page["title"]: wiki.page_text(page["title"]) for page in found}
    return {title: text for title, text in texts.items() if text is not None}


def block_of(wiki: ThrowawayWiki, title: str) -> str:
    text = wiki.page_text(title)
    assert text is not None, f"{title} does not exist"
    block = find_block(text)
    assert block is not None, f"{title} has no block"
    return block.inner


# -- the public minutes ---------------------------------------------------------------------------

def hold_meeting(app: Flask) -> tuple[int, str, str]:
    """A meeting that decided on a public and a private request, with internal minutes
    and rationales carrying MARKER; it began an hour ago. Its id and the two references."""
    setup_people(app)
    public_ref = case_in(app, "in_initial_review", "Maps of the Baltic")
    private_ref = case_in(app, "in_initial_review", f"Private request {MARKER}", public=False)
    meeting_id = make_meeting(app, "December meeting", utcnow() + timedelta(minutes=5))
    with app_session(app) as db:
        meeting = db.get(Meeting, meeting_id)
        assert meeting is not None
        chair = user(db, "Ngozi Committee")
        for reference, public in ((public_ref, "A clear, open licence."),
                                  (private_ref, f"Public words on a private case {MARKER}")):
            case = db.scalars(select(Case).where(Case.reference == reference)).one()
            for name in MEMBERS:
                meetings.record_vote_aloud(db, meeting, chair, case, user(db, name), "proceed",
                                           f"{MARKER} vote comment")
            meetings.record_decision(db, meeting, chair, case, outcome="proceed",
                                     rationale=f"{MARKER} internal rationale",
                                     public_rationale=public)
            meetings.save_case_minute(db, meeting, chair, case, f"{MARKER} case minute")
        meetings.save_notes(db, meeting, chair, f"{MARKER} general minutes")
        meeting.starts_at = utcnow() - timedelta(hours=1)
    return meeting_id, public_ref, private_ref


def test_public_minutes_get_a_page_and_an_index_and_nothing_internal_reaches_the_wiki(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    meeting_id, public_ref, private_ref = hold_meeting(served_app.app)
    make_meeting(served_app.app, "Next meeting", utcnow() + timedelta(days=20))
    config = bot_config(bot_wiki, served_app.url, tmp_path, languages=("en", "ar"))

    report = sync(config)

    assert report.exit_code == 0, (report.fatal, report.pages)
    index = config.meetings_title
    day = (utcnow() - timedelta(hours=1)).date().isoformat()
    page = f"{index}/{day}"
    assert report.outcome(page).action == "created"  # type: ignore[union-attr]
    assert report.outcome(f"{page}/ar").action == "created"  # type: ignore[union-attr]
    minutes = block_of(bot_wiki, page)
    assert "'''<bdi>December meeting</bdi>'''" in minutes
    assert (f"/cases/{public_ref} {public_ref}] <bdi>Maps of the Baltic</bdi>: "
            "'''Proceed to final go''' – <bdi>A clear, open licence.</bdi>") in minutes
    assert "[[User:Ngozi Committee|<bdi>Ngozi Committee</bdi>]]" in minutes
    assert f"{served_app.url}/meetings/{meeting_id} " in minutes
    listing = block_of(bot_wiki, index)
    assert f"[[{page}|<bdi>December meeting</bdi>]]" in listing
    assert "Next meeting" not in listing  # not held yet: no minutes
    assert f"[[{page}/ar|" in block_of(bot_wiki, f"{index}/ar")
    assert 'lang="ar" dir="rtl"' in block_of(bot_wiki, f"{page}/ar")

    pages = wiki_pages(bot_wiki, config.page_prefix)
    assert {index, f"{index}/ar", page, f"{page}/ar", config.cases_title} <= set(pages)
    for title, text in pages.items():
        assert MARKER not in text, title
        assert private_ref not in text, title

    revisions = {title: bot_wiki.revision_count(title) for title in pages}
    again = sync(config)
    assert again.exit_code == 0 and again.edits == 0, again.pages
    assert {outcome.action for outcome in again.pages} == {"unchanged"}
    assert again.app_reads == 5  # cases, groups, asks, the meetings and the one held
    assert {title: bot_wiki.revision_count(title) for title in pages} == revisions

    only = sync(config, only="meetings")
    assert only.exit_code == 0 and only.app_reads == 2 and only.edits == 0
    assert {outcome.title for outcome in only.pages} == {index, f"{index}/ar", page,
                                                          f"{page}/ar"}


# -- the asks on the rosters ---------------------------------------------------------------

def post_asks(app: Flask) -> tuple[str, str]:
    """Asks of the translation group: one about a public request, one taken, one about a
    request that is not public (its case must not show). The two references."""
    public_ref = add_case(app, "Needs translators")
    private_ref = add_case(app, f"Secret request {MARKER}", public=False)
    refer(app, private_ref, "translation")
    add_member(app, "Leila Lead", "translation", lead=True)
    with app_session(app) as db:
        lead = make_user(db, "Leila Lead")
        group = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == "translation")).one()
        if "licensing" not in skill_names(db):
            people.add_skill(db, "licensing", "Licensing and copyright", lead)
        people.post_ask(db, group, people.AskFields(
            title="Translate the upload guide", description="About 2,000 words.",
            case_reference=public_ref, languages=("sv", "ar"), skills=("licensing",)), lead)
        taken = people.post_ask(db, group, people.AskFields(title="Proofread the captions"),
                                lead)
        people.take_ask(db, taken, make_user(db, "Mei Volunteer"))
        people.post_ask(db, group, people.AskFields(
            title="Check the licences", case_reference=private_ref), lead)
        done = people.post_ask(db, group, people.AskFields(title="Already done ask"), lead)
        people.mark_done(db, done, lead)
    return public_ref, private_ref


def test_rosters_carry_the_groups_open_asks(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    public_ref, private_ref = post_asks(served_app.app)
    config = bot_config(bot_wiki, served_app.url, tmp_path, languages=("en", "sv"))

    report = sync(config, only="groups")

    assert report.exit_code == 0, (report.fatal, report.pages)
    roster = block_of(bot_wiki, config.group_title("Translation", "translation"))
    assert "Open asks: 2" in roster  # the taken one is listed, not counted as open
    assert "/groups/translation#ask-" in roster
    assert "<bdi>Translate the upload guide</bdi>]<br /><bdi>About 2,000 words.</bdi>" in roster
    assert "| Swedish, Arabic\n| <bdi>Licensing and copyright</bdi>\n" in roster
    assert f"| [{served_app.url}/cases/{public_ref} {public_ref}]\n| Open\n" in roster
    assert "Proofread the captions" in roster and "| Taken\n" in roster
    assert "Check the licences" in roster
    assert "Already done ask" not in roster
    assert "Mei Volunteer" not in roster  # who took an ask is not public
    swedish = block_of(bot_wiki, config.group_title("Translation", "translation") + "/sv")
    assert "svenska" in swedish and "arabiska" in swedish
    other = block_of(bot_wiki, config.group_title("Communication", "communication"))
    assert "''No open asks.''" in other and "Translate the upload guide" not in other
    for title, text in wiki_pages(bot_wiki, config.page_prefix).items():
        assert MARKER not in text and private_ref not in text, title
    assert sync(config, only="groups").edits == 0


# -- the impact on the cases page ----------------------------------------------------------

def add_impact(app: Flask, reference: str, **figures: Any) -> None:
    with app_session(app) as db:
        case = db.scalars(select(Case).where(Case.reference == reference)).one()
        db.add(ImpactSnapshot(case_id=case.id, day=0, files=1, files_in_use=1, wikis=1, pages=1,
                              views=1))
        db.add(ImpactSnapshot(case_id=case.id, day=30, **figures))


def test_the_cases_page_carries_the_impact_of_consenting_cases_only(
    bot_wiki: ThrowawayWiki, served_app: ServedApp, tmp_path: Path
) -> None:
    app = served_app.app
    listed = add_case(app, "Harbour photographs", closed=True)
    unlisted = add_case(app, "Unlisted harbour photographs", public=False, closed=True)
    add_case(app, "Not followed yet")
    add_impact(app, listed, files=1234, files_in_use=56, wikis=7, pages=89, views=123456)
    add_impact(app, unlisted, files=PRIVATE_FIGURE, files_in_use=PRIVATE_FIGURE, wikis=3,
               pages=PRIVATE_FIGURE, views=PRIVATE_FIGURE)
    config = bot_config(bot_wiki, served_app.url, tmp_path, languages=("en", "bn"))

    report = sync(config, only="cases")

    assert report.exit_code == 0, (report.fatal, report.pages)
    assert report.app_reads == 1  # the figures come with the case list
    overview = block_of(bot_wiki, config.cases_title)
    impact = overview.split("|+ Impact of the requests")[1].split("|}")[0]
    assert f"/cases/{listed} {listed}]\n| <bdi>Harbour photographs</bdi>\n" in impact
    assert ('| data-sort-value="1234" | 1,234\n| data-sort-value="56" | 56\n'
            '| data-sort-value="7" | 7\n| data-sort-value="89" | 89\n'
            '| data-sort-value="123456" | 123,456\n') in impact
    assert f'| data-sort-value="{utcnow().date().isoformat()}" |' in impact
    assert impact.count("\n|-\n") == 1  # nor the case without figures
    assert "১,২৩,৪৫৬" in block_of(bot_wiki, f"{config.cases_title}/bn")
    for title, text in wiki_pages(bot_wiki, config.page_prefix).items():
        assert unlisted not in text and str(PRIVATE_FIGURE) not in text, title
        assert "987,654" not in text and "9,87,654" not in text, title
    assert sync(config, only="cases").edits == 0
