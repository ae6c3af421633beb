"""Load the fitted calibration (resources/calibration.json) written by scripts/calibrate.py."""

from __future__ import annotations

import json
from pathlib import Path

from planner.core.calibration import PRIORS, Calibration
from planner.core.serving_calibration import SERVING_PRIOR_CALIBRATION, ServingCalibration
from planner.errors import CatalogError


def load_calibration(path: Path) -> Calibration:
    if not path.exists():
        return PRIORS
    try:
        return Calibration.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, TypeError, ValueError) as exc:
        raise CatalogError(
            f"calibration file {path} is corrupt ({exc}); regenerate it with scripts/calibrate.py"
        ) from exc


def load_serving_calibration(path: Path) -> ServingCalibration:
    """The serving engines' fitted efficiencies (resources/serving_calibration.json)."""
    if not path.exists():
        return SERVING_PRIOR_CALIBRATION
    try:
        return ServingCalibration.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except (json.JSONDecodeError, TypeError, ValueError) as exc:
        raise CatalogError(
            f"serving calibration file {path} is corrupt ({exc}); regenerate it with scripts/calibrate_serving.py"
        ) from exc
