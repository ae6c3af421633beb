"""Model rows from a Hugging Face `config.json` or a local GGUF file's metadata.

Both return a row shaped like `db/data/models.csv`, ready to store as a custom model.
GGUF import reads the header only: `GGUFReader` memory-maps the file and the tensor
list gives shapes, so the weights are never read. Bad input raises `InputError`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import gguf

from planner.catalog.json_file import read_json_object
from planner.catalog.model_shape import check_shape, whole
from planner.core.model import ModelArch
from planner.errors import InputError

Row = dict[str, Any]
Progress = Callable[[int, str], None]

ARCH_FIELDS = (
    "n_layers", "hidden_size", "intermediate_size", "n_heads", "n_kv_heads", "head_dim", "vocab_size",
    "max_context", "n_experts", "n_experts_active", "n_shared_experts", "moe_intermediate_size",
    "n_dense_layers", "sliding_window", "n_swa_layers", "kv_lora_rank", "q_lora_rank",
    "qk_rope_head_dim", "qk_nope_head_dim", "v_head_dim",
)  # fmt: skip


def _today() -> str:
    return datetime.now(UTC).strftime("%Y-%m-%d")


def slug(text: str) -> str:
    return re.sub(r"[^a-z0-9.]+", "-", text.lower()).strip("-") or "model"


def _first(config: dict[str, Any], *keys: str, default: Any = None) -> Any:
    for key in keys:
        if config.get(key) is not None:
            return config[key]
    return default


def _finish(fields: dict[str, Any], name: str, arch: str, source: str, total_params: float | None = None) -> Row:
    """Fill in ids and parameter counts; the computed count stands in when the file has none."""
    check_shape(fields, source)
    for key in ARCH_FIELDS:
        fields[key] = int(fields.get(key) or 0)
    for key in ("n_layers", "hidden_size", "n_heads", "vocab_size"):
        if fields[key] <= 0:
            raise InputError(f"{source}: {key} must be a positive number; got {fields[key]}")
    if name is not None and len(str(name)) > 200:
        name = str(name)[:200]
    fields["n_kv_heads"] = fields["n_kv_heads"] or fields["n_heads"]
    fields["head_dim"] = fields["head_dim"] or fields["hidden_size"] // fields["n_heads"]
    fields["intermediate_size"] = fields["intermediate_size"] or 4 * fields["hidden_size"]
    fields["max_context"] = fields["max_context"] or 4096
    arch_obj = ModelArch(
        id="import", name=name, params_total_b=0.0, params_active_b=0.0, **{k: fields[k] for k in ARCH_FIELDS},
        tie_embeddings=bool(fields.get("tie_embeddings")), arch=arch,
    )  # fmt: skip
    computed = arch_obj.computed_total_params()
    total = total_params or computed
    active = arch_obj.computed_active_params() * total / computed if arch_obj.is_moe else total
    return {
        "id": "custom-" + slug(name),
        "name": name,
        "family": fields.get("family") or arch,
        "repo": fields.get("repo", ""),
        "aliases": "",
        "params_total_b": round(total / 1e9, 9),
        "params_active_b": round(active / 1e9, 9),
        "arch": arch,
        **{k: fields[k] for k in ARCH_FIELDS},
        "tie_embeddings": int(bool(fields.get("tie_embeddings"))),
        "n_linear_attn_layers": 0,
        "linear_state_mib": 0.0,
        "source_url": source,
        "params_source_url": fields.get("params_source", ""),
        "as_of": _today(),
        "notes": fields.get("notes", ""),
    }


# ---- config.json --------------------------------------------------------------
def _load_config(path_or_dict: str | Path | dict[str, Any]) -> tuple[dict[str, Any], str, str]:
    if isinstance(path_or_dict, dict):
        return path_or_dict, "config.json", str(path_or_dict.get("_name_or_path") or "")
    path = Path(path_or_dict)
    data = read_json_object(path, "config file", "(a Hugging Face config.json)")
    return data, str(path), str(data.get("_name_or_path") or path.parent.name)


def _swa_layers(config: dict[str, Any], n_layers: int, window: int) -> int:
    if not window:
        return 0
    if isinstance(config.get("layer_types"), list):
        return sum(1 for t in config["layer_types"] if "sliding" in str(t))
    pattern = int(config.get("sliding_window_pattern") or 0)
    if pattern > 1:
        return n_layers - n_layers // pattern
    return n_layers


def model_from_config_json(path_or_dict: str | Path | dict[str, Any], name: str | None = None) -> Row:
    """A model row from a Hugging Face config.json (a path, or the parsed dict)."""
    outer, source, fallback_name = _load_config(path_or_dict)
    try:
        return _row_from_config(outer, source, name or fallback_name)
    except (TypeError, ValueError, OverflowError, AttributeError) as exc:
        raise InputError(f"{source}: a field has the wrong type or an impossible value ({str(exc)[:200]})") from exc


def _row_from_config(outer: dict[str, Any], source: str, name: str) -> Row:
    config = {**outer, **outer["text_config"]} if isinstance(outer.get("text_config"), dict) else outer
    n_layers = whole(_first(config, "num_hidden_layers", "n_layer", "num_layers"), "n_layers", source)
    if not n_layers:
        raise InputError(f"{source} has no num_hidden_layers: is it a transformer's config.json?")
    hidden = whole(_first(config, "hidden_size", "n_embd", "d_model"), "hidden_size", source)
    n_experts = whole(_first(config, "num_local_experts", "num_experts", "n_routed_experts"), "n_experts", source)
    use_window = config.get("use_sliding_window", True) is not False
    window = whole(config.get("sliding_window"), "sliding_window", source) if use_window else 0
    fields: dict[str, Any] = {
        "n_layers": n_layers,
        "hidden_size": hidden,
        "intermediate_size": _first(config, "intermediate_size", "ffn_dim", "n_inner"),
        "n_heads": _first(config, "num_attention_heads", "n_head"),
        "n_kv_heads": _first(config, "num_key_value_heads", "num_kv_heads"),
        "head_dim": config.get("head_dim"),
        "vocab_size": config.get("vocab_size"),
        "tie_embeddings": bool(config.get("tie_word_embeddings", False)),
        "max_context": _first(config, "max_position_embeddings", "n_positions", "max_seq_len"),
        "n_experts": n_experts,
        "n_experts_active": _first(config, "num_experts_per_tok", "num_experts_per_token", "top_k") if n_experts else 0,
        "n_shared_experts": config.get("n_shared_experts")
        or (1 if config.get("shared_expert_intermediate_size") else 0),
        "moe_intermediate_size": (config.get("moe_intermediate_size") or config.get("intermediate_size"))
        if n_experts
        else 0,
        "n_dense_layers": config.get("first_k_dense_replace") or 0,
        "sliding_window": window,
        "n_swa_layers": _swa_layers(config, n_layers, window),
        "repo": str(outer.get("_name_or_path") or ""),
        "notes": "imported from a config.json",
    }
    for key in ("kv_lora_rank", "q_lora_rank", "qk_rope_head_dim", "qk_nope_head_dim", "v_head_dim"):
        fields[key] = config.get(key) or 0
    arch = str(config.get("model_type") or outer.get("model_type") or "unknown")
    return _finish(fields, name or arch, arch, source)


# ---- GGUF ---------------------------------------------------------------------
def _scalar(reader: Any, key: str, required: bool = False) -> Any:
    field = reader.get_field(key)
    if field is None:
        if required:
            raise InputError(f"the GGUF metadata lacks {key!r}, so the model's shape is unknown")
        return None
    value = field.contents()
    if isinstance(value, list):  # per-layer values (e.g. head counts): the largest stands in
        return max(value) if value else None
    return value


def _file_type(reader: Any) -> str:
    code = _scalar(reader, "general.file_type")
    if code is None:
        return ""
    try:
        return gguf.LlamaFileType(int(code)).name.removeprefix("MOSTLY_").removeprefix("ALL_")
    except ValueError:
        return f"file type {code}"


def _open_gguf(path: Path) -> Any:
    if not path.is_file():
        raise InputError(f"{path} does not exist or is not a file")
    try:
        return gguf.GGUFReader(path, "r")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    except Exception as exc:
        raise _unreadable(path, exc) from exc


def _unreadable(path: Path, exc: BaseException) -> InputError:
    detail = str(exc)[:200] or type(exc).__name__
    return InputError(f"{path.name} is not a readable GGUF file ({detail}); it may be truncated, damaged or not GGUF")


def _gguf_fields(reader: Any, path: Path, report: Progress) -> tuple[dict[str, Any], str, str, float]:
    arch = str(_scalar(reader, "general.architecture", required=True))
    report(40, f"architecture {arch}; reading the metadata")

    def key(name: str, required: bool = False) -> Any:
        return _scalar(reader, f"{arch}.{name}", required)

    tokens = reader.get_field("tokenizer.ggml.tokens")
    names = {t.name for t in reader.tensors}
    experts = key("expert_count")
    fields: dict[str, Any] = {
        "n_layers": key("block_count", True),
        "hidden_size": key("embedding_length", True),
        "intermediate_size": key("feed_forward_length"),
        "n_heads": key("attention.head_count", True),
        "n_kv_heads": key("attention.head_count_kv"),
        "head_dim": key("attention.key_length"),
        "vocab_size": key("vocab_size") or (len(tokens.data) if tokens is not None else 0),
        "tie_embeddings": bool(names) and "output.weight" not in names,
        "max_context": key("context_length"),
        "n_experts": experts,
        "n_experts_active": key("expert_used_count"),
        "n_shared_experts": key("expert_shared_count"),
        "moe_intermediate_size": key("expert_feed_forward_length") or (key("feed_forward_length") if experts else 0),
        "n_dense_layers": key("leading_dense_block_count"),
        "sliding_window": key("attention.sliding_window"),
        "kv_lora_rank": key("attention.kv_lora_rank"),
        "q_lora_rank": key("attention.q_lora_rank"),
        "family": _scalar(reader, "general.basename") or arch,
    }
    fields["n_swa_layers"] = fields["n_layers"] if fields["sliding_window"] else 0
    report(70, f"counting the parameters of {len(reader.tensors)} tensors")
    total = float(sum(int(t.n_elements) for t in reader.tensors))
    file_type = _file_type(reader)
    fields["params_source"] = f"sum of tensor shapes in {path.name}"
    fields["notes"] = f"imported from GGUF {path.name}" + (f" ({file_type})" if file_type else "")
    fields["file_type"] = file_type
    return fields, arch, str(_scalar(reader, "general.name") or path.stem), total


def model_from_gguf(path: str | Path, progress: Progress | None = None) -> Row:
    """A model row from a GGUF file's metadata and tensor shapes (the weights are never read)."""
    path = Path(path)
    report = progress or (lambda _pct, _text: None)
    report(5, f"reading the header of {path.name}")
    return model_from_gguf_reader(_open_gguf(path), path.name, str(path), report)


def model_from_gguf_reader(reader: Any, file_name: str, source: str, progress: Progress | None = None) -> Row:
    """A model row from anything that reads like a `GGUFReader` (a local file, or a header
    fetched over HTTP and parsed by `gguf_header`)."""
    report = progress or (lambda _pct, _text: None)
    try:
        fields, arch, name, total = _gguf_fields(reader, Path(file_name), report)
    except InputError:
        raise
    except Exception as exc:
        raise _unreadable(Path(source), exc) from exc
    try:
        row = _finish(fields, name, arch, source, total_params=total or None)
    except (TypeError, ValueError) as exc:
        raise InputError(f"{file_name}: a metadata field has the wrong type ({exc})") from exc
    row["file_type"] = fields["file_type"]
    report(100, f"read {name}")
    return row
