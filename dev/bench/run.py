"""`make bench` / `python -m dev.bench.run`: the whole benchmark, on SQLite and MariaDB.

Environment: BENCH_SCALE (1 = 10,000 cases and 100,000 audit events; 0.1 for a quick
run), BENCH_DBS (default "sqlite,mariadb"), BENCH_MARIADB_URL (default the local
server's `helpdesk_bench`, dropped and re-created), BENCH_THREADS (concurrent
clients, default 2), BENCH_BOT=0 to skip the bot, BENCH_PROFILE=all to profile
every page (default: the pages whose targets are missed), BENCH_KEEP=1 to keep the
temporary folder (databases, gunicorn logs).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from app.cases.models import Case
from app.committee.models import ConflictOfInterest
from app.core import schema
from dev.bench import mailbench, report, searchbench, settings
from dev.bench.botbench import WikiHolder, bot_available, run_bot_twice
from dev.bench.queries import bench_app, count_queries, profile_page, signed_in_client
from dev.bench.seed import limit_public, seed
from dev.bench.server import ROOT, Served, http_status
from dev.bench.signin import sign_in
from dev.bench.startup import profile_startup
from dev.bench.wikibench import record as record_wiki_costs
from dev.standin import create_standin_app, serve_in_thread

FULL_CASES, FULL_EVENTS, USERS = 10_000, 100_000, 200
SMALL_CASES, SMALL_EVENTS, SMALL_USERS = 30, 300, 30
BOT_PUBLIC = 1000
MARIADB_URL = "mysql+pymysql://root@127.0.0.1:3306/helpdesk_bench?charset=utf8mb4"
PROFILES = report.HERE / "profiles"


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


class Plan:
    """What this run does, from the environment."""

    def __init__(self) -> None:
        self.scale = float(os.environ.get("BENCH_SCALE", "1") or 1)
        if not 0 < self.scale <= 1:
            raise SystemExit("BENCH_SCALE must be in (0, 1]")
        self.databases = [db.strip() for db in
                          os.environ.get("BENCH_DBS", "sqlite,mariadb").split(",") if db.strip()]
        self.mariadb_url = os.environ.get("BENCH_MARIADB_URL") or MARIADB_URL
        self.threads = int(os.environ.get("BENCH_THREADS", "2"))
        self.bot = os.environ.get("BENCH_BOT", "1") != "0"
        self.profile_all = os.environ.get("BENCH_PROFILE") == "all"
        self.keep = os.environ.get("BENCH_KEEP") == "1"
        self.cases = max(SMALL_CASES, round(FULL_CASES * self.scale))
        self.events = max(SMALL_EVENTS, round(FULL_EVENTS * self.scale))
        # Load: a fixed number of requests per page, each phase also bounded in time.
        factor = max(0.25, self.scale)
        self.page_requests = round(500 * factor)
        self.hello_requests = round(2000 * factor)
        self.phase_seconds = 20.0 if self.scale >= 1 else 10.0


def load_average() -> float:
    """The 1-minute load average (other processes share these cores)."""
    return float(Path("/proc/loadavg").read_text().split()[0])


def wait_for_quiet(max_wait: float = 90.0) -> float:
    """Wait (bounded) until the machine is not busy with other work; the load average."""
    threshold = (os.cpu_count() or 2) * 0.75
    deadline = time.perf_counter() + max_wait
    load = load_average()
    if load > threshold:
        log(f"load average {load:.1f}: waiting up to {max_wait:.0f} s for a quieter machine")
    while load > threshold and time.perf_counter() < deadline:
        time.sleep(5)
        load = load_average()
    return load


# -- databases -------------------------------------------------------------------------

def fresh_database(url: str) -> None:
    """An empty database at `url` (SQLite: delete the file; MariaDB: drop and create)."""
    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        for suffix in ("", "-wal", "-shm"):
            Path(f"{parsed.database}{suffix}").unlink(missing_ok=True)
    else:
        name = parsed.database
        if not name or not name.replace("_", "").isalnum():
            raise ValueError(f"bad database name {name!r}")
        engine = create_engine(parsed.set(database=""))
        try:
            with engine.begin() as conn:
                conn.execute(text(f"DROP DATABASE IF EXISTS `{name}`"))
                conn.execute(text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4 "
                                  "COLLATE utf8mb4_unicode_ci"))
        finally:
            engine.dispose()
    schema.upgrade(url)


def sample_paths(url: str) -> dict[str, list[str]]:
    """Paths of each page: case pages of two cases per state (none the signed-in
    member recused from)."""
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            recused = set(conn.scalars(select(ConflictOfInterest.case_id)))
            rows = conn.execute(select(Case.id, Case.reference, Case.state).order_by(Case.id)).all()
    finally:
        engine.dispose()
    by_state: dict[str, list[str]] = {}
    for case_id, reference, state in rows:
        if case_id not in recused:
            by_state.setdefault(state, []).append(reference)
    refs = [ref for refs in by_state.values() for ref in (refs[len(refs) // 2], refs[-1])]
    return {
        "dashboard": ["/dashboard"],
        "public_list": ["/cases"],
        "case_page": [f"/requests/{ref}" for ref in dict.fromkeys(refs)],
        "api_cases": ["/api/v1/cases"],
    }


def counted_paths(paths: dict[str, list[str]]) -> dict[str, list[str]]:
    """The load's paths plus variants (filters, sorts, later pages) for counting queries."""
    return {
        "dashboard": paths["dashboard"] + ["/dashboard?waiting=1", "/dashboard?state=all&page=3",
                                           "/dashboard?q=maps&sort=priority&theme=health"],
        "public_list": paths["public_list"] + ["/cases?page=2", "/cases?state=closed&theme=health"],
        "case_page": paths["case_page"],
        "api_cases": paths["api_cases"] + ["/api/v1/cases?per_page=1000",
                                           "/api/v1/cases?open=true"],
    }


def measure_queries(url: str, standin_uri: str,
                    paths: dict[str, list[str]]) -> dict[str, dict[str, Any]]:
    app, recorder = bench_app(url, standin_uri)
    try:
        client = signed_in_client(app, settings.SIGN_IN_CENTRAL_ID)
        return count_queries(app, recorder, client, counted_paths(paths))
    finally:
        app.extensions["database"].engine.dispose()


# -- serving and load ------------------------------------------------------------------

def drive(port: int, threads: int, phases: list[dict[str, Any]], work: Path) -> dict[str, Any]:
    """Run bench.load in a second process; its results."""
    spec = work / "load-spec.json"
    spec.write_text(json.dumps({"host": "127.0.0.1", "port": port, "threads": threads,
                                "phases": phases}), encoding="utf-8")
    budget = sum(phase["seconds"] + 60 for phase in phases)
    done = subprocess.run([sys.executable, "-m", "dev.bench.load", str(spec)], cwd=ROOT,  # noqa: S603
                          capture_output=True, text=True, timeout=budget, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"dev.bench.load failed: {done.stderr[-1000:]}")
    spec.unlink()
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def serve_hello(plan: Plan, work: Path) -> dict[str, Any]:
    env = settings.app_environment("sqlite://", "http://127.0.0.1:9/w/index.php")
    with Served("dev.bench.hello_app:create_app()", env, work / "gunicorn-hello.log") as served:
        cold = served.start()
        load = drive(served.port, plan.threads, [{
            "name": "hello", "paths": ["/"], "requests": plan.hello_requests,
            "seconds": plan.phase_seconds, "warmup": 20}], work)
    return {"cold_start_s": round(cold, 3), "load": load["hello"]}


def load_phases(plan: Plan, paths: dict[str, list[str]], cookie: str) -> list[dict[str, Any]]:
    signed_in = {"dashboard", "case_page"}
    return [{"name": name, "paths": page_paths, "requests": plan.page_requests,
             "seconds": plan.phase_seconds, "warmup": max(10, len(page_paths)),
             "headers": {"Cookie": cookie} if name in signed_in else {}}
            for name, page_paths in paths.items()]


# -- one database ------------------------------------------------------------------------

