"""``rein.inference``: breadcrumbs around every model call, in process.

Use it as a context manager, an async context manager, or a decorator::

    with rein.inference("mlx-community/gemma-4-31b-it-8bit", note=f"req {rid}"):
        text = generate(model, tokenizer, prompt)

    @rein.inference("mlx-community/gemma-4-31b-it-8bit", flush=[mx.synchronize, mx.clear_cache])
    def answer(prompt): ...

In order: the model's first-call settle (once per model per process), the
``flush`` callables, a durable PRE breadcrumb, the body, then — whatever the
body did — the ``flush`` callables again and a POST breadcrumb (noting
``failed: ExceptionType`` when the body raised). A flush callable or a
breadcrumb that fails is logged on the ``rein`` logger and never stops the
body nor replaces its exception: a broken guard must not be worse than none.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import logging
import os
import re
import threading
import time
from typing import Any, Callable, Iterable, Optional, TypeVar, Union, cast

from . import _crumbs
from ._errors import UsageError

log = logging.getLogger("rein")

F = TypeVar("F", bound=Callable[..., Any])
Flush = Union[Callable[[], Any], Iterable[Callable[[], Any]], None]

# --- the first-call settle ---------------------------------------------------------------------

#: Built-in settle per family (Rein's FirstCallSettle.ByFamily): gemma-4's
#: first forward pass right after its load has panicked the GPU driver.
SETTLE_BY_FAMILY = {"gemma-4": 3.0}

_GEMMA4_VENDORS = ("mlx-community", "unsloth", "mlx-models")
_GEMMA4_NAME = re.compile(r"^gemma-4-(\d+b|e\d+b)-[a-z0-9-]*$", re.IGNORECASE)


def split_model(model: str) -> "tuple[str, str]":
    """The vendor and the name of a model id (``mlx-community``,
    ``gemma-4-31b-it-8bit``); a local path's last two segments."""
    trimmed = model.rstrip("/")
    slash = trimmed.rfind("/")
    if slash < 0:
        return "", trimmed
    before = trimmed[:slash]
    return before[before.rfind("/") + 1 :], trimmed[slash + 1 :]


def family(model: str) -> Optional[str]:
    """The built-in family with a first-call settle that ``model`` belongs to,
    or ``None``. gemma-4: vendor mlx-community, unsloth or mlx-models and a
    name like ``gemma-4-31b-it-8bit`` or ``gemma-4-e4b-it``."""
    vendor, name = split_model(model)
    if vendor.lower() in _GEMMA4_VENDORS and _GEMMA4_NAME.match(name):
        return "gemma-4"
    return None


_PART = re.compile(r"(\d+(?:\.\d*)?(?:[eE][+-]?\d+)?|\.\d+|inf(?:inity)?)([a-zA-Z]*)", re.IGNORECASE)
_UNITS = {"ms": 0.001, "s": 1.0, "sec": 1.0, "m": 60.0, "min": 60.0, "h": 3600.0, "d": 86400.0}


def parse_duration(text: str) -> float:
    """Seconds in a Rein duration: ``500ms``, ``90s``, ``5m``, ``1h30m``; a
    bare number is seconds. Raises :class:`ValueError` with Rein's wording."""
    s = text.strip()
    if not s:
        raise ValueError("empty duration (use e.g. 500ms, 90s, 5m, 1h)")
    body = s[1:] if s[0] in "+-" else s
    total, i = 0.0, 0
    while i < len(body):
        m = _PART.match(body, i)
        if not m:
            raise ValueError(f"'{s}' is not a duration (use e.g. 500ms, 90s, 5m, 1h)")
        number, unit = m.group(1), m.group(2)
        if unit == "" and i == 0 and m.end() == len(body):
            factor = 1.0
        elif unit in _UNITS:
            factor = _UNITS[unit]
        elif unit:
            raise ValueError(f"'{s}' has an unknown unit '{unit}' (use ms, s, m, h or d, in lower case)")
        else:
            raise ValueError(f"'{s}' is not a duration (use e.g. 500ms, 90s, 5m, 1h)")
        total += float(number) * factor
        i = m.end()
    if s[0] == "-" and total > 0:
        raise ValueError(f"'{s}' is negative: a duration must be 0 or more")
    return total


def settle_for(model: str, setting: Optional[str] = None) -> float:
    """Seconds the first call of ``model`` waits under ``setting``
    (``inference.settle`` / ``REIN_SETTLE``): ``auto`` or empty (per family),
    ``off``, or a duration for every model's first call.

    Raises:
        UsageError: the setting is none of these (Rein's message).
    """
    value = (setting or "").strip()
    if value in ("", "auto"):
        fam = family(model)
        return SETTLE_BY_FAMILY.get(fam, 0.0) if fam else 0.0
    if value in ("off", "0", "false"):
        return 0.0
    try:
        return parse_duration(value)
    except ValueError as e:
        raise UsageError(f"REIN_SETTLE={value}: {e} (auto, off, or a duration such as 3s)") from None


