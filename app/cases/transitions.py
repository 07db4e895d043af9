"""The case workflow: states and the one table of transitions.

Views, the API, the sweep command and the tests all read `TRANSITIONS`; nothing
else decides whether a case may move. A transition names the state it leaves,
the action, who may take it, the state it enters, and whether it needs a
message or a committee decision.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from flask_babel.speaklater import LazyString

# Who may act. "requester" means the case's own requester; "system" is the
# scheduled sweep and the automatic moves (e.g. all referrals answered).
REQUESTER, HELPDESK, COMMITTEE, SYSTEM = "requester", "helpdesk", "committee", "system"

STATES: dict[str, LazyString] = {
    # Translators: a stage (state) of a request in the workflow: filed, not yet looked at by the
    # helpdesk.
    "submitted": _l("Submitted"),
    # Translators: a stage of a request: the Expert Committee is preparing its initial feedback.
    "in_initial_review": _l("In initial review"),
    # Translators: a stage of a request: waiting for the requester to answer the committee's
    # questions.
    "needs_information": _l("Needs information"),
    # Translators: a stage of a request: the committee asked one or more working groups for help (a
    # referral).
    "with_working_groups": _l("With working groups"),
    # Translators: a stage of a request: waiting for the Expert Committee's final decision (the
    # final go, i.e. the final approval).
    "awaiting_final_go": _l("Awaiting final go"),
    # Translators: a stage of a request: the committee gave the final go; support can start.
    "approved": _l("Approved"),
    # Translators: a stage of a request: the helpdesk is helping the partner (e.g. with the upload).
    "in_support": _l("In support"),
    # Translators: a stage of a request: closed, the work is done.
    "closed": _l("Closed (resolved)"),
    # Translators: a stage of a request: closed, the committee or helpdesk turned it down (also the
    # state of a declined request to join a working group).
    "declined": _l("Declined"),
    # Translators: a stage of a request: closed, the requester withdrew it (or did not answer).
    "withdrawn": _l("Withdrawn"),
}
CLOSED_STATES = frozenset({"closed", "declined", "withdrawn"})
OPEN_STATES = frozenset(STATES) - CLOSED_STATES

ACTIONS: dict[str, LazyString] = {
    # Translators: a workflow action (button) of the helpdesk: pass a new request on to the Expert
    # Committee.
    "triage": _l("Accept for review"),
    # Translators: a workflow action of the committee (part of its initial feedback).
    "ask_information": _l("Ask the requester for information"),
    # Translators: a workflow action (button) of the committee: ask one or more working groups for
    # help (an instruction, as on a button).
    "refer": lazy_pgettext("workflow action", "Refer to working groups"),
    # Translators: a workflow action of the committee: the initial feedback is positive, the case
    # waits for the final go (final approval).
    "proceed": _l("Proceed to final go"),
    # Translators: a workflow action (button) of the committee: turn the request down (an
    # instruction, as on a button).
    "decline": lazy_pgettext("workflow action", "Decline"),
    # Translators: a workflow action (button) of the requester: answer the committee's questions.
    "answer": _l("Send the information asked for"),
    # Translators: an automatic workflow step: every working group asked has answered.
    "referrals_answered": _l("All referrals answered"),
    # Translators: a workflow action of the committee: final approval of the request.
    "approve": _l("Give the final go"),
    # Translators: a workflow action (button) of the helpdesk: begin helping the partner.
    "start_support": _l("Start support"),
    # Translators: a workflow action (button) of the helpdesk.
    "close_resolved": _l("Close as resolved"),
    # Translators: a workflow action (button) of the helpdesk.
    "close_declined": _l("Close as declined"),
    # Translators: a workflow action (button) of the helpdesk, e.g. when the partner stopped.
    "close_withdrawn": _l("Close as withdrawn"),
    # Translators: a workflow action (button) of the helpdesk: the request repeats another one.
    "close_duplicate": _l("Close as a duplicate"),
    # Translators: a workflow action (button) of the requester.
    "withdraw": _l("Withdraw the request"),
    # Translators: an automatic workflow step: the requester did not answer in time.
    "expire": _l("Close after no answer"),
    # Translators: a workflow action (button) of the helpdesk: open a closed request again (a verb).
    "reopen": _l("Reopen"),
}


@dataclass(frozen=True)
class Transition:
    """One allowed move of a case."""

    state: str
    action: str
    roles: frozenset[str]
    next_state: str
    needs_message: bool = False
    decision_stage: str | None = None  # "initial" or "final" when a decision is required


def _t(state: str, action: str, roles: set[str], next_state: str, *, message: bool = False,
       decision: str | None = None) -> Transition:
    return Transition(state, action, frozenset(roles), next_state, message, decision)


_OPEN_BEFORE_SUPPORT = ("submitted", "in_initial_review", "needs_information",
                        "with_working_groups", "awaiting_final_go", "approved", "in_support")

TRANSITIONS: tuple[Transition, ...] = (
    _t("submitted", "triage", {HELPDESK}, "in_initial_review"),
    # Initial feedback: a committee decision with quorum.
    _t("in_initial_review", "ask_information", {COMMITTEE}, "needs_information",
       message=True, decision="initial"),
    _t("in_initial_review", "refer", {COMMITTEE}, "with_working_groups", decision="initial"),
    _t("in_initial_review", "proceed", {COMMITTEE}, "awaiting_final_go", decision="initial"),
    _t("in_initial_review", "decline", {COMMITTEE}, "declined", decision="initial"),
    # The requester answers; the helpdesk may answer for an email requester.
    _t("needs_information", "answer", {REQUESTER, HELPDESK}, "in_initial_review", message=True),
    _t("needs_information", "expire", {SYSTEM}, "withdrawn"),
    _t("with_working_groups", "referrals_answered", {SYSTEM}, "awaiting_final_go"),
    # Final go: a committee decision with quorum.
    _t("awaiting_final_go", "approve", {COMMITTEE}, "approved", decision="final"),
    _t("awaiting_final_go", "decline", {COMMITTEE}, "declined", decision="final"),
    _t("approved", "start_support", {HELPDESK}, "in_support"),
    _t("in_support", "close_resolved", {HELPDESK}, "closed", message=True),
    _t("in_support", "close_declined", {HELPDESK}, "declined", message=True),
    _t("in_support", "close_withdrawn", {HELPDESK}, "withdrawn", message=True),
    *(_t(state, "withdraw", {REQUESTER}, "withdrawn") for state in _OPEN_BEFORE_SUPPORT),
    *(_t(state, "close_duplicate", {HELPDESK}, "closed", message=True)
      for state in _OPEN_BEFORE_SUPPORT),
    _t("closed", "reopen", {HELPDESK}, "in_support", message=True),
    _t("declined", "reopen", {HELPDESK}, "in_initial_review", message=True),
    _t("withdrawn", "reopen", {HELPDESK}, "in_initial_review", message=True),
)

_BY_KEY: dict[tuple[str, str], Transition] = {(t.state, t.action): t for t in TRANSITIONS}


def find(state: str, action: str) -> Transition | None:
    """The transition for `action` from `state`, or None when there is none."""
    return _BY_KEY.get((state, action))


def from_state(state: str) -> list[Transition]:
    """Every transition leaving `state`."""
    return [t for t in TRANSITIONS if t.state == state]


def actions_for(state: str, roles: set[str]) -> list[Transition]:
    """Transitions a person with `roles` may take from `state`."""
    return [t for t in from_state(state) if t.roles & roles]


def is_known_action(action: str) -> bool:
    """Is this an action of the workflow at all?"""
    return action in ACTIONS
