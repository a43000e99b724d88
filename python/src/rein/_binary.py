"""Finding and calling the ``rein`` executable.

A wheel of ``rein-guard`` carries the NativeAOT ``rein`` binary as a script,
so pip puts it in the environment's ``bin/`` (on ``PATH`` once the venv is
active), as ruff and uv do. :func:`binary` finds that copy first, so the API
and the command line always agree on the version.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from typing import List, Mapping, Optional, Sequence

from ._errors import BinaryNotFound, ReinError, StateDirectoryError, UsageError

_NAME = "rein.exe" if sys.platform == "win32" else "rein"


def _executable(path: str) -> bool:
    return os.path.isfile(path) and os.access(path, os.X_OK)


def _script_dirs() -> List[str]:
    """Where pip may have put the wheel's ``rein``: this interpreter's scripts
    folder (a venv's ``bin/``), the user scheme's (``pip install --user``),
    and ``bin/`` beside the package (``pip install --target DIR``)."""
    dirs: List[str] = []
    for scheme in (None, f"{os.name}_user", "posix_user", "osx_framework_user"):
        try:
            path = (
                sysconfig.get_path("scripts")
                if scheme is None
                else sysconfig.get_path("scripts", scheme)
            )
        except KeyError:
            continue
        if path and path not in dirs:
            dirs.append(path)
    beside = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "bin")
    if beside not in dirs:
        dirs.append(beside)
    return dirs


def binary() -> str:
    """The path of the ``rein`` executable this package calls.

    In order: ``$REIN_BIN`` (an explicit choice, e.g. a freshly built
    ``out/rein``); the copy a ``rein-guard`` wheel installed into this
    environment's scripts folder; ``rein`` on ``PATH``.

    Raises:
        BinaryNotFound: none of them exists (a source install without
            ``rein`` on ``PATH``), or ``REIN_BIN`` names no executable.
    """
    explicit = os.environ.get("REIN_BIN")
    if explicit:
        if _executable(explicit):
            return explicit
        raise BinaryNotFound(
            f"REIN_BIN={explicit}: no executable there (unset it, or point it at a rein binary)"
        )
    for folder in _script_dirs():
        candidate = os.path.join(folder, _NAME)
        if _executable(candidate):
            return candidate
    found = shutil.which(_NAME)
    if found:
        return found
    raise BinaryNotFound(
        "rein: no `rein` executable found; install a rein-guard wheel for this platform "
        "(it carries the binary), put rein on PATH, or set REIN_BIN to its path"
    )


def last_line(text: str) -> str:
    """Rein's own message: the last non-empty line it printed on stderr."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""


_STATE_WORDS = (
    "state directory",
    "symbolic link",
    "is owned by uid",
    "no space left on device",
    "is not a regular file",
)


def error_for(verb: str, code: int, stderr: str) -> ReinError:
    """The exception for a ``rein`` call that failed in a way no caller
    expected: Rein's own last line, typed by what it says."""
    message = last_line(stderr) or f"rein {verb}: exited {code} without a message"
    if any(word in message for word in _STATE_WORDS):
        return StateDirectoryError(message)
    if code in (2, 125):
        return UsageError(message)
    return ReinError(message)


def call(
    args: Sequence[str],
    *,
    verb: str,
    ok: Sequence[int] = (0,),
    env: Optional[Mapping[str, str]] = None,
    timeout: Optional[float] = None,
) -> "subprocess.CompletedProcess[str]":
    """Runs ``rein ARGS`` with stdout and stderr captured as text and returns
    the finished process when its exit code is in ``ok``; otherwise raises
    the exception :func:`error_for` chooses."""
    exe = binary()
    try:
        done = subprocess.run(
            [exe, *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            errors="replace",
            env=dict(env) if env is not None else None,
            timeout=timeout,
            check=False,
        )
    except OSError as e:
        raise BinaryNotFound(f"rein: cannot execute {exe}: {e.strerror or e}") from None
    if done.returncode not in ok:
        raise error_for(verb, done.returncode, done.stderr)
    return done