class _Settles:
    """When each model's first call may start: concurrent first calls (threads
    or tasks) share one wait; later calls do not wait at all."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._ready_at: "dict[str, float]" = {}
        self._pid = os.getpid()

    def deadline(self, model: str, settle: float) -> float:
        key = model.lower()
        with self._lock:
            if self._pid != os.getpid():  # a forked worker is a fresh process: it settles again
                self._ready_at.clear()
                self._pid = os.getpid()
            at = self._ready_at.get(key)
            if at is None:
                at = time.monotonic() + settle
                self._ready_at[key] = at
            return at

    def reset(self) -> None:
        with self._lock:
            self._ready_at.clear()


SETTLES = _Settles()

# --- the guard ---------------------------------------------------------------------------------


def _flushes(flush: Flush) -> "tuple[Callable[[], Any], ...]":
    if flush is None:
        return ()
    if callable(flush):
        return (flush,)
    out = tuple(flush)
    for f in out:
        if not callable(f):
            raise UsageError(f"rein.inference: flush= takes callables, not {type(f).__name__}")
    return out


class inference:  # noqa: N801 - used like a function: rein.inference(model)
    """Marks one inference of ``model``: durable PRE/POST breadcrumbs around
    the body, written in this process (no subprocess), exactly as
    ``rein mark pre|post`` writes them.

    Args:
        model: the model id (``mlx-community/gemma-4-31b-it-8bit``).
        note: a short text kept with the PRE (a request id, the prompt size).
        flush: a callable, or several, run before the PRE and again after the
            body, before the POST (metal-guard's pattern:
            ``flush=[mx.synchronize, mx.clear_cache]``). Failures are logged,
            never raised.
        settle: the first-call settle: ``"auto"`` (per family; gemma-4 waits
            3 s), ``"off"``, or a duration (``"2s"``). Default:
            ``REIN_SETTLE`` from the environment, else auto.
        state_dir: where breadcrumbs go (default: Rein's state directory).

    Raises (at once, before anything runs):
        UsageError: ``model`` is not a model id, or ``note`` is too long.

    Each ``with`` block is one inference; the same object can be entered
    again (sequentially) and used as a decorator of sync or async functions.
    ``rein ps`` then shows an inference whose POST never came: *in flight*
    while this process lives, *died mid-inference* once it is gone.
    """

    def __init__(
        self,
        model: str,
        note: Optional[str] = None,
        *,
        flush: Flush = None,
        settle: Optional[str] = None,
        state_dir: Optional[str] = None,
    ) -> None:
        self.model = _crumbs.check_model(model, "rein.inference")
        if note is not None and (not isinstance(note, str) or len(note) > 2048):
            raise UsageError("rein.inference: note is a string of at most 2048 characters")
        self.note = note
        self._flush = _flushes(flush)
        self._settle = settle
        self._state_dir = state_dir

    # -- stages, each one best-effort ----------------------------------------------------------

    def _settle_seconds(self) -> float:
        setting = self._settle if self._settle is not None else os.environ.get("REIN_SETTLE")
        try:
            seconds = settle_for(self.model, setting)
        except UsageError as e:
            _warn("settle", self.model, e)
            seconds = settle_for(self.model, "auto")
        if seconds <= 0:
            return 0.0
        return max(0.0, SETTLES.deadline(self.model, seconds) - time.monotonic())

    def _run_flush(self, stage: str) -> None:
        for f in self._flush:
            try:
                f()
            except Exception as e:  # noqa: BLE001 - a failing flush must never stop the inference
                _warn(stage, self.model, e)

    def _crumb(self, kind: str, note: Optional[str]) -> None:
        try:
            _crumbs.append(kind, self.model, note, state_dir=self._state_dir)
        except Exception as e:  # noqa: BLE001 - a lost breadcrumb must not cost the inference
            _warn(f"{kind}-breadcrumb", self.model, e)

    def _begin(self) -> None:
        self._run_flush("pre-flush")
        self._crumb("pre", self.note)

    def _end(self, error: Optional[BaseException]) -> None:
        self._run_flush("post-flush")
        self._crumb("post", None if error is None else f"failed: {type(error).__name__}")

    # -- context managers ----------------------------------------------------------------------

    def __enter__(self) -> inference:
        wait = self._settle_seconds()
        if wait > 0:
            time.sleep(wait)
        self._begin()
        return self

    def __exit__(self, exc_type: Any, exc: Optional[BaseException], tb: Any) -> None:
        self._end(exc)  # returns None: the body's exception, if any, goes on unchanged

    async def __aenter__(self) -> inference:
        wait = self._settle_seconds()
        if wait > 0:
            await asyncio.sleep(wait)
        self._begin()
        return self

    async def __aexit__(self, exc_type: Any, exc: Optional[BaseException], tb: Any) -> None:
        self._end(exc)

    # -- decorator -----------------------------------------------------------------------------

    def __call__(self, func: F) -> F:
        """``@rein.inference(model)``: every call of ``func`` is one inference."""
        if inspect.iscoroutinefunction(func):

            @functools.wraps(func)
            async def async_wrapper(*args: Any, **kwargs: Any) -> Any:
                async with self._copy():
                    return await func(*args, **kwargs)

            return cast(F, async_wrapper)

        @functools.wraps(func)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            with self._copy():
                return func(*args, **kwargs)

        return cast(F, wrapper)

    def _copy(self) -> inference:
        twin = inference.__new__(inference)
        twin.__dict__.update(self.__dict__)
        return twin


def _warn(stage: str, model: str, error: BaseException) -> None:
    try:
        log.warning("rein.inference: %s failed for %s: %s", stage, model, error)
    except Exception:  # noqa: BLE001 - a logger that throws must not undo what the guard is for
        pass


def mark(kind: str, model: str, note: Optional[str] = None) -> None:
    """``rein mark pre|post MODEL [--note TEXT]``, in process: one durable
    breadcrumb for this process. Prefer :class:`inference`, which always
    writes the POST; use this where PRE and POST live in different places
    (a callback API).

    Raises:
        UsageError: a bad kind, model id, note or ``REIN_RUN_ID``.
        StateDirectoryError: the state directory is unsafe (Rein's message).
        ReinError: the line could not be written or made durable.
    """
    _crumbs.append(kind, model, note)
