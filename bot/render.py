"""Wikitext of the generated blocks: pure functions, every value escaped.

Nothing that comes from the app (a request's title, an organisation's name, a
username, a description…) can add a link, template, category, magic word,
signature, table cell, list item, heading or HTML element to a page:

- `escape()` normalises the text (NFC, one line, no control or bidi-control
  characters, no leading/trailing space, bounded length) and writes every
  character that means something in wikitext as an HTML character reference
  (`[ ] { } | < > & ' " ~ _ = * # : ; !`), and breaks the ISBN/RFC/PMID magic
  links. MediaWiki shows character references as the characters themselves, but
  never parses them as markup.
- `safe_url()` percent-encodes everything in a URL but a small safe set, so a URL
  cannot end an external link early or carry `~~~~`, `__TOC__`, quotes or spaces.
- `user_link()` links a username only when it is made of letters, marks, digits,
  spaces and `.-(),'`; anything else is shown as escaped text, not linked.

Output is deterministic (it depends only on the data), so an unchanged projection
renders byte for byte the same block and the bot makes no edit.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from string import ascii_letters, digits

from .model import CLOSED_STATES, STATES, PublicCase, WorkingGroup

TITLE_LIMIT = 250
NAME_LIMIT = 200
DESCRIPTION_LIMIT = 1000
USERNAME_LIMIT = 85

# Characters that mean something somewhere in wikitext → character references.
_ENTITIES = {
    "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;",
    "[": "&#91;", "]": "&#93;", "{": "&#123;", "}": "&#125;", "|": "&#124;",
    "~": "&#126;", "_": "&#95;", "=": "&#61;", "*": "&#42;", "#": "&#35;",
    ":": "&#58;", ";": "&#59;", "!": "&#33;",
}
_ESCAPE_TABLE = str.maketrans(_ENTITIES)
# Bidirectional controls (embeddings, overrides, isolates, marks): removed.
_BIDI_CONTROLS = frozenset("\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                           "\u2066\u2067\u2068\u2069\ufeff")
_MAGIC_LINK = re.compile(r"\b(ISBN|RFC|PMID) ")
_URL_SAFE = frozenset(ascii_letters + digits + "-./:?&=%+,;@#")
_USERNAME_PUNCTUATION = frozenset(" .-(),'")

STATE_LABELS = {
    "submitted": "Submitted",
    "in_initial_review": "In initial review",
    "needs_information": "Needs information",
    "with_working_groups": "With working groups",
    "awaiting_final_go": "Awaiting final go",
    "approved": "Approved",
    "in_support": "In support",
    "closed": "Closed (resolved)",
    "declined": "Declined",
    "withdrawn": "Withdrawn",
}
KIND_LABELS = {
    "igo": "IGO", "ingo": "INGO", "glam": "GLAM", "government": "Government",
    "academic": "Academic", "other": "Other",
}
THEME_LABELS = {
    "climate": "Climate and environment", "gender": "Gender equity", "health": "Health",
    "education": "Education", "heritage": "Cultural heritage", "science": "Science",
    "biodiversity": "Biodiversity", "human_rights": "Human rights",
    "indigenous": "Indigenous knowledge", "sustainable_development": "Sustainable development",
    "humanitarian": "Humanitarian response", "other": "Other",
}
REGION_LABELS = {
    "eseap": "East, Southeast Asia and the Pacific", "cee": "Central and Eastern Europe",
    "mena": "Middle East and North Africa", "ssa": "Sub-Saharan Africa",
    "south_asia": "South Asia", "lac": "Latin America and the Caribbean",
    "north_america": "North America", "western_europe": "Western Europe",
    "other": "Other / international",
}

CASE_COLUMNS = ("Reference", "Title", "Organisation", "Themes", "Region", "Stage",
                "Days in stage", "Last update", "In the tool")
ARCHIVE_COLUMNS = ("Reference", "Title", "Organisation", "Themes", "Region", "Outcome",
                   "Closed on", "Last update", "In the tool")
MEMBER_COLUMNS = ("Member", "Role", "Member since")


# -- escaping ------------------------------------------------------------------------

def clean_text(value: str, limit: int | None = None) -> str:
    """`value` as one NFC line without control or bidi characters, at most `limit` long."""
    text = unicodedata.normalize("NFC", value)
    kept = []
    for char in text:
        category = unicodedata.category(char)
        if char in _BIDI_CONTROLS or category in ("Cs", "Co") or char == "\x7f":
            continue
        if category == "Cc":
            kept.append(" ")  # tabs, newlines and other controls become spaces
        else:
            kept.append(char)
    text = " ".join("".join(kept).split())  # also folds NBSP, U+2028/2029, …
    if limit is not None and len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return text


def escape(value: str, limit: int | None = None) -> str:
    """Inline wikitext showing `value` literally (see the module docstring)."""
    text = clean_text(value, limit).translate(_ESCAPE_TABLE)
    if text.startswith("-"):  # "----" is a horizontal rule at the start of a line
        text = "&#45;" + text[1:]
    return _MAGIC_LINK.sub(r"\1&#32;", text)


def bdi(value: str, limit: int | None = None) -> str:
    """Escaped text isolated from its neighbours' direction (names in any script)."""
    text = escape(value, limit)
    return f"<bdi>{text}</bdi>" if text else ""


