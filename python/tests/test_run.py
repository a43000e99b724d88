"""rein.run: the rein.run/1 verdict as a dataclass, typed errors with check=True."""

from __future__ import annotations

import datetime as dt
import json
import signal
import os
import subprocess
import sys
import time

import pytest
from conftest import escaping_sleeper, pids_with, python_env, wait_until

import rein


def test_a_successful_run_returns_its_verdict(home: str) -> None:
    r = rein.run([sys.executable, "-c", "import os; print(os.environ['REIN_RUN_ID'])"], capture_output=True, text=True)
    assert isinstance(r, rein.RunResult)
    assert (r.outcome, r.exit_code, r.signal, r.returncode, r.ok) == ("exited", 0, None, 0, True)
    assert r.stdout.strip() == r.run_id and r.run_id
    assert r.command[0] == sys.executable
    assert r.child_pid > 0 and r.duration_ms >= 0 and r.duration == r.duration_ms / 1000
    assert isinstance(r.started_at, dt.datetime) and r.started_at.tzinfo is not None
    assert r.refusal is None and r.failure is None


def test_a_failing_command_keeps_its_code_and_check_raises(home: str) -> None:
    r = rein.run(["sh", "-c", "exit 3"])
    assert (r.outcome, r.exit_code, r.returncode, r.ok) == ("exited", 3, 3, False)
    with pytest.raises(rein.RunFailed) as e:
        rein.run(["sh", "-c", "exit 3"], check=True)
    assert e.value.returncode == 3 and e.value.result.exit_code == 3
    assert not isinstance(e.value, (rein.TimedOut, rein.OverMemory))


def test_timeout_kills_the_whole_tree_and_raises_timed_out(home: str, marker: str) -> None:
    # a tree: sh → a setsid'd grandchild that would outlive a naive kill
    script = f"{escaping_sleeper(marker)} & sh -c 'sleep 300' {marker}; wait"
    t0 = time.monotonic()
    with pytest.raises(rein.TimedOut) as e:
        rein.run(["sh", "-c", script], timeout=0.5, grace="200ms", check=True)
    assert time.monotonic() - t0 < 20
    r = e.value.result
    assert (r.outcome, r.returncode) == ("timed_out", 124)
    assert len(r.pids_killed) >= 2
    assert wait_until(lambda: not pids_with(marker), 5)
    assert "timed out" in str(e.value)


def test_memory_cap_raises_over_memory(home: str) -> None:
    hog = "x = bytearray(400 * 2**20); import time; time.sleep(30)"
    with pytest.raises(rein.OverMemory) as e:
        rein.run([sys.executable, "-c", hog], memory="128M", check=True, timeout=60)
    r = e.value.result
    assert r.outcome == "memory_exceeded" and r.returncode == 137
    assert r.caps is not None and r.caps["memory_limit_bytes"] == 128 * 2**20


def test_a_busy_lock_is_not_started_with_its_reason(home: str, tmp_path, marker: str, reap) -> None:
    ready = tmp_path / "ready"
    holder = subprocess.Popen(
        [rein.binary(), "run", "--lock", marker, "--", "sh", "-c", f"touch {ready}; exec sh -c 'sleep 60' {marker}"],
        stderr=subprocess.DEVNULL,
    )
    reap.append(holder.pid)
    assert wait_until(ready.exists, 30)
    r = rein.run(["true"], lock=marker)
    assert r.refused and r.returncode == 75 and r.refusal is not None
    assert r.refusal.code == "lock_busy" and r.refusal.waitable
    with pytest.raises(rein.NotStarted) as e:
        rein.run(["true"], lock=marker, check=True)
    assert e.value.reason == "lock_busy" and e.value.retry_after is None
    assert not isinstance(e.value, rein.CadenceBlocked)
    # wait= gives up after the duration, still refused
    t0 = time.monotonic()
    r = rein.run(["true"], lock=marker, wait=0.5)
    assert r.refused and r.refusal.waited_ms >= 400 and time.monotonic() - t0 < 15
    holder.terminate()
    holder.wait(30)


def test_a_model_load_too_soon_raises_cadence_blocked_with_retry_after(home: str) -> None:
    model = "test-org/tiny-1b"
    assert rein.run(["true"], model=model).ok
    with pytest.raises(rein.CadenceBlocked) as e:
        rein.run(["true"], model=model, check=True)
    err = e.value
    assert err.reason == "cadence_same_model" and err.rule == "same_model"
    assert err.blocking_model == model
    assert 170 <= err.retry_after <= 180 and isinstance(err.retry_at, dt.datetime)
    assert err.result is not None and err.result.refused


def test_env_offline_and_cwd_and_env(home: str, tmp_path) -> None:
    r = rein.run(
        ["sh", "-c", 'echo "$HF_HUB_OFFLINE $FOO $(pwd)"'],
        env_offline=True,
        cwd=str(tmp_path),
        env={**os.environ, "FOO": "bar"},
        capture_output=True,
        text=True,
    )
    assert r.stdout.split() == ["1", "bar", str(tmp_path)]


