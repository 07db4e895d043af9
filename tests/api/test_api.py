"""The public JSON API (/api/v1): the contract the Meta-Wiki bot is written against."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.cases import service
from app.cases.access import case_access
from app.cases.models import Case
from app.core.db import get_session
from app.groups.models import Referral, WorkingGroup
from app.wikicheck.models import ImpactSnapshot
from tests.factories import join_group, make_case, make_organisation, make_user
from tests.helpers import sql_statements as count_queries

ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
CASE_KEYS = {"reference", "title", "organisation", "themes", "region", "target_projects",
             "state", "state_label", "open", "created_at", "updated_at", "state_changed_at",
             "days_in_state", "public_summary", "url", "place_in_line"}


# -- building cases through the services -----------------------------------------

def helpdesk(db: Session) -> User:
    return make_user(db, "Sven Helpdesk", "helpdesk")


def triaged(db: Session, **fields: Any) -> Case:
    """A case the helpdesk has accepted (so public when the requester consented)."""
    requester = make_user(db, "Ada Requester")
    case = make_case(db, requester, **fields)
    service.move(db, case, helpdesk(db), {"helpdesk"}, "triage")
    return case


def committee(db: Session) -> list[User]:
    return [make_user(db, name, "committee")
            for name in ("Ngozi Committee", "Mei Committee", "Carlos Committee")]


def refer(db: Session, case: Case, slugs: list[str], question: str = "Can you help?") -> None:
    """The committee refers the case to working groups (a quorate decision)."""
    members = committee(db)
    groups = db.scalars(select(WorkingGroup).where(WorkingGroup.slug.in_(slugs))).all()
    service.record_decision(
        db, case, members[0], case_access(db, members[0], case),
        expected_version=case.version, outcome="refer", rationale="Needs the groups.",
        public_rationale="", participant_ids=[m.id for m in members],
        group_ids=[g.id for g in groups], question=question)


def withdraw(db: Session, case: Case) -> None:
    service.move(db, case, make_user(db, "Ada Requester"), {"requester"}, "withdraw")


def group_slugs(db: Session) -> list[str]:
    return list(db.scalars(select(WorkingGroup.slug).order_by(WorkingGroup.name)))


# -- a tiny validator for the JSON Schema subset the OpenAPI document uses -------

def resolve(doc: dict[str, Any], schema: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in schema:
        name = schema["$ref"].rsplit("/", 1)[1]
        schema = doc["components"]["schemas"][name]
    return schema


TYPES: dict[str, Any] = {"object": dict, "array": list, "string": str, "boolean": bool,
                         "null": type(None)}


def type_ok(value: Any, name: str) -> bool:
    if name == "integer":
        return isinstance(value, int) and not isinstance(value, bool)
    if name == "number":
        return isinstance(value, int | float) and not isinstance(value, bool)
    return isinstance(value, TYPES[name])


def validate(doc: dict[str, Any], schema: dict[str, Any], value: Any, at: str = "$") -> None:
    schema = resolve(doc, schema)
    if "type" in schema:
        names = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        assert any(type_ok(value, n) for n in names), f"{at}: {value!r} is not {names}"
    if "enum" in schema:
        assert value in schema["enum"], f"{at}: {value!r} not in {schema['enum']}"
    if isinstance(value, int) and not isinstance(value, bool):
        assert value >= schema.get("minimum", value), f"{at}: below minimum"
        assert value <= schema.get("maximum", value), f"{at}: above maximum"
    if isinstance(value, str) and schema.get("format") == "date-time":
        assert ISO.match(value), f"{at}: {value!r} is not an ISO timestamp"
    if isinstance(value, str) and schema.get("format") == "date":
        assert re.fullmatch(r"\d{4}-\d\d-\d\d", value), f"{at}: {value!r} is not a date"
    if isinstance(value, str) and schema.get("format") == "uri":
        assert value.startswith(("http://", "https://")), f"{at}: {value!r} is not absolute"
    if isinstance(value, dict):
        for key in schema.get("required", []):
            assert key in value, f"{at}: missing {key}"
        properties = schema.get("properties", {})
        if schema.get("additionalProperties") is False:
            assert set(value) <= set(properties), f"{at}: extra {set(value) - set(properties)}"
        for key, item in value.items():
            if key in properties:
                validate(doc, properties[key], item, f"{at}.{key}")
    if isinstance(value, list) and "items" in schema:
        for index, item in enumerate(value):
            validate(doc, schema["items"], item, f"{at}[{index}]")


def response_schema(doc: dict[str, Any], path: str, status: str) -> dict[str, Any]:
    answer = doc["paths"][path]["get"]["responses"][status]
    return answer["content"]["application/json"]["schema"]  # type: ignore[no-any-return]




# -- the list --------------------------------------------------------------------

def test_list_shows_only_consenting_triaged_cases(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        db = get_session()
        shown = triaged(db, title="Open maps")
        triaged(db, title="No consent", public_listing=False)
        make_case(db, make_user(db, "Ada Requester"), title="Not yet triaged")
        db.commit()
        reference = shown.reference

    response = client.get("/api/v1/cases")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json; charset=utf-8"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Set-Cookie" not in response.headers
    body = response.get_json()
    assert [c["title"] for c in body["cases"]] == ["Open maps"]
    assert (body["page"], body["per_page"], body["total"], body["pages"], body["next"]) == (
        1, 100, 1, 1, None)
    case = body["cases"][0]
    assert set(case) == CASE_KEYS | {"impact"}  # the list adds the latest impact
    assert case["impact"] is None
    assert case["reference"] == reference
    assert case["organisation"] == {"name": "Museum of Examples", "kind": "glam"}
    assert case["state"] == "in_initial_review" and case["open"] is True
    assert case["state_label"] == "In initial review"
    assert case["url"] == f"http://localhost/cases/{reference}"
    assert all(ISO.match(case[key]) for key in ("created_at", "updated_at", "state_changed_at"))


def test_open_cases_come_first_then_latest_update(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        db = get_session()
        older = triaged(db, title="Older open")
        closed = triaged(db, title="Closed one")
        newer = triaged(db, title="Newer open")
        withdraw(db, closed)  # updated last, but closed: goes after the open ones
        db.commit()
        expected = [newer.reference, older.reference, closed.reference]
    body = client.get("/api/v1/cases").get_json()
    assert [c["reference"] for c in body["cases"]] == expected
    assert [c["open"] for c in body["cases"]] == [True, True, False]


def test_filters(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        db = get_session()
        triaged(db, title="Climate data", themes=["climate", "science"],
                          target_projects=["wikidata"], region="ssa",
                          organisation=make_organisation(db, "UN Agency", kind="igo"))
        triaged(db, title="Heritage images", themes=["heritage", "human_rights"],
                target_projects=["commons"], region="western_europe")
        closed = triaged(db, title="Withdrawn one", themes=["climate"],
                         target_projects=["commons"])
        withdraw(db, closed)
        db.commit()

    def titles(query: str) -> list[str]:
        response = client.get(f"/api/v1/cases?{query}")
        assert response.status_code == 200, response.get_data(as_text=True)
        return sorted(c["title"] for c in response.get_json()["cases"])

    assert titles("theme=climate") == ["Climate data", "Withdrawn one"]
    assert titles("theme=climate&open=true") == ["Climate data"]
    assert titles("open=false") == ["Withdrawn one"]
    assert titles("theme=human_rights") == ["Heritage images"]
    assert titles("theme=gender") == []
    assert titles("project=wikidata") == ["Climate data"]
    assert titles("project=commons") == ["Heritage images", "Withdrawn one"]
    assert titles("project=wikidata&project=commons") == ["Climate data"]  # the first wins
    assert titles("region=ssa") == ["Climate data"]
    assert titles("organisation_kind=igo") == ["Climate data"]
    assert titles("state=withdrawn") == ["Withdrawn one"]
    assert titles("state=in_initial_review&region=western_europe") == ["Heritage images"]


def test_pagination_and_next_link(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        db = get_session()
        for number in range(5):
            triaged(db, title=f"Case {number}", themes=["heritage"])
        db.commit()
    first = client.get("/api/v1/cases?per_page=2&theme=heritage").get_json()
    assert (first["total"], first["pages"], first["per_page"], len(first["cases"])) == (5, 3, 2, 2)
    assert first["next"].startswith("http://localhost/api/v1/cases?")
    seen = [c["reference"] for c in first["cases"]]
    page = first
    while page["next"]:
        assert "theme=heritage" in page["next"] and "per_page=2" in page["next"]
        page = client.get(page["next"]).get_json()
        seen += [c["reference"] for c in page["cases"]]
    assert page["page"] == 3 and len(page["cases"]) == 1
    assert len(seen) == len(set(seen)) == 5
    beyond = client.get("/api/v1/cases?per_page=2&page=9").get_json()
    assert beyond["cases"] == [] and beyond["next"] is None and beyond["total"] == 5
    assert client.get("/api/v1/cases?per_page=1000").status_code == 200


def test_bad_parameters_are_400_with_a_clear_message(client: FlaskClient) -> None:
    for query, word in [("state=nope", "state"), ("theme=nope", "theme"),
                        ("region=atlantis", "region"), ("project=myspace", "project"),
                        ("organisation_kind=pirates", "organisation_kind"),
                        ("open=maybe", "open"), ("page=0", "page"), ("page=-1", "page"),
                        ("page=two", "page"), ("page=1.5", "page"), ("per_page=0", "per_page"),
                        ("per_page=1001", "per_page"), ("per_page=" + "9" * 5000, "per_page")]:
        response = client.get(f"/api/v1/cases?{query}")
        assert response.status_code == 400, query
        assert response.headers["Content-Type"] == "application/json; charset=utf-8"
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        error = response.get_json()["error"]
        assert error["code"] == 400
        assert word in error["message"], (query, error)
    message = client.get("/api/v1/cases?per_page=5000").get_json()["error"]["message"]
    assert "1000" in message


# -- one case ----------------------------------------------------------------------

def test_case_detail_and_404_for_what_is_not_public(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        db = get_session()
        shown = triaged(db, title="Shown")
        hidden = triaged(db, title="Hidden", public_listing=False)
        untriaged = make_case(db, make_user(db, "Ada Requester"), title="New")
        db.commit()
        refs = (shown.reference, hidden.reference, untriaged.reference)

    body = client.get(f"/api/v1/cases/{refs[0]}").get_json()
    assert set(body) == CASE_KEYS and body["title"] == "Shown"
    assert client.get(f"/api/v1/cases/{refs[0].lower()}").status_code == 200
    answers = [client.get(f"/api/v1/cases/{ref}") for ref in (*refs[1:], "CPH-1999-0001")]
    for response in answers:
        assert response.status_code == 404
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        assert response.get_json()["error"]["code"] == 404
    # Not public and missing get the same answer, apart from the reference itself.
    messages = {r.get_json()["error"]["message"].replace(ref, "REF")
                for r, ref in zip(answers, [*refs[1:], "CPH-1999-0001"], strict=True)}
    assert len(messages) == 1
    assert "Hidden" not in answers[0].get_data(as_text=True)


def test_only_get_is_allowed(client: FlaskClient) -> None:
    assert client.post("/api/v1/cases").status_code == 405
    assert client.delete("/api/v1/working-groups").status_code == 405


# -- working groups ----------------------------------------------------------------

def test_working_groups_list_only_listed_members_and_public_referrals(
    app: Flask, client: FlaskClient
) -> None:
    with app.app_context():
        db = get_session()
        slugs = group_slugs(db)
        target, other = slugs[0], slugs[1]
        join_group(db, make_user(db, "Zed Member"), target, listed=True)
        join_group(db, make_user(db, "Leila Lead"), target, lead=True, listed=True)
        join_group(db, make_user(db, "Amy Member"), target, listed=True)
        join_group(db, make_user(db, "Hidden Person"), target, listed=False)
        public = triaged(db, title="Public referred")
        private = triaged(db, title="Private referred", public_listing=False)
        answered = triaged(db, title="Answered referral")
        refer(db, public, [target])
        refer(db, private, [target])
        refer(db, answered, [target, other])
        referral = db.scalars(select(Referral).join(WorkingGroup).where(
            Referral.case_id == answered.id, WorkingGroup.slug == target)).one()
        service.answer_referral(db, referral, make_user(db, "Leila Lead"), "Done.")
        archived = db.scalars(select(WorkingGroup).where(WorkingGroup.slug == slugs[-1])).one()
        archived.archived = True
        db.commit()
        public_ref, answered_ref = public.reference, answered.reference

    response = client.get("/api/v1/working-groups")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    groups = response.get_json()["working_groups"]
    assert slugs[-1] not in [g["slug"] for g in groups]
    assert [g["name"] for g in groups] == sorted(g["name"] for g in groups)
    by_slug = {g["slug"]: g for g in groups}
    group = by_slug[target]
    assert set(group) == {"slug", "name", "description", "url", "members", "open_referrals"}
    assert group["url"] == f"http://localhost/groups/{target}"
    assert [m["username"] for m in group["members"]] == ["Leila Lead", "Amy Member", "Zed Member"]
    assert [m["lead"] for m in group["members"]] == [True, False, False]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\d", m["member_since"]) for m in group["members"])
    assert "Hidden Person" not in response.get_data(as_text=True)
    assert group["open_referrals"] == [{"reference": public_ref, "title": "Public referred",
                                        "url": f"http://localhost/cases/{public_ref}"}]
    assert by_slug[other]["open_referrals"][0]["reference"] == answered_ref
    assert "Private referred" not in response.get_data(as_text=True)
    assert "Can you help?" not in response.get_data(as_text=True)


def test_working_groups_query_count_does_not_grow(app: Flask, client: FlaskClient) -> None:
    def queries() -> int:
        with count_queries(app) as statements:
            assert client.get("/api/v1/working-groups").status_code == 200
        return len(statements)

    with app.app_context():
        db = get_session()
        join_group(db, make_user(db, "Leila Lead"), group_slugs(db)[0], lead=True)
        refer(db, triaged(db), group_slugs(db)[:1])
        db.commit()
    few = queries()
    with app.app_context():
        db = get_session()
        for slug in group_slugs(db):
            for n in range(3):
                join_group(db, make_user(db, f"Member {slug} {n}"), slug, lead=n == 0)
        refer(db, triaged(db), group_slugs(db))
        db.commit()
    assert queries() == few


# -- the impact in the list ------------------------------------------------------------

def test_list_items_carry_the_latest_impact_of_public_cases_only(
        app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        db = get_session()
        followed = triaged(db, title="Followed")
        hidden = triaged(db, title="Hidden", public_listing=False)
        triaged(db, title="Not followed")
        db.flush()
        db.add_all([ImpactSnapshot(case_id=followed.id, day=0, files=120, files_in_use=4,
                                   wikis=2, pages=5, views=1234),
                    ImpactSnapshot(case_id=followed.id, day=30, files=10000, files_capped=True,
                                   files_in_use=9, wikis=3, pages=11, views=5678),
                    ImpactSnapshot(case_id=hidden.id, day=0, files=777, files_in_use=1,
                                   wikis=1, pages=1, views=4242)])
        db.commit()

    body = client.get("/api/v1/cases").get_json()
    impacts = {case["title"]: case["impact"] for case in body["cases"]}
    assert set(impacts) == {"Followed", "Not followed"}
    assert impacts["Not followed"] is None
    latest = impacts["Followed"]
    assert (latest["day"], latest["files"], latest["files_capped"], latest["files_in_use"],
            latest["wikis"], latest["pages"], latest["views"]) == (30, 10000, True, 9, 3, 11,
                                                                   5678)
    assert ISO.match(latest["taken_at"])
    assert "4242" not in str(body) and "777" not in str(body)
    doc = client.get("/api/v1/openapi.json").get_json()
    validate(doc, response_schema(doc, "/api/v1/cases", "200"), body)


# -- query count ---------------------------------------------------------------------

def test_case_list_query_count_is_constant(app: Flask, client: FlaskClient) -> None:
    def queries(expected: int) -> int:
        with count_queries(app) as statements:
            body = client.get("/api/v1/cases?per_page=1000").get_json()
        assert len(body["cases"]) == expected
        return len(statements)

    with app.app_context():
        db = get_session()
        for number in range(10):  # each case has its own organisation
            triaged(db, title=f"Case {number}")
        db.commit()
    at_ten = queries(10)
    with app.app_context():
        db = get_session()
        for number in range(190):
            triaged(db, title=f"More {number}")
        db.commit()
    assert queries(200) == at_ten
    assert at_ten <= 3


# -- the OpenAPI document ----------------------------------------------------------------

def test_openapi_documents_every_api_route(app: Flask, client: FlaskClient) -> None:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    doc = response.get_json()
    assert doc["openapi"].startswith("3.1")
    routes = {re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
              for rule in app.url_map.iter_rules() if rule.rule.startswith("/api/v1")}
    assert routes == set(doc["paths"])
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1"):
            assert rule.methods is not None and rule.methods - {"HEAD", "OPTIONS"} == {"GET"}
    parameters = {p["name"] for p in doc["paths"]["/api/v1/cases"]["get"]["parameters"]}
    assert parameters == {"page", "per_page", "state", "open", "theme", "region", "project",
                          "organisation_kind"}
    # Every $ref points at a schema that exists.
    text = response.get_data(as_text=True)
    for name in re.findall(r'"#/components/schemas/(\w+)"', text):
        assert name in doc["components"]["schemas"]


def test_real_responses_match_the_schemas(app: Flask, client: FlaskClient) -> None:
    with app.app_context():
        db = get_session()
        slug = group_slugs(db)[0]
        join_group(db, make_user(db, "Leila Lead"), slug, lead=True)
        referred = triaged(db, region=None, themes=[])
        refer(db, referred, [slug])
        closed = triaged(db)
        withdraw(db, closed)
        db.commit()
        reference = referred.reference
    doc = client.get("/api/v1/openapi.json").get_json()

    listing = client.get("/api/v1/cases?per_page=1").get_json()
    assert listing["next"] is not None
    validate(doc, response_schema(doc, "/api/v1/cases", "200"), listing)
    validate(doc, response_schema(doc, "/api/v1/cases", "200"),
             client.get("/api/v1/cases?page=2&per_page=1").get_json())
    validate(doc, response_schema(doc, "/api/v1/cases/{reference}", "200"),
             client.get(f"/api/v1/cases/{reference}").get_json())
    groups = client.get("/api/v1/working-groups").get_json()
    assert any(g["open_referrals"] for g in groups["working_groups"])
    validate(doc, response_schema(doc, "/api/v1/working-groups", "200"), groups)
    validate(doc, response_schema(doc, "/api/v1/cases/{reference}", "404"),
             client.get("/api/v1/cases/CPH-1999-0001").get_json())
    validate(doc, response_schema(doc, "/api/v1/cases", "400"),
             client.get("/api/v1/cases?state=nope").get_json())


def test_the_validator_catches_a_wrong_answer() -> None:
    doc = {"components": {"schemas": {"X": {"type": "object", "required": ["a"],
                                            "additionalProperties": False,
                                            "properties": {"a": {"type": "integer"}}}}}}
    schema = {"$ref": "#/components/schemas/X"}
    validate(doc, schema, {"a": 1})
    for wrong in ({}, {"a": "1"}, {"a": 1, "b": 2}, {"a": True}):
        try:
            validate(doc, schema, wrong)
        except AssertionError:
            continue
        raise AssertionError(f"{wrong!r} passed")
