"""The mailbox job's cost: fetching 1,000 messages from a real IMAP server.

A throwaway Dovecot (tests/mail/dovecot.py) is filled by IMAP APPEND with messages of
the shapes the helpdesk gets (new requests in several languages and charsets, HTML-only
mail, replies, auto-replies, one in ten with a 100 KB PDF), then `fetch_mail` reads them
in a process of its own, against the benchmark's database, once with 100 messages and
once with 1,000: the time of the second (and the CPU time of the fetching process,
which other work on the machine does not change), and the peak memory (VmHWM) of
both, which must be the same — memory flat in the number of messages, since each is
read, stored and dropped before the next.

    python -m dev.bench.mailbench sqlite:////tmp/x.sqlite3   # prints the figures
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from typing import Any

from dev.bench.server import ROOT
from dev.bench.settings import SECRET_KEY

MESSAGES, FEW = 1000, 100
TIMEOUT = 600  # seconds for one fetch
_WIRE = default_policy.clone(linesep="\r\n")
_TEXTS = (
    ("en", "Our museum would like to upload about {n} photographs to Wikimedia Commons."),
    ("sv", "Vi har {n} skannade kartor som vi vill dela med Wikimedia Commons."),
    ("fr", "Nous souhaitons verser {n} photographies de nos œuvres sur Commons."),
    ("ar", "نرغب في رفع {n} صورة تاريخية إلى ويكيميديا كومنز."),
    ("bn", "আমাদের গ্রন্থাগারে {n}টি পুঁথির ছবি আছে।"),
    ("ru", "Наша библиотека хотела бы передать {n} записей в Викиданные."),
)
PDF = b"%PDF-1.4\n" + bytes(100_000) + b"\n%%EOF\n"


def message(number: int, run: str) -> bytes:
    """The `number`th message of a run: a new request, with the odd reply-like, HTML-only,
    automatic or attached one among them (every sender distinct: no flood limit)."""
    language, text = _TEXTS[number % len(_TEXTS)]
    mail = EmailMessage()
    mail["From"] = f"Sender {number} <sender{number}.{run}@partner{number % 37}.example.org>"
    mail["To"] = "helpdesk@example.org"
    mail["Subject"] = f"Request {number}: {text.format(n=number)[:40]}"
    mail["Message-ID"] = f"<bench-{run}-{number}@example.org>"
    mail["Content-Language"] = language
    body = text.format(n=number) + "\n\nThank you.\n"
    if number % 11 == 3:
        mail["Auto-Submitted"] = "auto-replied"
    if number % 5 == 1:
        body += "\nOn Mon, 2 Mar 2026 at 10:00, Helpdesk <helpdesk@example.org> wrote:\n> Hello\n"
    if number % 7 == 2:
        mail.set_content(f"<html><body><p>{body}</p><script>x()</script></body></html>",
                         subtype="html", charset="utf-8")
    else:
        mail.set_content(body, charset="koi8-r" if language == "ru" else "utf-8")
    if number % 10 == 0:
        mail.add_attachment(PDF, maintype="application", subtype="pdf",
                            filename=f"list-{number}.pdf")
    return mail.as_bytes(policy=_WIRE)


def messages(count: int, run: str) -> Iterator[bytes]:
    """`count` messages of one run."""
    return (message(number, run) for number in range(count))


def _child_config(url: str, server: Any, attachments: Path) -> dict[str, Any]:
    return {"HELPDESK_ENV": "development", "SECRET_KEY": SECRET_KEY, "DATABASE_URL": url,
            "IMAP_HOST": server.host, "IMAP_PORT": server.port, "IMAP_SSL": False,
            "IMAP_USERNAME": server.username, "IMAP_PASSWORD": server.password,
            "HELPDESK_EMAIL": "helpdesk@example.org", "ATTACHMENTS_DIR": str(attachments),
            "RATELIMIT_ENABLED": False}


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def child(config: dict[str, Any], limit: int) -> dict[str, Any]:
    """In the fetching process: read `limit` messages; time and memory."""
    import logging

    from app import create_app
    from app.core.db import get_session
    from app.mail.fetch import fetch_mail
    from app.mail.settings import mail_config

    logging.disable(logging.INFO)
    app = create_app(config)
    with app.app_context():
        mail_config()  # warm: the settings, the language list
        start_mb = _status_mb("VmRSS")
        started, cpu = time.perf_counter(), time.process_time()
        report = fetch_mail(get_session(), mail_config(), limit=limit)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return {"seconds": round(seconds, 2), "cpu_seconds": round(cpu, 2), "read": report.read,
            "failed": report.failed,
            "outcomes": dict(report.outcomes), "start_rss_mb": round(start_mb, 1),
            "peak_rss_mb": round(_status_mb("VmHWM"), 1)}


def _fetch(config: dict[str, Any], limit: int) -> dict[str, Any]:
    done = subprocess.run(  # noqa: S603 - our own interpreter and module
        [sys.executable, "-m", "dev.bench.mailbench", "--child", json.dumps(config), str(limit)],
        cwd=ROOT, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"the mailbox fetch failed: {done.stderr[-1500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def _fill(server: Any, count: int, run: str) -> float:
    """APPEND `count` messages on one connection; how long it took."""
    started = time.perf_counter()
    connection = server.client()
    try:
        for raw in messages(count, run):
            status, data = connection.append("INBOX", None, None, raw)
            if status != "OK":
                raise RuntimeError(f"APPEND refused: {data!r}")
    finally:
        connection.logout()
    return time.perf_counter() - started


def run(url: str, work: Path) -> dict[str, Any]:
    """The figures for one database (its tables get the fetched requests)."""
    from tests.mail.dovecot import dovecot_server

    attachments = work / "mail-attachments"
    with dovecot_server() as server:
        config = _child_config(url, server, attachments)
        _fill(server, FEW, "few")
        few = _fetch(config, FEW)
        fill_seconds = _fill(server, MESSAGES, "many")
        many = _fetch(config, MESSAGES)
        left = server.count("INBOX")
    flat = round(many["peak_rss_mb"] / few["peak_rss_mb"], 2) if few["peak_rss_mb"] else None
    return {
        "mail_fetch_s": many["seconds"],
        "mail_fetch_cpu_s": many["cpu_seconds"],
        "mail_peak_rss_mb": many["peak_rss_mb"],
        "mail_rss_1000_over_100": flat,
        "mail_detail": {"messages": MESSAGES, "append_s": round(fill_seconds, 1),
                        "left_in_inbox": left, "few": few, "many": many},
    }


def record(db: str, url: str, work: Path, result: dict[str, Any],
           log: Callable[[str], None]) -> None:
    """The figures of `run` into a database's results (BENCH_MAIL=0 skips them)."""
    if os.environ.get("BENCH_MAIL") == "0":
        result["notes"].append("mail: skipped (BENCH_MAIL=0)")
        return
    log(f"{db}: fetching {MESSAGES} emails from a throwaway Dovecot")
    try:
        result.update(run(url, work))
    except Exception as exc:  # noqa: BLE001 - reported, the rest of the bench goes on
        result["notes"].append(f"mail: {exc}")


def main(argv: list[str]) -> int:
    if argv[:1] == ["--child"]:
        print(json.dumps(child(json.loads(argv[1]), int(argv[2]))))
        return 0
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="helpdesk-mailbench-") as folder:
        print(json.dumps(run(argv[0], Path(folder)), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
