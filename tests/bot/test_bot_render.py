"""Unit tests of the bot's wikitext: escaping, the blocks in six languages, the labels
taken from the app's catalogues, dates, edit summaries and message extraction."""

from __future__ import annotations

import html
import re
from datetime import date
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from hypothesis import given, settings
from hypothesis import strategies as st

from bot import labels, render, wikitext
from bot.blocks import BEGIN, END
from bot.i18n import LANGUAGES, language, languages
from bot.minutes import (
    parse_meeting,
    render_meeting_index,
    render_minutes,
    summary_for_meetings,
)
from bot.model import parse_asks
from tests.bot.samples import (
    HOSTILE,
    TOOL,
    ask_json,
    case_json,
    closed_case_json,
    impact_json,
    meeting_json,
    parsed_cases,
    parsed_group,
)

REPO = Path(__file__).resolve().parents[2]
DAY = date(2026, 12, 4)

# -- escaping -------------------------------------------------------------------------

FORBIDDEN = ("[[", "]]", "{{", "}}", "[", "]", "{", "}", "|", "~~~", "__", "<", ">", "\n",
             "\r", "://", "ISBN ", "RFC ", "PMID ", "''", "-->", "\u202e", "\u2066", "\x7f")


def assert_inert(text: str) -> None:
    for bad in FORBIDDEN:
        assert bad not in text, (bad, text)
    assert text[:1] not in ("*", "#", ":", ";", "=", " ", "!", "-")
    assert not re.search(r"[\x00-\x1f]", text)


@pytest.mark.parametrize("value", HOSTILE)
def test_escape_makes_hostile_text_inert_and_shows_it_literally(value: str) -> None:
    escaped = wikitext.escape(value)
    assert_inert(escaped)
    # A reader sees exactly the cleaned text: character references decode to it.
    assert html.unescape(escaped) == wikitext.clean_text(value)
    assert "\ue000" not in escaped and "\ue001" not in escaped  # the date placeholders


ALPHABET = st.sampled_from(
    [*list("[]{}|~_<>&'\"=*#:;!- \n\tISBNRFCPMID/htps%()"), "\u202e", "\u2028", "\x00", "é",
     "ب"])


@given(st.text(alphabet=ALPHABET, max_size=60))
@settings(max_examples=300, deadline=None, database=None)
def test_escape_invariants_hold_for_any_text(value: str) -> None:
    escaped = wikitext.escape(value)
    assert_inert(escaped)
    assert html.unescape(escaped) == wikitext.clean_text(value)


@given(st.text(alphabet=ALPHABET, max_size=60))
@settings(max_examples=300, deadline=None, database=None)
def test_messages_are_inert_too_but_stay_readable(value: str) -> None:
    escaped = wikitext.escape_message(value)
    assert_inert(escaped)
    assert wikitext.escape_message("l'outil: 50 % (x)") == "l'outil: 50 % (x)"
    assert wikitext.escape_message("'x'") == "&#39;x&#39;"  # never beside the bot's own ''


def test_fill_puts_wikitext_into_escaped_messages() -> None:
    assert wikitext.fill("See %(link)s [now]", link="[[A|b]]") == "See [[A|b]] &#91;now&#93;"
    # A translation with a broken placeholder does not fail the run.
    assert wikitext.fill("See %(lnk)s and %", link="x") == "See  and %"


def test_clean_text_normalises_and_truncates() -> None:
    assert wikitext.clean_text("  a\n\tb  c ") == "a b c"
    assert wikitext.clean_text("e\u0301") == "\u00e9"  # NFC, as MediaWiki stores it
    assert wikitext.clean_text("x" * 20, limit=10) == "x" * 9 + "…"
    assert wikitext.clean_text("\u202eabc\u202c") == "abc"
    assert wikitext.clean_text("\u200cZWNJ\u200d") == "\u200cZWNJ\u200d"  # scripts need these


