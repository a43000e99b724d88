#!/usr/bin/env python3
"""Builds the rein-guard wheels with the standard library only.

One command builds this platform's wheel, carrying the NativeAOT binary::

    python3 python/build_wheel.py --binary out/rein --out out/

The binary goes into ``rein_guard-VERSION.data/scripts/``, so pip puts
``rein`` in the environment's ``bin/`` (on PATH in an active venv), as ruff
and uv ship theirs; a ``libe_sqlite3.so``/``.dylib`` beside the binary (a build
without a static SQLite; on Linux build.sh links it in) is carried next to it. The platform tag comes
from the binary itself: on Linux ``manylinux_2_X_<arch>`` where 2.X is the
newest GLIBC symbol version it (or the library beside it) needs; on macOS
``macosx_11_0_arm64`` (unverified here). The version is ``rein --version``'s
unless ``--version`` is given (a release tag).

The same file is the package's PEP 517 build backend (pyproject.toml), so
``pip install ./python`` works offline with nothing to download: that builds
a pure wheel without a binary, whose API then calls ``rein`` from PATH.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import io
import os
import re
import stat
import subprocess
import sys
import zipfile
from typing import Dict, List, Optional, Tuple

HERE = os.path.dirname(os.path.abspath(__file__))
NAME = "rein-guard"
DIST = "rein_guard"
SUMMARY = "Guard heavy ML and agent workloads: the rein binary and a typed, dependency-free Python API"
REQUIRES_PYTHON = ">=3.9"
# Reproducible archives: every entry gets this timestamp (zip cannot store earlier than 1980).
EPOCH = (1980, 1, 1, 0, 0, 0)


_SEMVER_PRE = {"alpha": "a", "beta": "b", "rc": "rc"}


def _pep440(version: str) -> str:
    """The wheel's version for rein's: PEP 440 as it is, or MinVer's SemVer
    pre-release turned into PEP 440 (``0.2.1-alpha.0.4`` -> ``0.2.1a0.dev4``,
    ``1.0.0-rc.2`` -> ``1.0.0rc2``), so a build between tags still packs."""
    v = version.strip().lstrip("vV")
    m = re.fullmatch(r"(\d+\.\d+\.\d+)-(alpha|beta|rc)\.(\d+)(?:\.(\d+))?", v)
    if m:
        base, pre, n, height = m.groups()
        v = f"{base}{_SEMVER_PRE[pre]}{int(n)}"
        if height:
            # MinVer's own pre-release (alpha.0) after a release tag: a development release before the next one;
            # after a pre-release tag (rc.1): commits on it, which sort after it.
            v += f".dev{int(height)}" if (pre, int(n)) == ("alpha", 0) else f".post{int(height)}"
    if not re.fullmatch(r"\d+(\.\d+)*([abc]|rc)?\d*(\.post\d+)?(\.dev\d+)?(\+[a-zA-Z0-9.]+)?", v):
        raise SystemExit(f"build_wheel.py: '{version}' is not a version (e.g. 0.1.0 or v0.2.0)")
    return v


def source_version() -> str:
    """``__version__`` from the package source."""
    with open(os.path.join(HERE, "src", "rein", "__init__.py"), encoding="utf-8") as f:
        m = re.search(r'^__version__ = "([^"]+)"', f.read(), re.MULTILINE)
    if not m:
        raise SystemExit("build_wheel.py: no __version__ in src/rein/__init__.py")
    return m.group(1)


def binary_version(binary: str) -> str:
    """The version ``rein --version`` prints (``rein 0.1.0``)."""
    out = subprocess.run([binary, "--version"], capture_output=True, text=True, check=False).stdout
    m = re.search(r"(\d+\.\d+[\w.+-]*)", out)
    if not m:
        raise SystemExit(f"build_wheel.py: `{binary} --version` printed no version ({out.strip()!r})")
    return m.group(1)


_ELF_MACHINES = {0x3E: "x86_64", 0xB7: "aarch64"}


def glibc_floor(paths: List[str]) -> Optional[Tuple[int, int]]:
    """The newest ``GLIBC_2.X`` symbol version any of the ELF files needs (what
    ``objdump -T FILE | grep GLIBC_`` lists), or ``None`` when none does."""
    best: Optional[Tuple[int, int]] = None
    for path in paths:
        with open(path, "rb") as f:
            data = f.read()
        for m in re.finditer(rb"GLIBC_(\d+)\.(\d+)(?:\.\d+)?\x00", data):
            v = (int(m.group(1)), int(m.group(2)))
            best = v if best is None or v > best else best
    return best


def platform_tag(binary: str, extras: List[str]) -> str:
    """The wheel platform tag the binary really needs."""
    with open(binary, "rb") as f:
        head = f.read(64)
    if head[:4] == b"\x7fELF":
        machine = int.from_bytes(head[18:20], "little")
        arch = _ELF_MACHINES.get(machine)
        if arch is None:
            raise SystemExit(f"build_wheel.py: {binary}: unknown ELF machine {machine:#x}")
        floor = glibc_floor([binary, *extras])
        if floor is None:
            raise SystemExit(f"build_wheel.py: {binary} names no GLIBC symbol version (a static or musl build?)")
        return f"manylinux_{floor[0]}_{floor[1]}_{arch}"
    if head[:4] in (b"\xcf\xfa\xed\xfe", b"\xca\xfe\xba\xbe"):
        cputype = int.from_bytes(head[4:8], "little")
        arch = "arm64" if cputype == 0x0100000C else "x86_64"
        return f"macosx_11_0_{arch}"
    raise SystemExit(f"build_wheel.py: {binary} is neither ELF nor Mach-O")


def metadata(version: str) -> str:
    readme = ""
    path = os.path.join(HERE, "README.md")
    if os.path.exists(path):
        with open(path, encoding="utf-8") as f:
            readme = f.read()
    return (
        "Metadata-Version: 2.1\n"
        f"Name: {NAME}\n"
        f"Version: {version}\n"
        f"Summary: {SUMMARY}\n"
        "License: MIT\n"
        f"Requires-Python: {REQUIRES_PYTHON}\n"
        "Classifier: Programming Language :: Python :: 3\n"
        "Classifier: Operating System :: POSIX :: Linux\n"
        "Classifier: Operating System :: MacOS\n"
        "Classifier: Typing :: Typed\n"
        "Description-Content-Type: text/markdown\n"
        "\n" + readme
    )


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def _package_files(version: str) -> Dict[str, bytes]:
    files: Dict[str, bytes] = {}
    root = os.path.join(HERE, "src", "rein")
    for name in sorted(os.listdir(root)):
        if not (name.endswith(".py") or name == "py.typed"):
            continue
        with open(os.path.join(root, name), "rb") as f:
            data = f.read()
        if name == "__init__.py":
            data = re.sub(rb'(?m)^__version__ = "[^"]+"', f'__version__ = "{version}"'.encode(), data)
        files[f"rein/{name}"] = data
    return files


def write_wheel(out_dir: str, version: str, tag: str, scripts: Dict[str, str]) -> str:
    """Writes the wheel and returns its path. ``scripts`` maps a name in the
    scripts folder to a file to carry (the binary and its library)."""
    os.makedirs(out_dir, exist_ok=True)
    pure = tag == "py3-none-any"
    info = f"{DIST}-{version}.dist-info"
    entries: List[Tuple[str, bytes, int]] = []
    for name, data in _package_files(version).items():
        entries.append((name, data, 0o644))
    for name, path in sorted(scripts.items()):
        with open(path, "rb") as f:
            entries.append((f"{DIST}-{version}.data/scripts/{name}", f.read(), 0o755))
    entries.append((f"{info}/METADATA", metadata(version).encode(), 0o644))
    wheel = (
        "Wheel-Version: 1.0\n"
        "Generator: rein build_wheel.py\n"
        f"Root-Is-Purelib: {'true' if pure else 'false'}\n"
        f"Tag: {tag}\n"
    )
    entries.append((f"{info}/WHEEL", wheel.encode(), 0o644))
    entries.append((f"{info}/top_level.txt", b"rein\n", 0o644))
    record = "".join(_record_line(n, d) + "\n" for n, d, _ in entries) + f"{info}/RECORD,,\n"
    entries.append((f"{info}/RECORD", record.encode(), 0o644))
    path = os.path.join(out_dir, f"{DIST}-{version}-{tag}.whl")
    tmp = path + ".tmp"
    with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for name, data, mode in entries:
            zi = zipfile.ZipInfo(name, date_time=EPOCH)
            zi.external_attr = (stat.S_IFREG | mode) << 16
            zi.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(zi, data)
    os.replace(tmp, path)
    return path


def build_platform_wheel(binary: str, out_dir: str, version: Optional[str] = None, tag: Optional[str] = None) -> str:
    """This platform's wheel, carrying ``binary`` (and a SQLite library beside it)."""
    if not os.access(binary, os.X_OK):
        raise SystemExit(f"build_wheel.py: {binary}: no executable there (run ./build.sh first)")
    folder = os.path.dirname(os.path.abspath(binary))
    scripts = {"rein": binary}
    for lib in ("libe_sqlite3.so", "libe_sqlite3.dylib"):
        if os.path.exists(os.path.join(folder, lib)):
            scripts[lib] = os.path.join(folder, lib)
    v = _pep440(version or binary_version(binary))
    extras = [p for n, p in scripts.items() if n != "rein"]
    return write_wheel(out_dir, v, f"py3-none-{tag or platform_tag(binary, extras)}", scripts)


