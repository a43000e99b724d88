"""The wheel builder: RECORD hashes, the platform tag read from the binary, source installs."""

from __future__ import annotations

import base64
import hashlib
import os
import shutil
import subprocess
import sys
import zipfile

import pytest
from conftest import PYTHON_DIR, REPO, WHEEL_MODE

sys.path.insert(0, PYTHON_DIR)
import build_wheel  # noqa: E402

BINARY = os.path.join(REPO, "out", "rein")
needs_binary = pytest.mark.skipif(not os.access(BINARY, os.X_OK), reason="out/rein not built")


def check_record(path: str) -> "dict[str, bytes]":
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        record_name = next(n for n in names if n.endswith(".dist-info/RECORD"))
        rows = [r.rsplit(",", 2) for r in z.read(record_name).decode().splitlines()]
        assert {r[0] for r in rows} == set(names)
        for name, digest, size in rows:
            if name == record_name:
                assert (digest, size) == ("", "")
                continue
            data = z.read(name)
            want = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
            assert digest == f"sha256={want}" and int(size) == len(data), name
        return {n: z.read(n) for n in names}


@needs_binary
def test_the_platform_wheel_carries_the_binary_with_the_glibc_floor_it_needs(tmp_path) -> None:
    path = build_wheel.build_platform_wheel(BINARY, str(tmp_path))
    files = check_record(path)
    version = build_wheel._pep440(build_wheel.binary_version(BINARY))
    assert os.path.basename(path).startswith(f"rein_guard-{version}-py3-none-")
    script = f"rein_guard-{version}.data/scripts/rein"
    with open(BINARY, "rb") as f:
        assert files[script] == f.read()
    wheel = files[f"rein_guard-{version}.dist-info/WHEEL"].decode()
    assert "Root-Is-Purelib: false" in wheel
    if os.path.exists(os.path.join(REPO, "out", "libe_sqlite3.so")):
        assert f"rein_guard-{version}.data/scripts/libe_sqlite3.so" in files
    assert "rein/py.typed" in files
    if shutil.which("objdump"):
        dump = subprocess.run(["objdump", "-T", BINARY], capture_output=True, text=True, check=True).stdout
        floors = sorted({tuple(int(x) for x in v.split(".")[:2]) for v in __import__("re").findall(r"GLIBC_(\d+\.\d+)", dump)})
        major, minor = floors[-1]
        assert f"Tag: py3-none-manylinux_{major}_{minor}_x86_64" in wheel or "aarch64" in wheel


def test_minvers_versions_become_pep_440_versions() -> None:
    # Between tags MinVer stamps a SemVer pre-release; pip would refuse it as a wheel's version.
    assert build_wheel._pep440("0.1.0-alpha.0.158") == "0.1.0a0.dev158"
    assert build_wheel._pep440("1.2.0-rc.2") == "1.2.0rc2"
    assert build_wheel._pep440("1.2.0-rc.2.5") == "1.2.0rc2.post5"  # after the rc2 tag, not before it
    assert build_wheel._pep440("v0.2.0") == "0.2.0"
    with pytest.raises(SystemExit):
        build_wheel._pep440("0.1.0-foo.1")


def test_the_pep517_backend_builds_a_pure_wheel(tmp_path) -> None:
    name = build_wheel.build_wheel(str(tmp_path))
    assert name == f"rein_guard-{build_wheel.source_version()}-py3-none-any.whl"
    files = check_record(os.path.join(str(tmp_path), name))
    assert not any(".data/scripts/" in n for n in files)
    assert build_wheel.build_sdist(str(tmp_path)).endswith(".tar.gz")


@pytest.mark.skipif(WHEEL_MODE, reason="once is enough")
def test_a_source_install_falls_back_to_rein_on_path_with_a_clear_error(tmp_path) -> None:
    venv = str(tmp_path / "venv")
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    py = os.path.join(venv, "bin", "python")
    subprocess.run(
        [py, "-m", "pip", "install", "-q", "--no-index", PYTHON_DIR], check=True, capture_output=True,
    )
    env = {"PATH": str(tmp_path), "HOME": str(tmp_path)}
    code = "import rein\ntry:\n    print(rein.binary())\nexcept rein.BinaryNotFound as e:\n    print('ERR', e)\n"
    out = subprocess.run([py, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.startswith("ERR rein: no `rein` executable found")
    os.symlink(BINARY, str(tmp_path / "rein"))
    out = subprocess.run([py, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.strip() == str(tmp_path / "rein")
