"""Drive the case page like a browser: read the form's hidden fields, then post."""

from __future__ import annotations

import re
from typing import Any

from flask.testing import FlaskClient
from werkzeug.test import TestResponse


def hidden_fields(html: str) -> dict[str, str]:
    """The CSRF token, version and loaded_at of the first case form on a page."""
    fields = {}
    for name in ("csrf_token", "version", "loaded_at"):
        match = re.search(rf'name="{name}" value="([^"]*)"', html)
        if match:
            fields[name] = match.group(1)
    return fields


def post_on_case(client: FlaskClient, reference: str, what: str, **data: Any) -> TestResponse:
    """POST to /requests/<ref>/<what> with the hidden fields of the current page."""
    page = client.get(f"/requests/{reference}")
    assert page.status_code == 200, page.status_code
    form = {**hidden_fields(page.get_data(as_text=True)), **data}
    return client.post(f"/requests/{reference}/{what}", data=form)
