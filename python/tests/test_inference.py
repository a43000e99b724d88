"""rein.inference / rein.mark: breadcrumbs written in process, read by the real rein."""

from __future__ import annotations

import asyncio
import glob
import json
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
from conftest import cli, python_env, wait_until

import rein
from rein import _crumbs, _inference

MODEL = "test-org/tiny-1b-4bit"
GEMMA = "mlx-community/gemma-4-31b-it-8bit"
NASTY = "q\"<>&'+`\\ \t\n\x01\x7f é 漢 😀 \u0085 end"


def crumb_lines(home: str) -> "list[tuple[str, bytes]]":
    out = []
    for path in sorted(glob.glob(os.path.join(home, "crumbs", "*.crumbs"))):
        with open(path, "rb") as f:
            out.extend((os.path.basename(path), line) for line in f.read().splitlines(keepends=True))
    return out


def without_time(line: bytes) -> bytes:
    head, rest = line.split(b",", 1)
    assert head.startswith(b'{"at":') and head[6:].isdigit(), line
    return rest


@pytest.mark.parametrize("run_id", [None, "20261203T074856Z-3f9a1c2b0d"])
@pytest.mark.parametrize("note", [None, "req-17", NASTY])
def test_lines_are_byte_identical_to_rein_mark(home: str, monkeypatch: pytest.MonkeyPatch, run_id, note) -> None:
    if run_id:
        monkeypatch.setenv("REIN_RUN_ID", run_id)
    # `rein mark` run by this process marks this process: same pid, start time, run, file.
    args = ["mark", "pre", GEMMA] + (["--note", note] if note is not None else [])
    assert cli(*args).returncode == 0
    rein.mark("pre", GEMMA, note)
    lines = crumb_lines(home)
    assert len(lines) == 2, lines
    (file_a, a), (file_b, b) = lines
    assert file_a == file_b  # the same file name: run-ID.crumbs or pid-PID-START.crumbs
    assert without_time(a) == without_time(b)
    assert a.endswith(b"}\n") and b.count(b"\n") == 1
    doc = json.loads(b)
    assert doc["pid"] == os.getpid() and doc["model"] == GEMMA and doc.get("note") == note
    assert doc.get("run") == run_id
    assert abs(doc["at"] / 1000 - time.time()) < 60


def test_state_folders_are_0700_and_files_0600_whatever_the_umask(home: str) -> None:
    old = os.umask(0)
    try:
        rein.mark("pre", MODEL)
    finally:
        os.umask(old)
    assert os.stat(home).st_mode & 0o777 == 0o700
    assert os.stat(os.path.join(home, "crumbs")).st_mode & 0o777 == 0o700
    (name, _), = crumb_lines(home)
    path = os.path.join(home, "crumbs", name)
    assert os.stat(path).st_mode & 0o777 == 0o600
    os.chmod(path, 0o644)  # left wider by another tool: narrowed on the next write
    rein.mark("post", MODEL)
    assert os.stat(path).st_mode & 0o777 == 0o600


def test_a_symlink_in_the_state_directory_is_refused_with_reins_own_message(home: str, tmp_path) -> None:
    target = tmp_path / "elsewhere"
    target.mkdir()
    os.makedirs(home, mode=0o700)
    os.symlink(str(target), os.path.join(home, "crumbs"))
    expected = cli("mark", "pre", MODEL)
    assert expected.returncode != 0
    with pytest.raises(rein.StateDirectoryError) as e:
        rein.mark("pre", MODEL)
    assert str(e.value) in expected.stderr
    assert "symbolic link" in str(e.value)
    assert os.listdir(str(target)) == []  # nothing written through the link


def test_a_symlinked_breadcrumb_file_is_refused_not_followed(home: str, tmp_path) -> None:
    rein.mark("pre", MODEL)
    (name, _), = crumb_lines(home)
    path = os.path.join(home, "crumbs", name)
    victim = tmp_path / "victim"
    victim.write_text("keep\n")
    os.remove(path)
    os.symlink(str(victim), path)
    with pytest.raises(rein.StateDirectoryError, match="symbolic link"):
        rein.mark("post", MODEL)
    assert victim.read_text() == "keep\n"


def test_another_users_breadcrumb_file_is_refused_like_rein_mark(home: str) -> None:
    if os.getuid() != 0:
        pytest.skip("needs root to give a file to another user")
    rein.mark("pre", MODEL)
    (name, _), = crumb_lines(home)
    os.chown(os.path.join(home, "crumbs", name), 65534, 65534)
    expected = cli("mark", "post", MODEL)
    with pytest.raises(rein.StateDirectoryError) as e:
        rein.mark("post", MODEL)
    assert str(e.value) in expected.stderr and "owned by uid 65534" in str(e.value)


def test_a_state_directory_that_is_a_file_is_one_clear_exception(home: str) -> None:
    with open(home, "w") as f:
        f.write("not a folder")
    expected = cli("mark", "pre", MODEL)
    with pytest.raises(rein.StateDirectoryError) as e:
        rein.mark("pre", MODEL)
    assert str(e.value) in expected.stderr