def test_bytes_pass_unchanged(home: str) -> None:
    # rein reads its argv as the kernel passed it (src/native/preinit.c), so a byte that is not UTF-8 stays itself.
    arg = b"caf\xe9-\xff"
    r = rein.run([sys.executable, "-c", "import os,sys; sys.stdout.buffer.write(os.fsencode(sys.argv[1]))", arg], capture_output=True)
    assert r.stdout == arg


def test_a_bad_duration_is_one_usage_error_with_reins_message(home: str) -> None:
    with pytest.raises(rein.UsageError) as e:
        rein.run(["true"], timeout="5x", capture_output=True)
    assert str(e.value).startswith("rein run: ") and "unknown unit 'x'" in str(e.value)
    assert "\n" not in str(e.value)
    with pytest.raises(rein.UsageError) as e:  # not captured: still one clear exception
        rein.run(["true"], memory="8", stderr=subprocess.DEVNULL)
    assert "125" in str(e.value) or "rein run" in str(e.value)


@pytest.mark.parametrize("bad", [{"model": 42}, {"model": ["ok/model", None]}, {"timeout": object()}, {"memory": 1.5}, {"lock": 3}])
def test_wrong_types_are_usage_errors_before_anything_runs(home: str, bad) -> None:
    with pytest.raises(rein.UsageError):
        rein.run(["true"], **bad)
    assert not os.path.exists(home)


def test_a_missing_binary_is_binary_not_found(home: str, monkeypatch, tmp_path) -> None:
    monkeypatch.setenv("REIN_BIN", str(tmp_path / "no-rein"))
    with pytest.raises(rein.BinaryNotFound, match="REIN_BIN="):
        rein.run(["true"])
    with pytest.raises(rein.BinaryNotFound):
        rein.binary()


def test_without_rein_bin_or_a_wheel_the_error_says_how_to_get_rein(home: str, tmp_path) -> None:
    # A source install: the package without the wheel's binary, no rein on PATH.
    src = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "src")
    env = {k: v for k, v in os.environ.items() if k not in ("REIN_BIN", "PYTHONPATH")}
    env["PATH"] = str(tmp_path)
    env["PYTHONPATH"] = src
    code = "import rein\ntry:\n    rein.binary()\nexcept rein.BinaryNotFound as e:\n    print(e)\n"
    out = subprocess.run(
        [sys.executable, "-S", "-c", code], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert "no `rein` executable found" in out and "REIN_BIN" in out


def test_the_verdict_reads_rein_run_report_fields(home: str) -> None:
    r = rein.run(["true"])
    for key in ("schema", "run_id", "outcome", "rein_exit_code", "peak_rss_bytes", "pids_killed"):
        assert key in r.raw
    assert r.raw["schema"] == "rein.run/1"
    _ = python_env


def test_a_state_directory_rein_refuses_is_one_exception_with_its_message(home: str) -> None:
    with open(home, "w") as f:
        f.write("not a folder")
    expected = subprocess.run([rein.binary(), "run", "--", "true"], capture_output=True, text=True)
    assert expected.returncode == 125
    with pytest.raises(rein.StateDirectoryError) as e:
        rein.run(["true"])  # stderr not captured: the message is still the exception's
    assert str(e.value) in expected.stderr and "not a directory" in str(e.value)


def test_values_that_look_like_options_stay_values(home: str) -> None:
    with pytest.raises(rein.UsageError) as e:
        rein.run(["true"], timeout="-1s", capture_output=True)
    assert "negative" in str(e.value)
    r = rein.run(["true"], model="-weird/--json")
    assert r.ok and r.raw.get("schema") == "rein.run/1"


INTERRUPTED_HOST = """
import sys, rein
try:
    rein.run(["sh", "-c", "echo started; exec sh -c 'sleep 300' " + sys.argv[1]], grace="300ms")
except KeyboardInterrupt:
    print("interrupted", flush=True)
"""


def test_an_interrupted_python_program_lets_rein_end_the_run_cleanly(home: str, marker: str, reap) -> None:
    host = subprocess.Popen(
        [sys.executable, "-c", INTERRUPTED_HOST, marker], env=python_env(), stdout=subprocess.PIPE, text=True,
        stderr=subprocess.DEVNULL, start_new_session=True,
    )
    reap.append(host.pid)
    assert host.stdout.readline().strip() == "started"
    os.kill(host.pid, signal.SIGINT)  # Python alone: rein is not told by the terminal
    assert host.stdout.readline().strip() == "interrupted"
    assert host.wait(60) == 0
    assert wait_until(lambda: not pids_with(marker), 5)
    runs = json.loads(subprocess.run([rein.binary(), "journal", "--json"], capture_output=True, text=True).stdout)["runs"]
    assert [(r["state"], r["outcome"]) for r in runs] == [("ended", "interrupted")]
