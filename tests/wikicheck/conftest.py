"""A throwaway MediaWiki standing in for Commons and Wikidata (tests/mediawiki.py), files
imported into categories with importImages.php, pages that use them, and a stand-in of
the page-view API."""

from __future__ import annotations

import itertools
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.mediawiki import ThrowawayWiki, _run_maintenance, start_wiki
from tests.wikicheck.pageviews import PageViews, serve_pageviews

_names = itertools.count(1)


@pytest.fixture(scope="session")
def commons(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ThrowawayWiki]:
    """A real MediaWiki for the whole session (no Wikibase, no GlobalUsage)."""
    wiki = start_wiki(tmp_path_factory.mktemp("wikicheck-mediawiki"))
    yield wiki
    wiki.stop()


@pytest.fixture
def pageviews() -> Iterator[PageViews]:
    """The page-view API's stand-in."""
    with serve_pageviews() as state:
        yield state


def png(seed: int) -> bytes:
    """A distinct 1×1 PNG (importImages.php skips files with the same content)."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF))
    raw = b"\x00" + bytes([seed % 256, (seed // 256) % 256, (seed // 65536) % 256])
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def unique(prefix: str) -> str:
    """A name no other test uses on the session's wiki."""
    return f"{prefix} {next(_names)}"


def import_files(wiki: ThrowawayWiki, folder: Path, names: list[str], text: str) -> None:
    """Import PNG files named `names` with importImages.php; `text` is their description
    page (its categories put them in categories)."""
    folder.mkdir(parents=True, exist_ok=True)
    seed = next(_names) * 1000
    for offset, name in enumerate(names):
        (folder / f"{name}.png").write_bytes(png(seed + offset))
    _run_maintenance("importImages.php", ["--extensions=png", f"--comment={text}", str(folder)],
                     config_file=wiki.config_file, log_dir=wiki.log_dir, secrets_=())


def bulk_files(wiki: ThrowawayWiki, category: str, count: int) -> None:
    """`count` file pages in `category`, written straight into the wiki's SQLite database
    (importing 10,000 files would take minutes): the rows `list=categorymembers` reads."""
    import sqlite3

    key = category.replace(" ", "_")
    with sqlite3.connect(wiki.root / "db" / "my_wiki.sqlite", timeout=30) as conn:
        start = int(conn.execute("SELECT COALESCE(MAX(page_id), 0) FROM page").fetchone()[0]) + 1
        pages, links = [], []
        for offset in range(count):
            title = f"{key}_bulk_{offset:05d}.png"
            pages.append((start + offset, 6, title, 0, 1, 0.5, "20260101000000", None, 0, 0,
                          "wikitext", None))
            links.append((start + offset, key, title.upper(), "", "2026-01-01 00:00:00",
                          "uppercase", "file"))
        conn.executemany("INSERT INTO page (page_id, page_namespace, page_title, "
                         "page_is_redirect, page_is_new, page_random, page_touched, "
                         "page_links_updated, page_latest, page_len, page_content_model, "
                         "page_lang) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", pages)
        conn.executemany("INSERT INTO categorylinks (cl_from, cl_to, cl_sortkey, "
                         "cl_sortkey_prefix, cl_timestamp, cl_collation, cl_type) "
                         "VALUES (?, ?, ?, ?, ?, ?, ?)", links)
