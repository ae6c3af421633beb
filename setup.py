"""Wheel builds carry what the app reads at run time, inside the package (planner/_resources):
the catalog compiled from db/, resources/calibration.json, resources/icons/ and the user
database's migrations. `pipx install .` then gives a working `planner`.

Editable installs (./run.sh, ./test.sh) skip this and read resources/ and db/ in the checkout.
All metadata lives in pyproject.toml; this file only extends `build_py`.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = ("calibration.json", "serving_calibration.json", "icons")


class BuildPyWithResources(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        target = Path(self.build_lib) / "planner" / "_resources"
        shutil.rmtree(target, ignore_errors=True)
        target.mkdir(parents=True)
        for name in SHIPPED:
            source = ROOT / "resources" / name
            if source.is_dir():
                shutil.copytree(source, target / name)
            else:
                shutil.copy2(source, target / name)
        shutil.copytree(ROOT / "db" / "migrations", target / "migrations")
        sys.path.insert(0, str(ROOT))  # compile with this checkout's compiler, not an installed one
        from planner.catalog.build import build_catalog

        build_catalog(ROOT / "db", target / "catalog.sqlite")


setup(cmdclass={"build_py": BuildPyWithResources})