def safe_url(url: str) -> str | None:
    """An http(s) URL with everything outside a small safe set percent-encoded."""
    url = url.strip()
    scheme, _, rest = url.partition("://")
    if scheme.lower() not in ("http", "https") or not rest or rest.startswith("/"):
        return None
    out = []
    for char in url:
        if char in _URL_SAFE:
            out.append(char)
        else:
            out.extend(f"%{byte:02X}" for byte in char.encode("utf-8", "replace"))
    return "".join(out)


def external_link(url: str, label: str) -> str:
    """`[url label]` with the URL made safe and the label escaped (label only if no URL)."""
    text = escape(label)
    safe = safe_url(url)
    if safe is None:
        return text
    return f"[{safe} {text}]" if text else f"[{safe}]"


def is_linkable_username(name: str) -> bool:
    """Whether `name` may be put raw into a [[User:…]] link target."""
    if not name or len(name) > USERNAME_LIMIT or name != name.strip() or "  " in name:
        return False
    if "''" in name or name != unicodedata.normalize("NFC", name):
        return False
    for char in name:
        if char in _USERNAME_PUNCTUATION:
            continue
        if unicodedata.category(char)[0] not in "LMN":
            return False
    return True


def user_link(name: str) -> str:
    """A link to the user page, or just the escaped name when it is not plainly safe."""
    label = bdi(name, USERNAME_LIMIT)
    if is_linkable_username(name):
        return f"[[User:{name}|{label}]]"
    return label


def code_label(code: str | None, labels: dict[str, str]) -> str:
    """The English label of a code (an unknown code is shown, escaped, as a label)."""
    if not code:
        return ""
    return escape(labels.get(code) or code.replace("_", " ").replace("-", " ").capitalize())


def _table(columns: Sequence[str], rows: Iterable[Sequence[str]]) -> list[str]:
    lines = ['{| class="wikitable sortable"', "! " + " !! ".join(columns)]
    for row in rows:
        lines.append("|-")
        lines.extend(f"| {cell}" if cell else "|" for cell in row)
    lines.append("|}")
    return lines


def _note(tool_url: str, what: str) -> str:
    """The comment at the top of every block (no data in it; the URL cannot close it)."""
    url = safe_url(tool_url) or ""
    return (
        f"<!-- {what} is generated by the Helpdesk bot from {url} . Edits inside this "
        "block are not overwritten: the bot stops updating the page and reports them. "
        "Change the data in the tool instead. -->"
    )


# -- the cases overview ------------------------------------------------------------------

def status_counts(cases: Iterable[PublicCase]) -> list[tuple[str, int]]:
    """(state, count) for every state with cases, in workflow order."""
    counts = Counter(case.state for case in cases)
    return [(state, counts[state]) for state in STATES if counts[state]]


def render_status_line(cases: Sequence[PublicCase]) -> str:
    """One line: how many public requests are in each stage."""
    if not cases:
        return "'''Status:''' there are no public requests yet."
    counts = status_counts(cases)
    open_parts = [f"{escape(STATE_LABELS[s])}: {n}" for s, n in counts if s not in CLOSED_STATES]
    closed_parts = [f"{escape(STATE_LABELS[s])}: {n}" for s, n in counts if s in CLOSED_STATES]
    open_total = sum(n for s, n in counts if s not in CLOSED_STATES)
    closed_total = sum(n for s, n in counts if s in CLOSED_STATES)
    line = f"'''Status:''' {open_total} open"
    if open_parts:
        line += " (" + ", ".join(open_parts) + ")"
    line += f"; {closed_total} closed"
    if closed_parts:
        line += " (" + ", ".join(closed_parts) + ")"
    return line + "."


