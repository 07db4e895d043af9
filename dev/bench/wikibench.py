"""What the wiki checks and the impact snapshots cost in API requests (app/wikicheck).

A throwaway MediaWiki (tests/mediawiki.py) gets a category of 12 imported files used on
two pages, and one of 10,050 file pages written into its database; then one check (the
four steps) and one snapshot of each are made, and the requests they cost printed — the
snapshot of the big category is bounded by IMPACT_FILE_CAP (500 files a request). The
big category is measured once more through the GlobalUsage stand-in
(tests/wikicheck/globalusage.py), as on Commons, its files used on 1,200 pages of other
wikis.

    python -m dev.bench.wikibench
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.core.config import SETTINGS
from app.core.models import utcnow
from app.wikicheck.service import WikiSettings, measure, verify

LABELS = {
    "wiki_check_requests": "one readiness check (4 steps), API requests",
    "wiki_snapshot_requests": "one impact snapshot, 12 files, API requests",
    "wiki_snapshot_pages": "pages using them",
    "wiki_snapshot_10k_requests": "one impact snapshot, 10,050 files (fileusage), API requests",
    "wiki_snapshot_10k_files": "files counted",
    "wiki_snapshot_10k_globalusage_requests":
        "one impact snapshot, 10,050 files (GlobalUsage, 1,200 uses), API requests "
        "(page views included)",
}
_measured: dict[str, Any] = {}  # one run serves every database of `make bench`


def _settings(api_url: str, pageviews_url: str) -> WikiSettings:
    config = {name: setting.default for name, setting in SETTINGS.items()}
    config.update({"COMMONS_API": api_url, "WIKIDATA_API": api_url,
                   "PAGEVIEWS_API": pageviews_url})
    return WikiSettings.of(config)


def run() -> dict[str, Any]:
    """Start the wiki, fill it, and measure; the figures."""
    from tests.mediawiki import start_wiki
    from tests.wikicheck.conftest import bulk_files, import_files
    from tests.wikicheck.globalusage import serve_globalusage
    from tests.wikicheck.pageviews import serve_pageviews

    with tempfile.TemporaryDirectory(prefix="wikibench-") as folder, \
            start_wiki(Path(folder) / "wiki") as wiki, serve_pageviews() as views:
        small, big = "Bench maps", "Bench herbarium"
        import_files(wiki, Path(folder) / "files", [f"Bench map {n}" for n in range(12)],
                     f"[[Category:{small}]] [[Category:CC-BY-4.0]]")
        for category in (small, big):
            wiki.edit_as_human(f"Category:{category}", "Bench.", "new")
        wiki.edit_as_human("Bench harbour", "[[File:Bench map 1.png]]", "uses")
        wiki.edit_as_human("Bench lighthouse", "[[File:Bench map 2.png]]", "uses")
        wiki.edit_as_human("Q1", "[[Category:Q43229]]", "item")
        bulk_files(wiki, big, 10_050)
        settings = _settings(wiki.api_url, views.url)
        _results, check_cost = verify(settings, f"Category:{small}", "Q1", utcnow())
        small_snapshot = measure(settings, f"Category:{small}", utcnow().date())
        big_snapshot = measure(settings, f"Category:{big}", utcnow().date())
        with serve_globalusage(wiki.api_url) as global_usage:
            for n in range(1_200):
                global_usage.use(f"{big}_bulk_{n % 40:05d}.png", "enwiki", f"Page {n}")
            global_settings = _settings(global_usage.url, views.url)
            global_snapshot = measure(global_settings, f"Category:{big}", utcnow().date())
    big_figures = big_snapshot.figures
    return {"wiki_check_requests": check_cost,
            "wiki_snapshot_requests": small_snapshot.requests,
            "wiki_snapshot_pages": small_snapshot.figures["pages"],
            "wiki_snapshot_10k_requests": big_snapshot.requests,
            "wiki_snapshot_10k_files": f"{big_figures['files']:,}"
            + ("+" if big_figures["files_capped"] else ""),
            "wiki_snapshot_10k_globalusage_requests": global_snapshot.requests}


def record(result: dict[str, Any], log: Callable[[str], None]) -> None:
    """The figures into the bench's results (BENCH_WIKI=0 skips them)."""
    if os.environ.get("BENCH_WIKI") == "0":
        result["notes"].append("wiki checks: skipped (BENCH_WIKI=0)")
        return
    log("wiki checks and impact snapshots: API requests")
    try:
        if not _measured:
            _measured.update(run())
    except Exception as exc:  # noqa: BLE001 - reported, the rest of the bench goes on
        result["notes"].append(f"wiki checks: {exc}")
        return
    result.update(_measured)
    for name, value in _measured.items():
        log(f"  {LABELS.get(name, name)}: {value}")


def main() -> None:
    """Print the figures."""
    for name, value in run().items():
        print(f"{LABELS.get(name, name)}: {value}")


if __name__ == "__main__":
    main()
