"""Sane bounds for a model's shape, checked before an imported config.json or GGUF becomes a row.

The largest published models have ~130 layers, 64 K hidden size, 256 experts and 1 M
tokens of context; the bounds leave an order of magnitude of room above those. Values a
file leaves out (None) take their defaults later; a value that is present must be a
whole number within its bounds, so `head_dim: 0`, negative KV heads, 10^12 layers or
more active experts than experts are refused with the field's name.
"""

from __future__ import annotations

import math
from typing import Any

from planner.errors import InputError

# field: (lowest allowed when present, highest)
BOUNDS: dict[str, tuple[int, int]] = {
    "n_layers": (1, 2048),
    "hidden_size": (1, 1_048_576),
    "intermediate_size": (0, 4_194_304),
    "n_heads": (1, 16_384),
    "n_kv_heads": (1, 16_384),
    "head_dim": (1, 65_536),
    "vocab_size": (1, 16_777_216),
    "max_context": (0, 1_073_741_824),
    "n_experts": (0, 65_536),
    "n_experts_active": (0, 65_536),
    "n_shared_experts": (0, 65_536),
    "moe_intermediate_size": (0, 4_194_304),
    "n_dense_layers": (0, 2048),
    "sliding_window": (0, 1_073_741_824),
    "n_swa_layers": (0, 2048),
    "kv_lora_rank": (0, 1_048_576),
    "q_lora_rank": (0, 1_048_576),
    "qk_rope_head_dim": (0, 65_536),
    "qk_nope_head_dim": (0, 65_536),
    "v_head_dim": (0, 65_536),
}


def whole(value: Any, field: str, source: str) -> int:
    """A count read from a file: absent is 0; otherwise a finite whole number, or `InputError`."""
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or value != int(value):
        raise InputError(f"{source}: {field} must be a whole number; got {_show(value)}")
    return int(value)


def check_shape(fields: dict[str, Any], source: str) -> None:
    """Raise `InputError` naming the first field out of bounds or inconsistent with the others."""
    for key, (low, high) in BOUNDS.items():
        value = fields.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
            raise InputError(f"{source}: {key} must be a whole number; got {_show(value)}")
        if value != int(value) or not low <= value <= high:
            raise InputError(f"{source}: {key} must be a whole number from {low} to {high:,}; got {_show(value)}")
    layers = int(fields.get("n_layers") or 0)
    experts = int(fields.get("n_experts") or 0)
    if int(fields.get("n_experts_active") or 0) > experts:
        raise InputError(f"{source}: n_experts_active ({fields['n_experts_active']}) exceeds n_experts ({experts})")
    heads = int(fields.get("n_heads") or 0)
    if heads and int(fields.get("n_kv_heads") or 0) > heads:
        raise InputError(f"{source}: n_kv_heads ({fields['n_kv_heads']}) exceeds n_heads ({heads})")
    for key in ("n_dense_layers", "n_swa_layers"):
        if layers and int(fields.get(key) or 0) > layers:
            raise InputError(f"{source}: {key} ({fields[key]}) exceeds n_layers ({layers})")


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
