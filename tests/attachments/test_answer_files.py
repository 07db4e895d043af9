"""Files with the requester's answer to the committee's question: the one answer box at
the top of the case page takes files, kept with the answer; a refused file moves
nothing and stores nothing."""

from __future__ import annotations

import io

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from app.attachments.models import Attachment
from app.cases import queries
from app.cases.models import CaseMessage
from app.core.db import get_session
from tests.attachments.test_uploads import CSV, PDF, file_links, files_app, rows, stored_files
from tests.case_client import hidden_fields
from tests.cases.test_workflow import setup_case
from tests.helpers import SignIn
from tests.html import parse, text_of

__all__ = ["files_app"]  # the fixture, shared with the upload tests


def state_of(app: Flask, reference: str) -> str:
    with app.app_context():
        case = queries.find_case(get_session(), reference)
        assert case is not None
        return case.state


def answer(client: FlaskClient, reference: str, text: str,
           files: list[tuple[bytes, str]]) -> TestResponse:
    """Send the answer box of the case page, with files."""
    page = client.get(f"/requests/{reference}")
    box = parse(page).select_one("form:has(#answer-body)")
    assert box is not None and box["enctype"] == "multipart/form-data"
    assert box.select_one("input[type=file][name=attachments]") is not None
    data: dict[str, object] = {**hidden_fields(str(box)), "action": "answer", "message": text,
                               "attachments": [(io.BytesIO(content), name)
                                               for content, name in files]}
    return client.post(f"/requests/{reference}/action", data=data,
                       content_type="multipart/form-data")


def message_of(app: Flask, row: Attachment) -> CaseMessage:
    with app.app_context():
        found = get_session().get(CaseMessage, row.message_id)
        assert found is not None
        return found


def test_the_requester_answers_the_committee_with_files(files_app: Flask,
                                                        sign_in: SignIn) -> None:
    reference = setup_case(files_app, ("triage", "ask_information"))
    ada, ngozi = files_app.test_client(), files_app.test_client()
    sign_in(ada, "Ada Requester")
    sign_in(ngozi, "Ngozi Committee")

    sent = answer(ada, reference, "The signed agreement and the list.",
                  [(PDF, "agreement.pdf"), (CSV, "list.csv")])

    assert sent.status_code == 302, sent.get_data(as_text=True)
    assert state_of(files_app, reference) == "in_initial_review"
    agreement, listing = rows(files_app)
    assert agreement.message_id == listing.message_id is not None
    assert not agreement.internal
    assert message_of(files_app, agreement).body == "The signed agreement and the list."
    links = file_links(ngozi, reference)  # the committee, whom the answer is for
    assert sorted(links) == ["agreement.pdf", "list.csv"]
    assert ngozi.get(links["agreement.pdf"]).data == PDF
    assert sorted(file_links(ada, reference)) == ["agreement.pdf", "list.csv"]


def test_a_refused_file_leaves_the_question_open(files_app: Flask, sign_in: SignIn) -> None:
    reference = setup_case(files_app, ("triage", "ask_information"))
    ada = files_app.test_client()
    sign_in(ada, "Ada Requester")

    refused = answer(ada, reference, "Here it is.", [(b"x" * 1001, "scans.zip")])

    assert refused.status_code == 413
    error = parse(refused).select_one("#answer-files-error")
    assert error is not None and "“scans.zip” is too large" in text_of(error)
    assert state_of(files_app, reference) == "needs_information"
    assert rows(files_app) == [] and stored_files(files_app) == []
