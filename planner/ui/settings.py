"""One typed wrapper over QSettings, with a defaults table. An unknown key raises.

Every value read back is checked against `VALID` (the ranges the Preferences dialog
offers). A value that is out of range, of the wrong type or unreadable falls back to its
default and is listed in `problems`, so a hand-edited or damaged settings file never
stops the app; the window names the file in a notice.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QSettings

from planner.core.workload import DEFAULT_CONTEXT

DEFAULTS: dict[str, Any] = {
    "currency": "USD",
    "usd_exchange_rate": 1.0,
    "electricity_usd_per_kwh": 0.17,
    "hours_per_day": 8.0,
    "amortization_years": 3.0,
    "default_quant": "Q4_K_M",
    "default_context": DEFAULT_CONTEXT,
    "default_kv_cache": "f16",
    "default_prompt": 512,
    "telemetry_hz": 2,
    "unified_gpu_share": 0.0,  # 0 = the OS default (macOS: 2/3 up to 32 GB, 3/4 above)
    "last_build_spec": "",  # JSON of the current build, restored at the next start
    "last_saved_build": "",
    "last_model": "llama-3.1-8b",
    "window_geometry": b"",
    "window_state": b"",
    "last_tab": 0,
    "adjust_to_measurements": True,  # This PC's speeds follow its own measurements
    "llama_bench_folder": "",
}


def _between(low: float, high: float) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, int | float) and math.isfinite(v) and low <= v <= high


def _text(limit: int) -> Callable[[Any], bool]:
    return lambda v: isinstance(v, str) and 0 < len(v) <= limit


VALID: dict[str, Callable[[Any], bool]] = {
    "currency": _text(8),
    "usd_exchange_rate": _between(0.0001, 100_000),
    "electricity_usd_per_kwh": _between(0, 10),
    "hours_per_day": _between(0.5, 24),
    "amortization_years": _between(0.25, 20),
    "default_quant": _text(40),
    "default_context": _between(512, 1_048_576),
    "default_kv_cache": lambda v: v in ("f16", "q8_0", "q4_0"),
    "default_prompt": _between(1, 1_048_576),
    "telemetry_hz": _between(1, 4),
    "unified_gpu_share": lambda v: v == 0 or _between(0.1, 1.0)(v),
    "last_build_spec": lambda v: isinstance(v, str) and len(v) <= 1_000_000,
    "last_model": _text(200),
    "last_tab": _between(0, 100),
}


class Settings:
    """Typed access to the app's settings; values come back in their default's type.

    `problems` maps each key whose stored value was unusable to that value (shown, cut short).
    """

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._q = qsettings or QSettings("LLM Build Planner", "planner")
        self.problems: dict[str, str] = {}
        if self._q.status() != QSettings.Status.NoError:
            self.problems["(file)"] = "the file could not be read"

    @property
    def file_name(self) -> str:
        return self._q.fileName()

    def get(self, key: str) -> Any:
        default = DEFAULTS[key]  # KeyError for unknown keys, by design
        try:
            value = self._q.value(key, default)
        except Exception:
            return self._fallback(key, "unreadable")
        if value is None:
            return default
        if isinstance(default, bool):
            return value in (True, "true", "1", 1)
        if isinstance(default, bytes):
            return value if isinstance(value, bytes) else self._to_bytes(key, value)
        try:
            typed = type(default)(value)
        except (TypeError, ValueError, OverflowError):
            return self._fallback(key, value)
        if isinstance(default, int) and isinstance(value, str) and str(typed) != value.strip():
            return self._fallback(key, value)  # "8192.5" or "1e9" is not a whole number
        if key in VALID and not VALID[key](typed):
            return self._fallback(key, value)
        return typed

    def _to_bytes(self, key: str, value: Any) -> Any:
        try:
            return bytes(value)
        except (TypeError, ValueError):
            return self._fallback(key, value)

    def _fallback(self, key: str, value: Any) -> Any:
        shown = repr(value)
        self.problems[key] = shown if len(shown) <= 40 else shown[:37] + "..."
        return DEFAULTS[key]

    def notice(self) -> str | None:
        """One sentence for the user when some stored value was unusable, naming the file."""
        if not self.problems:
            return None
        keys = ", ".join(f"{k} = {v}" if k != "(file)" else v for k, v in sorted(self.problems.items()))
        return f"Some settings in {self.file_name} could not be used ({keys}); their defaults are used instead."

    def set(self, key: str, value: Any) -> None:
        if key not in DEFAULTS:
            raise KeyError(key)
        self._q.setValue(key, value)
        self.problems.pop(key, None)

    def sync(self) -> None:
        self._q.sync()
