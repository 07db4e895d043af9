"""Working groups: joining, answering requests, leaving, the roster's privacy, admin."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from app.auth.models import User
from app.cases import service
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from app.groups.models import JoinRequest, Membership, Referral, WorkingGroup
from app.notifications.models import OutboxMessage
from tests.factories import join_group, make_case, make_user
from tests.helpers import SignIn, csrf_token

SLUG = "translation"
PAGE = f"/groups/{SLUG}"


def post(client: FlaskClient, path: str, data: dict[str, str] | None = None,
         form_page: str = "/groups") -> Any:
    """POST with a CSRF token read from `form_page`."""
    return client.post(path, data={"csrf_token": csrf_token(client, form_page), **(data or {})})


def text_of(response: Any) -> str:
    return str(response.get_data(as_text=True))


def setup_users(app: Flask, *, ada_email: str | None = None,
                leila_email: str | None = "leila@example.org") -> None:
    """Leila leads the group; Ada (and others) exist before they sign in."""
    with app.app_context():
        db = get_session()
        leila = make_user(db, "Leila Lead", email=leila_email)
        join_group(db, leila, SLUG, lead=True, listed=True)
        make_user(db, "Ada Requester", email=ada_email)
        make_user(db, "Omar Requester")
        db.commit()


def membership(app: Flask, username: str, slug: str = SLUG) -> Membership | None:
    with app.app_context():
        db = get_session()
        return db.scalars(
            select(Membership).join(User, User.id == Membership.user_id)
            .join(WorkingGroup, WorkingGroup.id == Membership.group_id)
            .where(User.username == username, WorkingGroup.slug == slug)).first()


def pending_request_id(app: Flask, username: str) -> int:
    with app.app_context():
        db = get_session()
        return db.scalars(
            select(JoinRequest.id).join(User, User.id == JoinRequest.user_id)
            .where(User.username == username, JoinRequest.status == "pending")).one()


def actions(app: Flask) -> list[str]:
    with app.app_context():
        return list(get_session().scalars(
            select(AuditEvent.action).where(AuditEvent.action.like("group.%"))
            .order_by(AuditEvent.id)))


def outbox(app: Flask, kind: str) -> list[OutboxMessage]:
    with app.app_context():
        return list(get_session().scalars(
            select(OutboxMessage).where(OutboxMessage.kind == kind).order_by(OutboxMessage.id)))


def ask_to_join(client: FlaskClient, note: str = "I translate museum texts.") -> Any:
    return post(client, f"{PAGE}/join", {"note": note}, PAGE)


# -- joining --------------------------------------------------------------------

def test_join_then_accept_makes_an_unlisted_member_since_now(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    setup_users(app, ada_email="ada@example.org")
    sign_in(client, "Ada Requester")
    page = text_of(client.get(PAGE))
    assert "Ask to join" in page
    response = ask_to_join(client)
    assert response.status_code == 303
    assert "A lead of the group will answer your request" in text_of(client.get(PAGE))
    [mail] = outbox(app, "join_request")
    assert mail.to_address == "leila@example.org"
    assert "Ada Requester" in mail.subject
    assert "I translate museum texts." in mail.body

    lead = app.test_client()
    sign_in(lead, "Leila Lead")
    listing = text_of(lead.get(f"{PAGE}/requests"))
    assert "Ada Requester" in listing and "I translate museum texts." in listing
    request_id = pending_request_id(app, "Ada Requester")
    response = post(lead, f"{PAGE}/requests/{request_id}/accept", form_page=f"{PAGE}/requests")
    assert response.status_code == 303

    member = membership(app, "Ada Requester")
    assert member is not None and not member.listed and not member.lead
    assert member.since is not None
    page = text_of(client.get(PAGE))
    assert "Your request to join was accepted on" in page
    assert "You have been a member since" in page
    assert "Leave the group" in page
    [decision] = outbox(app, "join_decision")
    assert decision.to_address == "ada@example.org"
    assert "member" in decision.subject
    assert actions(app) == ["group.join_request", "group.join_accept"]


def test_declined_user_is_told_on_the_page_and_by_email(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    setup_users(app, ada_email="ada@example.org")
    sign_in(client, "Ada Requester")
    ask_to_join(client)
    lead = app.test_client()
    sign_in(lead, "Leila Lead")
    request_id = pending_request_id(app, "Ada Requester")
    response = post(lead, f"{PAGE}/requests/{request_id}/decline", form_page=f"{PAGE}/requests")
    assert response.status_code == 303
    assert membership(app, "Ada Requester") is None

    page = text_of(client.get(PAGE))
    assert "Your request to join was declined on" in page
    assert "Ask to join" in page  # may ask again
    [mail] = outbox(app, "join_decision")
    assert mail.to_address == "ada@example.org"
    assert "declined" in mail.subject
    assert actions(app) == ["group.join_request", "group.join_decline"]

    again = post(lead, f"{PAGE}/requests/{request_id}/accept", form_page=f"{PAGE}/requests")
    assert again.status_code == 409
    assert membership(app, "Ada Requester") is None


def test_no_email_without_an_address(app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    setup_users(app, ada_email=None, leila_email=None)
    sign_in(client, "Ada Requester")
    assert ask_to_join(client).status_code == 303
    lead = app.test_client()
    sign_in(lead, "Leila Lead")
    request_id = pending_request_id(app, "Ada Requester")
    post(lead, f"{PAGE}/requests/{request_id}/decline", form_page=f"{PAGE}/requests")
    assert outbox(app, "join_request") == [] and outbox(app, "join_decision") == []
    assert "Your request to join was declined on" in text_of(client.get(PAGE))


def test_duplicate_request_and_member_request_are_conflicts(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    setup_users(app)
    sign_in(client, "Ada Requester")
    assert ask_to_join(client).status_code == 303
    second = ask_to_join(client, "again")
    assert second.status_code == 409
    assert "already asked to join" in text_of(second)
    lead = app.test_client()
    sign_in(lead, "Leila Lead")
    leader = ask_to_join(lead)
    assert leader.status_code == 409
    assert "already a member" in text_of(leader)
    with app.app_context():
        assert len(get_session().scalars(select(JoinRequest)).all()) == 1


def test_note_too_long_is_shown_next_to_the_field(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    setup_users(app)
    sign_in(client, "Ada Requester")
    response = ask_to_join(client, "x" * 1001)
    assert response.status_code == 400
    page = text_of(response)
    assert re.search(r'class="field-error" id="note-error">[^<]*at most 1000 characters', page)
    assert "x" * 1001 in page  # nothing lost
    with app.app_context():
        assert get_session().scalars(select(JoinRequest)).all() == []


def test_anonymous_gets_a_sign_in_link_and_cannot_join(app: Flask, client: FlaskClient) -> None:
    page = text_of(client.get(PAGE))
    assert "Sign in to ask to join" in page
    assert "/login?next=/groups/translation" in page
    response = client.post(f"{PAGE}/join", data={"note": "hi"})
    assert response.status_code in (302, 400)  # no form for anonymous users: no token
    with app.app_context():
        assert get_session().scalars(select(JoinRequest)).all() == []


def test_blocked_users_may_ask_to_join(app: Flask, client: FlaskClient,
                                       sign_in: SignIn) -> None:
    setup_users(app)
    sign_in(client, "Blocked Example")
    assert ask_to_join(client).status_code == 303


def test_unknown_group_is_404(client: FlaskClient) -> None:
    assert client.get("/groups/no-such-group").status_code == 404


# -- who may answer -------------------------------------------------------------

def test_only_leads_and_admins_may_answer(app: Flask, client: FlaskClient,
                                          sign_in: SignIn) -> None:
    setup_users(app)
    with app.app_context():
        db = get_session()
        join_group(db, make_user(db, "Mei Committee", "committee"), SLUG)  # plain member
        db.commit()
    sign_in(client, "Ada Requester")
    ask_to_join(client)
    request_id = pending_request_id(app, "Ada Requester")

    member = app.test_client()
    sign_in(member, "Mei Committee")
    assert member.get(f"{PAGE}/requests").status_code == 403
    refused = post(member, f"{PAGE}/requests/{request_id}/accept", form_page=PAGE)
    assert refused.status_code == 403
    assert post(client, f"{PAGE}/requests/{request_id}/accept",
                form_page=PAGE).status_code == 403
    assert membership(app, "Ada Requester") is None

    other_lead = app.test_client()
    with app.app_context():
        db = get_session()
        join_group(db, make_user(db, "Carlos Committee"), "communication", lead=True)
        db.commit()
    sign_in(other_lead, "Carlos Committee")
    assert other_lead.get(f"{PAGE}/requests").status_code == 403
    # a lead of another group, through that group's address: not this group's request
    wrong_group = post(other_lead, f"/groups/communication/requests/{request_id}/accept",
                       form_page="/groups/communication")
    assert wrong_group.status_code == 404

    admin = app.test_client()
    sign_in(admin, "Admin Demo")
    assert admin.get(f"{PAGE}/requests").status_code == 200
    assert post(admin, f"{PAGE}/requests/{request_id}/accept",
                form_page=PAGE).status_code == 303
    assert membership(app, "Ada Requester") is not None


# -- leaving and listing --------------------------------------------------------

def test_leave_and_listing_toggle(app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    setup_users(app)
    with app.app_context():
        db = get_session()
        join_group(db, make_user(db, "Ada Requester"), SLUG, listed=False)
        db.commit()
    sign_in(client, "Ada Requester")
    assert "Show me on the public list of members" in text_of(client.get(PAGE))
    assert post(client, f"{PAGE}/listing", {"listed": "1"}, PAGE).status_code == 303
    member = membership(app, "Ada Requester")
    assert member is not None and member.listed
    assert "Ada Requester" in text_of(app.test_client().get(PAGE))
    assert post(client, f"{PAGE}/listing", {"listed": "0"}, PAGE).status_code == 303
    member = membership(app, "Ada Requester")
    assert member is not None and not member.listed
    assert post(client, f"{PAGE}/listing", {"listed": "maybe"}, PAGE).status_code == 400

    assert post(client, f"{PAGE}/leave", form_page=PAGE).status_code == 303
    assert membership(app, "Ada Requester") is None
    assert post(client, f"{PAGE}/leave", form_page=PAGE).status_code == 409
    assert post(client, f"{PAGE}/listing", {"listed": "1"}, PAGE).status_code == 409
    assert actions(app) == ["group.listing", "group.listing", "group.leave"]


# -- roster privacy ---------------------------------------------------------------

def test_unlisted_members_are_seen_only_by_fellow_members(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    setup_users(app)
    with app.app_context():
        db = get_session()
        join_group(db, make_user(db, "Ngozi Committee", "committee"), SLUG, listed=False)
        join_group(db, make_user(db, "Mei Committee", "committee"), SLUG, listed=True)
        db.commit()
    hidden = "Ngozi Committee"

    def visible(browser: FlaskClient) -> dict[str, bool]:
        return {
            "index": hidden in text_of(browser.get("/groups")),
            "page": hidden in text_of(browser.get(PAGE)),
            "api": hidden in text_of(browser.get("/api/v1/working-groups")),
        }

    anonymous = app.test_client()
    assert visible(anonymous) == {"index": False, "page": False, "api": False}
    assert "Mei Committee" in text_of(anonymous.get(PAGE))
    assert "Leila Lead" in text_of(anonymous.get("/groups"))

    sign_in(client, "Omar Requester")  # signed in, not a member
    assert visible(client) == {"index": False, "page": False, "api": False}

    fellow = app.test_client()
    sign_in(fellow, "Mei Committee")
    page = text_of(fellow.get(PAGE))
    assert hidden in page
    assert "All members (visible to members and administrators only)" in page
    assert visible(fellow)["api"] is False

    admin = app.test_client()
    sign_in(admin, "Admin Demo")
    assert hidden in text_of(admin.get(PAGE))


def test_members_see_referrals_of_all_cases_the_public_only_public_ones(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    setup_users(app)
    with app.app_context():
        db = get_session()
        ada = make_user(db, "Ada Requester")
        sven = make_user(db, "Sven Helpdesk", "helpdesk")
        public_case = make_case(db, ada, title="Public maps")
        service.move(db, public_case, sven, {"helpdesk"}, "triage")
        private_case = make_case(db, ada, title="Secret letters", public_listing=False)
        service.move(db, private_case, sven, {"helpdesk"}, "triage")
        group = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == SLUG)).one()
        for case in (public_case, private_case):
            db.add(Referral(case_id=case.id, group_id=group.id, question="Can you help?"))
        db.commit()
        public_ref, private_ref = public_case.reference, private_case.reference

    outsider_page = text_of(client.get(PAGE))
    assert public_ref in outsider_page and "Public maps" in outsider_page
    assert private_ref not in outsider_page and "Secret letters" not in outsider_page
    assert "Secret letters" not in text_of(client.get("/api/v1/working-groups"))

    lead = app.test_client()
    sign_in(lead, "Leila Lead")
    page = text_of(lead.get(PAGE))
    # members are sent to the case page (the question and the answer form), never to the
    # public page
    assert f'href="/requests/{private_ref}#referrals-heading"' in page
    assert "Secret letters" in page
    assert f'href="/requests/{public_ref}#referrals-heading"' in page
    assert f'href="/cases/{public_ref}"' not in page
    assert lead.get(f"/requests/{private_ref}").status_code == 200


# -- admin ------------------------------------------------------------------------

def test_admin_adds_renames_and_archives_a_group(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    setup_users(app)
    sign_in(client, "Admin Demo")
    assert client.get("/groups/manage").status_code == 200
    response = post(client, "/groups/manage/add",
                    {"slug": "wikidata-help", "name": "Wikidata help",
                     "description": "Models collections in Wikidata."}, "/groups/manage")
    assert response.status_code == 303
    assert 'href="/groups/wikidata-help"><bdi>Wikidata help</bdi></a>' in text_of(
        client.get("/groups"))
    taken = post(client, "/groups/manage/add",
                 {"slug": "wikidata-help", "name": "Again", "description": ""}, "/groups/manage")
    assert taken.status_code == 409
    assert "There is already a group" in text_of(taken)

    response = post(client, "/groups/manage/wikidata-help/edit",
                    {"name": "Wikidata modelling", "description": "New words."},
                    "/groups/manage")
    assert response.status_code == 303
    assert "Wikidata modelling" in text_of(client.get("/groups/wikidata-help"))
    nameless = post(client, "/groups/manage/wikidata-help/edit",
                    {"name": "", "description": "x"}, "/groups/manage")
    assert nameless.status_code == 400 and "Give the group a name." in text_of(nameless)

    assert post(client, "/groups/manage/wikidata-help/archive",
                form_page="/groups/manage").status_code == 303
    assert 'href="/groups/wikidata-help"' not in text_of(client.get("/groups"))
    assert "wikidata-help" not in text_of(client.get("/api/v1/working-groups"))
    page = text_of(client.get("/groups/wikidata-help"))
    assert "This working group is archived" in page
    assert "Unarchive <bdi>Wikidata modelling</bdi>" in text_of(client.get("/groups/manage"))

    joiner = app.test_client()
    sign_in(joiner, "Ada Requester")
    refused = post(joiner, "/groups/wikidata-help/join", {"note": ""}, "/groups")
    assert refused.status_code == 409
    assert "archived" in text_of(refused)

    assert post(client, "/groups/manage/wikidata-help/archive",
                form_page="/groups/manage").status_code == 303
    assert 'href="/groups/wikidata-help"><bdi>Wikidata modelling</bdi></a>' in text_of(
        client.get("/groups"))
    assert actions(app) == ["group.create", "group.update", "group.archive", "group.unarchive"]


def test_invalid_slug_is_refused_with_a_message(
    app: Flask, client: FlaskClient, sign_in: SignIn
) -> None:
    sign_in(client, "Admin Demo")
    for slug in ("Bad Slug!", "x", "manage"):
        response = post(client, "/groups/manage/add",
                        {"slug": slug, "name": "Group", "description": ""}, "/groups/manage")
        assert response.status_code == 400, slug
        page = text_of(response)
        assert 'class="field-error" id="slug-error"' in page
        assert 'value="Group"' in page  # nothing lost
    with app.app_context():
        assert get_session().scalars(
            select(WorkingGroup).where(WorkingGroup.name == "Group")).all() == []
    assert actions(app) == []


def test_admin_makes_and_unmakes_a_lead(app: Flask, client: FlaskClient,
                                        sign_in: SignIn) -> None:
    setup_users(app)
    with app.app_context():
        db = get_session()
        join_group(db, make_user(db, "Ada Requester"), SLUG)
        db.commit()
    sign_in(client, "Admin Demo")
    manage = "/groups/manage"
    assert post(client, f"/groups/manage/{SLUG}/lead",
                {"username": "Ada_Requester", "lead": "1"}, manage).status_code == 303
    member = membership(app, "Ada Requester")
    assert member is not None and member.lead
    assert post(client, f"/groups/manage/{SLUG}/lead",
                {"username": "Ada Requester", "lead": "0"}, manage).status_code == 303
    member = membership(app, "Ada Requester")
    assert member is not None and not member.lead
    not_member = post(client, f"/groups/manage/{SLUG}/lead",
                      {"username": "Omar Requester", "lead": "1"}, manage)
    assert not_member.status_code == 409
    assert "is not a member" in text_of(not_member)
    unknown = post(client, f"/groups/manage/{SLUG}/lead",
                   {"username": "Nobody Here", "lead": "1"}, manage)
    assert unknown.status_code == 404
    assert actions(app) == ["group.lead", "group.lead"]


def test_non_admins_cannot_manage(app: Flask, client: FlaskClient, sign_in: SignIn) -> None:
    setup_users(app)
    assert client.get("/groups/manage").status_code == 302  # anonymous: sign in
    sign_in(client, "Leila Lead")
    assert client.get("/groups/manage").status_code == 403
    token = csrf_token(client, PAGE)
    for path, data in (("/groups/manage/add", {"slug": "new-one", "name": "New"}),
                       (f"/groups/manage/{SLUG}/edit", {"name": "Renamed"}),
                       (f"/groups/manage/{SLUG}/archive", {}),
                       (f"/groups/manage/{SLUG}/lead", {"username": "Leila Lead",
                                                        "lead": "0"})):
        response = client.post(path, data={"csrf_token": token, **data})
        assert response.status_code == 403, path
    assert "Manage the working groups" not in text_of(client.get("/groups"))
    assert actions(app) == []


def test_post_without_csrf_token_is_refused(app: Flask, client: FlaskClient,
                                            sign_in: SignIn) -> None:
    setup_users(app)
    sign_in(client, "Ada Requester")
    assert client.post(f"{PAGE}/join", data={"note": "hi"}).status_code == 400
    with app.app_context():
        assert get_session().scalars(select(JoinRequest)).all() == []