def test_safe_url_percent_encodes_everything_risky() -> None:
    assert wikitext.safe_url(f"{TOOL}/cases/CPH-2026-0042") == f"{TOOL}/cases/CPH-2026-0042"
    url = wikitext.safe_url("https://x.example/a b]c[d|e{f}g<h>i'j~~~~k__NOTOC__l\"m")
    assert url == ("https://x.example/a%20b%5Dc%5Bd%7Ce%7Bf%7Dg%3Ch%3Ei%27j%7E%7E%7E%7Ek"
                   "%5F%5FNOTOC%5F%5Fl%22m")
    assert wikitext.safe_url("javascript:alert(1)") is None
    assert wikitext.safe_url("//evil.example/x") is None
    assert wikitext.safe_url("ftp://x.example/") is None
    assert wikitext.external_link("javascript:x", "label") == "label"


def test_user_links_only_plain_names() -> None:
    assert wikitext.user_link("Leila Lead") == "[[User:Leila Lead|<bdi>Leila Lead</bdi>]]"
    assert wikitext.user_link("লায়লা").startswith("[[User:লায়লা|")
    assert wikitext.user_link("O'Brien (WMSE)").startswith("[[User:O'Brien (WMSE)|")
    assert wikitext.user_link("Bot", "User talk") == "[[User talk:Bot|<bdi>Bot</bdi>]]"
    for name in ("A]]B", "A|B", "A{{B}}", "A~~~~", "A:B", "A/B", "A__B", "A''B", "<b>",
                 "\u202eA", "A\nB", " A"):
        link = wikitext.user_link(name)
        assert "[[" not in link, name
        assert_inert(link.removeprefix("<bdi>").removesuffix("</bdi>"))


def test_tool_links_in_summaries_use_the_toolforge_interwiki() -> None:
    assert wikitext.tool_link(TOOL, "the Helpdesk") == "[[toolforge:cp-helpdesk|the Helpdesk]]"
    assert wikitext.tool_link(f"{TOOL}/sub/", "x") == "[[toolforge:cp-helpdesk/sub|x]]"
    assert wikitext.tool_link("http://127.0.0.1:5000", "x") == "x (http://127.0.0.1:5000)"
    assert wikitext.tool_link("https://evil.toolforge.org.example", "x") == (
        "x (https://evil.toolforge.org.example)")


# -- the blocks -----------------------------------------------------------------------------

def context(code: str = "en", base: str = "Hub/Cases", account: str | None = "HelpdeskBot",
            codes: tuple[str, ...] = LANGUAGES) -> render.Context:
    versions = tuple((lang, base if lang.code == "en" else f"{base}/{lang.code}")
                     for lang in languages(codes))
    title = {lang.code: title for lang, title in versions}[code]
    return render.Context(language(code), title, versions, TOOL, account)


def data_of(body: str) -> str:
    """What a page transcludes: the <onlyinclude> part."""
    found = re.findall(r"<onlyinclude>(.*?)</onlyinclude>", body, re.S)
    assert len(found) == 1
    return found[0]


def table_rows(body: str) -> list[list[str]]:
    rows = []
    for table in re.findall(r"\{\|.*?\n\|\}", body, re.S):
        for chunk in table.split("\n|-\n")[1:]:
            rows.append(chunk.removesuffix("\n|}").splitlines())
    return rows


CASES = parsed_cases(case_json(), closed_case_json())


def test_cases_block_lists_open_cases_and_links_the_yearly_archives() -> None:
    body = render.stamp(render.render_cases(context(), CASES, [(2026, "Hub/Cases/Archive/2026")]),
                        DAY, language("en"))
    assert body.startswith("<!-- Generated by the Helpdesk bot from "
                           f"{TOOL} ; last changed 2026-12-04.")
    data = data_of(body)
    assert data.startswith('<div lang="en" dir="ltr">\n') and data.endswith("\n</div>")
    assert "'''Status:''' 1 open (In initial review: 1); 1 closed (Withdrawn: 1)." in data
    assert "|+ Open requests" in data and "==" not in body  # a caption, no heading
    assert table_rows(data) == [[
        f"| [{TOOL}/cases/CPH-2026-0042 CPH-2026-0042]",  # the link says what it links to
        "| <bdi>Digitised maps of the Baltic</bdi>",
        "| <bdi>Museum of Examples</bdi> (GLAM)",
        "| Cultural heritage, Science",
        "| Western Europe",
        "| In initial review",
        '| data-sort-value="2026-11-20" | 20 Nov 2026',  # since, not "days in stage"
        '| data-sort-value="2026-11-27" | 27 Nov 2026',
    ]]
    assert "'''Closed requests by year:''' [[Hub/Cases/Archive/2026|2026]]" in data
    assert "CPH-2026-0007" not in data  # closed cases are in the archive


