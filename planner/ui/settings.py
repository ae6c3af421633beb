"""One typed wrapper over QSettings, with a defaults table. An unknown key raises."""

from __future__ import annotations

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


class Settings:
    """Typed access to the app's settings; values come back in their default's type."""

    def __init__(self, qsettings: QSettings | None = None) -> None:
        self._q = qsettings or QSettings("LLM Build Planner", "planner")

    def get(self, key: str) -> Any:
        default = DEFAULTS[key]  # KeyError for unknown keys, by design
        value = self._q.value(key, default)
        if value is None:
            return default
        if isinstance(default, bool):
            return value in (True, "true", "1", 1)
        if isinstance(default, bytes):
            return value if isinstance(value, bytes) else bytes(value)  # type: ignore[call-overload]
        try:
            return type(default)(value)
        except (TypeError, ValueError):
            return default

    def set(self, key: str, value: Any) -> None:
        if key not in DEFAULTS:
            raise KeyError(key)
        self._q.setValue(key, value)

    def sync(self) -> None:
        self._q.sync()
