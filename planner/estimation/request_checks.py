"""Field checks of one estimate request (command-line flags or one `--batch` line).

Types and ranges only, so a hostile line (`{"gpu": 123}`, `{"gpus": 1e9}`) is answered
with an error naming the field instead of a traceback or minutes of work. The build
inside a request is checked by `planner.catalog.build_validation`.
"""

from __future__ import annotations

from typing import Any

from planner.catalog.build_validation import (
    MAX_GPUS_PER_ROW,
    MAX_MEMORY_GB,
    MAX_NAME_CHARS,
    MAX_TOKENS,
    check_depth,
    validate_number,
    validate_text,
    validate_whole,
)
from planner.errors import InputError

TEXT_KEYS = ("gpu", "preset", "cpu", "model", "quant", "kv_cache", "backend", "split")
TOKEN_KEYS = {"context": 1, "prompt": 1, "depth": 0}
MAX_PATH_CHARS = 4096


def validate_request(request: dict[str, Any]) -> dict[str, Any]:
    """`request` if each field has a usable type and range; otherwise `InputError` naming it."""
    check_depth(request, "the request")
    for key in TEXT_KEYS:
        if request.get(key) is not None:
            validate_text(request[key], _flag(key), MAX_NAME_CHARS)
    if request.get("gpus") is not None:
        validate_whole(request["gpus"], "--gpus", 1, MAX_GPUS_PER_ROW)
    for key in ("ram_gb", "memory_gb"):
        if request.get(key) is not None:
            validate_number(request[key], _flag(key), 0.0, MAX_MEMORY_GB, low_open=True)
    for key, low in TOKEN_KEYS.items():
        if request.get(key) is not None:
            validate_whole(request[key], _flag(key), low, MAX_TOKENS)
    if request.get("gpu_memory_fraction") is not None:
        validate_number(request["gpu_memory_fraction"], "--gpu-memory-fraction", 0.1, 1.0)
    build = request.get("build")
    if build is not None and not isinstance(build, dict):
        validate_text(build, "--build", MAX_PATH_CHARS)
    if build is not None and not isinstance(build, str | dict):
        raise InputError("--build must be a file name or a build object")
    return request


def _flag(key: str) -> str:
    return "--" + key.replace("_", "-")
