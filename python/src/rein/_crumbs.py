"""Breadcrumbs written in process, byte for byte as ``rein mark`` writes them.

A breadcrumb is one compact JSON line appended to
``<state dir>/crumbs/run-RUN_ID.crumbs`` (inside a guarded run) or
``<state dir>/crumbs/pid-PID-START.crumbs`` (outside one)::

    {"at":1764790000123,"kind":"pre","model":"mlx-community/gemma-4-31b-it-8bit","pid":4121,"pid_start":98765,"run":"20261203T074856Z-3f9a1c2b0d","note":"req-17"}

with one ``write(2)`` to a file opened ``O_APPEND`` (so many writers never
interleave inside a line) and an ``fsync(2)`` before returning (so the PRE is
on disk when a kernel panic follows a moment later); the folder is fsync'd
too when the file was new. The state directory's rules are Rein's (G7):
folders 0700, files 0600, owned by you, never opened through a symbolic
link. ``rein ps``, ``rein doctor``, ``rein journal show`` and
``rein supervise --recycle-after-requests`` read these lines.
"""

from __future__ import annotations

import errno
import os
import stat
import sys
import time
from typing import Callable, Mapping, Optional, Tuple

from ._errors import ReinError, StateDirectoryError, UsageError

_MAX_NOTE = 2048
_MAX_MODEL = 512
_FOLDER = "crumbs"


# --- the line: System.Text.Json's default encoding, reproduced -------------------------------

_SHORT = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r", "\\": "\\\\"}
# JavaScriptEncoder.Default: only printable ASCII passes, minus HTML-sensitive characters.
_ESCAPED_ASCII = set('"&\'+<>`')


def _escape_char(c: str) -> str:
    code = ord(c)
    if c in _SHORT:
        return _SHORT[c]
    if 0x20 <= code < 0x7F and c not in _ESCAPED_ASCII:
        return c
    if code > 0xFFFF:
        code -= 0x10000
        return "\\u%04X\\u%04X" % (0xD800 + (code >> 10), 0xDC00 + (code & 0x3FF))
    if 0xD800 <= code <= 0xDFFF:
        return "\\uFFFD"  # a lone surrogate is not text: .NET writes the replacement character
    return "\\u%04X" % code


def json_string(text: str) -> str:
    """``text`` as a JSON string exactly as .NET's System.Text.Json writes it
    by default (non-ASCII and ``"&'+<>``` as ``\\uXXXX``, upper-case hex)."""
    if text.isascii() and text.isprintable() and not (_ESCAPED_ASCII & set(text)) and "\\" not in text:
        return '"' + text + '"'
    return '"' + "".join(_escape_char(c) for c in text) + '"'


def encode_line(
    at_ms: int,
    kind: str,
    model: str,
    pid: int,
    pid_start: int,
    run: Optional[str],
    note: Optional[str],
) -> bytes:
    """One breadcrumb line (with its newline), as ``rein mark`` encodes it:
    fields in this order, absent ones left out."""
    parts = [
        '{"at":%d' % at_ms,
        ',"kind":' + json_string(kind),
        ',"model":' + json_string(model),
        ',"pid":%d' % pid,
        ',"pid_start":%d' % pid_start,
    ]
    if run is not None:
        parts.append(',"run":' + json_string(run))
    if note is not None:
        parts.append(',"note":' + json_string(note))
    parts.append("}\n")
    return "".join(parts).encode("utf-8")


# --- validation: Rein's own rules and messages -----------------------------------------------


def model_problem(model: object) -> Optional[str]:
    """``None`` when ``model`` can be a model id; otherwise why not, in Rein's
    words (ModelId.Problem)."""
    if not isinstance(model, str):
        return f"a model id is a string such as 'mlx-community/gemma-4-31b-it-8bit', not {type(model).__name__}"
    if not model.strip():
        return "needs a model id, e.g. mlx-community/gemma-4-31b-it-8bit"
    if any(_is_control(c) for c in model):
        return "a model id cannot contain control characters"
    if len(model) > _MAX_MODEL:
        return "a model id of more than 512 characters is not an id"
    return None


def _is_control(c: str) -> bool:
    code = ord(c)
    return code < 0x20 or 0x7F <= code <= 0x9F


def check_model(model: object, where: str = "model id") -> str:
    """``model`` when valid; otherwise :class:`UsageError` with Rein's message."""
    problem = model_problem(model)
    if problem is not None:
        raise UsageError(f"{where}: {problem}")
    return model  # type: ignore[return-value]


def run_id_problem(run_id: str) -> Optional[str]:
    """``None`` when ``run_id`` can name a run's breadcrumb file (it comes from
    the environment, so it must never name a path outside the folder)."""
    if 0 < len(run_id) <= 64 and all(c.isascii() and (c.isalnum() or c in "-_") for c in run_id):
        return None
    short = run_id[:40] + "…" if len(run_id) > 40 else run_id
    return f"REIN_RUN_ID={short} is not a rein run id (letters, digits, '-' and '_', at most 64)"


