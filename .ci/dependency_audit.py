"""pip-audit over the installed environment (runtime and test dependencies).

Fails on any known vulnerability. pip-audit asks PyPI's JSON API (or OSV) about
each package; where that service cannot be reached (this CI machine reaches only
PyPI's package index, not its JSON API), pip-audit marks every package "could not
be audited". That is reported loudly here rather than hidden; set
REQUIRE_VULNERABILITY_DATA=1 on a machine with the full network to make it fail.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PIP_AUDIT = Path(sys.executable).with_name("pip-audit")


def main() -> int:
    run = subprocess.run([str(PIP_AUDIT), "--format", "json", "--progress-spinner", "off"],
                         capture_output=True, text=True, check=False)
    try:
        report = json.loads(run.stdout)
    except json.JSONDecodeError:
        print(run.stdout, run.stderr, sep="\n", file=sys.stderr)
        print("pip-audit: no report (see above)", file=sys.stderr)
        return 2
    dependencies = report.get("dependencies", [])
    vulnerable = [d for d in dependencies if d.get("vulns")]
    unaudited = [d for d in dependencies if "skip_reason" in d]
    for dep in vulnerable:
        for vuln in dep["vulns"]:
            fixes = ", ".join(vuln.get("fix_versions", [])) or "no fix yet"
            print(f"VULNERABLE {dep['name']} {dep['version']}: {vuln['id']} (fixed in {fixes})")
    audited = len(dependencies) - len(unaudited)
    print(f"pip-audit: {len(dependencies)} packages, {audited} audited, "
          f"{len(vulnerable)} with known vulnerabilities")
    if unaudited:
        print(f"pip-audit: WARNING: {len(unaudited)} packages could not be audited "
              f"(the vulnerability service was not reachable), e.g. "
              f"{unaudited[0]['skip_reason']}")
        if os.environ.get("REQUIRE_VULNERABILITY_DATA") == "1":
            return 1
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
