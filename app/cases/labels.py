"""The fixed vocabularies of a request, each code with a translatable label.

Codes are stored in the database and used in the API; labels are for people.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_babel.speaklater import LazyString

from app.cases.transitions import STATES
from app.core.babel_cache import labels

Vocabulary = dict[str, LazyString]

ORGANISATION_KINDS: Vocabulary = {
    # Translators: a kind of organisation that files requests; IGO is the usual abbreviation (e.g.
    # UN agencies). Use your language's abbreviation, or none.
    "igo": _l("Intergovernmental organisation (IGO)"),
    # Translators: a kind of organisation; INGO is the usual English abbreviation (e.g. an
    # international charity).
    "ingo": _l("International non-governmental organisation (INGO)"),
    # Translators: a kind of organisation; GLAM is the Wikimedia movement's usual abbreviation for
    # galleries, libraries, archives and museums.
    "glam": _l("Gallery, library, archive or museum (GLAM)"),
    # Translators: a kind of organisation: a government or public authority.
    "government": _l("Government"),
    # Translators: a kind of organisation.
    "academic": _l("University or research institution"),
    # Translators: a kind of organisation that is none of the above (agrees with 'organisation').
    "other": lazy_pgettext("organisation kind", "Other"),
}

CONTENT_KINDS: Vocabulary = {
    # Translators: a kind of content a partner wants to share (photos, scans, drawings).
    "images": _l("Images"),
    # Translators: a kind of content a partner wants to share.
    "audio_video": _l("Audio or video"),
    # Translators: a kind of content a partner wants to share: structured data, e.g. for Wikidata.
    "data": _l("Data"),
    # Translators: a kind of content a partner wants to share; elsewhere the body of a canned reply
    # or guidelines page.
    "text": _l("Text"),
}

LICENCES: Vocabulary = {
    # Translators: a licence; CC0 is the name of the Creative Commons licence, keep it as is.
    "cc0": _l("CC0 (public domain dedication)"),
    # Translators: a licence; CC BY is the name of the Creative Commons licence, keep it; translate
    # the explanation in brackets.
    "cc_by": _l("CC BY (attribution)"),
    # Translators: a licence; CC BY-SA is the name of the Creative Commons licence, keep it;
    # translate the explanation in brackets.
    "cc_by_sa": _l("CC BY-SA (attribution, share-alike)"),
    # Translators: a licence choice: the works are in the public domain.
    "pd": _l("Public domain (copyright expired or not applicable)"),
    # Translators: a licence choice; such requests are flagged, since Wikimedia projects need free
    # licences.
    "other": _l("Another licence, or not decided yet"),
}
FREE_LICENCES = frozenset({"cc0", "cc_by", "cc_by_sa", "pd"})

TARGET_PROJECTS: Vocabulary = {
    # Translators: a Wikimedia project (the media repository); use its name in your language as the
    # project itself does.
    "commons": _l("Wikimedia Commons"),
    # Translators: a Wikimedia project; use the name the project uses in your language.
    "wikidata": _l("Wikidata"),
    # Translators: a Wikimedia project; use the name the project uses in your language.
    "wikipedia": _l("Wikipedia"),
    # Translators: a Wikimedia project; use the name the project uses in your language.
    "wikisource": _l("Wikisource"),
    # Translators: a Wikimedia project; use the name the project uses in your language.
    "wiktionary": _l("Wiktionary"),
    # Translators: a Wikimedia project; use the name the project uses in your language.
    "wikibooks": _l("Wikibooks"),
    # Translators: a target project choice: a Wikimedia project not listed.
    "other": _l("Another project"),
}

THEMES: Vocabulary = {
    # Translators: a theme of a request (a subject area).
    "climate": _l("Climate and environment"),
    # Translators: a theme of a request (a subject area), e.g. closing the gender gap on Wikipedia.
    "gender": _l("Gender equity"),
    # Translators: a theme of a request (a subject area).
    "health": _l("Health"),
    # Translators: a theme of a request (a subject area).
    "education": _l("Education"),
    # Translators: a theme of a request (a subject area).
    "heritage": _l("Cultural heritage"),
    # Translators: a theme of a request (a subject area).
    "science": _l("Science"),
    # Translators: a theme of a request (a subject area).
    "biodiversity": _l("Biodiversity"),
    # Translators: a theme of a request (a subject area).
    "human_rights": _l("Human rights"),
    # Translators: a theme of a request (a subject area).
    "indigenous": _l("Indigenous knowledge"),
    # Translators: a theme of a request (a subject area), as in the UN Sustainable Development
    # Goals.
    "sustainable_development": _l("Sustainable development"),
    # Translators: a theme of a request (a subject area): help in crises and disasters.
    "humanitarian": _l("Humanitarian response"),
    # Translators: a theme of a request: a subject none of the others covers (agrees with 'theme').
    "other": lazy_pgettext("theme", "Other"),
}

SUPPORT_TYPES: Vocabulary = {
    # Translators: a kind of support a requester asks for; a mass upload is an upload of many files
    # at once to Wikimedia Commons.
    "mass_upload": _l("Technical help with a mass upload"),
    # Translators: a kind of support a requester asks for: being put in touch with local volunteers
    # and affiliates.
    "community": _l("Connecting with the local Wikimedia community"),
    # Translators: a kind of support a requester asks for: advice on how content partnerships are
    # best done.
    "best_practices": _l("Best practices"),
    # Translators: a kind of support a requester asks for; a Wikimedian in Residence is a Wikimedian
    # placed at an institution to help it contribute. Use the term the Wikimedia community in your
    # language uses.
    "wir": _l("A Wikimedian in Residence"),
    # Translators: a kind of support a requester asks for: applying for a grant together.
    "funding": _l("A joint funding application"),
    # Translators: a kind of support a requester asks for: none of the above.
    "other": _l("Something else"),
}

REQUEST_TYPES: Vocabulary = {
    # Translators: a kind of request: uploading many files at once to Wikimedia Commons.
    "commons_upload": _l("Commons mass upload"),
    # Translators: a kind of request: giving a dataset to Wikidata.
    "wikidata_donation": _l("Wikidata data donation"),
    # Translators: a kind of request: any other content partnership.
    "other": _l("Other partnership"),
}

PRIORITIES: Vocabulary = {
    # Translators: a priority of a case (set by the Expert Committee).
    "low": _l("Low"),
    # Translators: a priority of a case (set by the Expert Committee); the default.
    "normal": _l("Normal"),
    # Translators: a priority of a case (set by the Expert Committee).
    "high": _l("High"),
    # Translators: a priority of a case (set by the Expert Committee); the highest.
    "urgent": _l("Urgent"),
}
PRIORITY_ORDER = {"urgent": 0, "high": 1, "normal": 2, "low": 3}

RECOMMENDATIONS: Vocabulary = {
    # Translators: a committee member's recommendation in their review of a case: in favour (a noun
    # or adjective, not the verb).
    "support": _l("Support"),
    # Translators: a committee member's recommendation in their review: in favour if the request
    # changes.
    "support_with_changes": _l("Support with changes"),
    # Translators: a committee member's recommendation in their review: ask the requester for more
    # information first.
    "needs_information": _l("Needs more information"),
    # Translators: a committee member's recommendation in their review (a choice, like 'Support'):
    # ask one or more working groups for help.
    "refer": lazy_pgettext("recommendation", "Refer to working groups"),
    # Translators: a committee member's recommendation in their review (a choice, like 'Support'):
    # turn the request down.
    "decline": lazy_pgettext("recommendation", "Decline"),
}


DECISION_STAGES: Vocabulary = {
    # Translators: a stage of committee decisions: the committee's first review of a request (the
    # other stage is the final go, its final approval).
    "initial": _l("Initial feedback"),
    # Translators: a stage of committee decisions: the committee's final approval of a request,
    # after the initial feedback.
    "final": _l("Final go"),
}

CHANNELS: Vocabulary = {
    # Translators: how a request came in (after 'Came in by'): through the form on this site.
    "web": _l("the web form"),
    # Translators: how a request came in (after 'Came in by'): by email, entered by the helpdesk.
    "email": _l("email, logged by the helpdesk"),
}

# Whom each state waits on (for the stage clock).
WAITING_ON: dict[str, LazyString | None] = {
    # Translators: whom a request is waiting on (after 'Waiting on'); lower case in the middle of a
    # sentence.
    "submitted": _l("the helpdesk"),
    # Translators: whom a request is waiting on (after 'Waiting on').
    "in_initial_review": _l("the Expert Committee"),
    # Translators: whom a request is waiting on (after 'Waiting on'): the person who filed it.
    "needs_information": _l("the requester"),
    # Translators: whom a request is waiting on (after 'Waiting on').
    "with_working_groups": _l("the working groups"),
    "awaiting_final_go": _l("the Expert Committee"),
    "approved": _l("the helpdesk"),
    # Translators: whom a request is waiting on (after 'Waiting on').
    "in_support": _l("the helpdesk and the requester"),
    "closed": None,
    "declined": None,
    "withdrawn": None,
}

# Outcomes of closed cases that are not named after an action.
OUTCOMES: dict[str, LazyString] = {
    # Translators: the outcome of a closed request.
    "no_answer": _l("Closed after no answer from the requester"),
    # Translators: the outcome of a closed request.
    "duplicate": _l("Duplicate of another request"),
}


def choices(vocabulary: Vocabulary) -> list[tuple[str, str]]:
    """(code, label) pairs for a select or checkbox list, in the current language."""
    return list(labels(vocabulary).items())


def label(vocabulary: Vocabulary, code: str | None) -> str:
    """The label of a code (the code itself when unknown), translated once per request."""
    if code is None:
        return ""
    return labels(vocabulary).get(code, code)


def state_label(state: str | None) -> str:
    """The name of a state of the workflow (`transitions.STATES`) in the current language;
    the code itself when unknown. The one way pages, lists, messages and exports name a
    state."""
    return label(STATES, state)
