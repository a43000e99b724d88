"""rein.Supervisor: typed events, a stop that kills the tree, a loop that never blocks."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import escaping_sleeper, pids_with, python_env, wait_until

import rein
from rein import events as ev


def crash_loop(marker: str) -> "list[str]":
    return ["sh", "-c", "exit 3", marker]


def test_a_crash_looping_worker_gives_typed_events_then_gives_up(home: str, marker: str) -> None:
    async def main() -> "list[rein.SupervisorEvent]":
        async with rein.Supervisor(
            crash_loop(marker), max_restarts=2, backoff_min="50ms", backoff_max="100ms", stderr=subprocess.DEVNULL
        ) as sup:
            got = [e async for e in sup.events()]
            assert await sup.wait() == 3
            assert sup.report is not None and sup.report["ending"] == "gave_up"
            return got

    got = asyncio.run(main())
    kinds = [e.kind for e in got]
    assert kinds[:4] == ["start", "exit", "backoff", "restart"]
    assert kinds[-2:] == ["give_up", "end"] or kinds[-1] == "give_up"
    assert kinds.count("start") == 3
    assert isinstance(got[0], ev.Start) and got[0].pid and got[0].run_id
    exits = [e for e in got if isinstance(e, ev.Exit)]
    assert [(e.outcome, e.exit_code) for e in exits] == [("exited", 3)] * 3
    backoff = next(e for e in got if isinstance(e, ev.Backoff))
    assert backoff.delay_ms is not None and backoff.until is not None
    assert any(isinstance(e, ev.GiveUp) for e in got)
    assert len({e.supervision_id for e in got}) == 1


def test_stop_kills_the_workers_whole_tree(home: str, marker: str) -> None:
    worker = ["sh", "-c", f"{escaping_sleeper(marker)} & exec sh -c 'sleep 300' {marker}"]

    async def main() -> "tuple[int, list[str]]":
        sup = rein.Supervisor(worker, grace="200ms", stderr=subprocess.DEVNULL)
        await sup.start()
        it = sup.events().__aiter__()
        first = await asyncio.wait_for(it.__anext__(), 30)
        assert isinstance(first, ev.Start)
        await asyncio.sleep(0.5)
        assert pids_with(marker)
        code = await asyncio.wait_for(sup.stop(), 30)
        return code, [e.kind for e in sup.history]

    code, kinds = asyncio.run(main())
    assert code == 0
    assert "stop" in kinds and "restart" not in kinds
    assert wait_until(lambda: not pids_with(marker), 5)


def test_the_event_loop_never_blocks_while_a_worker_crash_loops(home: str, marker: str) -> None:
    async def main() -> float:
        worst = 0.0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal worst
            while not done.is_set():
                t = time.monotonic()
                await asyncio.sleep(0.01)
                worst = max(worst, time.monotonic() - t - 0.01)

        tick = asyncio.ensure_future(ticker())
        async with rein.Supervisor(
            crash_loop(marker), max_restarts=8, backoff_min="10ms", backoff_max="20ms", stderr=subprocess.DEVNULL
        ) as sup:
            n = sum([1 async for _ in sup.events()])
        done.set()
        await tick
        assert n >= 8 * 3
        return worst

    worst = asyncio.run(main())
    assert worst < 1.0, f"the loop stalled {worst:.3f}s"  # generous: a loaded machine; BENCHMARKS.md has the number


KILLED_HOST = textwrap.dedent(
    """
    import asyncio, sys, rein
    async def main():
        async with rein.Supervisor(["sh", "-c", "sleep 300", sys.argv[1]]) as sup:
            async for e in sup.events():
                if e.kind == "start":
                    print(sup.pid, e.pid, flush=True)
    asyncio.run(main())
    """
)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the parent-death signal is Linux's (macOS unverified)")
def test_killing_the_python_program_leaves_no_process_behind(home: str, marker: str, reap) -> None:
    host = subprocess.Popen(
        [sys.executable, "-c", KILLED_HOST, marker], env=python_env(), stdout=subprocess.PIPE, text=True,
        stderr=subprocess.DEVNULL,
    )
    reap.append(host.pid)
    line = host.stdout.readline().split()
    assert len(line) == 2, line
    rein_pid, worker = int(line[0]), int(line[1])
    reap.append(rein_pid)
    assert pids_with(marker)
    os.kill(host.pid, signal.SIGKILL)
    host.wait(10)
    assert wait_until(lambda: not pids_with(marker), 15), pids_with(marker)
    assert wait_until(lambda: not os.path.exists(f"/proc/{rein_pid}") or _zombie(rein_pid), 15)
    assert not os.path.exists(f"/proc/{worker}") or _zombie(worker)


def _zombie(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            return f.read().rsplit(b")", 1)[1].split()[0] == b"Z"
    except OSError:
        return True


def test_bad_options_are_usage_errors(home: str) -> None:
    with pytest.raises(rein.UsageError):
        rein.Supervisor([], stderr=subprocess.DEVNULL)
    with pytest.raises(rein.UsageError):
        rein.Supervisor(["true"], max_restarts="many")  # type: ignore[arg-type]

    async def main() -> None:
        sup = rein.Supervisor(["true"], backoff_min="soon", stderr=subprocess.PIPE)
        await sup.start()
        assert [e async for e in sup.events()] == []
        assert await sup.wait() == 125

    asyncio.run(main())


def test_events_parse_every_kind() -> None:
    line = (
        '{"event":"backoff","at":"2026-12-03T07:58:09.2512569+00:00","supervision_id":"s","incarnation":1,'
        '"run_id":"r","pid":null,"outcome":null,"exit_code":null,"signal":null,"rein_exit_code":null,'
        '"delay_ms":2000,"until":"2026-12-03T07:58:11.2512569+00:00","reason":"exit 3","restarts":1}'
    )
    e = ev.parse_event(line)
    assert isinstance(e, ev.Backoff) and e.delay_ms == 2000 and e.until and e.reason == "exit 3"
    assert ev.parse_event("not json") is None
    assert set(ev.EVENT_TYPES) >= {"start", "exit", "backoff", "restart", "give_up", "stop"}


def test_a_refused_state_directory_is_raised_by_start(home: str) -> None:
    with open(home, "w") as f:
        f.write("not a folder")

    async def main() -> None:
        with pytest.raises(rein.StateDirectoryError, match="not a directory"):
            await rein.Supervisor(["true"]).start()

    asyncio.run(main())
