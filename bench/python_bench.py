"""Benchmarks of the Python package (bench/python.sh runs this; results go to BENCHMARKS.md by hand).

1. breadcrumbs: `with rein.inference(m): pass` against the physical floor (an fsync'd append of one line from
   Python) and against calling `rein mark` twice, in interleaved rounds;
2. cadence: `with rein.cadence(m): pass` against `rein cadence acquire m` + `rein cadence release m` run as two
   commands (what a shell does), interleaved, the store emptied before each (not timed);
3. the event loop's worst lag while a `rein.Supervisor` worker crash-loops.
"""

from __future__ import annotations

import asyncio
import os
import statistics
import subprocess
import sys
import time

import rein

MODEL = "org/bench-model"
ROUNDS = int(os.environ.get("ROUNDS", "5"))
N = int(os.environ.get("N", "200"))


def timed(fn, n: int) -> "list[float]":
    out = []
    for _ in range(n):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def breadcrumbs() -> None:
    os.environ["REIN_SETTLE"] = "off"
    home = os.environ["REIN_HOME"]
    floor_path = os.path.join(home, "floor.log")
    line = b'{"at":1764790000123,"kind":"pre","model":"org/bench-model","pid":1,"pid_start":2}\n'
    rein.mark("post", MODEL)  # creates the state directory: the floor's file sits on the same file system
    fd = os.open(floor_path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)

    def inference() -> None:
        with rein.inference(MODEL):
            pass

    def append_open_fd() -> None:  # the floor: one write and one fsync on a file already open
        os.write(fd, line)
        os.fsync(fd)

    def append_open_close() -> None:  # one line as a logger without a kept descriptor writes it
        f = os.open(floor_path, os.O_WRONLY | os.O_APPEND)
        os.write(f, line)
        os.fsync(f)
        os.close(f)

    exe = rein.binary()

    def two_marks() -> None:
        subprocess.run([exe, "mark", "pre", MODEL], check=True)
        subprocess.run([exe, "mark", "post", MODEL], check=True)

    inference()  # the crumbs folder and this process's file exist: a worker's steady state
    cases = {
        "with rein.inference(m): pass": (inference, N),
        "fsync'd append, open fd (write+fsync)": (append_open_fd, N),
        "fsync'd append (open+write+fsync+close)": (append_open_close, N),
        "rein mark pre + rein mark post (2 processes)": (two_marks, max(20, N // 10)),
    }
    samples: "dict[str, list[float]]" = {k: [] for k in cases}
    for r in range(ROUNDS):
        for name, (fn, n) in cases.items():
            samples[name].extend(timed(fn, n))
    os.close(fd)
    med = {k: statistics.median(v) * 1e3 for k, v in samples.items()}
    print(f"== breadcrumbs ({ROUNDS} interleaved rounds; medians)")
    for k, v in med.items():
        p90 = sorted(samples[k])[int(len(samples[k]) * 0.9)] * 1e3
        print(f"  {k:48s} {v:8.3f} ms  (p90 {p90:.3f} ms, n={len(samples[k])})")
    inf = med["with rein.inference(m): pass"]
    print(f"  inference / one append (open fd)      = {inf / med['fsync' + chr(39) + 'd append, open fd (write+fsync)']:.2f}x")
    print(f"  inference / one append (open..close)  = {inf / med['fsync' + chr(39) + 'd append (open+write+fsync+close)']:.2f}x")
    print(f"  two rein marks / inference            = {med['rein mark pre + rein mark post (2 processes)'] / inf:.1f}x")


def cadence() -> None:
    os.environ["REIN_SAME_MODEL_INTERVAL"] = "0"
    loads = os.path.join(os.environ["REIN_HOME"], "cadence", "loads")
    exe = rein.binary()

    def reset() -> None:
        try:
            os.remove(loads)
        except FileNotFoundError:
            pass

    def python_cadence() -> None:
        with rein.cadence(MODEL):
            pass

    def shell_pair() -> None:
        subprocess.run([exe, "cadence", "acquire", MODEL], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([exe, "cadence", "release", MODEL], check=True, stdout=subprocess.DEVNULL)

    n = max(20, N // 10)
    samples: "dict[str, list[float]]" = {"with rein.cadence(m): pass": [], "rein cadence acquire m; rein cadence release m": []}
    fns = dict(zip(samples, (python_cadence, shell_pair)))
    python_cadence()
    for r in range(ROUNDS):
        for name, fn in fns.items():
            for _ in range(n):
                reset()
                t = time.perf_counter()
                fn()
                samples[name].append(time.perf_counter() - t)
    med = {k: statistics.median(v) * 1e3 for k, v in samples.items()}
    print(f"== cadence ({ROUNDS} interleaved rounds of {n}; medians, store emptied before each, not timed)")
    for k, v in med.items():
        print(f"  {k:48s} {v:8.2f} ms")
    a, b = med.values()
    print(f"  rein.cadence / the two commands       = {a / b:.2f}x")


def _summary(lags: "list[float]") -> str:
    lags = sorted(lags)
    return (
        f"worst {lags[-1] * 1e3:.2f} ms, p99 {lags[int(len(lags) * 0.99)] * 1e3:.2f} ms, "
        f"median {statistics.median(lags) * 1e3:.3f} ms over {len(lags)} ticks"
    )


async def _baseline(seconds: float) -> "list[float]":
    """The same ticker with nothing else on the loop: what the machine's scheduler alone costs."""
    lags: "list[float]" = []
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        t = time.perf_counter()
        await asyncio.sleep(0.001)
        lags.append(time.perf_counter() - t - 0.001)
    return lags


async def loop_lag() -> None:
    lags: "list[float]" = []
    done = asyncio.Event()

    async def ticker() -> None:
        while not done.is_set():
            t = time.perf_counter()
            await asyncio.sleep(0.001)
            lags.append(time.perf_counter() - t - 0.001)

    before = await _baseline(3.0)
    restarts = int(os.environ.get("RESTARTS", "50"))
    tick = asyncio.ensure_future(ticker())
    t0 = time.perf_counter()
    async with rein.Supervisor(
        ["sh", "-c", "exit 3"], max_restarts=restarts, backoff_min="10ms", backoff_max="20ms",
        stderr=subprocess.DEVNULL,
    ) as sup:
        events = [e async for e in sup.events()]
    took = time.perf_counter() - t0
    done.set()
    await tick
    # Control: the same crash loop from a plain `rein supervise` the loop does not read (the same CPU contention
    # on this machine, nothing of the wrapper on the loop).
    control_lags: "list[float]" = []
    control = subprocess.Popen(
        [rein.binary(), "supervise", f"--max-restarts={restarts}", "--backoff-min=10ms", "--backoff-max=20ms",
         "--", "sh", "-c", "exit 3"],
        stderr=subprocess.DEVNULL,
    )
    while control.poll() is None:
        t = time.perf_counter()
        await asyncio.sleep(0.001)
        control_lags.append(time.perf_counter() - t - 0.001)
    after = await _baseline(3.0)
    starts = sum(1 for e in events if e.kind == "start")
    print(f"== event loop while a worker crash-loops ({starts} incarnations, {len(events)} events in {took:.1f} s)")
    print(f"  ticker (1 ms sleep) lag, crash-looping: {_summary(lags)}")
    print(f"  control, rein supervise not read:     {_summary(control_lags)}")
    print(f"  the same ticker alone, 3 s before:    {_summary(before)}")
    print(f"  the same ticker alone, 3 s after:     {_summary(after)}")


if __name__ == "__main__":
    which = sys.argv[1:] or ["breadcrumbs", "cadence", "lag"]
    if "breadcrumbs" in which:
        breadcrumbs()
    if "cadence" in which:
        cadence()
    if "lag" in which:
        asyncio.run(loop_lag())