def current_run(environ: Mapping[str, str] = os.environ) -> Optional[str]:
    """The run this process belongs to: ``REIN_RUN_ID`` (set by ``rein run``
    for the whole tree), or ``None`` outside a run."""
    value = environ.get("REIN_RUN_ID")
    return value if value else None


# --- who: this process's identity ------------------------------------------------------------

_identity: Tuple[int, int] = (0, 0)


def _start_time(pid: int) -> int:
    """The process's start time as Rein records it: clock ticks since boot on
    Linux (``/proc/PID/stat`` field 22), microseconds since the epoch on macOS
    (``proc_pidinfo``; unverified: no Mac here); 0 when it cannot be read."""
    if sys.platform.startswith("linux"):
        try:
            with open(f"/proc/{pid}/stat", "rb") as f:
                data = f.read()
            return int(data[data.rindex(b")") + 2 :].split()[19])
        except (OSError, ValueError, IndexError):
            return 0
    if sys.platform == "darwin":
        return _mac_start_time(pid)
    return 0


def _mac_start_time(pid: int) -> int:
    try:
        import ctypes
        import ctypes.util

        lib = ctypes.CDLL(ctypes.util.find_library("proc") or "/usr/lib/libSystem.B.dylib")
        buf = ctypes.create_string_buffer(136)  # struct proc_bsdinfo
        if lib.proc_pidinfo(pid, 3, ctypes.c_uint64(0), buf, 136) != 136:  # PROC_PIDTBSDINFO
            return 0
        raw = buf.raw
        seconds = int.from_bytes(raw[120:128], "little")
        micros = int.from_bytes(raw[128:136], "little")
        return seconds * 1_000_000 + micros
    except Exception:  # noqa: BLE001 - best effort, as Rein's own reader: 0 trusts the pid
        return 0


def identity() -> Tuple[int, int]:
    """This process's pid and start time (recomputed after a fork)."""
    global _identity
    pid = os.getpid()
    if _identity[0] != pid:
        _identity = (pid, _start_time(pid))
    return _identity


# --- where: the state directory, with Rein's privacy rules -----------------------------------


def state_directory(environ: Mapping[str, str] = os.environ) -> str:
    """Rein's state directory: ``$REIN_HOME``, else ``$XDG_STATE_HOME/rein`` or
    ``~/.local/state/rein`` on Linux, ``~/Library/Application Support/rein``
    on macOS."""
    explicit = environ.get("REIN_HOME")
    if explicit:
        return explicit
    home = environ.get("HOME") or os.path.expanduser("~")
    if sys.platform == "darwin":
        return os.path.join(home, "Library", "Application Support", "rein")
    xdg = environ.get("XDG_STATE_HOME")
    return os.path.join(xdg if xdg else os.path.join(home, ".local", "state"), "rein")


def _link_refused(path: str) -> StateDirectoryError:
    return StateDirectoryError(
        f"{path} is a symbolic link; rein never follows links in its state directory (remove the link)"
    )


def _foreign_refused(path: str, owner: int) -> StateDirectoryError:
    return StateDirectoryError(
        f"{path} is owned by uid {owner}, not by you (uid {os.getuid()}); remove it, "
        "or set REIN_HOME to a directory of your own"
    )


def _open_to_others(st: os.stat_result) -> bool:
    return (st.st_mode & 0o077) != 0


def _lstat(path: str, follow: bool) -> Optional[os.stat_result]:
    try:
        return os.stat(path) if follow else os.lstat(path)
    except FileNotFoundError:
        return None


def _secure(path: str) -> None:
    """Creates the state directory 0700 if needed and checks it and every
    entry in it, as ``rein`` does (StateDirectory.Secure)."""
    if _lstat(path, True) is None:
        os.makedirs(path, mode=0o700, exist_ok=True)
        os.chmod(path, 0o700)
    root = _lstat(path, True)
    if root is None:
        raise StateDirectoryError(f"cannot create the state directory {path}")
    if not stat.S_ISDIR(root.st_mode):
        raise StateDirectoryError(
            f"state directory {path} is not a directory; remove it, or set REIN_HOME elsewhere"
        )
    if root.st_uid != os.getuid():
        raise StateDirectoryError(
            f"state directory {path} is owned by uid {root.st_uid}, not by you (uid {os.getuid()}); "
            "set REIN_HOME to a directory of your own"
        )
    if _open_to_others(root):
        os.chmod(path, 0o700)
    for name in os.listdir(path):
        entry = os.path.join(path, name)
        st = _lstat(entry, False)
        if st is None:
            continue
        if stat.S_ISLNK(st.st_mode):
            raise _link_refused(entry)
        if st.st_uid != os.getuid():
            raise _foreign_refused(entry, st.st_uid)
        if _open_to_others(st):
            os.chmod(entry, 0o700 if stat.S_ISDIR(st.st_mode) else 0o600)


def _ensure(path: str) -> str:
    st = _lstat(path, True)
    if st is None or not stat.S_ISDIR(st.st_mode) or _open_to_others(st) or st.st_uid != os.getuid():
        _secure(path)
    return path


