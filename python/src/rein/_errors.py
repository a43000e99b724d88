"""The exceptions Rein raises.

Every exception derives from :class:`ReinError`, and every one carries Rein's
own one-line message (the same sentence the ``rein`` command prints), so
``except rein.ReinError as e: print(e)`` is always enough for a person, and
the attributes are there for a program.

The tree::

    ReinError
    ├── BinaryNotFound        no ``rein`` executable to call
    ├── UsageError            bad input (also a ValueError)
    ├── StateDirectoryError   the state directory is unsafe or unusable
    ├── NotStarted            admission refused: try later (exit 75)
    │   ├── CadenceBlocked    a model load came too soon after another
    │   ├── LoadHeld          a person put every model load on hold
    │   └── PanicGateBlocked  a kernel panic recently
    │       ├── PanicCooldown     waits out by itself
    │       └── PanicLockout      until ``rein ack`` (or 72 h)
    └── RunFailed             the command ran and failed (check=True)
        ├── TimedOut          wall-clock or idle timeout
        └── OverMemory        the memory (or process) cap was hit
"""

from __future__ import annotations

import datetime as _dt
from typing import TYPE_CHECKING, Any, Mapping, Optional

if TYPE_CHECKING:  # pragma: no cover
    from ._documents import Refusal, RunResult


class ReinError(Exception):
    """Base class of every error this package raises.

    ``str(error)`` is Rein's own one-line message; :attr:`message` is the same
    text.
    """

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class BinaryNotFound(ReinError):
    """No ``rein`` executable could be found.

    A wheel of ``rein-guard`` carries the binary; a source install needs
    ``rein`` on ``PATH`` (or ``REIN_BIN`` naming it).
    """


class UsageError(ReinError, ValueError):
    """Rein refused its input: a malformed duration, size, model id or lock
    name, a bad ``REIN_*`` variable or ``rein.toml`` setting. The message is
    the line Rein printed (``rein run: --timeout: '5x' has an unknown unit``).
    """


class StateDirectoryError(ReinError):
    """The state directory cannot be used safely: a symbolic link inside it,
    an entry another user owns, no space left. Rein never works around this;
    fix the path named in the message or set ``REIN_HOME`` elsewhere."""


class NotStarted(ReinError):
    """Admission refused: nothing ran (``rein`` exit code 75). Try later.

    Attributes:
        reason: the stable refusal code to branch on (``lock_busy``,
            ``memory_low``, ``cadence_same_model``, ``panic_cooldown``, ...).
        retry_after: seconds until the refusal may clear by itself, or
            ``None`` when Rein cannot say (a busy lock: its holder decides).
        retry_at: the same as a time, or ``None``.
        refusal: the whole refusal object (docs/schemas.md), or ``None``.
        result: the :class:`RunResult` when the refusal came from
            :func:`rein.run`, else ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        refusal: Optional[Refusal] = None,
        result: Optional[RunResult] = None,
    ) -> None:
        super().__init__(message)
        self.refusal = refusal
        self.result = result
        self.reason: str = refusal.code if refusal is not None else "unknown"
        self.retry_at: Optional[_dt.datetime] = (
            refusal.retry_at if refusal is not None else None
        )
        self.retry_after: Optional[float] = (
            refusal.retry_after() if refusal is not None else None
        )


class CadenceBlocked(NotStarted):
    """A model load was refused by the load cadence: another load (of the same
    model, of another model, or of a family with a floor such as gemma-4's
    90 s) was too recent. metal-guard's ``CadenceViolation``.

    Attributes (besides :class:`NotStarted`'s):
        rule: ``same_model``, ``cross_model``, ``family_floor`` or ``clock``.
        blocking_model: the earlier load's model id.
        blocking_state: ``running``, ``released`` or ``vanished``.
        remaining: seconds left before the load may happen.
        family: the family whose floor applies, or ``None``.
    """

    def __init__(
        self,
        message: str,
        *,
        refusal: Optional[Refusal] = None,
        result: Optional[RunResult] = None,
    ) -> None:
        super().__init__(message, refusal=refusal, result=result)
        facts: Mapping[str, str] = refusal.facts if refusal is not None else {}
        numbers: Mapping[str, float] = refusal.numbers if refusal is not None else {}
        self.rule: str = facts.get("rule", "unknown")
        self.blocking_model: Optional[str] = facts.get("blocking_model")
        self.blocking_state: Optional[str] = facts.get("blocking_state")
        self.family: Optional[str] = facts.get("family")
        self.remaining: float = float(numbers.get("remaining_s", 0.0))


class LoadHeld(NotStarted):
    """Every model load is on hold: a person ran ``rein gate hold DUR
    --reason TEXT`` (``rein gate release`` lifts it).

    Attributes (besides :class:`NotStarted`'s):
        until: when the hold ends by itself (``retry_at``), or ``None``.
        why: the reason given with the hold.
        set_by: who set it.
    """

    def __init__(
        self,
        message: str,
        *,
        refusal: Optional[Refusal] = None,
        result: Optional[RunResult] = None,
    ) -> None:
        super().__init__(message, refusal=refusal, result=result)
        facts: Mapping[str, str] = refusal.facts if refusal is not None else {}
        self.until: Optional[_dt.datetime] = self.retry_at
        self.why: Optional[str] = facts.get("reason")
        self.set_by: Optional[str] = facts.get("set_by")


class PanicGateBlocked(NotStarted):
    """The panic gate refused: the machine kernel-panicked recently.

    Attributes (besides :class:`NotStarted`'s):
        until: when the block lifts by itself (``retry_at``), or ``None``.
        rule: ``one_panic``, ``breaker``, ``lockout_day`` or ``lockout_window``.
        panics: the panics behind the block (dicts as in ``rein.gate/1``).
    """

    def __init__(
        self,
        message: str,
        *,
        refusal: Optional[Refusal] = None,
        result: Optional[RunResult] = None,
        rule: Optional[str] = None,
        panics: Optional[list[dict[str, Any]]] = None,
    ) -> None:
        super().__init__(message, refusal=refusal, result=result)
        facts: Mapping[str, str] = refusal.facts if refusal is not None else {}
        self.rule: Optional[str] = rule or facts.get("rule")
        self.until: Optional[_dt.datetime] = self.retry_at
        self.panics: list[dict[str, Any]] = panics or []


class PanicCooldown(PanicGateBlocked):
    """A cooldown after a kernel panic (2 h after one panic, by default). It
    lifts by itself at :attr:`until`; ``rein ack`` does not shorten it."""


class PanicLockout(PanicGateBlocked):
    """A lockout after repeated kernel panics (2 in 24 h, 3 in 72 h): lifted by
    ``rein ack`` after a person looked at ``rein panics``, or by itself 72 h
    after the earliest panic in it (:attr:`until`)."""


class RunFailed(ReinError):
    """``rein.run(..., check=True)``: the command ran and did not succeed.

    Attributes:
        result: the :class:`RunResult` (outcome, exit code, signal, failure).
        returncode: ``rein run``'s exit code (124, 137, 128+N, the command's).
    """

    def __init__(self, message: str, *, result: RunResult) -> None:
        super().__init__(message)
        self.result = result
        self.returncode: int = result.returncode


class TimedOut(RunFailed):
    """The command exceeded ``timeout`` (wall clock) or ``idle_timeout`` (no
    output); its whole process tree was killed. Exit code 124."""


class OverMemory(RunFailed):
    """The command's tree exceeded ``memory`` (or ``max_procs``) and was
    killed. Exit code 137."""
