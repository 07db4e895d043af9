"""What a gunicorn worker spends before it can answer: imports and `create_app()`.

Run in a fresh interpreter (as a worker starts) with `-X importtime`; the slowest
imports, grouped at the top two levels of the import tree, show what to defer.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from typing import Any

from dev.bench.server import ROOT

_PROBE = """
import json, time
t0 = time.perf_counter()
import app
t1 = time.perf_counter()
application = app.create_app()
t2 = time.perf_counter()
with application.test_client() as client:
    client.get("/healthz", base_url="https://localhost")
t3 = time.perf_counter()
print(json.dumps({"import_s": t1 - t0, "create_app_s": t2 - t1, "first_request_s": t3 - t2}))
"""
_LINE = re.compile(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)")


def profile_startup(env: dict[str, str]) -> dict[str, Any]:
    """Seconds to import the app, build it and answer /healthz once; the slowest imports."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", _PROBE],  # noqa: S603
                          cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120, check=False)
    if done.returncode != 0:
        return {"error": done.stderr[-500:]}
    timings = json.loads(done.stdout.strip().splitlines()[-1])
    imports = []
    for match in _LINE.finditer(done.stderr):
        depth = len(match.group(3)) // 2
        if depth <= 2:
            imports.append((int(match.group(2)) / 1000, depth, match.group(4)))
    imports.sort(reverse=True)
    return {
        **{key: round(value, 3) for key, value in timings.items()},
        "slowest_imports_ms": [{"module": name, "depth": depth, "ms": round(ms)}
                               for ms, depth, name in imports[:15]],
        "note": "-X importtime itself slows imports down; compare the modules, not the sum",
    }
