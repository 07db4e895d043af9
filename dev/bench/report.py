"""Targets, and the results written as bench/results.json and bench/results.md."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# The committed record of the latest run lives outside the source tree, in bench/ at the
# top of the repository (results.json, results.md and the hand-written FINDINGS.md).
HERE = Path(__file__).resolve().parents[2] / "bench"
PAGES = ("dashboard", "public_list", "case_page", "api_cases")
UNCACHED_LABELS = {"dashboard": "committee dashboard, caches off",
                   "public_list": "public case list, caches off"}
PAGE_LABELS = {"dashboard": "committee dashboard `/dashboard`",
               "public_list": "public case list `/cases`",
               "case_page": "case page `/requests/<ref>`",
               "api_cases": "API `/api/v1/cases`",
               "hello": "bare Flask `/` (baseline)"}


@dataclass(frozen=True)
class Target:
    """A figure and the value it must reach."""

    key: str
    label: str
    wanted: str
    met: Callable[[float], bool]
    databases: tuple[str, ...] = ("sqlite", "mariadb")


TARGETS = (
    Target("dashboard_p95_ms", "committee dashboard p95 at 10,000 cases", "≤ 50 ms on MariaDB",
           lambda value: value <= 50, ("mariadb",)),
    Target("queries_per_page_max", "SQL queries per page (max, small and full data)", "≤ 10",
           lambda value: value <= 10),
    Target("public_list_ratio", "public case list ÷ bare Flask throughput", "≥ 0.50",
           lambda value: value >= 0.5),
    Target("worker_rss_mb", "worker memory (VmRSS, largest worker)", "≤ 150 MB",
           lambda value: value <= 150),
    Target("cold_start_s", "cold start (launch → /healthz 200)", "≤ 2 s",
           lambda value: value <= 2),
    Target("bot_reads_unchanged", "bot HTTP reads, 1,000 unchanged cases", "≤ 3",
           lambda value: value <= 3),
    Target("bot_edits_unchanged", "bot wiki edits, 1,000 unchanged cases", "0",
           lambda value: value == 0),
    Target("search_p95_ms", "staff search `/search` p95, 10,000 cases, 100,000 messages",
           "≤ 50 ms on MariaDB", lambda value: value <= 50, ("mariadb",)),
    Target("mail_fetch_s", "fetching 1,000 emails (`mail fetch`, IMAP → requests)", "≤ 60 s",
           lambda value: value <= 60),
    Target("mail_rss_1000_over_100", "mail job's peak memory, 1,000 ÷ 100 emails",
           "≤ 1.10 (flat)", lambda value: value <= 1.1),
)
# The same figures with the app's per-process caches off (bench/uncached.py): shown
# next to the targets, for information (a read-only load keeps the caches warm).
INFORMATION = (
    Target("dashboard_uncached_p95_ms", "(committee dashboard p95, caches off)",
           "≤ 50 ms on MariaDB", lambda value: value <= 50, ("mariadb",)),
    Target("public_list_uncached_ratio", "(public case list ÷ bare Flask, caches off)",
           "≥ 0.50", lambda value: value >= 0.5),
)


def judge(result: dict[str, Any], database: str) -> dict[str, bool | None]:
    """Which targets this database's figures meet (None: not measured / not applicable);
    the informational figures too."""
    verdicts: dict[str, bool | None] = {}
    for target in (*TARGETS, *INFORMATION):
        value = result.get(target.key)
        verdicts[target.key] = (None if value is None or database not in target.databases
                                else bool(target.met(value)))
    return verdicts


def _cell(value: Any, verdict: bool | None, unit: str = "") -> str:
    if value is None:
        return "n/a"
    mark = {True: " ✅", False: " ❌", None: ""}[verdict]
    shown = f"{value:g}" if isinstance(value, float) else str(value)
    return f"{shown}{unit}{mark}"



def _thousands(value: Any) -> str:
    """A count with thousands separators, or "?" when a run failed before counting."""
    return f"{value:,}" if isinstance(value, int) else "?"

def markdown(results: dict[str, dict[str, Any]]) -> str:
    """The Markdown report (README shows it)."""
    dbs = [db for db in ("sqlite", "mariadb") if db in results]
    names = {"sqlite": "SQLite", "mariadb": "MariaDB"}
    lines = ["# Benchmark results", ""]
    first = results[dbs[0]] if dbs else {}
    meta = first.get("meta", {})
    lines += [f"`make bench` — {_thousands(meta.get('cases'))} cases, "
              f"{_thousands(meta.get('events'))} audit events, {meta.get('users', '?')} users "
              f"(BENCH_SCALE={meta.get('scale')}); gunicorn `--workers 2` (sync), load from a "
              f"separate process with {meta.get('threads')} concurrent clients; "
              f"{meta.get('cpus')} CPU cores; run {meta.get('finished_at', '')}.", ""]
    lines += ["## Targets", "",
              "| figure | target | " + " | ".join(names[db] for db in dbs) + " |",
              "|---|---|" + "---|" * len(dbs)]
    units = {"dashboard_p95_ms": " ms", "worker_rss_mb": " MB", "cold_start_s": " s",
             "dashboard_uncached_p95_ms": " ms"}
    for target in (*TARGETS, *INFORMATION):
        cells = [_cell(results[db].get(target.key), results[db].get("targets_met", {})
                       .get(target.key), units.get(target.key, "")) for db in dbs]
        lines.append(f"| {target.label} | {target.wanted} | " + " | ".join(cells) + " |")
    lines += ["", "✅ met, ❌ missed; the dashboard target is set for MariaDB only. Rows in "
              "parentheses are for information: the same pages served with the app's "
              "per-process caches off (`bench/uncached.py`), as when data changes between "
              "requests.", "",
              "## Pages under load", "",
              "| page | " + " | ".join(f"{names[db]} p50 / p95 ms | {names[db]} req/s"
                                       for db in dbs) + " |",
              "|---|" + "---|---|" * len(dbs)]
    rows = [(PAGE_LABELS[page], "pages", page) for page in (*PAGES, "hello")]
    rows[2:2] = [(label, "pages_uncached", page) for page, label in UNCACHED_LABELS.items()]
    for label, group, page in rows:
        cells = []
        for db in dbs:
            load = results[db].get(group, {}).get(page, {})
            cells.append(f"{load.get('p50_ms', 'n/a')} / {load.get('p95_ms', 'n/a')}")
            cells.append(str(load.get("throughput_rps", "n/a")))
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    lines += ["", "## SQL statements per request", "",
              "| page | " + " | ".join(f"{names[db]} small / full" for db in dbs) + " |",
              "|---|" + "---|" * len(dbs)]
    for page in PAGES:
        cells = []
        for db in dbs:
            queries = results[db].get("queries", {})
            small = queries.get("small", {}).get(page, {}).get("max", "n/a")
            full = queries.get("full", {}).get(page, {}).get("max", "n/a")
            cells.append(f"{small} / {full}")
        lines.append(f"| {PAGE_LABELS[page]} | " + " | ".join(cells) + " |")
    lines += ["", "## Other figures", ""]
    for db in dbs:
        res = results[db]
        rss = ", ".join(f"{value:.1f}" for value in res.get("worker_rss_all_mb", []))
        lines.append(f"- {names[db]}: seeding {res.get('seed_seconds')} s; workers' RSS "
                     f"{rss or 'n/a'} MB; bare Flask cold start {res.get('hello_cold_start_s')} "
                     f"s; bot second run: {res.get('bot_detail', {}).get('second', 'n/a')}; "
                     f"load average {res.get('meta', {}).get('load_average_before')} before, "
                     f"{res.get('meta', {}).get('load_average_after')} after the load.")
        lines.append(f"  - {names[db]}: {wiki_costs(res)}")
        for note in res.get("notes", []):
            lines.append(f"  - note: {note}")
    profiles = [(db, page, prof) for db in dbs
                for page, prof in results[db].get("profiles", {}).items()]
    if profiles:
        lines += ["", "## Profiles of missed targets", "",
                  "In-process (Flask test client, cProfile on), on the full data set; the "
                  "full cProfile listings are in `bench/profiles/`.", ""]
    for db, page, prof in profiles:
        if page == "cold_start":
            lines += _startup_lines(names[db], prof)
            continue
        lines += [f"### {names[db]}: {PAGE_LABELS.get(page, page)}", "",
                  f"{prof['ms_per_request']} ms per request under the profiler, of which SQL "
                  f"{prof['sql_ms_per_request']} ms in {prof['statements_per_request']} "
                  "statements. Heaviest statements:", ""]
        for item in prof["top_sql"][:3]:
            plan = "; ".join(item["plan"])[:300]
            lines.append(f"- {item['ms_per_request']} ms/request, {item['per_request']}× — "
                         f"`{item.get('brief', item['sql'])[:300]}` — plan: {plan}")
        repeated = [shape for shape in prof.get("shapes", []) if shape["per_request"] > 1]
        if repeated:
            lines.append("- repeated statements: " + "; ".join(
                f"{shape['per_request']}× `{shape['sql'][:90]}…`" for shape in repeated[:5]))
        lines.append("")
    findings = HERE / "FINDINGS.md"
    if findings.is_file():
        lines += ["", findings.read_text(encoding="utf-8").strip(), ""]
    return "\n".join(lines).rstrip() + "\n"


def _startup_lines(name: str, prof: dict[str, Any]) -> list[str]:
    if "error" in prof:
        return [f"### {name}: cold start", "", f"(probe failed: {prof['error']})", ""]
    slow = ", ".join(f"{item['module']} {item['ms']} ms" for item in prof["slowest_imports_ms"]
                     if item["depth"] <= 1)
    return [f"### {name}: cold start", "",
            f"One fresh interpreter: import `app` {prof['import_s']} s, `create_app()` "
            f"{prof['create_app_s']} s, first /healthz {prof['first_request_s']} s "
            "(under `-X importtime`). Slowest imports (cumulative, top two levels): "
            f"{slow}.", ""]


def write(results: dict[str, dict[str, Any]]) -> None:
    """bench/results.json and bench/results.md."""
    (HERE / "results.json").write_text(json.dumps(results, indent=2, sort_keys=True) + "\n",
                                       encoding="utf-8")
    (HERE / "results.md").write_text(markdown(results), encoding="utf-8")


def summary(results: dict[str, dict[str, Any]]) -> str:
    """The figures, for the terminal."""
    out = []
    for db, res in results.items():
        out.append(f"== {db}")
        for target in (*TARGETS, *INFORMATION):
            verdict = res.get("targets_met", {}).get(target.key)
            mark = {True: "met", False: "MISSED", None: "-"}[verdict]
            out.append(f"  {target.key:24} {res.get(target.key)!s:>10}  "
                       f"target {target.wanted:22} {mark}")
        for page in (*PAGES, "hello", *(f"{page} (uncached)" for page in UNCACHED_LABELS)):
            name, _, rest = page.partition(" ")
            load = res.get("pages_uncached" if rest else "pages", {}).get(name, {})
            out.append(f"  {page:12} p50 {load.get('p50_ms')!s:>8} ms  p95 "
                       f"{load.get('p95_ms')!s:>8} ms  {load.get('throughput_rps')!s:>7} req/s"
                       f"  errors {load.get('errors')}")
        out.append(f"  wiki API requests: {wiki_costs(res)}")
        for note in res.get("notes", []):
            out.append(f"  note: {note}")
    return "\n".join(out)


def wiki_costs(res: dict[str, Any]) -> str:
    """The API requests of one wiki check and one impact snapshot (dev/bench/wikibench.py)."""
    if res.get("wiki_check_requests") is None:
        return "wiki checks not measured"
    return (f"one readiness check {res['wiki_check_requests']}; one impact snapshot "
            f"{res.get('wiki_snapshot_requests')} (12 files), "
            f"{res.get('wiki_snapshot_10k_requests')} (10,050 files, counted as "
            f"{res.get('wiki_snapshot_10k_files')}), "
            f"{res.get('wiki_snapshot_10k_globalusage_requests')} (the same through "
            "GlobalUsage, 1,200 uses, page views included)")
