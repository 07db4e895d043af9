"""Staff search's cost: `/search` at 10,000 cases and 100,000 messages.

The seeded database (`dev.bench.seed`: its messages all say the same thing) gets more
messages, of varied text from a vocabulary of a few thousand words, up to ten per case
(plain inserts, so the per-case text the search reads is rebuilt after them);
then staff search is asked in-process (Flask test client, signed in as the bench's
committee member, who reads internal messages too; caches off) a mix of queries: a rare
word, words of titles and of every description, two words, a word found in no case, a
prefix, a reference, an email address — each `ROUNDS` times after a warm-up. Reported:
p50 and p95 (nearest rank) over every request, the slowest query's p95, and the SQL
statements per request (the most over the queries).

    python -m dev.bench.searchbench sqlite:////tmp/search.sqlite3   # seeds, prints figures
    python -m dev.bench.searchbench mysql+pymysql://root@127.0.0.1/helpdesk_bench_search
"""

from __future__ import annotations

import json
import math
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from app.core import schema
from app.core.schema import metadata
from app.search.index import rebuild_texts
from dev.bench.queries import bench_app, signed_in_client
from dev.bench.seed import seed
from dev.bench.settings import SIGN_IN_CENTRAL_ID

CASES, MESSAGES = 10_000, 100_000
ROUNDS = 40
UNUSED_STANDIN = "http://127.0.0.1:9/w/index.php"  # in-process: no sign-in through the wiki
_SYLLABLES = ("ka", "lo", "mi", "ne", "ru", "ta", "vo", "shi", "pra", "den", "gol", "mur",
              "bel", "tor", "sin", "qua", "zel", "fo")
_COMMON = ("please", "upload", "files", "commons", "licence", "metadata", "category",
           "batch", "museum", "library", "archive", "photographs", "thank", "you", "the",
           "we", "will", "check", "our", "wikidata")


def vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    """Made-up words, three syllables each (distinct)."""
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(_SYLLABLES) for _ in range(3)))
    return sorted(words)


def add_messages(url: str, wanted: int = MESSAGES, seed_value: int = 20261204) -> int:
    """Messages of varied text until the database holds `wanted`; how many it holds."""
    rng = random.Random(seed_value)  # noqa: S311 - made-up text, not secrets
    words = vocabulary(rng)
    messages = metadata().tables["case_messages"]
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            have = int(conn.scalar(select(func.count()).select_from(messages)) or 0)
            case_ids = list(conn.scalars(select(metadata().tables["cases"].c.id)))
            now = datetime.now(UTC).replace(tzinfo=None)
            rows = []
            for _ in range(max(0, wanted - have)):
                body = " ".join(rng.choice(words) if rng.random() < 0.3 else rng.choice(_COMMON)
                                for _ in range(rng.randint(8, 40)))
                rows.append({"case_id": rng.choice(case_ids), "internal": rng.random() < 0.3,
                             "body": body.capitalize() + ".", "created_at": now})
                if len(rows) == 2000:
                    conn.execute(messages.insert(), rows)
                    rows = []
            if rows:
                conn.execute(messages.insert(), rows)
            rebuild_texts(conn)  # plain inserts: the app's upkeep did not see them
            return int(conn.scalar(select(func.count()).select_from(messages)) or 0)
    finally:
        engine.dispose()


def queries(url: str) -> list[str]:
    """The searches asked: from the data, so that each finds what it should."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            reference = conn.scalar(text("SELECT reference FROM cases ORDER BY id LIMIT 1 "
                                         "OFFSET 4321"))
            email = conn.scalar(text("SELECT contact_email FROM cases WHERE contact_email "
                                     "<> '' ORDER BY id LIMIT 1"))
    finally:
        engine.dispose()
    rare = vocabulary(random.Random(20261204))[1234]  # noqa: S311 - the same made-up words
    return [rare, "herbarium", "satellite images", "collection", "manuscripts census",
            "zzyzx", "photog", str(reference), str(email or "someone@example.org"),
            f"{rare} upload", "CPH"]


def _nearest_rank(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[max(0, math.ceil(len(ordered) * share) - 1)] if ordered else 0.0


def measure(url: str, rounds: int = ROUNDS) -> dict[str, Any]:
    """The figures (milliseconds), asking each query `rounds` times after a warm-up."""
    app, recorder = bench_app(url, UNUSED_STANDIN)
    client = signed_in_client(app, SIGN_IN_CENTRAL_ID)
    every: list[float] = []
    per_query: dict[str, dict[str, Any]] = {}
    statements = 0
    for query in queries(url):
        path = "/search?" + urlencode({"q": query})
        response = client.get(path, base_url="https://localhost")
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        with recorder.recording() as sent:
            client.get(path, base_url="https://localhost").get_data()
        statements = max(statements, len(sent))
        times = []
        for _ in range(rounds):
            started = time.perf_counter()
            client.get(path, base_url="https://localhost").get_data()
            times.append((time.perf_counter() - started) * 1000)
        every += times
        per_query[query] = {"p50_ms": round(_nearest_rank(times, 0.5), 1),
                            "p95_ms": round(_nearest_rank(times, 0.95), 1)}
    app.extensions["database"].engine.dispose()
    return {"search_p50_ms": round(_nearest_rank(every, 0.5), 1),
            "search_p95_ms": round(_nearest_rank(every, 0.95), 1),
            "search_slowest_query_p95_ms": max(q["p95_ms"] for q in per_query.values()),
            "search_statements": statements, "search_queries": per_query}


def run(url: str) -> dict[str, Any]:
    """Add the messages to the seeded database at `url`, then measure."""
    started = time.perf_counter()
    messages = add_messages(url, max(MESSAGES, 0))
    figures = measure(url)
    figures.update(search_messages=messages,
                   search_seconds=round(time.perf_counter() - started, 1))
    return figures


def record(db: str, url: str, result: dict[str, Any], log: Callable[[str], None]) -> None:
    """The search figures into a database's results (BENCH_SEARCH=0 skips them)."""
    if os.environ.get("BENCH_SEARCH") == "0":
        result["notes"].append("search: skipped (BENCH_SEARCH=0)")
        return
    log(f"{db}: staff search at {MESSAGES:,} messages")
    try:
        result.update(run(url))
    except Exception as exc:  # noqa: BLE001 - reported, the rest of the bench goes on
        result["notes"].append(f"search: {exc}")


def _fresh(url: str) -> None:
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        Path(str(parsed.database)).unlink(missing_ok=True)
    else:
        name = str(parsed.database)
        if not name.replace("_", "").isalnum():
            raise ValueError(f"bad database name {name!r}")
        engine = create_engine(parsed.set(database=""))
        with engine.begin() as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
            conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 "
                              "COLLATE utf8mb4_unicode_ci"))
        engine.dispose()
    schema.upgrade(url)


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print(__doc__, file=sys.stderr)
        return 2
    _fresh(argv[0])
    seeded = seed(argv[0], cases=CASES, events=MESSAGES)
    print(f"seeded in {seeded.seconds:.0f} s", file=sys.stderr)
    print(json.dumps(run(argv[0]), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
