"""``rein.run``: a guarded ``subprocess.run``."""

from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import signal
import subprocess
import tempfile
from typing import Any, List, Mapping, Optional, Sequence, Union

from . import _binary, _crumbs
from ._documents import Refusal, RunResult
from ._errors import (
    BinaryNotFound,
    CadenceBlocked,
    LoadHeld,
    NotStarted,
    OverMemory,
    PanicCooldown,
    PanicLockout,
    ReinError,
    RunFailed,
    TimedOut,
    UsageError,
)

Duration = Union[int, float, _dt.timedelta, str]
Size = Union[int, str]
Arg = Union[str, bytes, "os.PathLike[str]", "os.PathLike[bytes]"]


def duration_arg(value: Duration, name: str) -> str:
    """A duration for the command line: seconds (int/float), a timedelta, or a
    Rein duration string (``"90s"``, ``"5m"``) passed as is."""
    if isinstance(value, bool):
        raise UsageError(f"{name}: a duration is seconds or a string such as '90s', not a bool")
    if isinstance(value, _dt.timedelta):
        value = value.total_seconds()
    if isinstance(value, int):
        return f"{value}s"
    if isinstance(value, float):
        return f"{value!r}s" if value == value else "nans"  # NaN: let rein refuse it in its words
    if isinstance(value, str):
        return value
    raise UsageError(f"{name}: a duration is seconds or a string such as '90s', not {type(value).__name__}")


def size_arg(value: Size, name: str) -> str:
    """A size for the command line: bytes (int) or a Rein size (``"12G"``)."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise UsageError(f"{name}: a size is bytes (int) or a string such as '12G', not {type(value).__name__}")
    return str(value)


def models_arg(model: Union[str, Sequence[str], None], name: str = "model") -> List[str]:
    """One model id or several, each checked with Rein's rules."""
    if model is None:
        return []
    if isinstance(model, str):
        models: List[object] = [model]
    elif isinstance(model, (list, tuple)):
        models = list(model)
    else:
        models = [model]  # refused below, in Rein's words
    return [_crumbs.check_model(m, name) for m in models]


def _refusal_sentence(verb: str, refusal: Refusal) -> str:
    parts = [f"{verb}: not started ({refusal.code})"]
    if refusal.subject:
        parts.append(f" for {refusal.subject}")
    after = refusal.retry_after()
    if after is not None:
        parts.append(f"; may clear in {after:.0f}s")
    elif refusal.waitable:
        parts.append("; wait with wait=")
    return "".join(parts)


def refusal_error(message: str, refusal: Refusal, result: Optional[RunResult] = None) -> NotStarted:
    """The typed exception for a refusal: cadence, panic gate, or the rest."""
    if refusal.code.startswith("cadence_"):
        return CadenceBlocked(message, refusal=refusal, result=result)
    if refusal.code == "panic_cooldown":
        return PanicCooldown(message, refusal=refusal, result=result)
    if refusal.code == "panic_lockout":
        return PanicLockout(message, refusal=refusal, result=result)
    if refusal.code == "load_hold":
        return LoadHeld(message, refusal=refusal, result=result)
    return NotStarted(message, refusal=refusal, result=result)


def _failure_sentence(result: RunResult) -> str:
    cmd = " ".join(result.command)
    if result.outcome in ("timed_out", "idle_timeout"):
        what = "timed out" if result.outcome == "timed_out" else "stayed silent past its idle timeout"
        text = f"rein run: `{cmd}` {what} after {result.duration:.1f}s; its tree was killed"
    elif result.outcome in ("memory_exceeded", "max_procs_exceeded"):
        limit = (result.caps or {}).get("memory_limit_bytes")
        cap = f" (cap {limit} bytes)" if limit else ""
        text = f"rein run: `{cmd}` exceeded its {result.outcome.split('_')[0].replace('max', 'process')} cap{cap}; its tree was killed"
    elif result.outcome == "signaled":
        text = f"rein run: `{cmd}` was killed by signal {result.signal}"
    elif result.outcome == "exited":
        text = f"rein run: `{cmd}` exited {result.exit_code}"
    else:
        text = f"rein run: `{cmd}` ended {result.outcome}" + (f": {result.error}" if result.error else "")
    if result.failure is not None and result.failure.cls != "unknown":
        text += f" ({result.failure.cls}: {result.failure.advice})"
    return text