def test_every_block_has_a_language_bar_and_a_maintained_by_line() -> None:
    body = render.stamp(render.render_status(context("sv"), CASES), DAY, language("sv"))
    notice = body.split("<onlyinclude>")[0]
    assert "[[Hub/Cases|<bdi>English</bdi>]]" in notice
    assert "'''<bdi>svenska</bdi>'''" in notice  # the current language, not linked
    assert "[[Hub/Cases/bn|<bdi>বাংলা</bdi>]]" in notice
    assert "[[User:HelpdeskBot|<bdi>HelpdeskBot</bdi>]]" in notice
    assert f"[{TOOL} " in notice  # the tool, linked
    assert "4 december 2026" in notice  # last updated, in Swedish
    assert "[[User talk:HelpdeskBot|" in notice
    single = render.render_status(context(codes=("en",)), CASES)
    assert "Languages:" not in single


def test_the_status_page_transcludes_inline() -> None:
    body = render.render_status(context(), CASES)
    data = data_of(body)
    assert "\n" not in data
    assert data == ('<span lang="en" dir="ltr">'
                    "'''Status:''' 1 open (In initial review: 1); 1 closed (Withdrawn: 1)."
                    "</span>")
    assert render.status_line([], language("en")) == (
        "'''Status:''' there are no public requests yet.")


def test_the_archive_lists_one_years_closed_cases_newest_first() -> None:
    cases = parsed_cases(
        case_json(),
        closed_case_json("CPH-2026-0007", state_changed_at="2026-03-01T10:00:00Z"),
        closed_case_json("CPH-2026-0008", state_changed_at="2026-05-01T10:00:00Z",
                         state="declined", state_label="Declined"),
        closed_case_json("CPH-2025-0009", state_changed_at="2025-12-31T10:00:00Z"),
    )
    body = render.render_archive(context(base="Hub/Cases/Archive/2026"), 2026, cases,
                                 "Hub/Cases")
    data = data_of(body)
    assert "[[Hub/Cases|Open requests]]" in data
    assert "|+ Requests closed in 2026" in data
    refs = [row[0] for row in table_rows(data)]
    assert refs == [f"| [{TOOL}/cases/CPH-2026-0008 CPH-2026-0008]",
                    f"| [{TOOL}/cases/CPH-2026-0007 CPH-2026-0007]"]
    assert table_rows(data)[0][5:] == ["| Declined",
                                       '| data-sort-value="2026-05-01" | 1 May 2026']
    empty = data_of(render.render_archive(context(), 2024, cases, "Hub/Cases"))
    assert "No request of that year is publicly listed." in empty


def test_unlisted_references_stay_by_reference_only() -> None:
    body = render.render_cases(context(), [], [], ["CPH-2026-0001", "CPH-2026-0002"])
    assert "''There are no open requests.''" in body
    assert "''No request has been closed yet.''" in body
    assert "''No longer publicly listed:'' CPH-2026-0001, CPH-2026-0002" in body


@pytest.mark.parametrize("code", LANGUAGES)
def test_blocks_render_in_each_language_from_the_apps_catalogues(code: str) -> None:
    lang = language(code)
    body = render.stamp(render.render_cases(context(code), CASES), DAY, lang)
    data = data_of(body)
    assert data.startswith(f'<div lang="{code}" dir="{lang.direction}">')
    # State labels come from the app's catalogue (translated there already).
    assert labels.label(lang, labels.STATES, "in_initial_review") in data
    assert lang.date(DAY) in body
    if code == "ar":
        assert lang.direction == "rtl" and 'dir="rtl"' in body
        assert "قيد المراجعة الأولية" in data and "ديسمبر" in body
    if code == "sv":
        assert "Under första granskning" in data
    if code == "bn":
        assert "৪ ডিসেম্বর" in body and "২০২৬" in body  # Bengali digits (CLDR: beng)
    if code == "en":
        assert "4 December 2026" in body