# --- PEP 517 backend: `pip install ./python` (no binary: the API calls rein on PATH) ---------


def get_requires_for_build_wheel(config_settings: Optional[dict] = None) -> List[str]:
    return []


def get_requires_for_build_sdist(config_settings: Optional[dict] = None) -> List[str]:
    return []


def build_wheel(
    wheel_directory: str, config_settings: Optional[dict] = None, metadata_directory: Optional[str] = None
) -> str:
    return os.path.basename(write_wheel(wheel_directory, _pep440(source_version()), "py3-none-any", {}))


def build_sdist(sdist_directory: str, config_settings: Optional[dict] = None) -> str:
    import tarfile

    version = _pep440(source_version())
    base = f"{DIST}-{version}"
    path = os.path.join(sdist_directory, base + ".tar.gz")
    with tarfile.open(path, "w:gz") as tar:
        for rel in ["pyproject.toml", "build_wheel.py", "README.md"] + [
            os.path.join("src", "rein", n) for n in sorted(os.listdir(os.path.join(HERE, "src", "rein")))
            if n.endswith(".py") or n == "py.typed"
        ]:
            tar.add(os.path.join(HERE, rel), arcname=f"{base}/{rel}")
        pkg_info = metadata(version).encode()
        ti = tarfile.TarInfo(f"{base}/PKG-INFO")
        ti.size = len(pkg_info)
        tar.addfile(ti, io.BytesIO(pkg_info))
    return os.path.basename(path)


def main(argv: Optional[List[str]] = None) -> int:
    parser = argparse.ArgumentParser(
        description="Build the rein-guard wheel for this platform, carrying the rein binary.",
        epilog="Example: python3 python/build_wheel.py --binary out/rein --out out/",
    )
    parser.add_argument("--binary", help="the NativeAOT rein binary to carry (omit for a pure wheel without one)")
    parser.add_argument("--out", default="out", help="where the wheel goes (default: out)")
    parser.add_argument("--version", help="the wheel's version (default: what `rein --version` prints)")
    parser.add_argument("--platform-tag", help="override the platform tag (default: read from the binary)")
    args = parser.parse_args(argv)
    if args.binary:
        path = build_platform_wheel(args.binary, args.out, args.version, args.platform_tag)
    else:
        path = write_wheel(args.out, _pep440(args.version or source_version()), "py3-none-any", {})
    print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
