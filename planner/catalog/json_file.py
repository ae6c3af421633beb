"""Read a user-supplied JSON file that must hold one object, with messages that say what is wrong."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from planner.errors import InputError


def read_json_object(path: Path, what: str, expected: str) -> dict[str, Any]:
    """The object in `path`; `what` names the file in messages ("build file"), `expected`
    says what the object should be ("describing a build")."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise InputError(f"{what} {path} does not exist") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {what} {path}: {exc}") from exc
    except RecursionError as exc:
        raise InputError(f"{what} {path} is nested too deeply to be a {what}") from exc
    except json.JSONDecodeError as exc:
        raise InputError(f"{what} {path} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from exc
    if not isinstance(data, dict):
        raise InputError(f"{what} {path} must hold one JSON object {expected}")
    return data
