"""The bot's cost on unchanged data: HTTP reads and wiki edits of a second sync.

A throwaway MediaWiki (tests/mediawiki.py `start_wiki`) is started once per
benchmark run; for each database the served app is left with exactly 1,000 public
cases and dev.bench.bot_run syncs twice in a process of its own, in all six
languages, then twice in English only. The requests of an unchanged run are printed
for both: they must be the same (they do not grow with cases or languages).
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from dev.bench.server import ROOT

BOT_TIMEOUT = 1200  # seconds for all the syncs (six languages of 1,000 cases are created)


def bot_available() -> str | None:
    """None when bot.sync with a SyncReport exists; else why not."""
    if importlib.util.find_spec("bot.sync") is None:
        return "bot/sync.py does not exist yet"
    from bot import sync

    if not hasattr(sync, "SyncReport") or not hasattr(sync, "run_sync"):
        return "bot.sync has no SyncReport/run_sync yet"
    return None


class WikiHolder:
    """Starts the throwaway wiki on first use; `stop()` at the end of the run."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.wiki: Any = None
        self.error: str | None = None

    def get(self) -> Any:
        if self.wiki is None and self.error is None:
            try:
                from tests.mediawiki import start_wiki

                self.wiki = start_wiki(self.folder)
            except Exception as exc:  # noqa: BLE001 - reported, the rest of the bench goes on
                self.error = f"the throwaway wiki did not start: {exc}"
        return self.wiki

    def stop(self) -> None:
        if self.wiki is not None:
            self.wiki.stop()
            self.wiki = None


def run_bot_twice(wiki: Any, app_url: str, work: Path, label: str) -> dict[str, Any]:
    """Two syncs of the served app to the wiki; the second one's counts."""
    work.mkdir(parents=True, exist_ok=True)
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("BOT_", "TOOL_", "HELPDESK_", "PYWIKIBOT"))}
    env.update({
        "HELPDESK_URL": app_url,
        "BOT_WIKI_API": wiki.api_url,
        "BOT_USERNAME": wiki.bot_username,
        "BOT_PASSWORD": wiki.bot_password,
        "BOT_PAGE_PREFIX": f"Bench {label}/Helpdesk",
        "BOT_STATE_FILE": str(work / "bot-state.json"),
        "BOT_PYWIKIBOT_DIR": str(work / "pywikibot"),
        "BOT_THROTTLE": "0",
        "BOT_MAX_RETRIES": "0",
        "PYTHONPATH": str(ROOT),
    })
    done = subprocess.run([sys.executable, "-m", "dev.bench.bot_run"], cwd=work, env=env,
                          capture_output=True, text=True, timeout=BOT_TIMEOUT, check=False)
    (work / "bot-stderr.log").write_text(done.stderr, encoding="utf-8")
    if done.returncode != 0 or not done.stdout.strip():
        return {"available": True, "error": f"dev.bench.bot_run exited {done.returncode}: "
                                            f"{done.stderr.strip()[-500:]}"}
    found: dict[str, Any] = json.loads(done.stdout)
    report_requests(found, label)
    return found


def report_requests(found: dict[str, Any], label: str) -> None:
    """Print the requests of an unchanged run, all languages against English only."""
    runs, single = found.get("runs") or [], found.get("one_language")
    if len(runs) < 2 or not single:
        return
    second = runs[1]
    languages = found.get("languages", "?")
    same = (second["wiki_requests"], second["app_reads"]) == (single["wiki_requests"],
                                                               single["app_reads"])
    second["unchanged_requests"] = {f"{languages} languages": second["wiki_requests"],
                                    "1 language": single["wiki_requests"], "same": same}
    print(f"{label}: bot, requests per unchanged run: {second['app_reads']} app reads + "
          f"{second['wiki_requests']} wiki requests ({second['wiki_reads']} page read) with "
          f"{languages} languages, {single['app_reads']} + {single['wiki_requests']} with "
          f"English only: {'the same' if same else 'NOT the same'}; edits "
          f"{second['edits']} and {single['edits']}", file=sys.stderr, flush=True)
