"""What the audit log page shows people: the recorded actions, the kinds of object and
the before/after values, in the reader's language.

The audit log itself stores codes (``case.triage``, ``join_request``, ``{"state":
"submitted"}``); this module only names them. A code without a name here is shown as
it is (and the pseudo-locale test notices it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from flask import current_app, url_for
from flask_babel import get_locale, lazy_pgettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from app.admin.queries import USER_FIELDS, USER_LIST_FIELDS, AuditNames
from app.auth.labels import role_label
from app.cases import checklists, transitions
from app.cases import labels as vocab
from app.cases.labels import Vocabulary, state_label
from app.committee.labels import criterion_name
from app.committee.models import Criterion
from app.core import i18n, regions
from app.core.audit_log import AuditEvent
from app.core.formats import format_date, format_datetime
from app.intake import labels as intake_labels
from app.people import labels as people_labels
from app.role_requests import labels as role_request_labels
from app.wikicheck import labels as wiki_labels

# Events on a case named `case.<action>` for each action of the workflow are named
# after the action (see `action_label`); these are all the others.
ACTIONS: Vocabulary = {
    # Translators: an event in the audit log (an administrators' page): a new request was filed.
    "case.create": _l("Request filed"),
    # Translators: an event in the audit log: a committee member declared a conflict of interest on
    # a case.
    "case.conflict_declared": _l("Conflict of interest declared"),
    # Translators: an event in the audit log: a committee member saved their review of a case.
    "case.review": _l("Review saved"),
    # Translators: an event in the audit log: a committee member cast or changed their vote on a
    # request (or the chair recorded it for them at a meeting).
    "case.vote": _l("Vote saved"),
    # Translators: an event in the audit log: an administrator let someone vote on one request in
    # place of committee members with a conflict of interest.
    "case.substitute_added": _l("Substitute reviewer added"),
    # Translators: an event in the audit log: an administrator added or changed a criterion the
    # committee scores requests against.
    "criterion.save": _l("Criterion saved"),
    # Translators: an event in the audit log: the committee asked a working group about a case.
    "case.referral": _l("Referred to a working group"),
    # Translators: an event in the audit log: a working group answered the committee's question.
    "case.referral_answered": _l("Referral answered"),
    # Translators: an event in the audit log: a message (public or internal) was posted on a case.
    "case.message": _l("Message posted"),
    # Translators: an event in the audit log: the committee set the priority of a case.
    "case.priority": _l("Priority set"),
    # Translators: an event in the audit log: the helpdesk assigned a case to one of its staff.
    "case.assign": _l("Assignee changed"),
    # Translators: an event in the audit log: the Expert Committee moved an approved request in the
    # queue waiting for the helpdesk's support.
    "case.queue_place": _l("Place in the support queue changed"),
    # Translators: an event in the audit log: the helpdesk put a label (a short free tag) on a case.
    "case.label": _l("Label added"),
    # Translators: an event in the audit log: the summary shown to the public was changed.
    "case.public_summary": _l("Public summary changed"),
    # Translators: an event in the audit log: the helpdesk ticked or unticked a step of a case's
    # support checklist.
    "case.checklist": _l("Checklist step changed"),
    # Translators: an event in the audit log: two requests were marked as related.
    "case.link": _l("Related request linked"),
    # Translators: an event in the audit log: the requester was reminded to answer the committee's
    # question.
    "case.remind": _l("Requester reminded"),
    # Translators: an event in the audit log: a request that came by email was linked to the
    # sender's wiki account.
    "case.link_requester": _l("Requester's wiki account linked"),
    # Translators: an event in the audit log: the sender of a request that came by email linked it
    # to their wiki account with the link in the helpdesk's answer.
    "case.claim": _l("Request claimed by its sender"),
    # Translators: an event in the audit log: the helpdesk let through an email that was held back
    # because its sender sent too many.
    "mail.release": _l("Held email let through"),
    # Translators: an event in the audit log: the helpdesk threw away an email that was held back.
    "mail.discard": _l("Held email discarded"),
    # Translators: an event in the audit log: the request's organisation was merged into another
    # entry of the partner registry.
    "case.organisation_merge": _l("Organisation of the request merged"),
    # Translators: an event in the audit log: the requester or the helpdesk changed a request after
    # it was filed.
    "case.edit": _l("Request changed"),
    # Translators: an event in the audit log: files were added to a request or to one of its
    # messages.
    "case.attachments": _l("Files added"),
    # Translators: an event in the audit log: the Expert Committee recorded a decision (initial
    # feedback or final go).
    "decision.record": _l("Committee decision recorded"),
    # Translators: an event in the audit log: an administrator gave someone a role.
    "role.grant": _l("Role granted"),
    # Translators: an event in the audit log: an administrator took a role away from someone.
    "role.revoke": _l("Role revoked"),
    # Translators: an event in the audit log: someone asked the administrators for a role.
    "role.request": _l("Asked for a role"),
    # Translators: an event in the audit log: an administrator approved a request for a role.
    "role.request_approve": _l("Request for a role approved"),
    # Translators: an event in the audit log: an administrator declined a request for a role.
    "role.request_decline": _l("Request for a role declined"),
    # Translators: an event in the audit log: someone took back their request for a role.
    "role.request_withdraw": _l("Request for a role withdrawn"),
    # Translators: an event in the audit log: someone signed in to the helpdesk for the first time.
    "user.create": _l("First sign-in"),
    # Translators: an event in the audit log: a user's wiki username or block status changed.
    "user.update": _l("Account changed on the wiki"),
    # Translators: an event in the audit log: an administrator ended every signed-in session of a
    # user (on every device).
    "user.sign_out_everywhere": _l("Signed out everywhere"),
    # Translators: an event in the audit log: a user changed their preferences (emails, language).
    "user.preferences": _l("Preferences changed"),
    # Translators: an event in the audit log: staff named a request's Commons category and its
    # organisation's Wikidata item.
    "wiki.places": _l("Commons category and Wikidata item named"),
    # Translators: an event in the audit log: a request's checklist steps were verified on
    # Wikimedia Commons and Wikidata.
    "wiki.check": _l("Steps checked on the wikis"),
    # Translators: an event in the audit log: a person counted a step as done although its check
    # on the wikis failed, with a reason.
    "wiki.override": _l("Wiki check overridden"),
    # Translators: an event in the audit log: the follow-up of a request's impact on the wikis
    # (use of its files, page views) began.
    "wiki.impact_started": _l("Impact follow-up begun"),
    # Translators: an event in the audit log: the figures of a request's files on the wikis were
    # taken (0, 30, 90 or 365 days after the upload).
    "wiki.snapshot": _l("Impact figures taken"),
    # Translators: an event in the audit log: a user turned the emails about the use of their
    # files on or off.
    "user.impact_mail": _l("Impact emails changed"),
    # Translators: an event in the audit log: a committee member changed the languages and regions
    # shown on the committee page.
    "committee.profile": _l("Committee profile changed"),
    # Translators: an event in the audit log: a working group's lead posted an ask for volunteers.
    "ask.create": _l("Ask posted"),
    # Translators: an event in the audit log: a volunteer took a working group's ask.
    "ask.take": _l("Ask taken"),
    # Translators: an event in the audit log: a volunteer gave back an ask they had taken.
    "ask.give_back": _l("Ask given back"),
    # Translators: an event in the audit log: a lead marked a working group's ask done.
    "ask.done": _l("Ask marked done"),
    # Translators: an event in the audit log: a person changed their place in the directory of
    # people (listed or not, what it shows, their skills).
    "directory.update": _l("Directory entry changed"),
    # Translators: an event in the audit log: an administrator added a skill to the list.
    "skill.create": _l("Skill added"),
    # Translators: an event in the audit log: an administrator retired a skill of the list.
    "skill.retire": _l("Skill retired"),
    # Translators: an event in the audit log: an administrator brought a retired skill back.
    "skill.restore": _l("Skill brought back"),
    # Translators: an event in the audit log: a Wikimedia affiliate was added to the registry.
    "affiliate.create": _l("Affiliate added"),
    # Translators: an event in the audit log: an entry of the affiliates registry was edited.
    "affiliate.update": _l("Affiliate edited"),
    # Translators: an event in the audit log: the committee created a guidelines page.
    "guideline.create": _l("Guidelines page created"),
    # Translators: an event in the audit log: the committee edited a guidelines page.
    "guideline.edit": _l("Guidelines page edited"),
    # Translators: an event in the audit log: a committee meeting was planned.
    "meeting.create": _l("Meeting planned"),
    # Translators: an event in the audit log: a committee meeting's time, attendees… changed.
    "meeting.edit": _l("Meeting changed"),
    # Translators: an event in the audit log: a request was put on a committee meeting's agenda.
    "meeting.add_case": _l("Request added to a meeting's agenda"),
    # Translators: an event in the audit log: a free topic was put on a meeting's agenda.
    "meeting.add_topic": _l("Topic added to a meeting's agenda"),
    # Translators: an event in the audit log: the internal minute of an agenda item was written.
    "meeting.minute": _l("Minute of an agenda item written"),
    # Translators: an event in the audit log: a meeting's general internal minutes were written.
    "meeting.notes": _l("Meeting minutes written"),
    # Translators: an event in the audit log: the chair recorded a decision at a meeting.
    "meeting.decision": _l("Decision recorded at a meeting"),
    # Translators: an event in the audit log: a committee member chose how they hear about
    # requests that need their vote.
    "user.vote_mail": _l("Vote emails changed"),
    # Translators: an event in the audit log: a committee member made their secret calendar
    # address (again).
    "user.calendar_token": _l("Calendar address made"),
    # Translators: an event in the audit log: an organisation was added to the partner registry.
    "organisation.create": _l("Organisation added"),
    # Translators: an event in the audit log: an entry of the partner registry was edited.
    "organisation.update": _l("Organisation edited"),
    # Translators: an event in the audit log: two entries of the partner registry were merged into
    # one.
    "organisation.merge": _l("Organisations merged"),
    # Translators: an event in the audit log: a contact person was added to an organisation.
    "organisation.contact_add": _l("Contact person added"),
    # Translators: an event in the audit log: a contact person was removed from an organisation.
    "organisation.contact_delete": _l("Contact person removed"),
    # Translators: an event in the audit log: a Wikimedian in Residence placement at an organisation
    # was recorded.
    "organisation.placement_add": _l("Wikimedian in Residence placement added"),
    # Translators: an event in the audit log: a Wikimedian in Residence placement was removed.
    "organisation.placement_delete": _l("Wikimedian in Residence placement removed"),
    # Translators: an event in the audit log: someone asked to join a working group.
    "group.join_request": _l("Asked to join a working group"),
    # Translators: an event in the audit log: a lead or administrator accepted a request to join a
    # working group.
    "group.join_accept": _l("Request to join accepted"),
    # Translators: an event in the audit log: a lead or administrator declined a request to join a
    # working group.
    "group.join_decline": _l("Request to join declined"),
    # Translators: an event in the audit log: someone left a working group.
    "group.leave": _l("Left a working group"),
    # Translators: an event in the audit log: a member chose whether they are shown on the group's
    # public list of members.
    "group.listing": _l("Public listing of a member changed"),
    # Translators: an event in the audit log: an administrator made a member a lead of a working
    # group, or not.
    "group.lead": _l("Lead of a working group changed"),
    # Translators: an event in the audit log: an administrator created a working group.
    "group.create": _l("Working group created"),
    # Translators: an event in the audit log: an administrator edited a working group's name or
    # description.
    "group.update": _l("Working group edited"),
    # Translators: an event in the audit log: an administrator archived a working group.
    "group.archive": _l("Working group archived"),
    # Translators: an event in the audit log: an administrator brought an archived working group
    # back.
    "group.unarchive": _l("Working group unarchived"),
    # Translators: an event in the audit log: a canned reply (a reusable message text) was added.
    "canned_reply.create": _l("Canned reply added"),
    # Translators: an event in the audit log: a canned reply (a reusable message text) was edited.
    "canned_reply.update": _l("Canned reply edited"),
    # Translators: an event in the audit log: a canned reply (a reusable message text) was deleted.
    "canned_reply.delete": _l("Canned reply deleted"),
    # Translators: an event in the audit log: an email the tool had given up sending was queued
    # to be sent again.
    "outbox.resend": _l("Undelivered email sent again"),
    # Translators: an event in the audit log: someone chose to be told of a request's changes.
    "case.watch": _l("Started watching a request"),
    # Translators: an event in the audit log: someone stopped being told of a request's changes.
    "case.unwatch": _l("Stopped watching a request"),
    # Translators: an event in the audit log: someone saved dashboard filters under a name.
    "saved_view.create": _l("Saved view added"),
    # Translators: an event in the audit log: someone saved other filters under a view's name.
    "saved_view.update": _l("Saved view changed"),
    # Translators: an event in the audit log: someone renamed their saved dashboard filters.
    "saved_view.rename": _l("Saved view renamed"),
    # Translators: an event in the audit log: someone deleted their saved dashboard filters.
    "saved_view.delete": _l("Saved view deleted"),
}

# The kinds of object an event is about (shown before the object's number).
OBJECTS: Vocabulary = {
    # Translators: the kind of object an audit-log event is about, followed by its number: a request
    # (case).
    "case": _l("Request"),
    # Translators: the kind of object an audit-log event is about, followed by its number: a user
    # account.
    "user": _l("User"),
    # Translators: the kind of object an audit-log event is about, followed by its number: a
    # guidelines page.
    "guideline": _l("Guidelines page"),
    # Translators: the kind of object an audit-log event is about, followed by its number: a
    # meeting of the Expert Committee.
    "meeting": _l("Committee meeting"),
    # Translators: the kind of object an audit-log event is about, followed by its number: an entry
    # of the partner registry.
    "organisation": _l("Organisation"),
    # Translators: the kind of object an audit-log event is about, followed by its number: a request
    # to join a working group.
    "join_request": _l("Request to join"),
    # Translators: the kind of object an audit-log event is about, followed by its number: a
    # request for a role (helpdesk staff, committee member).
    "role_request": _l("Request for a role"),
    # Translators: the kind of object an audit-log event is about, followed by its number: someone's
    # membership of a working group.
    "membership": _l("Membership"),
    # Translators: a kind of object in the audit log: a criterion the committee scores requests
    # against.
    "criterion": _l("Criterion"),
    # Translators: a kind of object in the audit log: a working group's ask for volunteers.
    "ask": _l("Ask"),
    # Translators: a kind of object in the audit log: a person's entry in the directory of people.
    "directory_entry": _l("Directory entry"),
    # Translators: a kind of object in the audit log: a skill of the list people choose from.
    "skill": _l("Skill"),
    # Translators: a kind of object in the audit log: a Wikimedia affiliate.
    "affiliate": _l("Affiliate"),
    # Translators: the kind of object an audit-log event is about, followed by its number.
    "working_group": _l("Working group"),
    # Translators: the kind of object an audit-log event is about, followed by its number: a
    # reusable reply text.
    "canned_reply": _l("Canned reply"),
    # Translators: the kind of object an audit-log event is about, followed by its number: an
    # email the tool sends.
    "outbox": _l("Outgoing email"),
    # Translators: the kind of object an audit-log event is about, followed by its number: a
    # request someone watches (the number is the request's).
    "watch": _l("Watched request"),
    # Translators: the kind of object an audit-log event is about, followed by its number: a
    # person's saved dashboard filters.
    "saved_view": _l("Saved view"),
    # Translators: the kind of object an audit-log event is about, followed by its number: what the
    # committee page shows about a member.
    "committee_profile": _l("Committee profile"),
    # Translators: the kind of object an audit-log event is about, followed by its number: an email
    # the helpdesk mailbox received.
    "mail": _l("Email"),
}

# The fields of the before/after values of events.
FIELDS: Vocabulary = {
    # The fields of a request changed after filing (`case.edit`), named as on its form.
    **intake_labels.FIELDS,
    # Translators: a field in the audit log: whether the person watches the request.
    "watching": _l("Watching"),
    # Translators: a field in the audit log: the filters a saved view holds (as a web address).
    "query": _l("Filters"),
    "reference": _l("Reference"),
    "state": _l("Stage"),
    "outcome": _l("Outcome"),
    "channel": _l("Came in by"),
    # Translators: a field in the audit log: initial feedback or final go.
    "stage": _l("Stage of the decision"),
    "recommendation": _l("Recommendation"),
    # Translators: a field in the audit log: the number of a committee decision.
    "decision": _l("Decision"),
    "participants": _l("Took part"),
    "recused": _l("Recused"),
    # Translators: a field in the audit log: how many votes the committee decision needed.
    "quorum": _l("Quorum"),
    # Translators: a field in the audit log: whether the decision differs from most votes.
    "dissent": _l("Against the majority"),
    # Translators: a field in the audit log: whether the meeting's chair recorded the vote.
    "recorded_by": _l("Recorded by the chair"),
    # Translators: a field in the audit log: the committee meeting a vote was given at.
    "meeting": _l("Meeting"),
    # Translators: a field in the audit log: a vote's scores, by criterion number.
    "scores": _l("Scores"),
    # Translators: a field in the audit log: where a criterion comes in the list.
    "position": _l("Order"),
    # Translators: a field in the audit log: whether members score the criterion now.
    "active": _l("In use"),
    # Translators: a field in the audit log: how long a criterion's description is.
    "description_length": _l("Length of the description"),
    "group": _l("Working group"),
    # Translators: a field in the audit log: the number of a question to a working group.
    "referral": _l("Referral"),
    # Translators: a field in the audit log: the number of a message on a case.
    "message": _l("Message"),
    "internal": _l("Internal note"),
    "priority": _l("Priority"),
    "assignee": _l("Assigned to"),
    # Translators: a field in the audit log: a request's place in the queue waiting for support.
    "place": _l("Place in line for support"),
    # Translators: a field in the audit log: why the change was made.
    "reason": _l("Reason"),
    # Translators: a field in the audit log: the short free tags the helpdesk put on a case.
    "labels": _l("Labels"),
    "public_summary": _l("Public summary"),
    # Translators: a field in the audit log: which step of the support checklist.
    "key": _l("Checklist step"),
    # Translators: a field in the audit log: whether a checklist step is done (Yes/No).
    "done": _l("Done"),
    # Translators: a field in the audit log (a noun): a web address recorded with a checklist step.
    "link": lazy_pgettext("field", "Link"),
    # Translators: a field in the audit log: the reference of a related request.
    "related": _l("Related request"),
    "member": _l("Member"),
    # Translators: a field in the audit log: how many days the requester had not answered.
    "waited_days": _l("Days waited"),
    # Translators: a field in the audit log: the wiki account of the person who filed a request.
    "requester": _l("Requester"),
    "contact_username": _l("Wiki account"),
    "organisation": _l("Organisation"),
    "username": _l("Username"),
    # Translators: a field in the audit log: whether the account is blocked on the wiki (Yes/No).
    "blocked": _l("Blocked"),
    # Translators: a field in the audit log: how many signed-in sessions (devices, browsers) were
    # ended.
    "sessions": _l("Sessions ended"),
    "role": _l("Role"),
    # Translators: a field in the audit log: whether the user wants emails (Yes/No).
    "email_notifications": _l("Emails"),
    # Translators: a field in the audit log: whether the user gave an email address (Yes/No); the
    # address itself is not logged.
    "email_set": _l("Email address given"),
    "language": _l("Language"),
    "languages": _l("Languages"),
    "regions": _l("Regions"),
    # Translators: a field in the audit log: the short name of a page or group in its web address.
    "slug": _l("Address name"),
    "title": _l("Title"),
    # Translators: a field in the audit log: the number of a saved version of a guidelines page.
    "revision_id": _l("Version"),
    "summary": _l("Summary"),
    # Translators: a field in the audit log: the length of a text, in characters.
    "body_length": _l("Length of the text"),
    "name": _l("Name"),
    "kind": _l("Kind of organisation"),
    "country": _l("Country"),
    "website": _l("Website"),
    "wikidata_item": _l("Wikidata item"),
    "themes": _l("Themes"),
    "notes": _l("Private notes"),
    # Translators: a field in the audit log: the number of an organisation's contact person.
    "contact_id": _l("Contact"),
    # Translators: a field in the audit log: the number of a Wikimedian in Residence placement.
    "placement_id": _l("Placement"),
    "person": _l("Person"),
    "start_date": _l("From"),
    "end_date": _l("Until"),
    "description": _l("Description"),
    "user": _l("User"),
    # Translators: a field in the audit log: the state of a request to join a working group.
    "status": _l("Status"),
    # Translators: a field and label: a lead of a working group, who answers requests to join (as
    # opposed to 'Member').
    "lead": _l("Lead"),
    # Translators: a field and column heading: whether a member is shown on the working group's
    # public list (Yes/No).
    "listed": _l("Listed publicly"),
    # Translators: a field of the audit log and a badge: the working group is archived (kept, but
    # takes no new members). Yes/No follows in the audit log.
    "archived": _l("Archived"),
    "body": _l("Text"),
    # Translators: a field in the audit log: an entry's number in the database.
    "id": _l("Number"),
    # Translators: a field in the audit log of a merge: the organisation merged into another (and
    # deleted).
    "source": _l("Merged organisation"),
    # Translators: a field in the audit log of a merge: the organisation that was kept.
    "target": _l("Kept organisation"),
    # Translators: a field in the audit log of a merge: what was moved to the kept organisation.
    "moved": _l("Moved"),
    # Translators: a field in the audit log of a merge: the requests that were moved.
    "cases": _l("Requests"),
    # Translators: a field in the audit log of a merge: the contact persons that were moved (their
    # numbers).
    "contacts": _l("Contacts"),
    # Translators: a field in the audit log of a merge: the Wikimedian in Residence placements that
    # were moved (their numbers).
    "placements": _l("Placements"),
    # Translators: a field in the audit log: the numbers of the files added to a request (or, in
    # an impact snapshot, how many files its Commons category holds).
    "files": _l("Files"),
    # -- committee meetings (app/meetings)
    # Translators: a field in the audit log: the reference of the request an agenda item, minute
    # or decision of a committee meeting is about.
    "case": _l("Request"),
    # Translators: a field in the audit log: the number of an item on a committee meeting's agenda.
    "item": _l("Agenda item"),
    # Translators: a field in the audit log: a free topic on a committee meeting's agenda.
    "topic": _l("Topic"),
    # Translators: a field in the audit log: when a committee meeting begins.
    "starts_at": _l("Begins"),
    # Translators: a field in the audit log: how long a committee meeting lasts, in minutes.
    "duration_minutes": _l("Length in minutes"),
    # Translators: a field in the audit log: the committee member who chairs a meeting.
    "chair_id": _l("Chair"),
    # Translators: a field in the audit log: the committee members who attend a meeting.
    "attendees": _l("Attendees"),
    # Translators: a field in the audit log: how a committee member hears about requests that need
    # their vote.
    "vote_mail": _l("Emails about votes"),
    # Translators: a field in the audit log (Yes/No): the member's secret calendar address was made
    # again (the old one stopped working).
    "renewed": _l("Made again"),
    # -- checks on the wikis and impact figures (app/wikicheck)
    "commons_category": _l("Commons category"),
    # Translators: a field in the audit log: what each check on the wikis found (followed by the
    # check's name, e.g. "Results › Test batch uploaded").
    "results": _l("Results"),
    # Translators: a field in the audit log: the support checklist's steps ticked because their
    # check on the wikis passed.
    "ticked": _l("Checklist steps ticked"),
    # Translators: a field in the audit log: how many requests to the wikis' API a check or a
    # snapshot cost.
    "requests": _l("Requests to the wikis"),
    # Translators: a field in the audit log: which check on the wikis (e.g. "Test batch uploaded").
    "step": _l("Check"),
    # Translators: a field in the audit log: the days after the upload an impact snapshot is for
    # (0, 30, 90 or 365).
    "days": _l("Days after the upload"),
    # Translators: a field in the audit log: on which wikis the uses of the files were counted.
    "usage_source": _l("Uses counted on"),
    # Translators: a field in the audit log (Yes/No): the category held more files than are
    # counted, so the number is a lower bound.
    "files_capped": _l("More files than counted"),
    # Translators: a field in the audit log: how many of the files are used on wiki pages.
    "files_in_use": _l("Files in use"),
    # Translators: a field in the audit log: how many wikis use the files.
    "wikis": _l("Wikis using the files"),
    # Translators: a field in the audit log: how many wiki pages use the files.
    "pages": _l("Pages using the files"),
    # Translators: a field in the audit log: the views of the pages that use the files, in the
    # last 30 days.
    "views": _l("Views of those pages"),
    # Translators: a field in the audit log (Yes/No): more pages use the files than their views
    # were counted for, so the views are a lower bound.
    "views_capped": _l("Views of some pages only"),
    # Translators: a field in the audit log (Yes/No): whether the requester wants the emails about
    # the use of their files.
    "wanted": _l("Impact emails"),
    # -- asks, the directory of people, skills and affiliates (app/people)
    # Translators: a field in the audit log: the working group an ask for volunteers is from.
    "group_id": _l("Working group"),
    # Translators: a field in the audit log: the request an ask for volunteers is about.
    "case_id": _l("Request"),
    # Translators: a field in the audit log: the volunteer who took an ask.
    "taken_by_id": _l("Taken by"),
    "skills": _l("Skills"),
    # Translators: a field in the audit log (Yes/No): the directory of people shows the person's
    # country.
    "show_country": _l("Shows the country"),
    # Translators: a field in the audit log (Yes/No): the directory of people shows the person's
    # languages.
    "show_languages": _l("Shows the languages"),
    # Translators: a field in the audit log (Yes/No): the directory of people shows the person's
    # regions.
    "show_regions": _l("Shows the regions"),
    # Translators: a field in the audit log (Yes/No): the directory of people shows the person's
    # skills.
    "show_skills": _l("Shows the skills"),
    # Translators: a field in the audit log (Yes/No): the directory of people shows the person's
    # roles in the Hub.
    "show_roles": _l("Shows the roles"),
    # Translators: a field in the audit log (Yes/No): the directory of people shows the themes the
    # person works on.
    "show_themes": _l("Shows the themes"),
    # Translators: a field in the audit log: the short code of a skill (in web addresses and files).
    "code": _l("Code"),
    # Translators: a field in the audit log (Yes/No): the skill is no longer offered.
    "retired": _l("Retired"),
    # Translators: a field in the audit log: the web address where a Wikimedia affiliate can be
    # contacted.
    "contact_url": _l("Contact address"),
}

JOIN_STATUSES: Vocabulary = {
    # Translators: the state of a request to join a working group: no lead has answered yet.
    "pending": _l("Waiting for an answer"),
    # Translators: the state of a request to join a working group.
    "accepted": _l("Accepted"),
    # Translators: the state of a request to join a working group.
    "declined": _l("Declined"),
}

VOTE_MAILS: Vocabulary = {
    # Translators: how a committee member hears about requests that need their vote (after
    # 'Emails about votes' in the audit log).
    "immediate": _l("an email for each request, at once"),
    # Translators: how a committee member hears about requests that need their vote (after
    # 'Emails about votes' in the audit log).
    "digest": _l("one email a day listing them"),
}

USAGE_SOURCES: Vocabulary = {
    # Translators: where the uses of a request's files were counted (after 'Uses counted on' in
    # the audit log).
    "globalusage": _l("every Wikimedia wiki"),
    # Translators: where the uses of a request's files were counted (after 'Uses counted on' in
    # the audit log): only the wiki holding the files.
    "fileusage": _l("the wiki holding the files only"),
}


# The kinds of change the audit log can be filtered by: the first part of the actions'
# codes (`case.triage`, `role.grant`, `group.join_accept`…).
KINDS: Vocabulary = {
    # Translators: a kind of change in the audit log's filter: everything done to requests.
    "case": _l("Requests"),
    # Translators: a kind of change in the audit log's filter.
    "decision": _l("Committee decisions"),
    # Translators: a kind of change in the audit log's filter: roles granted and revoked.
    "role": _l("Roles"),
    # Translators: a kind of change in the audit log's filter: sign-ins, account and preference
    # changes.
    "user": _l("Accounts"),
    # Translators: a kind of change in the audit log's filter.
    "group": _l("Working groups"),
    # Translators: a kind of change in the audit log's filter: the organisations of the partner
    # registry.
    "organisation": _l("Partner registry"),
    # Translators: a kind of change in the audit log's filter: the committee's guidelines pages.
    "guideline": _l("Guidelines"),
    # Translators: a kind of change in the audit log's filter: the committee's meetings.
    "meeting": _l("Committee meetings"),
    # Translators: a kind of change in the audit log's filter: reusable reply texts.
    "canned_reply": _l("Canned replies"),
    # Translators: a kind of change in the audit log's filter: what the committee page shows of
    # its members.
    "committee": _l("Committee profiles"),
    # Translators: a kind of change in the audit log's filter: the helpdesk's incoming email.
    "mail": _l("Email"),
}

# Fields that only number something the page names otherwise (the decision's stage and
# outcome, the case it is on, a contact's or placement's name): not shown.
HIDDEN_FIELDS = frozenset({"decision", "message", "id", "contact_id", "placement_id"})


def kind_choices() -> list[tuple[str, str]]:
    """The audit log's kind filter: any kind, then each kind."""
    # Translators: the first choice of the audit log's kind filter: no filter.
    return [("", _("Any kind")), *vocab.choices(KINDS)]


