"""``rein.gate()`` and ``rein.models``: the panic gate and the model registry."""

from __future__ import annotations

import datetime as _dt
import json
import logging
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from . import _binary, _crumbs
from ._documents import Refusal, parse_time
from ._errors import LoadHeld, PanicCooldown, PanicLockout, ReinError

log = logging.getLogger("rein")


@dataclass(frozen=True)
class GateVerdict:
    """The panic gate's verdict (``rein.gate/1``).

    :attr:`state` is ``clear``, ``cooldown``, ``lockout``, ``held`` (a
    person's ``rein gate hold``), ``off`` (disabled)
    or ``failed`` (the gate could not run: Rein lets runs proceed, and so
    does this verdict: :attr:`clear` is true, :attr:`problems` says why).
    """

    state: str
    clear: bool
    code: Optional[str]
    rule: Optional[str]
    until: Optional[_dt.datetime]
    remaining_s: int
    panics: List[Dict[str, Any]]
    problems: List[str]
    message: str
    raw: Dict[str, Any] = field(repr=False, compare=False)


def gate(*, check: bool = True) -> GateVerdict:
    """Asks the panic gate now, as ``rein run --model`` and
    ``rein cadence acquire`` would meet it (``rein gate --json``).

    metal-guard's interactive-``python`` gate during a panic cooldown is this
    call at the top of a script: ``rein.gate()``.

    Args:
        check: raise when blocked (default); with ``False`` return the
            blocked verdict instead.

    Raises:
        PanicCooldown: a cooldown after a kernel panic; ``.until`` says when
            it lifts by itself.
        PanicLockout: a lockout after repeated panics; ``rein ack`` lifts it
            (after looking at ``rein panics``), or it lifts at ``.until``.
        LoadHeld: a person put model loads on hold (``rein gate hold``);
            ``.why``, ``.set_by``, ``.until``.
    """
    _crumbs.ensure_state_directory()
    done = _binary.call(["gate", "--json"], verb="gate", ok=(0, 75))
    try:
        doc = json.loads(done.stdout)
    except ValueError:
        raise ReinError(_binary.last_line(done.stderr) or "rein gate: no JSON document") from None
    verdict = GateVerdict(
        state=str(doc.get("state")),
        clear=bool(doc.get("clear")),
        code=doc.get("code"),
        rule=doc.get("rule"),
        until=parse_time(doc.get("until")),
        remaining_s=int(doc.get("remaining_s") or 0),
        panics=list(doc.get("panics") or []),
        problems=[str(p) for p in doc.get("problems") or []],
        message=str(doc.get("message") or ""),
        raw=dict(doc),
    )
    if verdict.state == "failed":
        # Rein fails open (a broken gate must not stop every model run); say why, in its words.
        log.warning("rein.gate: the panic gate failed (%s); proceeding unchecked", "; ".join(verdict.problems))
    if check and not verdict.clear and verdict.state == "held":
        hold = doc.get("hold") or {}
        raise LoadHeld(
            f"rein gate: {verdict.message}",
            refusal=Refusal.from_json(
                {
                    "code": "load_hold",
                    "gate": "hold",
                    "retry_at": doc.get("until") or hold.get("until"),
                    "numbers": {"remaining_s": verdict.remaining_s},
                    "facts": {"reason": hold.get("reason") or "", "set_by": hold.get("user") or ""},
                }
            ),
        )
    if check and not verdict.clear:
        refusal = Refusal.from_json(
            {
                "code": verdict.code or "panic_cooldown",
                "gate": "panic",
                "retry_at": doc.get("until"),
                "numbers": {"remaining_s": verdict.remaining_s},
                "facts": {"rule": verdict.rule or ""},
            }
        )
        kind = PanicLockout if verdict.state == "lockout" else PanicCooldown
        raise kind(f"rein gate: {verdict.message}", refusal=refusal, rule=verdict.rule, panics=verdict.panics)
    return verdict


@dataclass(frozen=True)
class KnownPanic:
    """A model with a record of kernel panics (Rein's registry)."""

    id: str
    what: str
    signature: str
    evidence: str
    alternatives: List[str]
    source: str


@dataclass(frozen=True)
class Estimate:
    """What a model needs in memory, estimated from its id
    (``rein.models.estimate/1``); :attr:`bytes` is ``None`` for an id that
    names no size."""

    model: str
    known: bool
    bytes: Optional[int]
    parameters: Optional[int]
    bytes_per_parameter: Optional[float]
    fit_needs_bytes: Optional[int]
    raw: Dict[str, Any] = field(repr=False, compare=False)


class models:  # noqa: N801 - a namespace: rein.models.check(...)
    """The model registry: known kernel-panic models and size estimates."""

    @staticmethod
    def check(model: str) -> Optional[KnownPanic]:
        """The registry's record for ``model`` (built in, or added in
        ``rein.toml``), or ``None`` when it has no record of panics.
        metal-guard's ``check_known_panic_model``."""
        _crumbs.check_model(model, "rein models check")
        done = _binary.call(["models", "check", "--json", "--", model], verb="models check", ok=(0, 1))
        doc = json.loads(done.stdout)
        entry = doc.get("entry")
        if not doc.get("listed") or not isinstance(entry, dict):
            return None
        return KnownPanic(
            id=str(entry.get("id")),
            what=str(entry.get("what") or ""),
            signature=str(entry.get("signature") or ""),
            evidence=str(entry.get("evidence") or ""),
            alternatives=[str(a) for a in entry.get("alternatives") or []],
            source=str(entry.get("source") or ""),
        )

    @staticmethod
    def estimate(model: str) -> Estimate:
        """The memory ``model`` needs, from the parameter count and the
        quantisation in its id (``31b``, ``8bit``)."""
        _crumbs.check_model(model, "rein models estimate")
        done = _binary.call(["models", "estimate", "--json", "--", model], verb="models estimate")
        doc = json.loads(done.stdout)
        return Estimate(
            model=str(doc.get("model")),
            known=bool(doc.get("known")),
            bytes=doc.get("bytes"),
            parameters=doc.get("parameters"),
            bytes_per_parameter=doc.get("bytes_per_parameter"),
            fit_needs_bytes=doc.get("fit_needs_bytes"),
            raw=dict(doc),
        )

    @staticmethod
    def admit(model: str) -> Optional[KnownPanic]:
        """The panic gate, then the registry: raises :class:`PanicCooldown`
        / :class:`PanicLockout` when the gate blocks loads now; otherwise
        returns the registry's record (or ``None``). One call before a load."""
        gate()
        return models.check(model)
