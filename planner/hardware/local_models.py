"""The GGUF models already on this PC: Ollama's store, LM Studio, the Hugging Face cache,
llama.cpp's cache and folders the user names.

Only metadata is read (`GGUFReader` memory-maps the file and parses the header and the
tensor table), never the weights. A damaged or partial file becomes a record with an
`error` and the scan goes on.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import gguf

from planner.hardware.probe import GIB

SOURCES = ("ollama", "lmstudio", "hf-cache", "llama.cpp", "folder")
OLLAMA_MODEL_LAYER = "application/vnd.ollama.image.model"
_SPLIT = re.compile(r"-(\d{5})-of-(\d{5})\.gguf$", re.IGNORECASE)

Progress = Callable[[int, str], None]


@dataclass(frozen=True)
class LocalModel:
    """One model file found on disk; `error` is set when the file cannot be read."""

    path: str
    source: str
    name: str
    size_gib: float
    size_bytes: int = 0
    architecture: str = ""
    quant: str = ""
    context: int = 0
    params_b: float = 0.0
    tag: str = ""
    error: str = ""

    @property
    def readable(self) -> bool:
        return not self.error

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Candidate:
    path: Path
    source: str
    tag: str = ""


# ---- where each tool keeps its models ------------------------------------------------
def ollama_root(env: Mapping[str, str], home: Path) -> Path:
    return Path(env["OLLAMA_MODELS"]) if env.get("OLLAMA_MODELS") else home / ".ollama" / "models"


def lmstudio_roots(home: Path) -> list[Path]:
    return [home / ".lmstudio" / "models", home / ".cache" / "lm-studio" / "models"]


def hf_cache_root(env: Mapping[str, str], home: Path) -> Path:
    if env.get("HF_HUB_CACHE"):
        return Path(env["HF_HUB_CACHE"])
    hf_home = Path(env["HF_HOME"]) if env.get("HF_HOME") else home / ".cache" / "huggingface"
    return hf_home / "hub"


def llama_cache_root(env: Mapping[str, str], home: Path) -> Path:
    if env.get("LLAMA_CACHE"):
        return Path(env["LLAMA_CACHE"])
    if sys.platform == "darwin":
        return home / "Library" / "Caches" / "llama.cpp"
    if sys.platform == "win32" and env.get("LOCALAPPDATA"):
        return Path(env["LOCALAPPDATA"]) / "llama.cpp"
    return home / ".cache" / "llama.cpp"


def _ggufs(root: Path) -> Iterator[Path]:
    if root.is_dir():
        yield from sorted(p for p in root.rglob("*") if p.suffix.lower() == ".gguf" and p.is_file())


def _ollama_tag(manifest: Path, manifests: Path) -> str:
    parts = manifest.relative_to(manifests).parts  # host / namespace / model / tag
    host, *repo, tag = parts
    name = "/".join(repo[1:] if repo and repo[0] == "library" else repo)
    return f"{name}:{tag}" if host == "registry.ollama.ai" else f"{host}/{'/'.join(repo)}:{tag}"


def ollama_candidates(root: Path) -> Iterator[Candidate]:
    manifests = root / "manifests"
    if not manifests.is_dir():
        return
    for manifest in sorted(p for p in manifests.rglob("*") if p.is_file()):
        try:
            layers = json.loads(manifest.read_text(encoding="utf-8")).get("layers", [])
        except (OSError, ValueError, AttributeError):
            continue  # not a manifest (Ollama keeps other files here too)
        for layer in layers if isinstance(layers, list) else []:
            if isinstance(layer, dict) and layer.get("mediaType") == OLLAMA_MODEL_LAYER:
                blob = root / "blobs" / str(layer.get("digest", "")).replace(":", "-")
                yield Candidate(blob, "ollama", _ollama_tag(manifest, manifests))


def candidates(
    env: Mapping[str, str] | None = None, home: Path | None = None, folders: Iterable[Path] = ()
) -> list[Candidate]:
    """Every model file the known tools and the given folders hold, each path once."""
    env = os.environ if env is None else env
    home = Path.home() if home is None else home
    found: list[Candidate] = list(ollama_candidates(ollama_root(env, home)))
    found += [Candidate(p, "lmstudio") for root in lmstudio_roots(home) for p in _ggufs(root)]
    found += [Candidate(p, "hf-cache") for p in _ggufs(hf_cache_root(env, home)) if "snapshots" in p.parts]
    found += [Candidate(p, "llama.cpp") for p in _ggufs(llama_cache_root(env, home))]
    found += [Candidate(p, "folder") for folder in folders for p in _ggufs(Path(folder).expanduser())]
    seen: set[Path] = set()
    unique = []
    for cand in found:
        key = cand.path.resolve() if cand.path.exists() else cand.path
        split = _SPLIT.search(cand.path.name)
        if key in seen or (split and int(split.group(1)) > 1):
            continue  # later parts of a split GGUF are counted with the first
        seen.add(key)
        unique.append(cand)
    return unique


# ---- reading one file ----------------------------------------------------------------
def _size_bytes(path: Path) -> int:
    split = _SPLIT.search(path.name)
    if not split:
        return path.stat().st_size
    total = int(split.group(2))
    stem = path.name[: split.start()]
    parts = [path.with_name(f"{stem}-{i:05d}-of-{total:05d}.gguf") for i in range(1, total + 1)]
    return sum(p.stat().st_size for p in parts if p.exists())


def _field(reader: Any, key: str) -> Any:
    field = reader.get_field(key)
    if field is None:
        return None
    value = field.contents()
    return max(value) if isinstance(value, list) and value and not isinstance(value[0], str) else value


def _file_type(reader: Any) -> str:
    code = _field(reader, "general.file_type")
    if code is None:
        return ""
    try:
        return gguf.LlamaFileType(int(code)).name.removeprefix("MOSTLY_").removeprefix("ALL_")
    except ValueError:
        return f"file type {code}"


def _check_complete(reader: Any, path: Path) -> None:
    """A file cut short still parses its header; its last tensor then runs past the end."""
    end = max((int(t.data_offset) + int(t.n_bytes) for t in reader.tensors), default=0)
    if end > path.stat().st_size:
        raise ValueError(f"the tensor data ends at byte {end:,} but the file has {path.stat().st_size:,}")


def read_model(cand: Candidate) -> LocalModel:
    path = cand.path
    fallback = cand.tag or path.stem
    if not path.is_file():
        return LocalModel(str(path), cand.source, fallback, 0.0, tag=cand.tag, error="file is missing")
    size_bytes = _size_bytes(path)
    size_gib = round(size_bytes / GIB, 6)
    try:
        reader = gguf.GGUFReader(path, "r")
        _check_complete(reader, path)
        arch = str(_field(reader, "general.architecture") or "")
        return LocalModel(
            path=str(path),
            source=cand.source,
            name=str(_field(reader, "general.name") or fallback),
            size_gib=size_gib,
            size_bytes=size_bytes,
            architecture=arch,
            quant=_file_type(reader),
            context=int(_field(reader, f"{arch}.context_length") or 0),
            params_b=round(sum(int(t.n_elements) for t in reader.tensors) / 1e9, 3),
            tag=cand.tag,
        )
    except (ValueError, IndexError, KeyError, OverflowError, UnicodeDecodeError, OSError) as exc:
        error = f"damaged or partial GGUF: {exc}"
        return LocalModel(str(path), cand.source, fallback, size_gib, size_bytes, tag=cand.tag, error=error)


def scan(
    folders: Iterable[Path] = (),
    env: Mapping[str, str] | None = None,
    home: Path | None = None,
    progress: Progress | None = None,
    cancelled: Callable[[], bool] = lambda: False,
) -> list[LocalModel]:
    """Read every model file found; stops early (returning what it has) when `cancelled`."""
    report = progress or (lambda _pct, _text: None)
    found = candidates(env, home, folders)
    models = []
    for i, cand in enumerate(found):
        if cancelled():
            break
        report(int(100 * i / max(len(found), 1)), f"reading {cand.path.name}")
        models.append(read_model(cand))
    report(100, f"{len(models)} model files")
    return models
