"""The package is fully typed: mypy --strict, for the oldest Python it supports."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest
from conftest import PYTHON_DIR, WHEEL_MODE


@pytest.mark.skipif(WHEEL_MODE, reason="once is enough")
@pytest.mark.skipif(shutil.which("mypy") is None, reason="mypy not installed (Debian: apt-get install mypy)")
def test_mypy_strict_passes_for_python_3_9() -> None:
    done = subprocess.run(
        ["mypy", "--strict", "--python-version", "3.9", "--no-incremental", os.path.join(PYTHON_DIR, "src", "rein")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