def bench_database(db: str, plan: Plan, work: Path, standin_uri: str,
                   wiki: WikiHolder) -> dict[str, Any]:
    url = (f"sqlite:///{work / 'helpdesk-bench.sqlite3'}" if db == "sqlite"
           else plan.mariadb_url)
    result: dict[str, Any] = {"notes": [], "meta": {
        "scale": plan.scale, "cases": plan.cases, "events": plan.events, "users": USERS,
        "threads": plan.threads, "workers": 2, "cpus": os.cpu_count(),
        "database": make_url(url).render_as_string(hide_password=True)
        if db != "sqlite" else "sqlite (temporary file)"}}

    log(f"{db}: small data set ({SMALL_CASES} cases) for query counts")
    fresh_database(url)
    seed(url, cases=SMALL_CASES, events=SMALL_EVENTS, users=SMALL_USERS)
    small = measure_queries(url, standin_uri, sample_paths(url))

    log(f"{db}: seeding {plan.cases} cases, {plan.events} events, {USERS} users")
    fresh_database(url)
    seeded = seed(url, cases=plan.cases, events=plan.events, users=USERS)
    result.update(seed_seconds=round(seeded.seconds, 1), seed_counts=seeded.counts,
                  public_cases=seeded.public_cases)
    paths = sample_paths(url)
    full = measure_queries(url, standin_uri, paths)
    result["queries"] = {"small": small, "full": full}
    result["queries_per_page"] = {page: max(small[page]["max"], full[page]["max"])
                                  for page in full}
    result["queries_per_page_max"] = max(result["queries_per_page"].values())

    result["meta"]["load_average_before"] = round(wait_for_quiet(), 2)
    log(f"{db}: bare Flask baseline under gunicorn")
    hello = serve_hello(plan, work)
    result["hello_cold_start_s"] = hello["cold_start_s"]

    env = settings.app_environment(url, standin_uri)
    with Served("app:create_app()", env, work / f"gunicorn-{db}.log") as served:
        log(f"{db}: starting gunicorn (cold start)")
        result["cold_start_s"] = round(served.start(), 3)
        cookie = sign_in(served.url, settings.SIGN_IN_AS)
        log(f"{db}: signed in as {settings.SIGN_IN_AS}; driving the load")
        pages = drive(served.port, plan.threads, load_phases(plan, paths, cookie), work)
        pages["hello"] = hello["load"]
        result["pages"] = pages
        for page, figures in pages.items():
            if figures.get("errors"):
                result["notes"].append(f"{page}: {figures['errors']} requests failed "
                                       f"({figures['statuses']})")
        result["meta"]["load_average_after"] = round(load_average(), 2)
        if result["meta"]["load_average_after"] > (os.cpu_count() or 2):
            result["notes"].append(
                f"the machine was busy with other work during the load (load average "
                f"{result['meta']['load_average_after']} on {os.cpu_count()} cores): "
                "latencies and throughputs are pessimistic")
        rss = served.worker_rss_mb()
        result["worker_rss_all_mb"] = [round(value, 1) for value in rss.values()]
        result["worker_rss_mb"] = round(max(rss.values()), 1) if rss else None
        result["dashboard_p95_ms"] = pages["dashboard"]["p95_ms"]
        for page in report.PAGES:
            for key in ("p50_ms", "p95_ms", "throughput_rps"):
                result[f"{page}_{key}"] = pages[page][key]
        hello_rps = pages["hello"]["throughput_rps"]
        result["public_list_ratio"] = (round(pages["public_list"]["throughput_rps"] / hello_rps, 3)
                                       if hello_rps else None)

        bench_uncached(db, plan, work, env, paths, hello["load"], result)
        result["profiles"] = profile_missed(db, url, standin_uri, plan, result, paths)
        bench_bot(db, url, served, plan, work, wiki, result)
    searchbench.record(db, url, result, log)
    mailbench.record(db, url, work, result, log)
    record_wiki_costs(result, log)
    if http_status(served.port, "/healthz", timeout=0.5) is not None:
        result["notes"].append("gunicorn still answered after stop()")
    result["targets_met"] = report.judge(result, db)
    return result


UNCACHED_PAGES = ("dashboard", "public_list")


def bench_uncached(db: str, plan: Plan, work: Path, env: dict[str, str],
                   paths: dict[str, list[str]], hello: dict[str, Any],
                   result: dict[str, Any]) -> None:
    """The dashboard and the public list again, served with the app's per-process caches
    off (`bench.uncached`): under a read-only load every request after the first is a
    cache hit, in real use any audited change empties the caches."""
    log(f"{db}: {', '.join(UNCACHED_PAGES)} with the caches off")
    with Served("dev.bench.uncached:create_app()", env,
                work / f"gunicorn-{db}-uncached.log") as uncached:
        uncached.start()
        cookie = sign_in(uncached.url, settings.SIGN_IN_AS)
        phases = [phase for phase in load_phases(plan, paths, cookie)
                  if phase["name"] in UNCACHED_PAGES]
        pages = drive(uncached.port, plan.threads, phases, work)
    result["pages_uncached"] = pages
    result["dashboard_uncached_p95_ms"] = pages["dashboard"]["p95_ms"]
    hello_rps = hello.get("throughput_rps")
    result["public_list_uncached_ratio"] = (
        round(pages["public_list"]["throughput_rps"] / hello_rps, 3) if hello_rps else None)


