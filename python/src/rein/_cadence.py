"""``rein.cadence``: space model loads across processes.

On Apple Silicon a large model loaded right after another one was unloaded
can panic the kernel. Acquire before the load, release after the unload::

    with rein.cadence("mlx-community/gemma-4-31b-it-8bit", wait="10m"):
        model = load(...)
        serve(model)
        unload(model)

The check and the mark are one atomic step across every process on the
machine (``rein cadence acquire``, a flock'd file in Rein's state
directory): of 20 processes racing for one model, exactly one loads.
"""

from __future__ import annotations

import asyncio
import datetime as _dt
import json
import logging
from typing import Any, Dict, List, Optional, Sequence, Union

from . import _binary, _crumbs
from ._documents import Refusal
from ._errors import CadenceBlocked, NotStarted, ReinError
from ._run import Duration, duration_arg, models_arg, refusal_error

log = logging.getLogger("rein")


def _seconds(s: float) -> str:
    s = max(0, int(round(s)))
    if s >= 3600:
        return f"{s // 3600}h{s % 3600 // 60:02d}m"
    if s >= 60:
        return f"{s // 60}m{s % 60:02d}s"
    return f"{s}s"


def describe(refusal: Refusal, waited: bool = False) -> str:
    """A refusal of the cadence or the panic gate in one line."""
    if refusal.code == "load_hold":
        lift = refusal.retry_at.isoformat(timespec="seconds") if refusal.retry_at else "unknown"
        return (
            f"rein cadence: model loads are on hold until {lift} ({refusal.facts.get('reason', 'no reason given')}, "
            f"set by {refusal.facts.get('set_by', '?')}); `rein gate release` lifts it"
        )
    if refusal.code.startswith("panic_"):
        lift = refusal.retry_at.isoformat(timespec="seconds") if refusal.retry_at else "unknown"
        what = "lockout after repeated kernel panics" if refusal.code == "panic_lockout" else "cooldown after a kernel panic"
        return (
            f"rein cadence: {what} ({refusal.facts.get('rule', '?')}), lifts {lift}; not started: "
            "`rein panics` lists them" + ("; `rein ack` lifts a lockout" if refusal.code == "panic_lockout" else "")
        )
    f = refusal.facts
    rule = f.get("rule", "cadence").replace("_", "-")
    since = refusal.numbers.get("since_s", 0.0)
    family = f" ({f['family']} family floor)" if "family" in f else ""
    left = _seconds(refusal.numbers.get("remaining_s", 0.0))
    return (
        f"rein cadence: '{f.get('blocking_model', '?')}' was loaded {_seconds(since)} ago "
        f"({f.get('blocking_state', '?')}); the {rule} interval{family} is "
        f"{_seconds(refusal.numbers.get('interval_s', 0.0))}: {left} left before '{refusal.subject}' may load. "
        + ("Gave up waiting" if waited else "Not started: wait with wait=, or see `rein cadence status`")
    )


def _interval_args(same: Optional[Duration], cross: Optional[Duration]) -> List[str]:
    args: List[str] = []
    if same is not None:
        args.append("--same-model-interval=" + duration_arg(same, "same_model_interval"))
    if cross is not None:
        args.append("--cross-model-interval=" + duration_arg(cross, "cross_model_interval"))
    return args


def _verdict(verb: str, code: int, stdout: str, stderr: str, waited: bool) -> Dict[str, Any]:
    """The ``rein.cadence/1`` document of a call that exited 0 or 75; raises
    the typed refusal for 75 and Rein's own error for anything else."""
    if code not in (0, 75):
        raise _binary.error_for(f"cadence {verb}", code, stderr)
    try:
        doc = json.loads(stdout)
    except ValueError:
        raise ReinError(_binary.last_line(stderr) or f"rein cadence {verb}: no JSON document") from None
    if code == 75 or not doc.get("clear", False):
        refusal = Refusal.from_json(doc.get("refusal") or {"code": "unknown", "gate": "cadence"})
        raise refusal_error(describe(refusal, waited), refusal)
    return dict(doc)


