"""One cell or a grid of cells: the few operations whose numpy spelling is slow on one cell.

The model (planner.core.memory, placement, speed) is written once over `Cells`: numpy
float64 scalars when `estimate()` asks about one cell, numpy arrays shaped (model, quant,
context) when the sweep asks about thousands. Arithmetic is the same IEEE float64 either
way; only branching differs, and it goes through these helpers, so a scalar estimate
costs microseconds instead of the ~1 us per numpy call an array of one would.
"""

from __future__ import annotations

from typing import Any

import numpy as np

Cells = Any  # np.float64 / np.int64 / np.bool_ for one cell, or an ndarray of them for a grid
MAX_ROOM = 2**40  # far above any layer count; keeps the int64 cast defined when a layer weighs ~0


def is_grid(value: Cells) -> bool:
    return isinstance(value, np.ndarray)


def where(condition: Cells, if_true: Cells, if_false: Cells) -> Cells:
    if is_grid(condition):
        return np.where(condition, if_true, if_false)
    return if_true if condition else if_false


def maximum(a: Cells, b: Cells) -> Cells:
    return np.maximum(a, b) if is_grid(a) or is_grid(b) else (a if a >= b else b)


def minimum(a: Cells, b: Cells) -> Cells:
    return np.minimum(a, b) if is_grid(a) or is_grid(b) else (a if a <= b else b)


def whole_layers(spare_bytes: Cells, per_layer_bytes: Cells) -> Cells:
    """How many layers of `per_layer_bytes` fit in `spare_bytes` (never below 0)."""
    count = spare_bytes // per_layer_bytes
    if is_grid(count):
        return np.minimum(np.maximum(count, 0.0), MAX_ROOM).astype(np.int64)
    return int(min(max(count, 0.0), MAX_ROOM))


def zeros(like: Cells, dtype: type = np.int64) -> Cells:
    """Zero in the shape of `like`: one number, or an array."""
    return np.zeros(like.shape, dtype=dtype) if is_grid(like) else dtype(0)


def count_true(flags: list[Cells], like: Cells) -> Cells:
    """How many of `flags` hold, cell by cell."""
    return sum((f.astype(np.int64) if is_grid(f) else np.int64(bool(f)) for f in flags), zeros(like))


def total(values: list[Cells], like: Cells, dtype: type = np.float64) -> Cells:
    return sum(values, zeros(like, dtype))