@dataclass(frozen=True)
class ObjectName:
    """What an event is about, as the audit log shows it: its kind ("Request"), its
    name ("CPH-2026-0042"), a link to it where it has a page, and a detail (a title)."""

    kind: str
    name: str
    url: str | None = None
    detail: str = ""


def _snapshot(event: AuditEvent) -> dict[str, Any]:
    """The event's after value, or its before value (a deletion), as a dictionary."""
    for values in (event.after, event.before):
        if isinstance(values, dict):
            return values
    return {}


def _url(endpoint: str, **values: Any) -> str | None:
    return url_for(endpoint, **values) if endpoint in current_app.view_functions else None


def _membership_name(values: dict[str, Any], names: AuditNames) -> str:
    group = names.group_names.get(str(values.get("group")), str(values.get("group") or ""))
    user = str(values.get("user") or "")
    return " — ".join(part for part in (group, user) if part)


def object_name(event: AuditEvent, names: AuditNames) -> ObjectName:
    """What the event is about, named (from `names`, or from what the event itself
    recorded when the thing was deleted since), with a link where it has a page."""
    kind, number = object_label(event.object_type), event.object_id
    key = int(number) if number.isdigit() else -1
    values = _snapshot(event)
    if event.object_type == "case" and key in names.cases:
        reference, title = names.cases[key]
        return ObjectName(kind, reference, _url("cases.case_page", reference=reference), title)
    if event.object_type == "user" and key in names.users:
        return ObjectName(kind, names.users[key])
    if event.object_type == "organisation":
        name = names.organisations.get(key) or str(values.get("name") or "")
        if not name and isinstance(values.get("source"), dict):
            name = str(values["source"].get("name") or "")
        url = _url("partners.detail", org_id=key) if key in names.organisations else None
        return ObjectName(kind, name or number, url)
    if event.object_type == "working_group" and key in names.groups:
        slug, name = names.groups[key]
        return ObjectName(kind, name, _url("groups.group_page", slug=slug))
    if event.object_type in ("join_request", "membership") and values:
        slug = str(values.get("group") or "")
        return ObjectName(kind, _membership_name(values, names),
                          _url("groups.group_page", slug=slug) if slug else None)
    if event.object_type == "guideline":
        slug, title = names.guidelines.get(key, ("", str(values.get("title") or number)))
        return ObjectName(kind, title, _url("committee.guideline", slug=slug) if slug else None)
    if event.object_type == "canned_reply":
        title = names.canned_replies.get(key) or str(values.get("title") or number)
        return ObjectName(kind, title, _url("cases.canned_replies"))
    if event.object_type == "committee_profile" and event.actor is not None:
        return ObjectName(kind, event.actor.username)  # members edit their own profile
    return ObjectName(kind, number)


