"""A fresh machine sets itself up: `make system` installs the Debian packages pip and npm
cannot (dev/system-packages.sh holds the one list), `make doctor` shows them."""

from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "dev" / "system-packages.sh"
NOBODY = 65534
FAKE_PACKAGE = "helpdesk-no-such-package"
PROGRAMS = ("php", "chromium", "node", "npm", "mariadbd", "redis-server", "dovecot")


def listed_packages() -> list[str]:
    """The script's list of packages."""
    result = subprocess.run(["bash", str(SCRIPT), "--list"], capture_output=True, text=True,
                            check=True, timeout=30)
    return result.stdout.split()


@pytest.fixture
def fake_bin() -> Iterator[Path]:
    """A folder, usable by any user, holding an `apt-get` that only records its calls."""
    folder = Path(tempfile.mkdtemp(prefix="helpdesk-fake-apt-"))
    folder.chmod(0o777)  # the user "nobody" writes the record here
    apt = folder / "apt-get"
    apt.write_text(f'#!/bin/sh\necho "$*" >> "{folder}/apt-calls"\nexit 0\n')
    apt.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def apt_calls(folder: Path) -> list[str]:
    record = folder / "apt-calls"
    return record.read_text().splitlines() if record.exists() else []


def run_script(env_extra: dict[str, str], as_nobody: bool = False,
               *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **env_extra}
    command = ["bash", str(SCRIPT), *args]
    if as_nobody and os.geteuid() == 0:
        command = ["setpriv", f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups",
                   *command]
    return subprocess.run(command, capture_output=True, text=True, env=env, timeout=60,
                          cwd=REPO)


def test_the_list_holds_what_the_suite_needs() -> None:
    packages = listed_packages()
    for needed in ("chromium", "gettext", "mediawiki", "php-cli", "php-sqlite3",
                   "fonts-noto-core", "python3-venv", "mariadb-client", "mariadb-server",
                   "redis-server", "dovecot-imapd"):
        assert needed in packages


def test_make_doctor_finds_every_dependency_on_this_machine() -> None:
    result = subprocess.run(["make", "--no-print-directory", "doctor"], capture_output=True,
                            text=True, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    for name in [*listed_packages(), *PROGRAMS]:
        line = re.search(rf"^\s*(found|missing)\s+{re.escape(name)}(\s+(.*))?$",
                         result.stdout, re.MULTILINE)
        assert line, f"{name} is not in the report:\n{result.stdout}"
        assert line.group(1) == "found", line.group(0)
        assert (line.group(3) or "").strip(), f"no version for {name}"
    assert "missing" not in result.stdout


def test_doctor_says_what_is_missing_and_fails(fake_bin: Path) -> None:
    result = run_script({"HELPDESK_SYSTEM_PACKAGES": f"gettext {FAKE_PACKAGE}"}, False,
                        "--check")
    assert result.returncode != 0
    assert re.search(rf"^\s*missing\s+{FAKE_PACKAGE}$", result.stdout, re.MULTILINE)
    assert re.search(r"^\s*found\s+gettext\s+\S", result.stdout, re.MULTILINE)
    assert apt_calls(fake_bin) == []


def test_quiet_and_untouched_when_nothing_is_missing(fake_bin: Path) -> None:
    result = run_script({"PATH": f"{fake_bin}:{os.environ['PATH']}"})
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
    assert apt_calls(fake_bin) == []


def test_not_root_stops_at_once_with_the_command_to_run(fake_bin: Path) -> None:
    started = time.monotonic()
    result = run_script({"HELPDESK_SYSTEM_PACKAGES": f"gettext {FAKE_PACKAGE}",
                         "PATH": f"{fake_bin}:{os.environ['PATH']}"}, True)
    assert time.monotonic() - started < 10
    assert result.returncode != 0
    commands = [line for line in result.stderr.splitlines() if "apt-get install" in line]
    assert len(commands) == 1, result.stderr
    assert commands[0].startswith("sudo apt-get update && sudo apt-get install")
    assert commands[0].split()[-1] == FAKE_PACKAGE  # only what is missing
    assert "gettext" not in commands[0]
    assert apt_calls(fake_bin) == []


def test_root_installs_only_what_is_missing_in_one_go(fake_bin: Path) -> None:
    fake_id = fake_bin / "id"  # whoever runs the suite, the script believes it is root
    fake_id.write_text("#!/bin/sh\necho 0\n")
    fake_id.chmod(fake_id.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    result = run_script({"HELPDESK_SYSTEM_PACKAGES": f"gettext {FAKE_PACKAGE}",
                         "PATH": f"{fake_bin}:{os.environ['PATH']}"})
    assert result.returncode == 0, result.stderr
    assert apt_calls(fake_bin) == [
        "update -qq", f"install -y -qq --no-install-recommends {FAKE_PACKAGE}"]


def test_make_test_run_and_setup_install_the_system_packages_first() -> None:
    for target in ("test", "run", "setup"):
        result = subprocess.run(["make", "--no-print-directory", "-n", target],
                                capture_output=True, text=True, cwd=REPO, timeout=60)
        assert result.returncode == 0, result.stderr
        assert result.stdout.splitlines()[0] == "bash dev/system-packages.sh", target


def test_ci_leaves_the_list_to_the_script() -> None:
    ci = (REPO / ".ci" / "run").read_text()
    assert "apt-get" not in ci and "make system" in ci and "make test" in ci
    assert "redis-server --daemonize yes" in ci
    assert not (REPO / ".ci" / "install-mediawiki.sh").exists()