def run(
    cmd: Union[Arg, Sequence[Arg]],
    *,
    timeout: Optional[Duration] = None,
    idle_timeout: Optional[Duration] = None,
    memory: Optional[Size] = None,
    max_procs: Optional[int] = None,
    lock: Optional[str] = None,
    model: Union[str, Sequence[str], None] = None,
    wait: Union[bool, Duration, None] = None,
    grace: Optional[Duration] = None,
    env_offline: bool = False,
    classify: bool = False,
    cwd: Optional[Union[str, "os.PathLike[str]"]] = None,
    env: Optional[Mapping[str, str]] = None,
    check: bool = False,
    stdin: Any = None,
    stdout: Any = None,
    stderr: Any = None,
    capture_output: bool = False,
    text: bool = False,
    input: Any = None,  # noqa: A002 - subprocess.run's name
) -> RunResult:
    """Runs ``cmd`` under ``rein run`` and returns its verdict.

    The command starts in its own session with ``REIN_RUN_ID`` set; when it
    ends — by itself, by a limit, or because this Python process was
    interrupted — its whole process tree is gone (even parts that called
    ``setsid()`` or double-forked). stdin/stdout/stderr behave as in
    :func:`subprocess.run` (inherited unless you redirect or capture them;
    Rein's own one-line summary also goes to stderr).

    Args:
        cmd: the program and its arguments (never through a shell).
        timeout: wall-clock limit (seconds, timedelta, or ``"30m"``).
        idle_timeout: the run is stuck when stdout and stderr stay silent
            this long.
        memory: cap on the whole tree's memory (bytes or ``"12G"``).
        max_procs: cap on the tree's process count.
        lock: a named lock (``"gpu"``, ``"gpu:2"`` for two slots).
        model: model id(s) the command loads: the load cadence, the
            known-panic registry, the fit check and the panic gate apply.
        wait: wait for a busy lock, the cadence or memory instead of being
            refused: ``True`` forever, or a duration.
        grace: time between SIGTERM and SIGKILL at teardown (default 5 s).
        env_offline: set ``HF_HUB_OFFLINE=1`` and ``TRANSFORMERS_OFFLINE=1``.
        classify: keep stderr's tail so a failure is classified from its text.
        cwd, env: as in :func:`subprocess.run` (``env`` replaces the
            environment of ``rein`` and so of the command).
        check: raise instead of returning a failed or refused verdict:
            :class:`NotStarted` (or :class:`CadenceBlocked`,
            :class:`PanicCooldown`, :class:`PanicLockout`),
            :class:`TimedOut`, :class:`OverMemory`, :class:`RunFailed`.
        stdin, stdout, stderr, capture_output, text, input: as in
            :func:`subprocess.run`; the captured output is on the result.

    Returns:
        RunResult: the ``rein.run/1`` verdict (``outcome``, ``exit_code``,
        ``signal``, ``duration``, ``peak_rss_bytes``, ``refusal``,
        ``failure``, ``returncode``...).

    Raises:
        UsageError: Rein refused an argument (its own message, when stderr
            was captured; otherwise it is on your stderr above).
        BinaryNotFound: no ``rein`` executable.
    """
    if isinstance(cmd, (str, bytes)) or hasattr(cmd, "__fspath__"):
        argv: List[Any] = [cmd]
    else:
        argv = list(cmd)
    if not argv:
        raise UsageError("rein run: no command after -- (e.g. `rein run -- make ci`)")
    args: List[str] = ["run"]
    if timeout is not None:
        args.append("--timeout=" + duration_arg(timeout, "timeout"))
    if idle_timeout is not None:
        args.append("--idle-timeout=" + duration_arg(idle_timeout, "idle_timeout"))
    if grace is not None:
        args.append("--grace=" + duration_arg(grace, "grace"))
    if memory is not None:
        args.append("--memory=" + size_arg(memory, "memory"))
    if max_procs is not None:
        if isinstance(max_procs, bool) or not isinstance(max_procs, int):
            raise UsageError(f"max_procs: a whole number, not {type(max_procs).__name__}")
        args.append("--max-procs=" + str(max_procs))
    if lock is not None:
        if not isinstance(lock, str):
            raise UsageError(f"lock: a lock name such as 'gpu' or 'gpu:2', not {type(lock).__name__}")
        args.append("--lock=" + lock)
    for m in models_arg(model, "rein run --model"):
        args.append("--model=" + m)
    if env_offline:
        args.append("--env-offline")
    if classify:
        args.append("--classify")
    exe = _binary.binary()
    _crumbs.ensure_state_directory()  # a state directory rein refuses: its own message, as an exception
    folder = tempfile.mkdtemp(prefix="rein-run-")
    report = os.path.join(folder, "verdict.json")
    args.append("--report=" + report)
    if wait is True:
        args.append("--wait")  # last among the options: a bare --wait waits forever
    elif wait is not None and wait is not False:
        args.append("--wait=" + duration_arg(wait, "wait"))
    if capture_output:
        if stdout is not None or stderr is not None:
            raise UsageError("rein.run: stdout and stderr cannot be used with capture_output")
        stdout = stderr = subprocess.PIPE
    try:
        if input is not None:
            if stdin is not None:
                raise UsageError("rein.run: stdin and input cannot both be used")
            stdin = subprocess.PIPE
        try:
            proc = subprocess.Popen(
                [exe, *args, "--", *argv],
                stdin=stdin,
                stdout=stdout,
                stderr=stderr,
                text=text,
                cwd=cwd,
                env=dict(env) if env is not None else None,
            )
        except OSError as e:
            raise BinaryNotFound(f"rein: cannot execute {exe}: {e.strerror or e}") from None
        with proc:
            try:
                out, err = proc.communicate(input)
            except BaseException:
                _stop(proc)
                raise
        done: "subprocess.CompletedProcess[Any]" = subprocess.CompletedProcess(proc.args, proc.returncode, out, err)
        try:
            with open(report, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError):
            doc = None
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if doc is None:
        captured = done.stderr if isinstance(done.stderr, str) else (
            done.stderr.decode("utf-8", "replace") if isinstance(done.stderr, bytes) else ""
        )
        message = _binary.last_line(captured) or (
            f"rein run: exited {done.returncode} before starting the command "
            "(its message is on stderr above; capture_output=True puts it here)"
        )
        raise _binary.error_for("run", done.returncode, message) if done.returncode in (2, 125) else ReinError(message)
    result = RunResult.from_json(doc, done.stdout, done.stderr)
    if check:
        _check(result)
    return result


