"""Parse a GGUF header (metadata and tensor table) from its first bytes.

Used for files on a server: a range request fetches only the start of the file. The
result offers the two things `model_import` reads from a `gguf.GGUFReader`:
`get_field(key).contents()` and `tensors` with `name` and `n_elements`.
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from math import prod
from typing import Any

MAGIC = b"GGUF"
_SCALARS = {0: "<B", 1: "<b", 2: "<H", 3: "<h", 4: "<I", 5: "<i", 6: "<f", 7: "<?", 10: "<Q", 11: "<q", 12: "<d"}
STRING, ARRAY = 8, 9


class NeedMoreBytes(Exception):
    """The header runs past the bytes given; fetch more and parse again."""


class NotGguf(ValueError):
    pass


@dataclass(frozen=True)
class Field:
    value: Any

    def contents(self) -> Any:
        return self.value

    @property
    def data(self) -> Any:  # what model_import counts tokens with
        return self.value


@dataclass(frozen=True)
class TensorInfo:
    name: str
    shape: tuple[int, ...]
    ggml_type: int

    @property
    def n_elements(self) -> int:
        return prod(self.shape)


class _Cursor:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if self.pos + n > len(self.data):
            raise NeedMoreBytes(f"header needs more than {len(self.data):,} bytes")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def unpack(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]

    def string(self) -> str:
        return self.take(self.unpack("<Q")).decode("utf-8", errors="replace")

    def value(self, kind: int) -> Any:
        if kind in _SCALARS:
            return self.unpack(_SCALARS[kind])
        if kind == STRING:
            return self.string()
        if kind == ARRAY:
            item_kind, count = self.unpack("<I"), self.unpack("<Q")
            return [self.value(item_kind) for _ in range(count)]
        raise NotGguf(f"unknown GGUF value type {kind}")


@dataclass(frozen=True)
class GgufHeader:
    version: int
    fields: dict[str, Any]
    tensors: tuple[TensorInfo, ...]

    def get_field(self, key: str) -> Field | None:
        return Field(self.fields[key]) if key in self.fields else None


def parse_header(data: bytes) -> GgufHeader:
    """Raises NeedMoreBytes when `data` ends inside the header, NotGguf when it is not GGUF."""
    cur = _Cursor(data)
    if cur.take(4) != MAGIC:
        raise NotGguf("the file does not start with the GGUF magic")
    version = cur.unpack("<I")
    if version not in (2, 3):
        raise NotGguf(f"GGUF version {version} is not supported")
    n_tensors, n_kv = cur.unpack("<Q"), cur.unpack("<Q")
    fields = {}
    for _ in range(n_kv):
        key = cur.string()
        fields[key] = cur.value(cur.unpack("<I"))
    tensors = []
    for _ in range(n_tensors):
        name = cur.string()
        shape = tuple(cur.unpack("<Q") for _ in range(cur.unpack("<I")))
        ggml_type = cur.unpack("<I")
        cur.unpack("<Q")  # offset of the data, which is never read
        tensors.append(TensorInfo(name, shape, ggml_type))
    return GgufHeader(version, fields, tuple(tensors))
