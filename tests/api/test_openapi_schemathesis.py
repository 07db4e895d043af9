"""The OpenAPI document checked by schemathesis against the running app.

The real app is served over HTTP on a loopback port with public and private
cases in it; schemathesis's command line reads /api/v1/openapi.json from it and
sends generated requests (valid and invalid ones) to every operation, checking
every answer against the document: status codes, content types, headers, the
response schemas, no server error, invalid input refused.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import requests
from flask.testing import FlaskClient

from app.core.models import utcnow
from app.meetings.models import Meeting
from tests.bot_fixtures import ServedApp, add_case, served_app  # noqa: F401 (fixture)
from tests.helpers import app_session

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")


def run_schemathesis(url: str, report_dir: Path) -> subprocess.CompletedProcess[str]:
    """schemathesis run with every check, bounded and reproducible."""
    return subprocess.run(
        [str(SCHEMATHESIS), "--no-color", "run", f"{url}/api/v1/openapi.json",
         "--checks", "all",
         "--phases", "examples,coverage,fuzzing",
         "--max-examples", "60",
         "--seed", "20261127",
         "--workers", "1",
         "--request-timeout", "20",
         "--report", "junit",
         "--report-dir", str(report_dir)],
        capture_output=True, text=True, timeout=600, check=False)


def test_openapi_document_holds_against_the_running_app(
        served_app: ServedApp, tmp_path: Path) -> None:  # noqa: F811 (fixture)
    public_ref = add_case(served_app.app, "Digitised maps of the Baltic")
    add_case(served_app.app, "Letters of a private archive", "Archive of Secrets",
             public=False)
    add_case(served_app.app, "Posters of a closed project", "Poster Museum", closed=True)
    with app_session(served_app.app) as db:  # the meeting the document's example names
        db.add(Meeting(id=1, title="December meeting", starts_at=utcnow()))

    # The document the run is about is the one the app serves.
    document = requests.get(f"{served_app.url}/api/v1/openapi.json", timeout=10).json()
    assert document["openapi"].startswith("3.")
    assert "/api/v1/cases/{reference}" in document["paths"]
    assert requests.get(f"{served_app.url}/api/v1/cases/{public_ref}",
                        timeout=10).status_code == 200

    result = run_schemathesis(served_app.url, tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    # It really tested every operation of the document (schemathesis leaves out the
    # document's own URL).
    operations = sum(len(methods) for path, methods in document["paths"].items()
                     if not path.endswith("/openapi.json"))
    assert f"Tested: {operations}" in output, output
    assert "failed" not in output.split("SUMMARY")[-1], output


# What the schemathesis run found, pinned down (each failed the run before its fix).

def test_a_method_not_allowed_says_which_are(client: FlaskClient) -> None:
    for path in ("/api/v1/cases", "/cases"):
        response = client.open(path, method="TRACE")
        assert response.status_code == 405
        assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"GET", "HEAD"}


def test_an_empty_page_number_is_refused_with_a_message(client: FlaskClient) -> None:
    response = client.get("/api/v1/cases?per_page=")
    assert response.status_code == 400
    assert "per_page" in response.get_json()["error"]["message"]


def test_the_document_gives_the_page_limit_the_api_enforces(client: FlaskClient) -> None:
    document = client.get("/api/v1/openapi.json").get_json()
    page = next(p for p in document["paths"]["/api/v1/cases"]["get"]["parameters"]
                if p["name"] == "page")
    limit = page["schema"]["maximum"]
    assert client.get(f"/api/v1/cases?page={limit}").status_code == 200
    assert client.get(f"/api/v1/cases?page={limit + 1}").status_code == 400
