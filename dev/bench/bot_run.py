"""Run the mirror bot's sync twice and print both reports' request counts as JSON.

    python -m dev.bench.bot_run   (configured like `python -m bot sync`: HELPDESK_URL,
                                   BOT_WIKI_API, BOT_USERNAME, BOT_PASSWORD, BOT_PAGE_PREFIX,
                                   BOT_STATE_FILE, BOT_THROTTLE, BOT_PYWIKIBOT_DIR)

Run in a process of its own (by dev.bench.botbench) so pywikibot's set-up stays out of
the benchmark's process. Between the two, a dry run (not measured) records the diff
the second run would apply, to explain any edit it makes. The second run sees nothing
changed: its reads and edits are what a scheduled sync costs on a quiet day — in every
language. Then the same pages in English only (another page prefix and state file)
are synced twice more: an unchanged run must cost the same number of requests with
one language as with six (and as with ten cases, which the test suite checks).
"""

from __future__ import annotations

import json
import logging
import sys
import time
from dataclasses import replace
from typing import Any


def _report(report: Any, seconds: float) -> dict[str, Any]:
    return {"app_reads": report.app_reads, "wiki_reads": report.wiki_reads,
            "wiki_requests": report.wiki_requests, "edits": report.edits,
            "exit_code": report.exit_code, "fatal": report.fatal,
            "pages": report.counts(), "seconds": round(seconds, 2),
            "changed": [f"{page.title}: {page.action}" for page in report.pages
                        if page.action != "unchanged"],
            "summary": report.summary_line()}


def _timed(run: Any) -> dict[str, Any]:
    started = time.perf_counter()
    report = run()
    return _report(report, time.perf_counter() - started)


def main() -> int:
    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    try:
        from bot.config import BotConfig
        from bot.sync import run_sync
    except ImportError as error:
        json.dump({"available": False, "note": f"bot.sync is not importable: {error}"},
                  sys.stdout)
        return 0
    config = BotConfig.from_env()
    runs = [_timed(lambda: run_sync(config, out=lambda _text: None))]
    # Not measured: a dry run in between shows what the next run would change, if anything.
    diffs: list[str] = []
    run_sync(config, dry_run=True, out=diffs.append)
    runs.append(_timed(lambda: run_sync(config, out=lambda _text: None)))
    english = replace(config, languages=("en",), page_prefix=f"{config.page_prefix} en",
                      state_file=config.state_file.with_name("bot-state-en.json"))
    run_sync(english, out=lambda _text: None)
    one_language = _timed(lambda: run_sync(english, out=lambda _text: None))
    json.dump({"available": True, "runs": runs, "dry_run_diff": "\n".join(diffs)[:5000],
               "languages": len(config.languages), "one_language": one_language},
              sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