@pytest.mark.parametrize("bad", [42, None, "", "   ", "bad\nid", "x" * 513, b"bytes/model"])
def test_a_bad_model_id_is_one_usage_error(home: str, bad) -> None:
    with pytest.raises(rein.UsageError) as e:
        rein.inference(bad)
    assert "\n" not in str(e.value)
    if isinstance(bad, str):  # the same words rein mark uses
        expected = cli("mark", "pre", bad)
        assert expected.returncode == 2
        assert str(e.value).split(": ", 1)[1] in expected.stderr
    assert not os.path.exists(home)


def test_a_bad_run_id_in_the_environment_is_refused_like_rein_mark(home: str, monkeypatch) -> None:
    monkeypatch.setenv("REIN_RUN_ID", "../../etc/passwd")
    expected = cli("mark", "pre", MODEL)
    with pytest.raises(rein.UsageError) as e:
        rein.mark("pre", MODEL)
    assert str(e.value) in expected.stderr


def test_inference_writes_pre_then_post_and_notes_a_failure(home: str) -> None:
    with rein.inference(MODEL, note="req-1"):
        pass
    with pytest.raises(ZeroDivisionError):
        with rein.inference(MODEL):
            1 / 0
    docs = [json.loads(line) for _, line in crumb_lines(home)]
    assert [(d["kind"], d.get("note")) for d in docs] == [
        ("pre", "req-1"),
        ("post", None),
        ("pre", None),
        ("post", "failed: ZeroDivisionError"),
    ]


def test_flush_runs_around_the_body_and_never_replaces_its_exception(home: str, caplog) -> None:
    calls = []

    def boom() -> None:
        calls.append("boom")
        raise RuntimeError("flush broke")

    with caplog.at_level(logging.WARNING, logger="rein"):
        with pytest.raises(KeyError):
            with rein.inference(MODEL, flush=[lambda: calls.append("flush"), boom]):
                calls.append("body")
                raise KeyError("the body's own")
    assert calls == ["flush", "boom", "body", "flush", "boom"]
    assert sum("flush broke" in r.getMessage() for r in caplog.records) == 2
    kinds = [json.loads(line)["kind"] for _, line in crumb_lines(home)]
    assert kinds == ["pre", "post"]  # a failing flush stopped neither breadcrumb


def test_a_breadcrumb_that_cannot_be_written_never_stops_the_inference(home: str, caplog) -> None:
    with open(home, "w") as f:
        f.write("not a folder")
    ran = []
    with caplog.at_level(logging.WARNING, logger="rein"):
        with rein.inference(MODEL):
            ran.append(True)
    assert ran == [True]
    assert any("pre-breadcrumb failed" in r.getMessage() for r in caplog.records)


def test_decorator_on_sync_and_async_functions(home: str) -> None:
    @rein.inference(MODEL, note="deco")
    def infer(x: int) -> int:
        return x * 2

    @rein.inference(MODEL)
    async def ainfer(x: int) -> int:
        await asyncio.sleep(0)
        return x + 1

    assert infer(21) == 42
    assert asyncio.run(ainfer(1)) == 2
    assert infer.__name__ == "infer"
    kinds = [json.loads(line)["kind"] for _, line in crumb_lines(home)]
    assert kinds == ["pre", "post", "pre", "post"]


def test_settle_per_family_and_rein_settle(monkeypatch) -> None:
    assert _inference.settle_for(GEMMA) == 3.0
    assert _inference.settle_for("unsloth/gemma-4-e4b-it") == 3.0
    assert _inference.settle_for("google/gemma-4-31b") == 0.0
    assert _inference.settle_for("mlx-community/gemma-4b-it") == 0.0
    assert _inference.settle_for(GEMMA, "off") == 0.0
    assert _inference.settle_for(MODEL, "1m30s") == 90.0
    assert _inference.settle_for(MODEL, "500ms") == 0.5
    with pytest.raises(rein.UsageError, match="REIN_SETTLE=soon"):
        _inference.settle_for(MODEL, "soon")


def test_first_call_settles_once_per_model(home: str, monkeypatch) -> None:
    _inference.SETTLES.reset()
    monkeypatch.setenv("REIN_SETTLE", "400ms")
    t0 = time.monotonic()
    with rein.inference(MODEL):
        first = time.monotonic() - t0
    t1 = time.monotonic()
    with rein.inference(MODEL):
        second = time.monotonic() - t1
    assert first >= 0.4
    assert second < 0.3
    monkeypatch.setenv("REIN_SETTLE", "off")
    _inference.SETTLES.reset()
    t2 = time.monotonic()
    with rein.inference(GEMMA):
        assert time.monotonic() - t2 < 0.3


def test_gemma4_first_call_waits_3s_by_default(home: str) -> None:
    _inference.SETTLES.reset()
    t0 = time.monotonic()
    with rein.inference(GEMMA):
        waited = time.monotonic() - t0
    assert waited >= 3.0
    with rein.inference(GEMMA.upper()):  # ids compare case-insensitively: already settled
        pass
    assert time.monotonic() - t0 < waited + 1.0


