"""Drive the case page like a browser: read the form's hidden fields, then post."""

from __future__ import annotations

from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.html import field_value, parse


def hidden_fields(html: str) -> dict[str, str]:
    """The CSRF token, version and loaded_at of the first case form on a page."""
    soup = parse(html)
    values = {name: field_value(soup, name) for name in ("csrf_token", "version", "loaded_at")}
    return {name: value for name, value in values.items() if value is not None}


def post_on_case(client: FlaskClient, reference: str, what: str, **data: Any) -> TestResponse:
    """POST to /requests/<ref>/<what> with the hidden fields of the current page."""
    page = client.get(f"/requests/{reference}")
    assert page.status_code == 200, page.status_code
    form = {**hidden_fields(page.get_data(as_text=True)), **data}
    return client.post(f"/requests/{reference}/{what}", data=form)
