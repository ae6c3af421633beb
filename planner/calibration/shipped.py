"""Load the fitted calibration (resources/calibration.json) written by scripts/calibrate.py."""

from __future__ import annotations

import json
from pathlib import Path

from planner.core.calibration import PRIORS, Calibration
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
