"""The labels of the codes the API sends (states, themes, regions, organisation kinds).

The messages are the app's own (app/cases/transitions.py, app/cases/labels.py,
app/core/regions.py) — the same msgids, so the app's translations apply; a unit
test checks that they still match. They are repeated here because the bot must
not import the app (it reads only the public API). Kinds are shown abbreviated,
which the app does not need: those are messages of the bot.
"""

from __future__ import annotations

from typing import NamedTuple

from .i18n import N_, Language


class Msg(NamedTuple):
    """A message to translate later, with its gettext context (None: no context)."""

    context: str | None
    text: str


def pgettext(context: str, message: str) -> Msg:
    """Mark a message with a context for extraction; `Language.label` translates it."""
    return Msg(context, message)


def _plain(message: str) -> Msg:
    return Msg(None, message)


STATES: dict[str, Msg] = {
    "submitted": _plain(N_("Submitted")),
    "in_initial_review": _plain(N_("In initial review")),
    "needs_information": _plain(N_("Needs information")),
    "with_working_groups": _plain(N_("With working groups")),
    "awaiting_final_go": _plain(N_("Awaiting final go")),
    "approved": _plain(N_("Approved")),
    "in_support": _plain(N_("In support")),
    "closed": _plain(N_("Closed (resolved)")),
    "declined": _plain(N_("Declined")),
    "withdrawn": _plain(N_("Withdrawn")),
}

THEMES: dict[str, Msg] = {
    "climate": _plain(N_("Climate and environment")),
    "gender": _plain(N_("Gender equity")),
    "health": _plain(N_("Health")),
    "education": _plain(N_("Education")),
    "heritage": _plain(N_("Cultural heritage")),
    "science": _plain(N_("Science")),
    "biodiversity": _plain(N_("Biodiversity")),
    "human_rights": _plain(N_("Human rights")),
    "indigenous": _plain(N_("Indigenous knowledge")),
    "sustainable_development": _plain(N_("Sustainable development")),
    "humanitarian": _plain(N_("Humanitarian response")),
    "other": pgettext("theme", "Other"),
}

REGIONS: dict[str, Msg] = {
    "eseap": _plain(N_("East, Southeast Asia and the Pacific")),
    "cee": _plain(N_("Central and Eastern Europe")),
    "mena": _plain(N_("Middle East and North Africa")),
    "ssa": _plain(N_("Sub-Saharan Africa")),
    "south_asia": _plain(N_("South Asia")),
    "lac": _plain(N_("Latin America and the Caribbean")),
    "north_america": _plain(N_("North America")),
    "western_europe": _plain(N_("Western Europe")),
    "other": _plain(N_("Other / international")),
}

KINDS: dict[str, Msg] = {
    # Translators: the short form of "Intergovernmental organisation", shown after an
    # organisation's name on the Meta-Wiki pages (e.g. "UNESCO (IGO)").
    "igo": pgettext("organisation kind, short", "IGO"),
    # Translators: the short form of "International non-governmental organisation".
    "ingo": pgettext("organisation kind, short", "INGO"),
    # Translators: the short form of "Gallery, library, archive or museum".
    "glam": pgettext("organisation kind, short", "GLAM"),
    # Translators: a kind of organisation, short (after its name, in brackets).
    "government": pgettext("organisation kind, short", "Government"),
    # Translators: a kind of organisation, short: a university or research institution.
    "academic": pgettext("organisation kind, short", "Academic"),
    # Translators: a kind of organisation, short: none of the others.
    "other": pgettext("organisation kind, short", "Other"),
}


def label(language: Language, table: dict[str, Msg], code: str | None) -> str:
    """The label of `code` in `language` (an unknown code is shown as a label)."""
    if not code:
        return ""
    msg = table.get(code)
    if msg is None:
        return code.replace("_", " ").replace("-", " ").capitalize()
    if msg.context is None:
        return language.gettext(msg.text)
    return language.pgettext(msg.context, msg.text)
