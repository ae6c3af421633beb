"""A wheel built from the project is a working `planner` on its own (what `pipx install .` gives).

The project is copied without its compiled catalog, built into a wheel without build isolation
(no downloads), and installed into a fresh virtual environment that borrows only the
dependencies' site-packages; `planner` then runs from a folder outside the checkout.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "planner", "db", "resources")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", "catalog.sqlite", "catalog.sqlite.tmp")


def _run(args: list[str | Path], cwd: Path, env: dict[str, str] | None = None) -> str:
    done = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{args} failed ({done.returncode}):\n{done.stdout}\n{done.stderr}"
    return done.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    source = tmp_path_factory.mktemp("source")
    for name in SOURCES:
        path = ROOT / name
        if path.is_dir():
            shutil.copytree(path, source / name, ignore=IGNORE)
        else:
            shutil.copy2(path, source / name)
    out = tmp_path_factory.mktemp("dist")
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input"]
    _run([*pip, "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-w", out, source], cwd=source)
    (built,) = out.glob("llm_build_planner-*.whl")
    return built


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh venv with the wheel installed; dependencies come from the test venv's site-packages."""
    env_dir = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--no-input", "--python", python]
    _run([*pip, "install", "--no-deps", "--no-index", wheel], cwd=env_dir)
    purelib = Path(_run([python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=env_dir).strip())
    # Appended after the venv's own site-packages, and its .pth files are not run, so the test
    # venv's editable `planner` stays out of sight: only the installed wheel can answer.
    (purelib / "test-dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return env_dir


def _env(cwd: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANNER_")}
    env["PLANNER_USER_DATA"] = str(cwd / "userdata")
    return env


def _planner(installed: Path, *args: str, cwd: Path) -> str:
    return _run([installed / "bin" / "planner", *args], cwd=cwd, env=_env(cwd))


def test_the_wheel_carries_catalog_calibration_icons_and_migrations(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("catalog.sqlite", "calibration.json", "icons/llm-build-planner.svg", "icons/llm-build-planner.png"):
        assert f"planner/_resources/{name}" in names
    assert any(n.startswith("planner/_resources/migrations/") and n.endswith(".sql") for n in names)


def test_the_installed_planner_lists_the_catalog(installed: Path, tmp_path: Path) -> None:
    gpus = json.loads(_planner(installed, "catalog", "gpus", "--json", cwd=tmp_path))
    assert len(gpus) >= 120
    assert any(g["name"] == "NVIDIA GeForce RTX 3090" for g in gpus)


def test_the_installed_planner_estimates(installed: Path, tmp_path: Path) -> None:
    args = ("estimate", "--gpu", "RTX 3090", "--model", "Meta-Llama-3-8B", "--quant", "Q4_K_M", "--json")
    result = json.loads(_planner(installed, *args, cwd=tmp_path))
    assert result["build"] == "NVIDIA GeForce RTX 3090" and result["gpu_layers"] == result["total_layers"]
    assert result["decode_tok_s"] > 10 and result["measured"]


def test_the_installed_planner_reads_its_own_resources(installed: Path, tmp_path: Path) -> None:
    code = "from planner.resources import *; print(resources_dir()); print(migrations_dir())"
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANNER_")}
    resources, migrations = _run([installed / "bin" / "python", "-c", code], cwd=tmp_path, env=env).split()
    assert Path(resources).is_relative_to(installed) and Path(migrations).is_relative_to(installed)
    assert not Path(resources).is_relative_to(ROOT)


def test_the_installed_planner_says_rebuilding_needs_a_checkout(installed: Path, tmp_path: Path) -> None:
    args = [installed / "bin" / "planner", "catalog", "build", "--out", tmp_path / "catalog.sqlite"]
    done = subprocess.run(args, cwd=tmp_path, env=_env(tmp_path), capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert "source checkout" in done.stderr and "--db" in done.stderr