def test_dates_and_numbers_follow_cldr() -> None:
    assert language("en").date(DAY) == "4 December 2026"
    assert language("en").date(DAY, "medium") == "4 Dec 2026"
    assert language("fr").date(DAY) == "4 décembre 2026"
    assert language("ar").date(DAY) == "4 ديسمبر 2026"  # CLDR: Latin digits for ar
    assert language("bn").number(1234) == "১,২৩৪"
    assert language("sv").number(3) == "3"


def test_an_uncompiled_catalogue_is_read_from_its_po_file(tmp_path: Path) -> None:
    folder = tmp_path / "sv" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    po = (REPO / "translations" / "sv" / "LC_MESSAGES" / "messages.po").read_text()
    (folder / "messages.po").write_text(po)
    swedish = language("sv", tmp_path)
    assert swedish.gettext("In initial review") == "Under första granskning"
    assert language("fr", tmp_path).gettext("In initial review") == "In initial review"


def test_a_missing_translation_falls_back_to_english() -> None:
    sv = language("sv")
    # A message the catalogue does not have yet reads in English, not as an error...
    assert sv.gettext("A message no catalogue has yet") == "A message no catalogue has yet"
    assert sv.pgettext("no such context", "Status:") == "Status:"
    # ...while the ones it has are translated.
    assert sv.gettext("Requests closed in %(year)s") != "Requests closed in %(year)s"


def test_rosters_show_leads_members_since_asks_and_referrals() -> None:
    group = parsed_group()
    asks = parse_asks({"asks": [ask_json(), ask_json(id=4, title="Check licences", case=None,
                                                     status="taken")]})
    body = render.stamp(render.render_group(context(base="Hub/Working groups/Communication"),
                                            group, asks), DAY, language("en"))
    data = data_of(body)
    assert "Leads: [[User:Leila Lead|<bdi>Leila Lead</bdi>]]" in data
    assert "Listed members: 2" in data and "Open asks: 1" in data  # the taken one is not open
    assert f"[{TOOL}/groups/communication <bdi>Communication</bdi> in the Helpdesk]" in data
    assert ["| [[User:Omar Member|<bdi>Omar Member</bdi>]]", "| Member",
            '| data-sort-value="2026-02-04" | 4 Feb 2026'] in table_rows(data)
    assert [f"| [{TOOL}/groups/communication#ask-3 <bdi>Translate the upload guide</bdi>]"
            "<br /><bdi>About 2,000 words.</bdi>", "| Swedish, Arabic", "| <bdi>Translation</bdi>",
            f"| [{TOOL}/cases/CPH-2026-0042 CPH-2026-0042]", "| Open"] in table_rows(data)
    assert [f"| [{TOOL}/groups/communication#ask-3 <bdi>Check licences</bdi>]"
            "<br /><bdi>About 2,000 words.</bdi>", "| Swedish, Arabic", "| <bdi>Translation</bdi>",
            "|", "| Taken"] in table_rows(data)
    assert "|+ Open asks" in data
    referrals = data.split("'''Requests waiting for the group's advice'''")[1]
    assert f"* [{TOOL}/cases/CPH-2026-0042 CPH-2026-0042] <bdi>Digitised maps</bdi>" in referrals
    assert "==" not in body
    empty = render.render_group(context(), parsed_group(members=[], open_referrals=[]))
    assert "''No member has chosen to be listed.''" in empty and "''No open asks.''" in empty
    assert "''No request is waiting for the group's advice.''" in empty
    assert "Open asks: 0" in empty
    swedish = render.render_group(context("sv"), group, asks)
    assert "svenska" in swedish and "arabiska" in swedish  # languages named in the page's


