"""Typed views of Rein's JSON documents (docs/schemas.md).

Rein only ever adds fields within a schema's major version, so every reader
here ignores fields it does not know and keeps the whole document in ``raw``.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from typing import Any, Dict, List, Mapping, Optional

_FRACTION = re.compile(r"\.(\d+)")


def parse_time(text: Optional[str]) -> Optional[_dt.datetime]:
    """An ISO 8601 time as Rein writes it (seven fractional digits and an
    offset: ``2026-11-23T21:51:53.1230000+00:00``) as an aware datetime."""
    if not text:
        return None
    # datetime.fromisoformat before 3.11 takes at most six fractional digits and no 'Z'.
    fixed = _FRACTION.sub(lambda m: "." + (m.group(1) + "000000")[:6], text, count=1)
    if fixed.endswith("Z"):
        fixed = fixed[:-1] + "+00:00"
    try:
        return _dt.datetime.fromisoformat(fixed)
    except ValueError:
        return None


def _ints(value: Any) -> List[int]:
    return [int(v) for v in value] if isinstance(value, list) else []


@dataclass(frozen=True)
class Refusal:
    """Why admission refused (the refusal object of docs/schemas.md).

    Branch on :attr:`code`: ``lock_busy``, ``lock_stuck``, ``retry_breaker``,
    ``memory_low``, ``memory_pressure``, ``cadence_same_model``,
    ``cadence_cross_model``, ``cadence_family_floor``, ``cadence_clock``,
    ``known_panic``, ``model_does_not_fit``, ``panic_cooldown``,
    ``panic_lockout``.
    """

    code: str
    gate: str
    subject: Optional[str]
    holders: List[Dict[str, Any]]
    retry_at: Optional[_dt.datetime]
    waitable: bool
    waited_ms: int
    numbers: Dict[str, float]
    facts: Dict[str, str]
    raw: Dict[str, Any] = field(repr=False, compare=False)

    def retry_after(self, now: Optional[_dt.datetime] = None) -> Optional[float]:
        """Seconds until :attr:`retry_at` (0 when it has passed), or ``None``
        when Rein gave no time (a busy lock clears when its holder ends)."""
        if self.retry_at is None:
            remaining = self.numbers.get("remaining_s")
            return float(remaining) if remaining is not None else None
        now = now or _dt.datetime.now(_dt.timezone.utc)
        return max(0.0, (self.retry_at - now).total_seconds())

    @staticmethod
    def from_json(doc: Mapping[str, Any]) -> Refusal:
        return Refusal(
            code=str(doc.get("code") or "unknown"),
            gate=str(doc.get("gate") or ""),
            subject=doc.get("subject"),
            holders=list(doc.get("holders") or []),
            retry_at=parse_time(doc.get("retry_at")),
            waitable=bool(doc.get("waitable", False)),
            waited_ms=int(doc.get("waited_ms") or 0),
            numbers={str(k): float(v) for k, v in (doc.get("numbers") or {}).items()},
            facts={str(k): str(v) for k, v in (doc.get("facts") or {}).items()},
            raw=dict(doc),
        )


@dataclass(frozen=True)
class Failure:
    """Why a run failed, as Rein's error classifier reads it (the failure
    object of docs/schemas.md). Branch on :attr:`cls` (``metal_oom``,
    ``cuda_oom``, ``native_segfault``, ``timeout``, ...) or :attr:`hint`
    (``reduce_memory``, ``respawn_now``, ``wait_lockout``, ``retry``, ...).
    """

    cls: str
    hint: str
    advice: str
    title: str
    evidence: Optional[str]
    rule: Optional[str]
    source: str
    raw: Dict[str, Any] = field(repr=False, compare=False)

    @staticmethod
    def from_json(doc: Mapping[str, Any]) -> Failure:
        return Failure(
            cls=str(doc.get("class") or "unknown"),
            hint=str(doc.get("hint") or ""),
            advice=str(doc.get("advice") or ""),
            title=str(doc.get("title") or ""),
            evidence=doc.get("evidence"),
            rule=doc.get("rule"),
            source=str(doc.get("source") or "none"),
            raw=dict(doc),
        )


@dataclass(frozen=True)
class RunResult:
    """How one guarded run ended: the ``rein.run/1`` verdict.

    :attr:`outcome` is one of ``exited``, ``signaled``, ``timed_out``,
    ``idle_timeout``, ``interrupted``, ``memory_exceeded``,
    ``max_procs_exceeded``, ``start_failed``, ``refused``, ``rein_failed``.
    :attr:`returncode` is what ``rein run`` exited with: the command's own
    code, 124 timed out, 137 over memory, 128+N killed by signal N, 75 not
    started, 125 Rein failed — as coreutils ``timeout`` does.
    """

    run_id: str
    command: List[str]
    outcome: str
    exit_code: Optional[int]
    signal: Optional[int]
    returncode: int
    duration_ms: int
    started_at: Optional[_dt.datetime]
    child_pid: int
    peak_rss_bytes: int
    pids_killed: List[int]
    unkillable: List[Dict[str, Any]]
    caps: Optional[Dict[str, Any]]
    error: Optional[str]
    refusal: Optional[Refusal]
    failure: Optional[Failure]
    stdout: Any = None
    stderr: Any = None
    raw: Dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def duration(self) -> float:
        """Wall time from spawn to the end of the teardown, in seconds."""
        return self.duration_ms / 1000.0

    @property
    def ok(self) -> bool:
        """The command exited 0 by itself."""
        return self.outcome == "exited" and self.exit_code == 0

    @property
    def refused(self) -> bool:
        """Admission said no: the command never started."""
        return self.outcome == "refused"

    @staticmethod
    def from_json(
        doc: Mapping[str, Any], stdout: Any = None, stderr: Any = None
    ) -> RunResult:
        refusal = doc.get("refusal")
        failure = doc.get("failure")
        return RunResult(
            run_id=str(doc.get("run_id") or ""),
            command=[str(c) for c in doc.get("command") or []],
            outcome=str(doc.get("outcome") or "rein_failed"),
            exit_code=doc.get("exit_code"),
            signal=doc.get("signal"),
            returncode=int(doc.get("rein_exit_code", 125)),
            duration_ms=int(doc.get("duration_ms") or 0),
            started_at=parse_time(doc.get("started_at")),
            child_pid=int(doc.get("child_pid") or 0),
            peak_rss_bytes=int(doc.get("peak_rss_bytes") or 0),
            pids_killed=_ints(doc.get("pids_killed")),
            unkillable=list(doc.get("unkillable") or []),
            caps=doc.get("caps"),
            error=doc.get("error"),
            refusal=Refusal.from_json(refusal) if isinstance(refusal, dict) else None,
            failure=Failure.from_json(failure) if isinstance(failure, dict) else None,
            stdout=stdout,
            stderr=stderr,
            raw=dict(doc),
        )
