"""Rein for Python: guard heavy ML and agent workloads from Python.

``pip install rein-guard`` brings the ``rein`` binary (on ``PATH`` in the
environment) and this small, typed, dependency-free API:

* :func:`run` — a guarded :func:`subprocess.run`: time and memory limits, the
  whole process tree killed at the end, the ``rein.run/1`` verdict back.
* :class:`inference` — durable PRE/POST breadcrumbs around every model call,
  written in this process (no subprocess), so ``rein ps`` and ``rein doctor``
  can tell which inference hung or died.
* :class:`cadence` — space model loads across every process on the machine
  (metal-guard's ``CadenceGuard``), raising :class:`CadenceBlocked`.
* :func:`gate` and :class:`models` — the panic gate and the known-panic
  registry, raising :class:`PanicCooldown` / :class:`PanicLockout`.
* :class:`Supervisor` — ``rein supervise`` from asyncio: restarts with
  backoff, typed events, a teardown that never blocks the event loop.

Every error is a :class:`ReinError` carrying Rein's own one-line message.
See docs/python.md in the repository for the guide.
"""

from __future__ import annotations

from . import _supervisor as events
from ._binary import binary
from ._cadence import cadence
from ._documents import Failure, Refusal, RunResult
from ._errors import (
    BinaryNotFound,
    CadenceBlocked,
    LoadHeld,
    NotStarted,
    OverMemory,
    PanicCooldown,
    PanicGateBlocked,
    PanicLockout,
    ReinError,
    RunFailed,
    StateDirectoryError,
    TimedOut,
    UsageError,
)
from ._gate import Estimate, GateVerdict, KnownPanic, gate, models
from ._inference import inference, mark
from ._run import run
from ._supervisor import Supervisor, SupervisorEvent

__version__ = "0.1.0"

__all__ = [
    "BinaryNotFound",
    "CadenceBlocked",
    "Estimate",
    "Failure",
    "GateVerdict",
    "KnownPanic",
    "LoadHeld",
    "NotStarted",
    "OverMemory",
    "PanicCooldown",
    "PanicGateBlocked",
    "PanicLockout",
    "Refusal",
    "ReinError",
    "RunFailed",
    "RunResult",
    "StateDirectoryError",
    "Supervisor",
    "SupervisorEvent",
    "TimedOut",
    "UsageError",
    "binary",
    "cadence",
    "events",
    "gate",
    "inference",
    "mark",
    "models",
    "run",
]
