"""``rein.Supervisor``: keep a worker alive from asyncio, never blocking the loop.

::

    async with rein.Supervisor(["python", "-m", "runner"], memory="12G") as sup:
        async for event in sup.events():
            if isinstance(event, rein.events.GiveUp):
                alert(event.reason)

It runs ``rein supervise --events`` as a child process: Rein restarts the
worker with exponential backoff, kills its whole tree at every end (also when
Rein itself is SIGKILLed), and writes one JSON line per event into a pipe that
this class reads with the event loop's own non-blocking I/O. Nothing here
waits on a thread, a queue or a ``join()``: the loop keeps serving while the
worker crash-loops. Leaving the ``async with`` block (or ``await sup.stop()``)
stops the worker's tree: TERM, the grace, then KILL. If this Python process is
killed, Rein is told by the kernel (Linux: the parent-death signal) and stops
the worker the same way.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import json
import os
import shutil
import signal
import sys
import tempfile
from dataclasses import dataclass, field
from typing import Any, AsyncIterator, Dict, List, Mapping, Optional, Sequence, Type, Union

from . import _binary, _crumbs
from ._documents import parse_time
from ._errors import BinaryNotFound, ReinError, UsageError
from ._run import Duration, Size, duration_arg, size_arg


@dataclass(frozen=True)
class SupervisorEvent:
    """One line of ``rein supervise --events`` (docs/schemas.md). The
    subclasses in :mod:`rein.events` (``Start``, ``Exit``, ``Backoff``,
    ``Restart``, ``GiveUp``, ``Stop``, ...) let you branch with
    ``isinstance``; :attr:`kind` is the event's name either way."""

    kind: str
    at: Optional[_dt.datetime]
    supervision_id: str
    incarnation: int
    run_id: Optional[str]
    pid: Optional[int]
    outcome: Optional[str]
    exit_code: Optional[int]
    signal: Optional[int]
    rein_exit_code: Optional[int]
    delay_ms: Optional[int]
    until: Optional[_dt.datetime]
    reason: Optional[str]
    restarts: int
    raw: Dict[str, Any] = field(repr=False, compare=False)


class Start(SupervisorEvent):
    """An incarnation started: :attr:`pid` is the worker."""


class Exit(SupervisorEvent):
    """An incarnation ended: :attr:`outcome`, :attr:`exit_code`, :attr:`signal`."""


class Refused(SupervisorEvent):
    """Admission said no (a busy lock, low memory): a backoff, not a failure."""


class Backoff(SupervisorEvent):
    """Waiting :attr:`delay_ms` before the next incarnation (until :attr:`until`)."""


class Restart(SupervisorEvent):
    """The next incarnation is starting; :attr:`reason` says why."""


class Recycle(SupervisorEvent):
    """A healthy worker is being restarted after its lifetime or request count."""


class Health(SupervisorEvent):
    """The health probe failed its retries: the worker is restarted."""


class Heartbeat(SupervisorEvent):
    """The heartbeat file went stale: the worker is restarted."""


class Stop(SupervisorEvent):
    """Supervision is stopping (a signal, or :meth:`Supervisor.stop`)."""


class Unkillable(SupervisorEvent):
    """A worker survived SIGKILL: no further incarnation will start."""


class GiveUp(SupervisorEvent):
    """The restart budget is spent; supervision ends."""


class End(SupervisorEvent):
    """Supervision ended; no more events follow."""


EVENT_TYPES: Dict[str, Type[SupervisorEvent]] = {
    "start": Start,
    "exit": Exit,
    "refused": Refused,
    "backoff": Backoff,
    "restart": Restart,
    "recycle": Recycle,
    "health": Health,
    "heartbeat": Heartbeat,
    "stop": Stop,
    "unkillable": Unkillable,
    "give_up": GiveUp,
    "end": End,
}


