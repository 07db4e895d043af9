"""Files on requests and messages: added when filing and with a message, downloaded only
by those who may see them, refused when too large or of a kind not accepted."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from werkzeug.test import TestResponse

from app.attachments.models import Attachment
from app.cases.models import Case
from app.core.audit_log import AuditEvent
from app.core.db import get_session
from tests.case_client import hidden_fields
from tests.factories import make_case, make_user
from tests.helpers import SignIn, csrf_token
from tests.html import one, parse, text_of
from tests.intake.support import NEW, form_data

PDF = b"%PDF-1.4 sample agreement\n"
CSV = b"title,creator\nMap of Gotland,Unknown\n"


@pytest.fixture
def files_app(make_app: Callable[..., Flask], tmp_path: Path) -> Flask:
    """The app with its own private folder for files and small limits."""
    return make_app(ATTACHMENTS_DIR=str(tmp_path / "files"), ATTACHMENT_MAX_BYTES=1000,
                    ATTACHMENT_MAX_FILES=3)


def stored_files(app: Flask) -> list[Path]:
    folder = Path(app.config["ATTACHMENTS_DIR"])
    return sorted(path for path in folder.rglob("*") if path.is_file())


def rows(app: Flask) -> list[Attachment]:
    with app.app_context():
        return list(get_session().scalars(select(Attachment).order_by(Attachment.id)))


def people(app: Flask) -> dict[str, int]:
    """A requester with a case, another requester, a helpdesk member; their ids, and the
    case's id."""
    with app.app_context():
        db = get_session()
        ada = make_user(db, "Ada Requester")
        make_user(db, "Omar Requester")
        make_user(db, "Sven Helpdesk", "helpdesk")
        case = make_case(db, ada)
        db.commit()
        return {"ada": ada.id, "case": case.id}


def reference_of(app: Flask, case_id: int) -> str:
    with app.app_context():
        case = get_session().get(Case, case_id)
        assert case is not None
        return case.reference


def post_message(client: FlaskClient, reference: str, files: list[tuple[bytes, str]],
                 **extra: str) -> TestResponse:
    page = client.get(f"/requests/{reference}")
    data: dict[str, object] = {**hidden_fields(page.get_data(as_text=True)),
                               "body": "Here is the metadata.", **extra}
    data["attachments"] = [(io.BytesIO(content), name) for content, name in files]
    return client.post(f"/requests/{reference}/message", data=data,
                       content_type="multipart/form-data")


def file_links(client: FlaskClient, reference: str) -> dict[str, str]:
    soup = parse(client.get(f"/requests/{reference}"))
    return {text_of(link): str(link["href"])
            for link in soup.select("#files-heading ~ ul a")}


def test_a_requester_files_a_request_with_files(files_app: Flask, sign_in: SignIn) -> None:
    client = files_app.test_client()
    with files_app.app_context():
        make_user(get_session(), "Ada Requester")
        get_session().commit()
    sign_in(client, "Ada Requester")
    form_page = parse(client.get(NEW))
    assert form_page.select_one("form[enctype='multipart/form-data'] input[type=file]")
    data = form_data(csrf_token(client, NEW))
    data["attachments"] = [(io.BytesIO(PDF), "agreement.pdf"),
                           (io.BytesIO(CSV), "metadata.csv")]
    response = client.post(NEW, data=data, content_type="multipart/form-data")
    assert response.status_code == 302, response.get_data(as_text=True)
    reference = response.headers["Location"].rsplit("/", 1)[-1]

    links = file_links(client, reference)
    assert sorted(links) == ["agreement.pdf", "metadata.csv"]
    download = client.get(links["agreement.pdf"])
    assert download.status_code == 200
    assert download.data == PDF
    assert download.headers["Content-Disposition"].startswith("attachment")
    assert "agreement.pdf" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Type"] == "application/octet-stream"
    assert "no-store" in download.headers["Cache-Control"]
    assert len(stored_files(files_app)) == 2
    assert all(path.stat().st_mode & 0o077 == 0 for path in stored_files(files_app))