def test_the_cases_overview_shows_impact_figures_of_the_cases_that_have_them() -> None:
    cases = parsed_cases(case_json(impact=impact_json(files=10000, files_capped=True,
                                                      views_capped=True)),
                         closed_case_json(impact=impact_json(taken_at="2026-11-02T03:00:00Z")),
                         case_json(reference="CPH-2026-0050", url=f"{TOOL}/cases/CPH-2026-0050"))
    data = data_of(render.render_cases(context(), cases))
    caption = "|+ Impact of the requests\n! Reference !! Title !! Files !! Files in use !! " \
              "Wikis !! Pages !! Page views (30 days) !! Figures of\n"
    assert caption in data
    impact_rows = table_rows(data)[-2:]  # the last table of the page
    assert [row[0] for row in impact_rows] == [
        f"| [{TOOL}/cases/CPH-2026-0042 CPH-2026-0042]",  # the latest figures first
        f"| [{TOOL}/cases/CPH-2026-0007 CPH-2026-0007]"]
    assert impact_rows[0][2:] == ['| data-sort-value="10000" | 10,000+',
                                  '| data-sort-value="56" | 56', '| data-sort-value="7" | 7',
                                  '| data-sort-value="89" | 89',
                                  '| data-sort-value="123456" | 123,456+',
                                  '| data-sort-value="2026-12-01" | 1 Dec 2026']
    bengali = data_of(render.render_cases(context("bn"), cases))
    assert "| ১,২৩,৪৫৬+\n" in bengali  # the language's digits and grouping
    assert "Impact of the requests" not in render.render_cases(context(), CASES)


def test_meeting_minutes_and_index_render_public_fields_only() -> None:
    meeting = parse_meeting(meeting_json())
    minutes_body = data_of(render_minutes(context(base="Hub/Committee meetings/2026-12-02"),
                                          meeting, "Hub/Committee meetings"))
    assert "'''<bdi>December meeting</bdi>''' – 2 December 2026" in minutes_body
    assert "Attendees: [[User:Ngozi Committee|<bdi>Ngozi Committee</bdi>]], " in minutes_body
    assert "[[Hub/Committee meetings|All committee meetings]]" in minutes_body
    assert (f"* [{TOOL}/cases/CPH-2026-0042 CPH-2026-0042] <bdi>Digitised maps of the Baltic"
            "</bdi>: '''Proceed to final go''' – <bdi>A clear, open licence.</bdi>") in minutes_body
    index = data_of(render_meeting_index(context(base="Hub/Committee meetings"), [
        (meeting, "Hub/Committee meetings/2026-12-02"),
        (parse_meeting(meeting_json(7, title="January", starts_at="2027-01-06T15:00:00Z",
                                    decisions=[])), "Hub/Committee meetings/2027-01-06")]))
    rows = table_rows(index)
    assert rows == [['| data-sort-value="202701061500" | 6 Jan 2027',
                     "| [[Hub/Committee meetings/2027-01-06|<bdi>January</bdi>]]",
                     '| data-sort-value="0" | 0'],
                    ['| data-sort-value="202612021500" | 2 Dec 2026',
                     "| [[Hub/Committee meetings/2026-12-02|<bdi>December meeting</bdi>]]",
                     '| data-sort-value="1" | 1']]
    empty = render_meeting_index(context(), [])
    assert "''No committee meeting has been held yet.''" in empty
    assert summary_for_meetings([meeting], TOOL, language("en")).endswith(
        ": 1 committee meeting held")


