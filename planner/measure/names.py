"""Map the names tools give models and quants ('Qwen2.5-7B-Instruct-Q4_K_M.gguf',
'llama3:8b', 'qwen2 7B Q4_K - Medium') onto catalog ids, when they resolve unambiguously."""

from __future__ import annotations

import re
from pathlib import PurePath, PureWindowsPath
from typing import Protocol

from planner.errors import PlannerError

_QUANT_TAIL = re.compile(r"[-_.](?:UD-)?(?:I?Q\d[\w]*|F16|BF16|F32|MXFP4(?:_MOE)?)$", re.IGNORECASE)
_QUANT_IN_NAME = re.compile(r"(?:^|[-_.])((?:I?Q\d(?:_[A-Z0-9]+)*)|F16|BF16|MXFP4)(?=$|[-_.])", re.IGNORECASE)


class ModelCatalog(Protocol):
    def model(self, name: str) -> object: ...
    def quant(self, name: str) -> object: ...


def file_stem(path: str) -> str:
    name = PureWindowsPath(path).name if "\\" in path else PurePath(path).name
    name = re.sub(r"\.gguf$", "", name, flags=re.IGNORECASE)
    return re.sub(r"-\d{5}-of-\d{5}$", "", name)  # split GGUFs


def model_candidates(label: str) -> list[str]:
    """Names to try for a model label, most specific first."""
    stem = file_stem(label)
    without_quant = _QUANT_TAIL.sub("", stem)
    base, _, tag = without_quant.partition(":")
    candidates = [stem, without_quant]
    size = re.match(r"(\d+(?:\.\d+)?[bBmM])\b", tag)
    if size:  # an Ollama tag such as 13b or 8b-instruct-q4_0 names the size: never drop it
        candidates.append(f"{base}-{size.group(1)}")
    elif tag in ("", "latest"):
        candidates += [base, re.sub(r"[-_](Instruct|it|chat|Chat)(-\d+)?$", "", base)]
    return list(dict.fromkeys(c for c in candidates if c))


def resolve_model_id(catalog: ModelCatalog, *labels: str) -> str | None:
    for label in labels:
        for candidate in model_candidates(label):
            try:
                return str(getattr(catalog.model(candidate), "id"))  # noqa: B009
            except PlannerError:
                continue
    return None


def quant_from_label(label: str) -> str:
    """'Qwen2.5-7B-Instruct-Q4_K_M.gguf' -> 'Q4_K_M'; '' when the name carries none."""
    match = _QUANT_IN_NAME.search(file_stem(label))
    return match.group(1).upper() if match else ""


def resolve_quant(catalog: ModelCatalog, *labels: str) -> str:
    """The catalog's quant name for the first label that resolves, else the first non-empty label."""
    for label in labels:
        if not label:
            continue
        try:
            return str(getattr(catalog.quant(label), "name"))  # noqa: B009
        except PlannerError:
            continue
    return next((label for label in labels if label), "")