def _stop(proc: "subprocess.Popen[Any]") -> None:
    """This Python program was interrupted while ``rein run`` ran. Unlike
    :func:`subprocess.run`, never SIGKILL rein (its run would end unclean,
    the tree without its grace): a Ctrl-C on the terminal reached rein too
    and it is already tearing the tree down; otherwise ask it with one
    SIGTERM. Then wait for its verified teardown."""
    try:
        proc.wait(timeout=1.0)
        return
    except subprocess.TimeoutExpired:
        pass
    except BaseException:  # a second interrupt: rein skips the grace on its own second signal
        pass
    if proc.poll() is None:
        try:
            proc.send_signal(signal.SIGTERM)
        except OSError:
            pass
    try:
        proc.wait(timeout=120.0)
    except BaseException:
        if proc.poll() is None:
            proc.kill()  # the shim still kills the tree within a second (G2)
        raise


def _check(result: RunResult) -> None:
    if result.refusal is not None or result.outcome == "refused":
        refusal = result.refusal or Refusal.from_json({"code": "unknown"})
        raise refusal_error(_refusal_sentence("rein run", refusal), refusal, result)
    if result.ok:
        return
    message = _failure_sentence(result)
    if result.outcome in ("timed_out", "idle_timeout"):
        raise TimedOut(message, result=result)
    if result.outcome in ("memory_exceeded", "max_procs_exceeded"):
        raise OverMemory(message, result=result)
    raise RunFailed(message, result=result)
