"""Hugging Face lookups through `huggingface_hub`, the Hub's own client.

It honours HF_ENDPOINT, HF_TOKEN, HF_HUB_OFFLINE and the local cache. A repo gives its
`config.json` (downloaded to the cache), the list of its GGUF files with their real sizes,
and, when there is no `config.json`, the header of one GGUF read with an HTTP range request
(a few megabytes, never the weights).
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from huggingface_hub import HfApi, constants, hf_hub_download, hf_hub_url
from huggingface_hub import errors as hf_errors
from huggingface_hub.utils import build_hf_headers, get_session, hf_raise_for_status

from planner.catalog.gguf_header import NeedMoreBytes, NotGguf, parse_header
from planner.catalog.model_import import Row, model_from_config_json, model_from_gguf_reader
from planner.errors import InputError, PlannerError

Progress = Callable[[int, str], None]
FIRST_RANGE_BYTES = 2 * 1024**2
MAX_RANGE_BYTES = 64 * 1024**2
_SPLIT = re.compile(r"-(\d{5})-of-(\d{5})\.gguf$", re.IGNORECASE)
_QUANT = re.compile(
    r"(?:UD-)?(?:I?Q\d(?:_[01K])?(?:_[SMLX]{1,2})?|IQ\d_(?:XXS|XS|S|M|NL)|TQ\d_0|MXFP4(?:_MOE)?|BF16|F16|F32)"
    r"(?:_XL)?",
    re.IGNORECASE,
)


class NoNetworkError(PlannerError):
    """Hugging Face could not be reached."""


@dataclass(frozen=True)
class GgufFile:
    filename: str  # the first part of a split file
    quant: str
    size_bytes: int
    parts: int = 1

    def to_dict(self) -> dict[str, Any]:
        return {"filename": self.filename, "quant": self.quant, "size_bytes": self.size_bytes, "parts": self.parts}


@dataclass(frozen=True)
class HubModel:
    repo: str
    revision: str
    model: Row | None
    model_source: str  # "config.json", "gguf header <file>" or "" when neither was readable
    gguf_files: tuple[GgufFile, ...] = field(default=())
    notes: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "repo": self.repo,
            "revision": self.revision,
            "model": self.model,
            "model_source": self.model_source,
            "gguf_files": [f.to_dict() for f in self.gguf_files],
            "notes": list(self.notes),
        }


def endpoint() -> str:
    """HF_ENDPOINT as set now (huggingface_hub reads it once, at import)."""
    return os.environ.get("HF_ENDPOINT", constants.ENDPOINT).rstrip("/")


def cache_dir() -> str | None:
    if os.environ.get("HF_HUB_CACHE"):
        return os.environ["HF_HUB_CACHE"]
    return os.path.join(os.environ["HF_HOME"], "hub") if os.environ.get("HF_HOME") else None


def cached_config(repo: str) -> str | None:
    """The newest cached config.json of `repo`, whichever revision fetched it (a download by commit
    leaves no refs/main, so hf_hub_download(local_files_only=True) alone would miss it)."""
    root = Path(cache_dir() or constants.HF_HUB_CACHE) / f"models--{repo.replace('/', '--')}" / "snapshots"
    found = sorted(root.glob("*/config.json"), key=lambda p: p.stat().st_mtime)
    return str(found[-1]) if found else None


def offline() -> bool:
    return constants.HF_HUB_OFFLINE or os.environ.get("HF_HUB_OFFLINE", "").lower() in ("1", "true", "yes", "on")


def _no_network(exc: Exception) -> NoNetworkError:
    return NoNetworkError(
        f"no network: cannot reach Hugging Face at {endpoint()} ({exc.__class__.__name__}). Check the "
        "connection, or set HF_HUB_OFFLINE=1 to work from the local cache."
    )


def _call(fn: Callable[[], Any], repo: str = "") -> Any:
    try:
        return fn()
    except (hf_errors.RepositoryNotFoundError, hf_errors.GatedRepoError) as exc:
        raise InputError(
            f"{repo} is not on Hugging Face, or it is private or gated ({exc.__class__.__name__})"
        ) from exc
    except hf_errors.OfflineModeIsEnabled as exc:
        raise NoNetworkError(f"HF_HUB_OFFLINE is set and {repo or 'this'} is not in the local cache") from exc
    except hf_errors.LocalEntryNotFoundError as exc:
        raise _no_network(exc) from exc
    except hf_errors.HfHubHTTPError as exc:
        raise InputError(f"Hugging Face answered with an error for {repo}: {exc}") from exc
    except OSError as exc:
        raise _no_network(exc) from exc
    except Exception as exc:  # httpx transport errors (connect, timeout, DNS) are not OSErrors
        if type(exc).__module__.startswith("httpx"):
            raise _no_network(exc) from exc
        raise


def search(text: str, limit: int = 20) -> list[dict[str, Any]]:
    """Models whose id matches `text`, most downloaded first."""
    if not text.strip():
        raise InputError("give some text to search for, e.g. 'qwen3 8b gguf'")
    if offline():
        raise NoNetworkError("HF_HUB_OFFLINE is set: searching Hugging Face needs the network")
    # one plain request first: the client's paginated listing retries for half a minute offline
    _call(lambda: get_session().get(f"{endpoint()}/api/models", params={"limit": 1}, timeout=10))
    found = _call(lambda: list(HfApi(endpoint=endpoint()).list_models(search=text, sort="downloads", limit=limit)))
    return [
        {
            "repo": m.id,
            "downloads": m.downloads,
            "likes": m.likes,
            "gguf": "gguf" in (m.tags or []),
            "pipeline": m.pipeline_tag,
        }
        for m in found
    ]


def quant_of(filename: str) -> str:
    stem = _SPLIT.sub("", filename).removesuffix(".gguf")
    matches = _QUANT.findall(stem.split("/")[-1])
    return matches[-1].upper() if matches else ""


def gguf_files(siblings: list[Any]) -> tuple[GgufFile, ...]:
    """Every GGUF in the listing at its real size; split files summed under their first part."""
    sizes: dict[str, list[int]] = {}
    for sib in siblings:
        name = sib.rfilename
        if not name.lower().endswith(".gguf"):
            continue
        size = int((sib.lfs.size if getattr(sib, "lfs", None) else None) or sib.size or 0)
        split = _SPLIT.search(name)
        key = name[: split.start()] + f"-00001-of-{split.group(2)}.gguf" if split else name
        sizes.setdefault(key, []).append(size)
    return tuple(GgufFile(n, quant_of(n), sum(s), len(s)) for n, s in sorted(sizes.items()))


def _first_bytes(url: str, headers: dict[str, str], n: int) -> bytes:
    response = get_session().get(url, headers={**headers, "Range": f"bytes=0-{n - 1}"}, follow_redirects=True)
    hf_raise_for_status(response)
    return bytes(response.content[:n])


def read_remote_header(repo: str, filename: str, revision: str) -> Any:
    """The header of a GGUF on the Hub, fetched with range requests of growing size."""
    url = hf_hub_url(repo, filename, revision=revision, endpoint=endpoint())
    headers = build_hf_headers()
    size = FIRST_RANGE_BYTES
    while True:
        content: bytes = _call(partial(_first_bytes, url, headers, size), repo)
        try:
            return parse_header(content)
        except NeedMoreBytes:
            if len(content) < size or size >= MAX_RANGE_BYTES:
                raise InputError(f"{filename}: the GGUF header is longer than {MAX_RANGE_BYTES:,} bytes") from None
            size *= 4
        except NotGguf as exc:
            raise InputError(f"{filename} is not a GGUF file ({exc})") from exc


def lookup(repo: str, progress: Progress | None = None, cancelled: Callable[[], bool] = lambda: False) -> HubModel:
    """The model, file list and sizes of one Hub repo ("org/name" or "hf:org/name")."""
    report = progress or (lambda _pct, _text: None)
    repo = repo.removeprefix("hf:").strip().strip("/")
    if repo.count("/") != 1:
        raise InputError(f"{repo!r} is not a Hugging Face repo id; write it as ORG/NAME, e.g. Qwen/Qwen3-8B")
    if offline():
        report(30, "offline: reading config.json from the cache")
        path = cached_config(repo) or _call(
            lambda: hf_hub_download(repo, "config.json", local_files_only=True, cache_dir=cache_dir()), repo
        )
        row = model_from_config_json(path, name=repo.split("/")[1])
        return HubModel(repo, "", _tag(row, repo), "config.json", notes=("offline: GGUF file list not available",))
    report(10, f"asking Hugging Face about {repo}")
    info = _call(lambda: HfApi(endpoint=endpoint()).model_info(repo, files_metadata=True), repo)
    siblings = list(info.siblings or [])
    files = gguf_files(siblings)
    names = {s.rfilename for s in siblings}
    if cancelled():
        return HubModel(repo, info.sha or "", None, "", files, ("cancelled",))
    if "config.json" in names:
        report(50, "downloading config.json")
        path = _call(
            lambda: hf_hub_download(repo, "config.json", revision=info.sha, endpoint=endpoint(), cache_dir=cache_dir()),
            repo,
        )
        row = model_from_config_json(path, name=repo.split("/")[1])
        return HubModel(repo, info.sha or "", _tag(row, repo), "config.json", files)
    if files:
        first = min(files, key=lambda f: f.size_bytes)
        report(50, f"reading the header of {first.filename} (range request)")
        header = read_remote_header(repo, first.filename, info.sha or "main")
        url = hf_hub_url(repo, first.filename, revision=info.sha, endpoint=endpoint())
        row = model_from_gguf_reader(header, first.filename, url)
        return HubModel(repo, info.sha or "", _tag(row, repo), f"gguf header {first.filename}", files)
    return HubModel(repo, info.sha or "", None, "", files, ("no config.json and no GGUF file in this repo",))


def _tag(row: Row, repo: str) -> Row:
    return {**row, "repo": repo, "source_url": f"https://huggingface.co/{repo}"}