def action_label(code: str) -> str:
    """The name of an audited action (the code itself when it has none)."""
    if code in ACTIONS:
        return str(ACTIONS[code])
    kind, _dot, action = code.partition(".")
    if kind == "case" and action in transitions.ACTIONS:
        # Translators: an event in the audit log: a case moved on in the workflow; %(action)s is the
        # workflow action, e.g. "Accept for review" or "Give the final go".
        return _("Workflow: %(action)s", action=str(transitions.ACTIONS[action]))
    return code


def object_label(code: str) -> str:
    """The name of a kind of audited object (the code itself when it has none)."""
    return vocab.label(OBJECTS, code)


def _outcome_label(code: str) -> str:
    for names in (vocab.OUTCOMES, transitions.ACTIONS):
        if code in names:
            return str(names[code])
    return code


def _named(field: str, value: Any, names: AuditNames | None) -> str | None:
    """A value that numbers a user, a referral, a group or a case, named (None if it is
    not one, or the page did not read the names)."""
    if names is None:
        return None
    if field in USER_LIST_FIELDS and isinstance(value, list):
        return ", ".join(names.users.get(item, str(item)) for item in value) or "—"
    if field == "referral" and isinstance(value, int):
        return names.referrals.get(value, str(value))
    if field == "group" and isinstance(value, str):
        return names.group_names.get(value, value)
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    if field in USER_FIELDS:
        return names.users.get(value, str(value))
    if field == "group_id" and value in names.groups:
        return names.groups[value][1]
    if field == "case_id" and value in names.cases:
        return names.cases[value][0]
    return None