MARKER_WORKER = textwrap.dedent(
    """
    import os, sys, rein
    n = int(sys.argv[1])
    for i in range(n):
        with rein.inference(sys.argv[2], note="w%d-%d" % (os.getpid(), i)):
            pass
    """
)


SPAWN_TEN = textwrap.dedent(
    """
    import subprocess, sys
    procs = [subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2], sys.argv[3]]) for _ in range(10)]
    print(" ".join(str(p.pid) for p in procs), flush=True)
    sys.exit(max(p.wait() for p in procs))
    """
)


def test_ten_processes_marking_at_once_lose_and_tear_no_line(home: str) -> None:
    n = 200
    # Ten Python workers inside one guarded run: every line goes to that run's one file, at once.
    result = rein.run(
        [sys.executable, "-c", SPAWN_TEN, MARKER_WORKER, str(n), MODEL],
        env=python_env(),
        capture_output=True,
        text=True,
        check=True,
        timeout=300,
    )
    workers = sorted(int(p) for p in result.stdout.split())
    lines = crumb_lines(home)
    assert {name for name, _ in lines} == {f"run-{result.run_id}.crumbs"}
    assert len(lines) == 10 * n * 2
    docs = [json.loads(line) for _, line in lines]  # every line whole
    by_pid: "dict[int, list[str]]" = {}
    for d in docs:
        by_pid.setdefault(d["pid"], []).append(d["kind"])
    assert sorted(by_pid) == workers
    assert all(kinds == ["pre", "post"] * n for kinds in by_pid.values())
    # rein reads every one of them back into its journal
    shown = json.loads(cli("journal", "show", result.run_id, "--json").stdout)["runs"][0]
    assert shown["breadcrumb_count"] == 10 * n * 2
    assert json.loads(cli("ps", "--json").stdout)["inferences"] == []  # every PRE has its POST


WORKER_UNDER_RUN = textwrap.dedent(
    """
    import sys, time, rein
    with rein.inference(sys.argv[1], note="stuck"):
        open(sys.argv[2], "w").close()
        time.sleep(120)
    """
)


def test_a_worker_killed_mid_inference_is_shown_died_mid_inference(home: str, tmp_path, marker, reap) -> None:
    ready = str(tmp_path / "ready")
    run = subprocess.Popen(
        [rein.binary(), "run", "--", sys.executable, "-c", WORKER_UNDER_RUN, MODEL, ready, marker],
        env=python_env(),
        stderr=subprocess.DEVNULL,
    )
    reap.append(run.pid)
    assert wait_until(lambda: os.path.exists(ready), 30)
    crumbs = [json.loads(line) for _, line in crumb_lines(home)]
    assert len(crumbs) == 1 and crumbs[0]["run"]  # inside the run: run-ID.crumbs
    worker = crumbs[0]["pid"]
    # in flight while it lives (past inference.hang_after)
    live = json.loads(cli("ps", "--json", env={**os.environ, "REIN_HANG_AFTER": "1ms"}).stdout)
    assert [(i["state"], i["pid"]) for i in live["inferences"]] == [("in_flight", worker)]
    os.kill(worker, signal.SIGKILL)
    run.wait(30)
    ps = cli("ps", "--json")
    inf = json.loads(ps.stdout)["inferences"]
    assert [(i["state"], i["pid"], i["model"], i["note"], i["run_id"]) for i in inf] == [
        ("died", worker, MODEL, "stuck", crumbs[0]["run"])
    ]
    assert "died mid-inference" in cli("ps").stdout + cli("ps").stderr
    doctor = json.loads(cli("doctor", "--json", "--check", "inferences").stdout)
    assert any("died mid-inference" in f["summary"] + " ".join(f["details"]) for f in doctor["findings"])
    show = json.loads(cli("journal", "show", crumbs[0]["run"], "--json").stdout)["runs"][0]
    assert show["breadcrumb_count"] == 1 and show["breadcrumbs"][0]["kind"] == "pre"


RECYCLED_WORKER = textwrap.dedent(
    """
    import sys, time, rein
    for i in range(1000):
        with rein.inference(sys.argv[1]):
            pass
        time.sleep(0.05)
    """
)


def test_supervise_recycles_after_n_inferences_marked_from_python(home: str, tmp_path, marker) -> None:
    events = str(tmp_path / "events.jsonl")
    sup = subprocess.Popen(
        [
            rein.binary(), "supervise", "--recycle-after-requests", "3", "--max-restarts", "0",
            "--events", events, "--", sys.executable, "-c", RECYCLED_WORKER, MODEL, marker,
        ],
        env=python_env(),
        stderr=subprocess.DEVNULL,
    )
    try:
        def recycled() -> bool:
            try:
                with open(events) as f:
                    return any(json.loads(l)["event"] == "recycle" for l in f if l.strip())
            except OSError:
                return False

        assert wait_until(recycled, 60, 0.1)
    finally:
        sup.send_signal(signal.SIGTERM)
        sup.wait(30)
    assert wait_until(lambda: not __import__("conftest").pids_with(marker), 10)