def test_files_on_a_message_and_who_may_download_them(
    files_app: Flask, sign_in: SignIn
) -> None:
    ids = people(files_app)
    reference = reference_of(files_app, ids["case"])
    ada, omar, sven, anonymous = (files_app.test_client() for _ in range(4))
    sign_in(ada, "Ada Requester")
    sign_in(omar, "Omar Requester")
    sign_in(sven, "Sven Helpdesk")

    sent = post_message(ada, reference, [(CSV, "metadata.csv")])
    assert sent.status_code == 302
    internal = post_message(sven, reference, [(PDF, "draft contract.pdf")],
                            visibility="internal")
    assert internal.status_code == 302
    public_file, internal_file = rows(files_app)
    assert (public_file.internal, internal_file.internal) == (False, True)
    assert public_file.message_id is not None

    assert sorted(file_links(sven, reference)) == ["draft contract.pdf", "metadata.csv"]
    assert sorted(file_links(ada, reference)) == ["metadata.csv"]  # not the internal one
    base = f"/requests/{reference}/files"
    assert ada.get(f"{base}/{public_file.id}").data == CSV
    assert sven.get(f"{base}/{internal_file.id}").data == PDF
    assert ada.get(f"{base}/{internal_file.id}").status_code == 403
    assert omar.get(f"{base}/{public_file.id}").status_code == 403
    assert anonymous.get(f"{base}/{public_file.id}").status_code in (302, 401, 403)
    assert anonymous.get(f"{base}/{public_file.id}").data != CSV
    assert ada.get(f"{base}/{internal_file.id + 99}").status_code == 404
    with files_app.app_context():
        audited = get_session().scalars(select(AuditEvent).where(
            AuditEvent.action == "case.attachments")).all()
        assert len(audited) == 2


def test_a_file_too_large_is_refused_with_413_and_nothing_is_stored(
    files_app: Flask, sign_in: SignIn
) -> None:
    ids = people(files_app)
    reference = reference_of(files_app, ids["case"])
    client = files_app.test_client()
    sign_in(client, "Ada Requester")

    response = post_message(client, reference, [(CSV, "small.csv"), (b"x" * 1001, "big.csv")])

    assert response.status_code == 413
    assert "“big.csv” is too large" in response.get_data(as_text=True)
    assert rows(files_app) == []
    assert stored_files(files_app) == []
    with files_app.app_context():
        assert get_session().get_one(Case, ids["case"]).version == 1  # no message either


def test_a_file_too_large_on_filing_keeps_the_form_and_files_nothing(
    files_app: Flask, sign_in: SignIn
) -> None:
    client = files_app.test_client()
    with files_app.app_context():
        make_user(get_session(), "Ada Requester")
        get_session().commit()
    sign_in(client, "Ada Requester")
    data = form_data(csrf_token(client, NEW))
    data["attachments"] = [(io.BytesIO(b"x" * 5000), "scan.tif")]
    response = client.post(NEW, data=data, content_type="multipart/form-data")
    assert response.status_code == 413
    soup = parse(response)
    assert "too large" in text_of(one(soup, "#attachments-error"))
    assert one(soup, "input[name=title]")["value"] == "Digitised maps of the Baltic"
    with files_app.app_context():
        assert get_session().scalars(select(Case)).all() == []
    assert stored_files(files_app) == []


def test_a_kind_not_accepted_is_refused(files_app: Flask, sign_in: SignIn) -> None:
    ids = people(files_app)
    reference = reference_of(files_app, ids["case"])
    client = files_app.test_client()
    sign_in(client, "Ada Requester")
    response = post_message(client, reference, [(b"MZ...", "setup.exe")])
    assert response.status_code == 422
    assert "“setup.exe” cannot be added" in response.get_data(as_text=True)
    assert rows(files_app) == []


def test_names_are_sanitised(files_app: Flask, sign_in: SignIn) -> None:
    ids = people(files_app)
    reference = reference_of(files_app, ids["case"])
    client = files_app.test_client()
    sign_in(client, "Ada Requester")
    response = post_message(client, reference,
                            [(CSV, "../../etc/..pass\u202ewd\x07.csv")])
    assert response.status_code == 302
    (row,) = rows(files_app)
    assert row.filename == "pass" + "wd.csv"
    assert "/" not in row.storage_name and row.storage_name != row.filename
    download = client.get(f"/requests/{reference}/files/{row.id}")
    assert 'filename=passwd.csv' in download.headers["Content-Disposition"]