class cadence:  # noqa: N801 - used like a function: rein.cadence(model)
    """Acquire the load cadence for ``model`` (one id or several) on entry,
    release it on exit.

    Args:
        model: the model id(s) about to be loaded.
        wait: ``None`` (default): a refusal raises :class:`CadenceBlocked`
            at once; ``True``: wait as long as it takes; a duration: wait up to
            that long, then raise.
        same_model_interval, cross_model_interval: override Rein's settings
            (defaults 180 s and 0; the gemma-4 family floor of 90 s applies
            even when the cross-model interval is 0).

    Raises on entry:
        CadenceBlocked: too soon after another load; ``.rule``,
            ``.blocking_model``, ``.remaining`` (seconds), ``.retry_at``.
        PanicCooldown, PanicLockout: the panic gate refused the load.
        UsageError: a bad model id or duration (Rein's message).

    Usable as ``with`` and ``async with`` (the async form never blocks the
    event loop). The holder is this Python process: if it dies without
    releasing, Rein counts the load as released at the acquire.
    """

    def __init__(
        self,
        model: Union[str, Sequence[str]],
        wait: Union[bool, Duration, None] = None,
        *,
        same_model_interval: Optional[Duration] = None,
        cross_model_interval: Optional[Duration] = None,
    ) -> None:
        self.models = models_arg(model, "rein cadence")
        if not self.models:
            raise ReinError("rein cadence: needs a model id, e.g. mlx-community/gemma-4-31b-it-8bit")
        self._wait = wait
        self._intervals = _interval_args(same_model_interval, cross_model_interval)
        self.token: Optional[str] = None
        self.acquired_at: Optional[_dt.datetime] = None

    def _acquire_args(self) -> List[str]:
        args = ["cadence", "acquire", "--json", *self._intervals]
        if self._wait is True:
            args.append("--wait")
        elif self._wait is not None and self._wait is not False:
            args.append("--wait=" + duration_arg(self._wait, "wait"))
        return [*args, "--", *self.models]  # a model id that starts with '-' is still an id

    def _acquired(self, doc: Dict[str, Any]) -> None:
        self.token = doc.get("token")
        self.acquired_at = _dt.datetime.now(_dt.timezone.utc)

    def acquire(self) -> cadence:
        """Check and mark the load now (``rein cadence acquire``)."""
        _crumbs.ensure_state_directory()
        done = _binary.call(self._acquire_args(), verb="cadence acquire", ok=(0, 75))
        self._acquired(_verdict("acquire", done.returncode, done.stdout, done.stderr, self._wait is not None))
        return self

    def release(self) -> None:
        """Record the unload (``rein cadence release``): spacing counts from
        now. Releasing twice is harmless."""
        if self.acquired_at is None:
            return
        self.acquired_at = None
        _binary.call(["cadence", "release", "--", *self.models], verb="cadence release", ok=(0, 1))

    def __enter__(self) -> cadence:
        return self.acquire()

    def __exit__(self, exc_type: Any, exc: Optional[BaseException], tb: Any) -> None:
        try:
            self.release()
        except ReinError as e:
            if exc is None:
                raise
            log.warning("rein.cadence: release failed for %s: %s", ", ".join(self.models), e)

    async def __aenter__(self) -> cadence:
        _crumbs.ensure_state_directory()
        proc = await asyncio.create_subprocess_exec(
            _binary.binary(),
            *self._acquire_args(),
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            out, err = await proc.communicate()
        except asyncio.CancelledError:
            if proc.returncode is None:
                proc.terminate()
                await proc.wait()
            raise
        code = proc.returncode if proc.returncode is not None else 125
        self._acquired(
            _verdict("acquire", code, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), self._wait is not None)
        )
        return self

    async def __aexit__(self, exc_type: Any, exc: Optional[BaseException], tb: Any) -> None:
        if self.acquired_at is None:
            return
        self.acquired_at = None
        proc = await asyncio.create_subprocess_exec(
            _binary.binary(),
            "cadence",
            "release",
            "--",
            *self.models,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        _, err = await proc.communicate()
        if proc.returncode not in (0, 1):
            e = _binary.error_for("cadence release", proc.returncode or 125, err.decode("utf-8", "replace"))
            if exc is None:
                raise e
            log.warning("rein.cadence: release failed for %s: %s", ", ".join(self.models), e)

    @staticmethod
    def check(
        model: Union[str, Sequence[str]],
        *,
        same_model_interval: Optional[Duration] = None,
        cross_model_interval: Optional[Duration] = None,
    ) -> None:
        """Would loading ``model`` be allowed now? Marks nothing
        (``rein cadence check``). Returns ``None`` when clear.

        Raises:
            CadenceBlocked: not yet (the same attributes as on acquire).
        """
        models = models_arg(model, "rein cadence")
        done = _binary.call(
            ["cadence", "check", "--json", *_interval_args(same_model_interval, cross_model_interval), "--", *models],
            verb="cadence check",
            ok=(0, 75),
        )
        _verdict("check", done.returncode, done.stdout, done.stderr, False)

    @staticmethod
    def status() -> Dict[str, Any]:
        """Recent loads, what they block now and for how long, and the
        settings: the ``rein.cadence.status/1`` document as a dict."""
        done = _binary.call(["cadence", "status", "--json"], verb="cadence status")
        return dict(json.loads(done.stdout))


__all__ = ["cadence", "CadenceBlocked", "NotStarted"]