@pytest.mark.parametrize("code", LANGUAGES)
def test_hostile_values_cannot_break_any_block_in_any_language(code: str) -> None:
    hostile = " ".join(HOSTILE)
    cases = parsed_cases(case_json(title=hostile, organisation={"name": hostile, "kind": "igo"},
                                   impact=impact_json()),
                         closed_case_json(title=hostile))
    group = parsed_group(name=hostile, description=hostile, members=[
        {"username": hostile[:80], "lead": True, "member_since": "2026-01-03"}],
        open_referrals=[{"reference": "CPH-2026-0042", "title": hostile,
                         "url": f"{TOOL}/cases/CPH-2026-0042"}])
    asks = parse_asks({"asks": [ask_json(title=hostile, description=hostile,
                                         skills=[{"code": "x", "name": hostile}])]})
    meeting = parse_meeting(meeting_json(title=hostile, attendees=[hostile[:80]], decisions=[
        {"case": case_json(title=hostile), "stage": "initial", "outcome": hostile[:60],
         "public_rationale": hostile}]))
    ctx = context(code)
    bodies = [render.render_cases(ctx, cases, [(2026, "Hub/Cases/Archive/2026")]),
              render.render_archive(ctx, 2026, cases, "Hub/Cases"),
              render.render_status(ctx, cases), render.render_group(ctx, group, asks),
              render_minutes(ctx, meeting, "Hub/Committee meetings"),
              render_meeting_index(ctx, [(meeting, "Hub/Committee meetings/2026-12-02")])]
    for body in bodies:
        assert END not in body and BEGIN not in body
        assert "<!--" not in body.split("\n", 1)[1]  # only the bot's own note is a comment
        assert body.count("<onlyinclude>") == 1 and body.count("</onlyinclude>") == 1
        for row in table_rows(body):
            assert all(line.startswith("| ") for line in row)
            for line in row:
                cell = re.sub(r"</?bdi>", "", line[2:])
                if cell.startswith("[[Hub/"):  # the bot's own link: its label must be inert
                    cell = cell.split("|", 1)[1].removesuffix("]]")
                if not cell.startswith(("[http", "data-sort-value")):
                    assert_inert(cell)
    columns = len(render._columns(language(code), "a", "b", "c"))
    assert all(len(row) == columns for row in table_rows(bodies[0]))


def test_a_block_remembers_when_it_last_changed() -> None:
    template = render.render_status(context(), CASES)
    body = render.stamp(template, DAY, language("en"))
    assert render.changed_on(body) == DAY
    assert render.changed_on("no date here") is None
    assert render.stamp(template, DAY, language("en")) == body  # deterministic


def test_summaries_link_the_tool_and_carry_no_data() -> None:
    cases = parsed_cases(case_json(title="[[Evil]]"))
    summary = render.summary_for_cases(cases, TOOL, language("en"))
    assert summary == ("Bot: update from the [[toolforge:cp-helpdesk|Content Partnerships "
                       "Helpdesk]]: 1 open, 0 closed requests")
    group = parsed_group(name="[[Evil]]")
    asks = parse_asks({"asks": [ask_json(title="[[Evil]]")]})
    assert "Evil" not in render.summary_for_group(group, TOOL, language("en"), asks)
    assert render.summary_for_group(group, TOOL, language("en"), asks).endswith(
        "working group communication: 2 listed members, 1 open asks")
    assert "communication" in render.summary_for_group(group, TOOL, language("ar"))


# -- labels and catalogues --------------------------------------------------------------------

def test_the_bots_labels_are_the_apps_messages() -> None:
    from app.cases.labels import THEMES
    from app.cases.transitions import STATES
    from app.core.regions import _LABELS as REGIONS

    english = language("en")
    for table, app_table in ((labels.STATES, STATES), (labels.THEMES, THEMES),
                             (labels.REGIONS, REGIONS)):
        assert set(table) == set(app_table)
        for code, app_label in app_table.items():
            assert labels.label(english, table, code) == str(app_label), code


def test_the_bots_messages_are_extracted_for_translation() -> None:
    assert "[python: bot/**.py]" in (REPO / "babel.cfg").read_text()
    found = {
        (context, message if isinstance(message, str) else message[0])
        for _file, _line, message, _comments, context in extract_from_dir(
            str(REPO / "bot"), method_map=[("**.py", "python")], comment_tags=("Translators:",))
    }
    for expected in [(None, "Maintained by %(bot)s from the %(tool)s."),
                     (None, "Last updated: %(date)s."),
                     (None, "Requests closed in %(year)s"),
                     (None, "%(count)s open"),
                     ("list separator", ", "),
                     ("organisation kind, short", "GLAM"),
                     ("theme", "Other"),
                     (None, "In initial review")]:
        assert expected in found, expected
