"""Shared fixtures: a private state directory per test, the binary under test.

Two modes:

* source (default): ``rein`` is imported from ``python/src`` and calls
  ``$REIN_BIN`` (``./test.sh`` sets it to ``out/rein``);
* wheel (``REIN_TEST_WHEEL=1``): ``rein`` is the one pip installed from the
  built wheel into a fresh venv, ``REIN_BIN`` is unset, and the API must find
  the binary the wheel carried (``rein.binary()``).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from typing import Dict, Iterator, List, Optional

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
PYTHON_DIR = os.path.dirname(HERE)
REPO = os.path.dirname(PYTHON_DIR)
WHEEL_MODE = os.environ.get("REIN_TEST_WHEEL") == "1"

if not WHEEL_MODE:
    sys.path.insert(0, os.path.join(PYTHON_DIR, "src"))
    os.environ.setdefault("REIN_BIN", os.path.join(REPO, "out", "rein"))
else:
    os.environ.pop("REIN_BIN", None)

import rein  # noqa: E402

if WHEEL_MODE:
    assert not rein.__file__.startswith(os.path.join(PYTHON_DIR, "src")), rein.__file__


def pytest_report_header(config: object) -> List[str]:
    return [f"rein: {rein.__file__}", f"binary: {rein.binary()} (wheel mode: {WHEEL_MODE})"]


@pytest.fixture()
def home(tmp_path: "os.PathLike[str]", monkeypatch: pytest.MonkeyPatch) -> str:
    """A private state directory for this test, and report places that see no
    panic of this machine."""
    state = os.path.join(str(tmp_path), "state")
    empty = os.path.join(str(tmp_path), "empty")
    os.makedirs(empty)
    monkeypatch.setenv("REIN_HOME", state)
    monkeypatch.setenv("REIN_DIAGNOSTIC_REPORTS", os.path.join(str(tmp_path), "no-reports"))
    monkeypatch.setenv("REIN_PSTORE_DIR", empty)
    monkeypatch.setenv("REIN_CRASH_DIR", empty)
    monkeypatch.setenv("REIN_PREVIOUS_KERNEL_LOG", "off")
    monkeypatch.delenv("REIN_RUN_ID", raising=False)
    monkeypatch.delenv("REIN_SETTLE", raising=False)
    return state


@pytest.fixture()
def marker() -> str:
    """A unique word for this test's processes (never touch anyone else's)."""
    return "pyrein-" + uuid.uuid4().hex[:12]


def binary() -> str:
    return rein.binary()


def cli(*args: str, env: Optional[Dict[str, str]] = None, check: bool = False) -> "subprocess.CompletedProcess[str]":
    """Runs the real ``rein`` with captured text output."""
    return subprocess.run(
        [binary(), *args], capture_output=True, text=True, env=env, check=check, stdin=subprocess.DEVNULL
    )


def python_env() -> Dict[str, str]:
    """The environment for a child Python that must import the same ``rein``."""
    env = dict(os.environ)
    if not WHEEL_MODE:
        env["PYTHONPATH"] = os.path.join(PYTHON_DIR, "src") + os.pathsep + env.get("PYTHONPATH", "")
    return env


def pids_with(marker: str) -> List[int]:
    """Live (non-zombie) processes whose command line holds ``marker``."""
    if not os.path.isdir("/proc/self"):  # macOS: ps (procps and BSD ps share these keywords)
        out = subprocess.run(["ps", "-axo", "pid=,stat=,command="], capture_output=True, text=True).stdout
        rows = [line.split(None, 2) for line in out.splitlines()]
        return [
            int(r[0]) for r in rows
            if len(r) == 3 and marker in r[2] and not r[1].startswith("Z") and int(r[0]) != os.getpid()
        ]
    found = []
    for name in os.listdir("/proc"):
        if not name.isdigit() or int(name) == os.getpid():
            continue
        try:
            with open(f"/proc/{name}/cmdline", "rb") as f:
                cmd = f.read()
            with open(f"/proc/{name}/stat", "rb") as f:
                state = f.read().rsplit(b")", 1)[1].split()[0]
        except OSError:
            continue
        if marker.encode() in cmd and state != b"Z":
            found.append(int(name))
    return found


def escaping_sleeper(marker: str) -> str:
    """A shell fragment: a process that leaves the session (setsid) and sleeps, carrying ``marker``."""
    return f"{sys.executable} -c 'import os, time; os.setsid(); time.sleep(300)' {marker}"


def wait_until(predicate, timeout: float = 10.0, interval: float = 0.05) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()


@pytest.fixture()
def reap() -> Iterator[List[int]]:
    """Pids a test started; any still alive at its end are SIGKILLed (only
    these, by the pids this test itself spawned)."""
    pids: List[int] = []
    yield pids
    for pid in pids:
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass
