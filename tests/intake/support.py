"""What the intake tests share: reading a page, a complete request, signing in, counting."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bs4 import Tag
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from app.cases.models import Case
from app.core.db import get_session
from tests.factories import make_user
from tests.helpers import SignIn
from tests.html import field_value, parse

NEW = "/requests/new"
LOG_EMAIL = "/requests/log-email"


@dataclass
class Page:
    """What the intake tests read of a page: attributes and text of each element by id,
    the chosen options and boxes, and the values of text fields."""

    by_id: dict[str, dict[str, str]]
    text: dict[str, str]
    selected: dict[str, list[str]]
    checked: dict[str, list[str]]
    values: dict[str, str]


def _attributes(tag: Tag) -> dict[str, str]:
    return {key: " ".join(value) if isinstance(value, list) else str(value)
            for key, value in tag.attrs.items()}


def page(response: TestResponse) -> Page:
    """The page of a response, read with Beautiful Soup."""
    soup = parse(response)
    identified = soup.find_all(id=True)
    selected: dict[str, list[str]] = {}
    for menu in soup.find_all("select"):
        chosen = [str(option.get("value", "")) for option in menu.find_all("option")
                  if option.has_attr("selected")]
        if chosen:
            selected[str(menu.get("name", ""))] = chosen
    checked: dict[str, list[str]] = {}
    for box in soup.select('input[type="checkbox"][checked], input[type="radio"][checked]'):
        checked.setdefault(str(box.get("name", "")), []).append(str(box.get("value", "")))
    values = {str(field["name"]): str(field.get("value", ""))
              for field in soup.select("input[name]")
              if field.get("type") not in ("checkbox", "radio", "hidden")}
    values |= {str(area["name"]): field_value(soup, str(area["name"])) or ""
               for area in soup.select("textarea[name]")}
    return Page(by_id={str(tag["id"]): _attributes(tag) for tag in identified},
                text={str(tag["id"]): tag.get_text() for tag in identified},
                selected=selected, checked=checked, values=values)


def error_of(parsed: Page, field_id: str) -> str:
    """The error shown for a field, checking it is tied to the field (aria-describedby)."""
    error_id = f"{field_id}-error"
    assert error_id in parsed.text, f"no error shown for {field_id}"
    assert error_id in parsed.by_id[field_id].get("aria-describedby", "").split(), field_id
    return " ".join(parsed.text[error_id].split())


def summary_links(parsed: Page) -> str:
    """The text of the error summary at the top of the form."""
    return " ".join(parsed.text.get("error-summary", "").split())


def form_data(token: str, **overrides: Any) -> dict[str, Any]:
    """A complete request that describes a new organisation."""
    data: dict[str, Any] = {
        "csrf_token": token,
        "title": "Digitised maps of the Baltic",
        "description": "Ten thousand scanned maps from our collection, 1600-1900.",
        "request_type": "commons_upload",
        "timeline": "Spring 2027",
        "organisation_id": "",
        "org_name": "Sjöhistoriska museet",
        "org_kind": "glam",
        "org_country": "SE",
        "org_website": "https://www.sjohistoriska.se/",
        "org_wikidata": "Q1140532",
        "content_kinds": ["images", "data"],
        "content_volume": "about 10,000 files",
        "licence": "cc_by_sa",
        "licence_details": "4.0 international",
        "target_projects": ["commons", "wikidata"],
        "themes": ["heritage", "climate"],
        "countries": ["SE", "FI"],
        "languages": ["sv", "fi"],
        "support_types": ["mass_upload", "community"],
        "support_details": "We need help with Pattypan.",
        "contact_name": "Ada Lovelace",
        "contact_email": "ada@example.org",
        "public_listing": "y",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def signed_in(app: Flask, client: FlaskClient, sign_in: SignIn, username: str,
              *roles: str) -> int:
    with app.app_context():
        db = get_session()
        user = make_user(db, username, *roles)
        db.commit()
        user_id = user.id
    sign_in(client, username)
    return user_id


def count(app: Flask, model: Any) -> int:
    with app.app_context():
        return int(get_session().scalar(select(func.count()).select_from(model)) or 0)


def only_case(app: Flask) -> Case:
    with app.app_context():
        case = get_session().scalars(select(Case)).one()
        _ = case.organisation.name
        return case