def _case_cells(case: PublicCase, *, archive: bool) -> list[str]:
    organisation = bdi(case.organisation.name, NAME_LIMIT)
    kind = KIND_LABELS.get(case.organisation.kind)
    if kind:
        organisation += f" ({escape(kind)})"
    state = escape(STATE_LABELS.get(case.state) or case.state_label, NAME_LIMIT)
    clock = case.state_changed_at.date().isoformat() if archive else str(case.days_in_state)
    return [
        escape(case.reference),
        bdi(case.title, TITLE_LIMIT),
        organisation,
        ", ".join(code_label(theme, THEME_LABELS) for theme in case.themes),
        code_label(case.region, REGION_LABELS),
        state,
        clock,
        case.updated_at.date().isoformat(),
        external_link(case.url, "view"),
    ]


def render_cases_block(
    cases: Sequence[PublicCase], tool_url: str, unlisted: Sequence[str] = ()
) -> str:
    """The cases overview: status line, open requests, then the archive.

    `unlisted` are references the bot published before that are no longer in the
    public projection; they stay in the archive by reference only.
    """
    open_cases = [case for case in cases if case.open]
    closed_cases = [case for case in cases if not case.open]
    lines = [_note(tool_url, "This list"), render_status_line(cases), ""]
    lines.append("== Open requests ==")
    if open_cases:
        lines += _table(CASE_COLUMNS, (_case_cells(c, archive=False) for c in open_cases))
    else:
        lines.append("''There are no open requests.''")
    lines += ["", "== Archive =="]
    if closed_cases:
        lines += _table(ARCHIVE_COLUMNS, (_case_cells(c, archive=True) for c in closed_cases))
    else:
        lines.append("''No request has been closed yet.''")
    if unlisted:
        refs = ", ".join(escape(ref) for ref in unlisted)
        lines += ["", f"''No longer publicly listed:'' {refs}."]
    return "\n".join(lines)


def render_status_block(cases: Sequence[PublicCase], tool_url: str) -> str:
    """The status page: the one status line (meant to be transcluded elsewhere)."""
    return "\n".join([_note(tool_url, "This line"), render_status_line(cases)])


# -- working-group rosters ---------------------------------------------------------------

def render_group_block(group: WorkingGroup) -> str:
    """A working group's roster: leads, listed members, member since, open asks."""
    leads = [member for member in group.members if member.lead]
    lines = [
        _note(group.url, "This roster"),
        f"'''{bdi(group.name, NAME_LIMIT)}'''"
        + (f": {bdi(group.description, DESCRIPTION_LIMIT)}" if group.description.strip()
           else ""),
        "",
        f"'''Leads:''' {', '.join(user_link(m.username) for m in leads) or 'none listed'}"
        f" · '''Listed members:''' {len(group.members)}"
        f" · '''Open asks:''' {len(group.open_referrals)}"
        f" · {external_link(group.url, 'the group in the tool')}",
        "",
        "== Members ==",
    ]
    if group.members:
        lines += _table(MEMBER_COLUMNS, (
            [user_link(m.username), "Lead" if m.lead else "Member",
             m.member_since.isoformat()]
            for m in group.members
        ))
    else:
        lines.append("''No member has chosen to be listed.''")
    lines += ["", "== Open asks =="]
    if group.open_referrals:
        lines += [f"* {external_link(ask.url, ask.reference)} {bdi(ask.title, TITLE_LIMIT)}"
                  for ask in group.open_referrals]
    else:
        lines.append("''No open asks.''")
    return "\n".join(lines)


# -- edit summaries ----------------------------------------------------------------------

def summary_for_cases(cases: Sequence[PublicCase], tool_url: str) -> str:
    """The edit summary of the cases and status pages (no data but counts in it)."""
    open_total = sum(1 for case in cases if case.open)
    return (f"Bot: update from the Content Partnerships Helpdesk ({safe_url(tool_url)}): "
            f"{open_total} open, {len(cases) - open_total} closed requests")


def summary_for_group(group: WorkingGroup, tool_url: str) -> str:
    """The edit summary of a roster page (the group's slug is a plain code)."""
    return (f"Bot: update from the Content Partnerships Helpdesk ({safe_url(tool_url)}): "
            f"working group {group.slug}: {len(group.members)} listed members, "
            f"{len(group.open_referrals)} open asks")