def _ensure_folder(path: str) -> str:
    if _lstat(path, False) is None:
        try:
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass  # created by a concurrent writer meanwhile
    st = _lstat(path, False)
    if st is None:
        raise StateDirectoryError(f"cannot create {path}")
    if stat.S_ISLNK(st.st_mode):
        raise _link_refused(path)
    if st.st_uid != os.getuid():
        raise _foreign_refused(path, st.st_uid)
    if not stat.S_ISDIR(st.st_mode):
        raise StateDirectoryError(
            f"{path} is not a directory; rein keeps only its own files there (remove it)"
        )
    if stat.S_IMODE(st.st_mode) != 0o700:
        os.chmod(path, 0o700)
    return path


def ensure_state_directory(environ: Mapping[str, str] = os.environ) -> str:
    """Rein's state directory, created 0700 if missing and checked as
    ``rein`` checks it; raises :class:`StateDirectoryError` with Rein's own
    message when Rein would refuse it. The API calls this before it starts
    ``rein``, so the refusal is an exception whatever your stderr is."""
    return _ensure(state_directory(environ))


def _describe(err: int) -> str:
    text = os.strerror(err)
    return text[0].lower() + text[1:] if text else f"error {err}"


def _io_error(what: str, path: str, err: int) -> ReinError:
    if err == errno.ENOSPC:
        return StateDirectoryError(f"{what} {path}: no space left on device (free space or set REIN_HOME)")
    return ReinError(f"{what} {path}: {_describe(err)}")


_APPEND = os.O_WRONLY | os.O_APPEND | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)


def _open_for_append(path: str) -> Tuple[int, bool]:
    created = False
    try:
        fd = os.open(path, _APPEND)
    except FileNotFoundError:
        created = True
        try:
            fd = os.open(path, _APPEND | os.O_CREAT, 0o600)
        except OSError as e:
            raise _open_failure(path, e) from None
    except OSError as e:
        raise _open_failure(path, e) from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise StateDirectoryError(
                f"{path} is not a regular file; rein keeps only its own files there (remove it)"
            )
        if st.st_uid != os.getuid():
            raise _foreign_refused(path, st.st_uid)
        if stat.S_IMODE(st.st_mode) != 0o600:
            os.fchmod(fd, 0o600)
    except BaseException:
        os.close(fd)
        raise
    return fd, created


def _open_failure(path: str, e: OSError) -> ReinError:
    if e.errno == errno.ELOOP or (
        (st := _lstat(path, False)) is not None and stat.S_ISLNK(st.st_mode)
    ):
        return _link_refused(path)
    return _io_error("cannot open", path, e.errno or 0)


def file_name(run: Optional[str], pid: int, pid_start: int) -> str:
    """The breadcrumb file's name: ``run-RUN_ID.crumbs`` or ``pid-PID-START.crumbs``."""
    return f"run-{run}.crumbs" if run is not None else f"pid-{pid}-{pid_start}.crumbs"


def append(
    kind: str,
    model: str,
    note: Optional[str] = None,
    *,
    run: Optional[str] = None,
    state_dir: Optional[str] = None,
    clock: Callable[[], int] = time.time_ns,
) -> None:
    """Writes one breadcrumb durably (one O_APPEND write, then fsync).

    ``run`` defaults to ``REIN_RUN_ID``; ``state_dir`` to Rein's.

    Raises:
        UsageError: a bad model id, note or ``REIN_RUN_ID`` (Rein's message).
        StateDirectoryError: a link or another user's entry where Rein's own
            belongs, or no space left.
        ReinError: the write or fsync failed (the message names the file).
    """
    if kind not in ("pre", "post"):
        raise UsageError(f"rein mark: kind must be 'pre' or 'post', not {kind!r}")
    check_model(model, "rein mark")
    if note is not None:
        if not isinstance(note, str):
            raise UsageError(f"rein mark: --note is a string, not {type(note).__name__}")
        if len(note) > _MAX_NOTE:
            raise UsageError(f"rein mark: --note: at most {_MAX_NOTE} characters")
    if run is None:
        run = current_run()
    if run is not None:
        problem = run_id_problem(run)
        if problem is not None:
            raise UsageError(f"rein mark: {problem}")
    pid, start = identity()
    folder = _ensure_folder(os.path.join(_ensure(state_dir or state_directory()), _FOLDER))
    path = os.path.join(folder, file_name(run, pid, start))
    line = encode_line(clock() // 1_000_000, kind, model, pid, start, run, note)
    fd, created = _open_for_append(path)
    try:
        try:
            view = memoryview(line)
            while view:  # one write(2) in practice; a short one (disk full) is continued, as rein does
                view = view[os.write(fd, view) :]
            os.fsync(fd)
        except OSError as e:
            raise _io_error("cannot write", path, e.errno or 0) from None
    finally:
        os.close(fd)
    if created:
        try:
            dfd = os.open(folder, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0) | getattr(os, "O_NOFOLLOW", 0))
        except OSError:
            return
        try:
            os.fsync(dfd)
        except OSError:
            pass
        finally:
            os.close(dfd)
