"""rein.gate() and rein.models: PanicCooldown / PanicLockout with when they lift."""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import time

import pytest
from conftest import REPO

import rein

PANIC = os.path.join(
    REPO, "tests", "fixtures", "diagnostics", "panic",
    "iogpu-completememory-underflow-550-mlx-lm-1666.head-excerpt.panic.txt",
)


def panic_reports(tmp_path, monkeypatch, ages_h: "list[float]") -> None:
    reports = tmp_path / "DiagnosticReports"
    reports.mkdir()
    for i, age in enumerate(ages_h):
        path = str(reports / f"Kernel-{i}.panic")
        shutil.copy(PANIC, path)
        with open(path, "a") as f:
            f.write(f"\n{i}\n")  # another crash, not a copy of the same report
        t = time.time() - age * 3600
        os.utime(path, (t, t))
    monkeypatch.setenv("REIN_DIAGNOSTIC_REPORTS", str(reports))


def test_a_clear_gate_returns_its_verdict(home: str) -> None:
    v = rein.gate()
    assert (v.state, v.clear, v.code, v.panics) == ("clear", True, None, [])
    assert v.raw["schema"] == "rein.gate/1"


def test_one_recent_panic_is_a_cooldown_with_when_it_lifts(home: str, tmp_path, monkeypatch) -> None:
    panic_reports(tmp_path, monkeypatch, [0.5])
    with pytest.raises(rein.PanicCooldown) as e:
        rein.gate()
    err = e.value
    assert isinstance(err, rein.PanicGateBlocked) and isinstance(err, rein.NotStarted)
    assert err.reason == "panic_cooldown" and err.rule == "one_panic"
    assert isinstance(err.until, dt.datetime)
    assert 1.4 * 3600 <= err.retry_after <= 1.5 * 3600 + 60
    assert len(err.panics) == 1 and "IOGPUMemory.cpp:550" in str(err.panics[0])
    assert "\n" not in str(err)
    v = rein.gate(check=False)
    assert (v.state, v.clear) == ("cooldown", False)


def test_two_panics_in_a_day_are_a_lockout_that_rein_ack_lifts(home: str, tmp_path, monkeypatch) -> None:
    panic_reports(tmp_path, monkeypatch, [5.0, 3.0])
    with pytest.raises(rein.PanicLockout) as e:
        rein.gate()
    assert e.value.reason == "panic_lockout" and e.value.rule == "lockout_day"
    assert e.value.until is not None
    # a model load meets the same gate: rein.cadence and rein.run refuse it the same way
    with pytest.raises(rein.PanicLockout):
        with rein.cadence("test-org/tiny-1b"):
            pass
    with pytest.raises(rein.PanicLockout):
        rein.run(["true"], model="test-org/tiny-1b", check=True)
    assert rein.binary()
    import subprocess

    subprocess.run([rein.binary(), "ack"], check=True, capture_output=True)
    assert rein.gate().clear


def test_the_gate_off_is_clear(home: str, tmp_path, monkeypatch) -> None:
    panic_reports(tmp_path, monkeypatch, [0.5])
    monkeypatch.setenv("REIN_PANIC_GATE", "off")
    assert rein.gate().state == "off"


def test_a_journal_that_cannot_be_read_fails_open_with_reins_message(home: str, caplog) -> None:
    os.makedirs(home, mode=0o700)
    os.makedirs(os.path.join(home, "rein.db"), mode=0o700)  # the journal cannot be opened
    with caplog.at_level(logging.WARNING, logger="rein"):
        v = rein.gate()  # Rein's policy: a broken gate must not stop every model run
    assert v.state == "failed" and v.clear
    assert v.problems == [f"{home}/rein.db is not a regular file; rein keeps only its own files there (remove it)"]
    assert any(v.problems[0] in r.getMessage() for r in caplog.records)


def test_models_check_and_estimate() -> None:
    known = rein.models.check("mlx-community/gemma-4-31b-it-8bit")
    assert known is not None and "prepare count underflow" in known.signature and known.alternatives
    assert rein.models.check("qwen/qwen3-8b") is None
    est = rein.models.estimate("mlx-community/gemma-4-31b-it-8bit")
    assert (est.known, est.parameters) == (True, 31_000_000_000)
    assert est.bytes_per_parameter is not None and 1 <= est.bytes_per_parameter < 1.2  # 8-bit, with scales
    assert est.bytes == round(31_000_000_000 * est.bytes_per_parameter)
    assert est.fit_needs_bytes and est.fit_needs_bytes > est.bytes
    assert rein.models.estimate("acme/mystery").bytes is None
    with pytest.raises(rein.UsageError):
        rein.models.check(42)  # type: ignore[arg-type]


def test_models_admit_runs_the_gate_first(home: str, tmp_path, monkeypatch) -> None:
    assert rein.models.admit("qwen/qwen3-8b") is None
    panic_reports(tmp_path, monkeypatch, [0.5])
    with pytest.raises(rein.PanicCooldown):
        rein.models.admit("qwen/qwen3-8b")


def test_a_persons_hold_on_model_loads_is_load_held(home: str) -> None:
    import subprocess

    subprocess.run([rein.binary(), "gate", "hold", "10m", "--reason", "driver update"], check=True, capture_output=True)
    with pytest.raises(rein.LoadHeld) as e:
        rein.gate()
    assert e.value.reason == "load_hold" and e.value.why == "driver update"
    assert e.value.until is not None and 500 <= e.value.retry_after <= 600
    with pytest.raises(rein.LoadHeld) as c:
        with rein.cadence("test-org/tiny-1b"):
            pass
    assert c.value.why == "driver update" and "on hold" in str(c.value)
    with pytest.raises(rein.LoadHeld):
        rein.run(["true"], model="test-org/tiny-1b", check=True)
    subprocess.run([rein.binary(), "gate", "release"], check=True, capture_output=True)
    assert rein.gate().clear