def profile_missed(db: str, url: str, standin_uri: str, plan: Plan, result: dict[str, Any],
                   paths: dict[str, list[str]]) -> dict[str, Any]:
    """Profile the pages behind missed targets (all pages with BENCH_PROFILE=all)."""
    wanted: list[str] = []
    if plan.profile_all:
        wanted = list(paths)
    else:
        if db == "mariadb" and (result.get("dashboard_p95_ms") or 0) > 50:
            wanted.append("dashboard")
        wanted += [page for page, count in result["queries_per_page"].items() if count > 10]
        if (result.get("public_list_ratio") or 1) < 0.5:
            wanted.append("public_list")
    profiles: dict[str, Any] = {}
    if plan.profile_all or (result.get("cold_start_s") or 0) > 2:
        profiles["cold_start"] = profile_startup(settings.app_environment(url, standin_uri))
    if not wanted:
        return profiles
    log(f"{db}: profiling {', '.join(dict.fromkeys(wanted))}")
    app, recorder = bench_app(url, standin_uri)
    PROFILES.mkdir(exist_ok=True)
    try:
        client = signed_in_client(app, settings.SIGN_IN_CENTRAL_ID)
        for page in dict.fromkeys(wanted):
            page_paths = paths[page][:4]
            found = profile_page(app, recorder, client, page_paths,
                                 rounds=max(3, 20 // len(page_paths)))
            (PROFILES / f"{db}-{page}.txt").write_text(found.pop("cprofile"), encoding="utf-8")
            profiles[page] = found
    finally:
        app.extensions["database"].engine.dispose()
    return profiles


def bench_bot(db: str, url: str, served: Served, plan: Plan, work: Path, wiki: WikiHolder,
              result: dict[str, Any]) -> None:
    """Reads and edits of the bot's second sync over exactly 1,000 public cases."""
    result["bot_reads_unchanged"] = result["bot_edits_unchanged"] = None
    if not plan.bot:
        result["notes"].append("bot: skipped (BENCH_BOT=0)")
        return
    missing = bot_available()
    if missing:
        result["notes"].append(f"bot: {missing}; bot figures are null")
        return
    public = limit_public(url, BOT_PUBLIC)
    result["bot_public_cases"] = public
    if public != BOT_PUBLIC:
        result["notes"].append(f"bot: only {public} public cases at this scale (not 1,000)")
    running = wiki.get()
    if running is None:
        result["notes"].append(f"bot: {wiki.error}; bot figures are null")
        return
    log(f"{db}: bot sync twice over {public} public cases")
    found = run_bot_twice(running, served.url, work / f"bot-{db}", db)
    if "error" in found or not found.get("available"):
        result["notes"].append(f"bot: {found.get('error') or found.get('note')}")
        return
    first, second = found["runs"]
    result["bot_detail"] = {"first": first["summary"], "second": second["summary"],
                            "runs": found["runs"], "dry_run_diff": found.get("dry_run_diff")}
    result["bot_reads_unchanged"] = second["app_reads"] + second["wiki_reads"]
    result["bot_edits_unchanged"] = second["edits"]
    if second["exit_code"] or first["exit_code"]:
        result["notes"].append(f"bot: exit codes {first['exit_code']}, {second['exit_code']} "
                               f"({first['fatal'] or second['fatal'] or 'see bot-stderr.log'})")


# -- the run -------------------------------------------------------------------------------

def main() -> int:
    plan = Plan()
    # The stand-in refuses to run under HELPDESK_ENV=production; only the served app is.
    os.environ.pop("HELPDESK_ENV", None)
    logging.basicConfig(level=logging.WARNING)
    for name in ("werkzeug", "alembic", "app"):
        logging.getLogger(name).setLevel(logging.WARNING)
    work = Path(tempfile.mkdtemp(prefix="helpdesk-bench-"))
    started = time.perf_counter()
    log(f"scale {plan.scale}: {plan.cases} cases, {plan.events} events; databases "
        f"{', '.join(plan.databases)}; work folder {work}")
    standin = serve_in_thread(create_standin_app({settings.CONSUMER_KEY:
                                                  settings.CONSUMER_SECRET}))
    wiki = WikiHolder(work / "wiki")
    shutil.rmtree(PROFILES, ignore_errors=True)  # outputs of this run only
    results: dict[str, Any] = {}
    try:
        for db in plan.databases:
            try:
                results[db] = bench_database(db, plan, work, standin.mw_uri, wiki)
            except Exception as exc:  # noqa: BLE001 - one database failing still reports the other
                log(f"{db}: FAILED: {exc!r}")
                results[db] = {"error": repr(exc), "notes": [f"failed: {exc!r}"],
                               "targets_met": {}}
    finally:
        wiki.stop()
        standin.shutdown()
        if plan.keep:
            log(f"kept {work}")
        else:
            shutil.rmtree(work, ignore_errors=True)
    finished = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    for res in results.values():
        res.setdefault("meta", {})["finished_at"] = finished
        res["meta"]["total_seconds"] = round(time.perf_counter() - started, 1)
    report.write(results)
    print(report.summary(results))
    log(f"done in {time.perf_counter() - started:.0f} s; wrote bench/results.json and "
        "bench/results.md")
    return 1 if any("error" in res for res in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