def parse_event(line: Union[str, bytes]) -> Optional[SupervisorEvent]:
    """One event line as its typed event; ``None`` for a line that is not one."""
    try:
        doc = json.loads(line)
    except ValueError:
        return None
    if not isinstance(doc, dict) or not isinstance(doc.get("event"), str):
        return None
    kind = doc["event"]
    cls = EVENT_TYPES.get(kind, SupervisorEvent)
    return cls(
        kind=kind,
        at=parse_time(doc.get("at")),
        supervision_id=str(doc.get("supervision_id") or ""),
        incarnation=int(doc.get("incarnation") or 0),
        run_id=doc.get("run_id"),
        pid=doc.get("pid"),
        outcome=doc.get("outcome"),
        exit_code=doc.get("exit_code"),
        signal=doc.get("signal"),
        rein_exit_code=doc.get("rein_exit_code"),
        delay_ms=doc.get("delay_ms"),
        until=parse_time(doc.get("until")),
        reason=doc.get("reason"),
        restarts=int(doc.get("restarts") or 0),
        raw=doc,
    )


def _die_with_parent() -> None:
    """Runs in the child between fork and exec (Linux): SIGTERM when the
    process that started it dies, so ``rein supervise`` stops its worker
    instead of outliving a killed Python program."""
    if _PRCTL is not None:
        _PRCTL(1, signal.SIGTERM, 0, 0, 0)  # PR_SET_PDEATHSIG
        if os.getppid() != _PARENT[0]:  # the parent died before prctl: nobody would ever tell us
            os._exit(1)


_PRCTL: Any = None
_PARENT = [0]
if sys.platform.startswith("linux"):
    try:
        import ctypes

        _PRCTL = ctypes.CDLL(None, use_errno=True).prctl
    except (OSError, AttributeError):  # pragma: no cover
        _PRCTL = None


