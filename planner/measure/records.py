"""Plain records of what was measured: one `PcMeasurement` per result (pp512, tg128 @ d4096)."""

from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass, field
from typing import Any

THIS_PC = "this PC"
COMMUNITY = "community"


def test_name(n_prompt: int, n_gen: int, n_depth: int = 0) -> str:
    """measurements.csv's test names: pp512, tg128, tg64@d4096."""
    base = f"tg{n_gen}" if n_gen else f"pp{n_prompt}"
    return f"{base}@d{n_depth}" if n_depth else base


def is_generation(test: str) -> bool:
    return test.startswith(("tg", "gen"))


@dataclass(frozen=True)
class PcMeasurement:
    """One measured speed with everything needed to reproduce or compare it.

    `settings` holds the runtime settings as the tool reported them (n_gpu_layers,
    flash_attn, type_k, type_v, n_cpu_moe, n_batch, n_ubatch, n_threads, ...).
    """

    tool: str
    model_label: str
    test: str
    tokens_per_s: float
    measured_at: str
    model_id: str | None = None
    quant: str = ""
    stddev_tokens_per_s: float | None = None
    n_prompt: int = 0
    n_gen: int = 0
    n_depth: int = 0
    backend: str = ""
    device: str = ""
    hardware: str = ""
    n_gpus: int = 0
    params_b: float | None = None
    model_size_gib: float | None = None
    settings: dict[str, Any] = field(default_factory=dict)
    llama_build: str = ""
    source_url: str = ""
    origin: str = THIS_PC
    run_id: str = ""

    @property
    def generation(self) -> bool:
        return is_generation(self.test)

    def settings_text(self) -> str:
        """The settings a reader needs, in llama-bench's flag spelling."""
        s = self.settings
        flags = {
            "ngl": s.get("n_gpu_layers"), "fa": s.get("flash_attn"), "ctk": s.get("type_k"),
            "ctv": s.get("type_v"), "n-cpu-moe": s.get("n_cpu_moe"), "t": s.get("n_threads"),
        }  # fmt: skip
        shown = {k: int(v) if isinstance(v, bool) else v for k, v in flags.items() if v not in (None, "")}
        return " ".join(f"-{k} {v}" for k, v in shown.items())

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def to_row(self) -> dict[str, Any]:
        row = {k: v for k, v in self.to_dict().items() if k != "settings"}
        row["settings_json"] = json.dumps(self.settings, sort_keys=True)
        return row

    @classmethod
    def from_row(cls, row: dict[str, Any]) -> PcMeasurement:
        names = {f.name for f in dataclasses.fields(cls)}
        values = {k: v for k, v in row.items() if k in names}
        values["settings"] = json.loads(row.get("settings_json") or "{}")
        return cls(**values)
