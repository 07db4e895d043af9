"""The load generator: a separate process that drives the served app over HTTP.

    python -m dev.bench.load SPEC.json  → prints the results as JSON on stdout

SPEC: {"host": "127.0.0.1", "port": 8000, "threads": 2, "phases": [{"name": "dashboard",
"paths": ["/dashboard"], "headers": {"Cookie": "..."}, "requests": 300, "seconds": 20,
"warmup": 10}]}. Each phase sends `warmup` unmeasured requests, then `requests`
requests from `threads` threads (paths taken in turn), a new connection per request
(gunicorn's sync workers close every connection). A phase ends after its requests
or its seconds, whichever comes first: every loop is bounded.
"""

from __future__ import annotations

import http.client
import itertools
import json
import statistics
import sys
import threading
import time
from typing import Any

TIMEOUT = 30.0


def _get(host: str, port: int, path: str, headers: dict[str, str]) -> tuple[int, float, int]:
    started = time.perf_counter()
    conn = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        body = response.read()
        status = response.status
    except OSError:
        status, body = 0, b""
    finally:
        conn.close()
    return status, time.perf_counter() - started, len(body)


def percentile(values: list[float], fraction: float) -> float:
    """The nearest-rank percentile of `values` (which must not be empty)."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), round(fraction * len(ordered) + 0.5)))
    return ordered[rank - 1]


def run_phase(host: str, port: int, threads: int, phase: dict[str, Any]) -> dict[str, Any]:
    """Drive one phase; return latency percentiles (ms) and throughput (requests/s)."""
    paths = phase["paths"]
    headers = {"User-Agent": "helpdesk-bench/1", **phase.get("headers", {})}
    for path in itertools.islice(itertools.cycle(paths), phase.get("warmup", 0)):
        _get(host, port, path, headers)
    total, limit = int(phase["requests"]), float(phase["seconds"])
    counter = itertools.count()
    lock = threading.Lock()
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    sizes: list[int] = []
    started = time.perf_counter()
    deadline = started + limit

    def worker() -> None:
        while time.perf_counter() < deadline:
            number = next(counter)  # itertools.count is atomic under the GIL
            if number >= total:
                return
            status, seconds, size = _get(host, port, paths[number % len(paths)], headers)
            with lock:
                latencies.append(seconds)
                statuses[status] = statuses.get(status, 0) + 1
                sizes.append(size)

    pool = [threading.Thread(target=worker, daemon=True) for _ in range(threads)]
    for thread in pool:
        thread.start()
    for thread in pool:
        thread.join(limit + TIMEOUT + 5)
    elapsed = time.perf_counter() - started
    ok = statuses.get(200, 0)
    return {
        "requests": len(latencies),
        "ok": ok,
        "errors": len(latencies) - ok,
        "statuses": {str(key): value for key, value in sorted(statuses.items())},
        "seconds": round(elapsed, 3),
        "threads": threads,
        "p50_ms": round(percentile(latencies, 0.50) * 1000, 2) if latencies else None,
        "p95_ms": round(percentile(latencies, 0.95) * 1000, 2) if latencies else None,
        "mean_ms": round(statistics.fmean(latencies) * 1000, 2) if latencies else None,
        "throughput_rps": round(ok / elapsed, 1) if elapsed else None,
        "bytes_mean": round(statistics.fmean(sizes)) if sizes else None,
        "stopped_by": "time" if len(latencies) < total else "count",
    }


def main(argv: list[str]) -> int:
    with open(argv[1], encoding="utf-8") as handle:
        spec = json.load(handle)
    results = {phase["name"]: run_phase(spec["host"], spec["port"], spec["threads"], phase)
               for phase in spec["phases"]}
    json.dump(results, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
