"""rein.cadence: atomic across processes, CadenceBlocked with the rule and the time left."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import cli, python_env

import rein

MODEL = "test-org/tiny-1b"
GEMMA = "mlx-community/gemma-4-31b-it-8bit"


def test_acquire_then_a_second_load_is_blocked_with_the_rule(home: str) -> None:
    with rein.cadence(MODEL) as c:
        assert c.token
        with pytest.raises(rein.CadenceBlocked) as e:
            rein.cadence.check(MODEL)
    err = e.value
    assert isinstance(err, rein.NotStarted) and isinstance(err, rein.ReinError)
    assert (err.reason, err.rule, err.blocking_model, err.blocking_state) == (
        "cadence_same_model", "same_model", MODEL, "running",
    )
    assert 170 <= err.remaining <= 180 and 170 <= err.retry_after <= 180
    assert isinstance(err.retry_at, dt.datetime)
    assert "'test-org/tiny-1b'" in str(err) and "\n" not in str(err)
    # the exit released it: the CLI sees the release
    loads = rein.cadence.status()["loads"]
    assert loads and all(load.get("released_at") or load.get("state") != "running" for load in loads)
    with pytest.raises(rein.CadenceBlocked) as again:
        with rein.cadence(MODEL):
            pass
    assert again.value.blocking_state == "released"


def test_the_cli_sees_a_load_acquired_from_python(home: str) -> None:
    with rein.cadence(MODEL):
        r = cli("cadence", "check", MODEL, "--json")
        assert r.returncode == 75
        assert json.loads(r.stdout)["refusal"]["facts"]["blocking_state"] == "running"


def test_wait_waits_until_the_interval_has_passed(home: str) -> None:
    with rein.cadence(MODEL, same_model_interval="1s"):
        pass
    t0 = time.monotonic()
    with rein.cadence(MODEL, wait="20s", same_model_interval="1s"):
        pass
    assert 0.3 <= time.monotonic() - t0 < 15
    with pytest.raises(rein.CadenceBlocked):  # a short wait gives up
        with rein.cadence(MODEL, wait="200ms", same_model_interval="1m"):
            pass


def test_the_gemma4_family_floor_spaces_other_models(home: str) -> None:
    with rein.cadence(GEMMA):
        pass
    with pytest.raises(rein.CadenceBlocked) as e:
        rein.cadence.check("qwen/qwen3-8b")
    assert e.value.rule == "family_floor" and e.value.family == "gemma-4"
    assert 80 <= e.value.remaining <= 90


def test_async_with_never_blocks_and_releases(home: str) -> None:
    async def main() -> None:
        async with rein.cadence(MODEL) as c:
            assert c.token
        with pytest.raises(rein.CadenceBlocked):
            async with rein.cadence(MODEL):
                pass

    asyncio.run(main())


def test_a_body_exception_is_not_replaced_and_the_load_is_released(home: str) -> None:
    with pytest.raises(KeyError):
        with rein.cadence(MODEL):
            raise KeyError("load failed")
    with pytest.raises(rein.CadenceBlocked) as e:
        rein.cadence.check(MODEL)
    assert e.value.blocking_state == "released"


RACER = textwrap.dedent(
    """
    import sys, time, rein
    while time.time() < float(sys.argv[2]):
        time.sleep(0.001)
    try:
        with rein.cadence(sys.argv[1]):
            print("LOADED")
    except rein.CadenceBlocked as e:
        print("BLOCKED", e.rule)
    """
)


def test_twenty_processes_racing_for_one_model_exactly_one_loads(home: str) -> None:
    start = time.time() + 1.5  # they all start the acquire at once
    env = {**python_env(), "REIN_FAULT": "slow-cadence-mark"}  # widens the check-to-mark window
    procs = [
        subprocess.Popen([sys.executable, "-c", RACER, MODEL, str(start)], env=env, stdout=subprocess.PIPE, text=True)
        for _ in range(20)
    ]
    outs = [p.communicate(120)[0].strip() for p in procs]
    assert sorted(outs).count("LOADED") == 1, outs
    assert outs.count("BLOCKED same_model") == 19, outs


@pytest.mark.parametrize("bad", [42, "", "a\x00b", ["ok/model", 3]])
def test_bad_model_ids_are_usage_errors(home: str, bad) -> None:
    with pytest.raises(rein.UsageError):
        rein.cadence(bad)
    with pytest.raises(rein.UsageError):
        rein.cadence.check(bad)


def test_a_bad_interval_is_reins_own_message(home: str) -> None:
    with pytest.raises(rein.UsageError) as e:
        rein.cadence.check(MODEL, same_model_interval="soon")
    assert "soon" in str(e.value) and "\n" not in str(e.value)


def test_a_refused_state_directory_is_a_state_directory_error(home: str) -> None:
    with open(home, "w") as f:
        f.write("not a folder")
    with pytest.raises(rein.StateDirectoryError) as e:
        with rein.cadence(MODEL):
            pass
    assert "not a directory" in str(e.value)


def test_a_model_id_that_looks_like_an_option_is_still_an_id(home: str) -> None:
    with rein.cadence("-weird/--json") as c:
        assert c.token
    with pytest.raises(rein.CadenceBlocked) as e:
        rein.cadence.check("-weird/--json")
    assert e.value.blocking_model == "-weird/--json"
    assert rein.models.check("--json") is None