class Supervisor:
    """Keeps ``cmd`` running under ``rein supervise``, from asyncio.

    Args:
        cmd: the worker's program and arguments.
        restart: ``"on-failure"`` (exit 0 ends supervision) or ``"always"``.
        backoff_min, backoff_max: the delay before a restart, doubling from
            min to max (defaults 2 s and 60 s, ±10 % jitter).
        max_restarts, restart_window: give up after this many restarts
            within the window (defaults 10 and 1 h).
        healthy_after: an incarnation up this long resets the backoff.
        timeout, idle_timeout, memory, max_procs, lock, grace, env_offline:
            per incarnation, as in :func:`rein.run`.
        recycle_after, recycle_after_requests: restart a healthy worker after
            a lifetime, or after N finished inferences (its POST breadcrumbs,
            e.g. from :class:`rein.inference`).
        heartbeat_file, heartbeat_timeout: a worker that does not touch the
            file for the timeout is hung and restarted.
        health_cmd, health_interval, health_timeout, health_retries: a probe
            run with ``/bin/sh -c``.
        cwd, env, stdout, stderr: for ``rein supervise`` and so the worker
            (inherited by default; Rein's own lines go to stderr).
        extra_args: further ``rein supervise`` options, as strings.

    Use ``async with`` (starts on entry, stops on exit), or :meth:`start`
    and :meth:`stop`. :meth:`events` yields the events as they happen;
    :attr:`returncode` and :attr:`report` (``rein.supervise/1``) are set when
    supervision has ended.
    """

    def __init__(
        self,
        cmd: Sequence[str],
        *,
        restart: Optional[str] = None,
        backoff_min: Optional[Duration] = None,
        backoff_max: Optional[Duration] = None,
        max_restarts: Optional[int] = None,
        restart_window: Optional[Duration] = None,
        healthy_after: Optional[Duration] = None,
        timeout: Optional[Duration] = None,
        idle_timeout: Optional[Duration] = None,
        memory: Optional[Size] = None,
        max_procs: Optional[int] = None,
        lock: Optional[str] = None,
        grace: Optional[Duration] = None,
        env_offline: bool = False,
        recycle_after: Optional[Duration] = None,
        recycle_after_requests: Optional[int] = None,
        heartbeat_file: Optional[str] = None,
        heartbeat_timeout: Optional[Duration] = None,
        health_cmd: Optional[str] = None,
        health_interval: Optional[Duration] = None,
        health_timeout: Optional[Duration] = None,
        health_retries: Optional[int] = None,
        cwd: Optional[str] = None,
        env: Optional[Mapping[str, str]] = None,
        stdout: Any = None,
        stderr: Any = None,
        extra_args: Sequence[str] = (),
    ) -> None:
        if isinstance(cmd, (str, bytes)):
            cmd = [cmd]
        self.cmd: List[str] = [os.fsdecode(c) for c in cmd]
        if not self.cmd:
            raise UsageError("rein supervise: no command after -- (e.g. `rein supervise -- ./worker`)")
        args: List[str] = ["supervise"]

        def opt(name: str, value: Any, kind: str = "text") -> None:
            if value is None:
                return
            if kind == "duration":
                text = duration_arg(value, name.lstrip("-").replace("-", "_"))
            elif kind == "size":
                text = size_arg(value, name.lstrip("-").replace("-", "_"))
            elif kind == "count":
                if isinstance(value, bool) or not isinstance(value, int):
                    raise UsageError(f"{name.lstrip('-').replace('-', '_')}: a whole number, not {type(value).__name__}")
                text = str(value)
            else:
                if not isinstance(value, str):
                    raise UsageError(f"{name.lstrip('-').replace('-', '_')}: a string, not {type(value).__name__}")
                text = value
            args.append(f"{name}={text}")

        opt("--restart", restart)
        opt("--backoff-min", backoff_min, "duration")
        opt("--backoff-max", backoff_max, "duration")
        opt("--max-restarts", max_restarts, "count")
        opt("--restart-window", restart_window, "duration")
        opt("--healthy-after", healthy_after, "duration")
        opt("--timeout", timeout, "duration")
        opt("--idle-timeout", idle_timeout, "duration")
        opt("--memory", memory, "size")
        opt("--max-procs", max_procs, "count")
        opt("--lock", lock)
        opt("--grace", grace, "duration")
        opt("--recycle-after", recycle_after, "duration")
        opt("--recycle-after-requests", recycle_after_requests, "count")
        opt("--heartbeat-file", heartbeat_file)
        opt("--heartbeat-timeout", heartbeat_timeout, "duration")
        opt("--health-cmd", health_cmd)
        opt("--health-interval", health_interval, "duration")
        opt("--health-timeout", health_timeout, "duration")
        opt("--health-retries", health_retries, "count")
        if env_offline:
            args.append("--env-offline")
        args.extend(extra_args)
        self._args = args
        self._cwd = cwd
        self._env = dict(env) if env is not None else None
        self._stdout = stdout
        self._stderr = stderr
        self._proc: Optional[asyncio.subprocess.Process] = None
        self._queue: "Optional[asyncio.Queue[Optional[SupervisorEvent]]]" = None
        self._history: List[SupervisorEvent] = []
        self._reader: Optional["asyncio.Task[None]"] = None
        self._folder: Optional[str] = None
        self.returncode: Optional[int] = None
        self.report: Optional[Dict[str, Any]] = None
        self.supervision_id: Optional[str] = None

    @property
    def pid(self) -> Optional[int]:
        """The supervising ``rein``'s pid (not the worker's: see
        :class:`Start` events), or ``None`` before :meth:`start`."""
        return self._proc.pid if self._proc is not None else None

    @property
    def history(self) -> List[SupervisorEvent]:
        """Every event read so far, oldest first."""
        return list(self._history)

    async def start(self) -> Supervisor:
        """Starts ``rein supervise`` (returns at once; the worker starts in it)."""
        if self._proc is not None:
            raise ReinError("rein.Supervisor: already started")
        loop = asyncio.get_running_loop()
        exe = _binary.binary()
        _crumbs.ensure_state_directory()
        self._queue = asyncio.Queue()  # made here: before 3.10 a queue binds to the loop current at creation
        self._folder = tempfile.mkdtemp(prefix="rein-supervise-")
        read_fd, write_fd = os.pipe()
        os.set_inheritable(write_fd, True)
        report = os.path.join(self._folder, "report.json")
        _PARENT[0] = os.getpid()
        try:
            self._proc = await asyncio.create_subprocess_exec(
                exe,
                *self._args,
                f"--events=/dev/fd/{write_fd}",
                f"--report={report}",
                "--",
                *self.cmd,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=self._stdout,
                stderr=self._stderr,
                cwd=self._cwd,
                env=self._env,
                pass_fds=(write_fd,),
                preexec_fn=_die_with_parent if _PRCTL is not None else None,
            )
        except OSError as e:
            os.close(read_fd)
            raise BinaryNotFound(f"rein: cannot execute {exe}: {e.strerror or e}") from None
        finally:
            os.close(write_fd)
        reader = asyncio.StreamReader(limit=1 << 20)
        transport, _ = await loop.connect_read_pipe(
            lambda: asyncio.StreamReaderProtocol(reader), os.fdopen(read_fd, "rb", buffering=0)
        )
        self._reader = asyncio.ensure_future(self._pump(reader, transport))
        return self

    async def _pump(self, reader: asyncio.StreamReader, transport: asyncio.BaseTransport) -> None:
        queue = self._queue
        assert queue is not None
        try:
            while True:
                line = await reader.readline()
                if not line:
                    break
                event = parse_event(line)
                if event is None:
                    continue
                if not self.supervision_id:
                    self.supervision_id = event.supervision_id
                self._history.append(event)
                queue.put_nowait(event)
        finally:
            transport.close()
            queue.put_nowait(None)

    async def events(self) -> AsyncIterator[SupervisorEvent]:
        """Yields each event as Rein writes it, until supervision ends (the
        pipe closes when ``rein supervise`` exits). One consumer at a time."""
        queue = self._queue
        if self._proc is None or queue is None:
            raise ReinError("rein.Supervisor: not started (use `async with` or await start())")
        while True:
            event = await queue.get()
            if event is None:
                queue.put_nowait(None)  # later calls end at once too
                return
            yield event

    async def wait(self) -> int:
        """Waits until supervision ends by itself (completed, gave up) and
        returns ``rein supervise``'s exit code."""
        if self._proc is None:
            raise ReinError("rein.Supervisor: not started (use `async with` or await start())")
        code = await self._proc.wait()
        if self._reader is not None:
            await self._reader
        self._finish(code)
        return code

    async def stop(self, *, force_after: Optional[float] = None) -> int:
        """Stops supervision: the worker's whole tree gets TERM, the grace,
        then KILL; no restart. Returns ``rein supervise``'s exit code (0).

        Args:
            force_after: seconds after which a second signal kills the tree
                without waiting out the grace (default: never).
        """
        proc = self._proc
        if proc is None:
            return 0
        if proc.returncode is None:
            try:
                proc.send_signal(signal.SIGTERM)
            except ProcessLookupError:
                pass
            if force_after is not None:
                try:
                    await asyncio.wait_for(asyncio.shield(proc.wait()), force_after)
                except asyncio.TimeoutError:
                    if proc.returncode is None:
                        proc.send_signal(signal.SIGTERM)
        return await self.wait()

    def _finish(self, code: int) -> None:
        self.returncode = code
        if self._folder is not None:
            try:
                with open(os.path.join(self._folder, "report.json"), encoding="utf-8") as f:
                    self.report = json.load(f)
            except (OSError, ValueError):
                self.report = None
            shutil.rmtree(self._folder, ignore_errors=True)
            self._folder = None

    async def __aenter__(self) -> Supervisor:
        return await self.start()

    async def __aexit__(self, exc_type: Any, exc: Optional[BaseException], tb: Any) -> None:
        await asyncio.shield(self.stop())