def _day(value: str) -> str:
    try:
        return format_date(date.fromisoformat(value))
    except ValueError:
        return value


def _value(field: str, value: Any, names: AuditNames | None = None) -> str:
    """One value, named in the reader's language where it is a code."""
    if value is None:
        return "—"
    named_by_page = _named(field, value, names)
    if named_by_page is not None:
        return named_by_page
    if isinstance(value, bool):
        if value:
            # Translators: a value in the audit log (and a table cell): true.
            return _("Yes")
        # Translators: a value in the audit log (and a table cell): false.
        return _("No")
    if isinstance(value, list):
        return ", ".join(_value(field, item, names) for item in value) or "—"
    if not isinstance(value, str):
        return str(value)
    locale = get_locale() or i18n.SOURCE_LANGUAGE
    named = {
        "state": state_label,
        "outcome": _outcome_label,
        "channel": lambda code: vocab.label(vocab.CHANNELS, code),
        "stage": lambda code: vocab.label(vocab.DECISION_STAGES, code),
        "recommendation": lambda code: vocab.label(vocab.RECOMMENDATIONS, code),
        "priority": lambda code: vocab.label(vocab.PRIORITIES, code),
        "key": lambda code: vocab.label(checklists.ITEMS, code),
        "role": role_label,
        "themes": lambda code: vocab.label(vocab.THEMES, code),
        "country": lambda code: regions.country_name(code, locale),
        "language": lambda code: i18n.language_name(code, locale),
        "languages": lambda code: i18n.language_name(code, locale),
        "start_date": _day,
        "end_date": _day,
        "regions": regions.region_label,
        "status": _status_label,
        "kind": _kind_label,
        "countries": lambda code: regions.country_name(code, locale),
        "step": lambda code: vocab.label(wiki_labels.STEP_LABELS, code),
        "ticked": lambda code: vocab.label(checklists.ITEMS, code),
        "skills": _skill_label,
        "vote_mail": lambda code: vocab.label(VOTE_MAILS, code),
        "usage_source": lambda code: vocab.label(USAGE_SOURCES, code),
        "starts_at": _moment,
    }.get(field)
    return named(value) if named else value


