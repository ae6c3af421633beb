"""The Quick start's launcher explains missing X libraries instead of letting Qt abort."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CHECK = ROOT / "scripts" / "check_qt_libs.sh"

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="the X library check is Linux-only")


def run_check(
    tmp_path: Path, ldd_output: str, display: str | None, python: str = sys.executable
) -> subprocess.CompletedProcess[str]:
    """The check, run with the interpreter that runs these tests (it has PySide6) and a stand-in ldd."""
    fake = tmp_path / "bin"
    fake.mkdir()
    ldd = fake / "ldd"
    ldd.write_text(f"#!/bin/sh\nprintf '%s\\n' '{ldd_output}'\n")
    ldd.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    env["PATH"] = f"{fake}:{env['PATH']}"
    if display:
        env["DISPLAY"] = display
    return subprocess.run(["bash", str(CHECK), python], env=env, capture_output=True, text=True, check=False)


def test_missing_libraries_get_the_exact_install_line(tmp_path: Path) -> None:
    out = run_check(tmp_path, "\tlibxcb-cursor.so.0 => not found", display=":0")
    assert out.returncode == 1
    assert "sudo apt-get install -y libxcb-cursor0" in out.stderr


def test_no_display_is_explained(tmp_path: Path) -> None:
    out = run_check(tmp_path, "\tlibxcb.so.1 => /usr/lib/libxcb.so.1", display=None)
    assert out.returncode == 1
    assert "No display found" in out.stderr and "--self-test" in out.stderr


def test_all_present_with_a_display_passes(tmp_path: Path) -> None:
    out = run_check(tmp_path, "\tlibxcb.so.1 => /usr/lib/libxcb.so.1", display=":0")
    assert out.returncode == 0, out.stderr


def test_a_missing_interpreter_fails_loudly(tmp_path: Path) -> None:
    out = run_check(tmp_path, "\tlibxcb.so.1 => /usr/lib/libxcb.so.1", display=":0", python=str(tmp_path / "nope"))
    assert out.returncode == 1
    assert "nope was not found" in out.stderr


def test_an_interpreter_without_qt_fails_loudly(tmp_path: Path) -> None:
    bare = tmp_path / "bare-python"
    bare.write_text("#!/bin/sh\necho \"ModuleNotFoundError: No module named 'PySide6'\" >&2\nexit 1\n")
    bare.chmod(0o755)
    out = run_check(tmp_path, "\tlibxcb.so.1 => /usr/lib/libxcb.so.1", display=":0", python=str(bare))
    assert out.returncode == 1
    assert "cannot import PySide6" in out.stderr and "No module named 'PySide6'" in out.stderr
