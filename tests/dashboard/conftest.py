"""Fixtures of the dashboard tests."""


from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from tests.dashboard.support import people
from tests.helpers import app_session as session


@pytest.fixture
def p(app: Flask) -> dict[str, Any]:
    """The demo users; ids only (the objects belong to a closed session)."""
    with session(app) as db:
        users = people(db)
        return {key: user.id for key, user in users.items()}