def _status_label(code: str) -> str:
    """A join request's, a role request's, an ask's or a wiki check's status."""
    for names in (JOIN_STATUSES, role_request_labels.STATUS_LABELS,
                  people_labels.ASK_STATUS_LABELS, wiki_labels.STATUS_LABELS):
        if code in names:
            return str(names[code])
    return code


def _kind_label(code: str) -> str:
    """An organisation's or an affiliate's kind."""
    if code in vocab.ORGANISATION_KINDS:
        return str(vocab.ORGANISATION_KINDS[code])
    return people_labels.affiliate_kind(code)


def _skill_label(code: str) -> str:
    """A skill the migration seeded by its name in the reader's language (others by code)."""
    seeded = people_labels.SEED_SKILL_LABELS.get(code)
    return str(seeded[1]) if seeded else code


def _moment(value: str) -> str:
    try:
        return format_datetime(datetime.fromisoformat(value))
    except ValueError:
        return value


def changes(values: Any, prefix: str = "", names: AuditNames | None = None
            ) -> list[tuple[str, str]]:
    """(field name, value) pairs of an event's before or after value, in the reader's
    language; nested values (a merge's source and target) are named "outer › inner".
    With the page's `names`, numbers of users, referrals and groups are named, and
    fields that only number something named elsewhere are left out."""
    if not isinstance(values, dict):
        return [(prefix, _value("", values, names))]
    pairs: list[tuple[str, str]] = []
    for key, value in values.items():
        if names is not None and key in HIDDEN_FIELDS:
            continue
        name = vocab.label(FIELDS, key)
        if prefix:
            name = f"{prefix} › {name}"
        if key in NESTED_CODES and isinstance(value, dict):
            pairs += _nested_codes(key, value, name, names)
        elif isinstance(value, dict):
            pairs += changes(value, name, names)
        else:
            pairs.append((name, _value(key, value, names)))
    return pairs


# Fields whose value maps codes or numbers to values: a vote's scores by criterion
# number, a wiki check's results by check.
NESTED_CODES = frozenset({"scores", "results"})


def _nested_codes(field: str, values: dict[str, Any], prefix: str,
                  names: AuditNames | None) -> list[tuple[str, str]]:
    """("Scores › Technical", "4") or ("Results › Test batch uploaded", "Verified")."""
    pairs = []
    for key, value in values.items():
        if field == "results":
            inner, shown = vocab.label(wiki_labels.STEP_LABELS, key), _status_label(str(value))
        else:
            number = int(key) if key.isdigit() else -1
            criterion = names.criteria.get(number) if names is not None else None
            inner = criterion_name(Criterion(name=criterion)) if criterion is not None else key
            shown = _value(field, value, names)
        pairs.append((f"{prefix} › {inner}", shown))
    return pairs
