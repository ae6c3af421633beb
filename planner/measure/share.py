"""Share measurements as CSV in db/data/measurements.csv's schema, and import others' as "community"."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from pathlib import Path

from planner.errors import InputError, UserDataError
from planner.measure.names import ModelCatalog, resolve_model_id, resolve_quant
from planner.measure.records import COMMUNITY, PcMeasurement

COLUMNS = (
    "device", "source_url", "hardware", "backend", "n_gpus", "model", "params_b", "quant",
    "model_size_gib", "test", "tokens_per_s", "notes", "as_of",
)  # fmt: skip
REQUIRED = ("device", "model", "quant", "test", "tokens_per_s")
_TEST = re.compile(r"^(pp|tg)(\d+)(?:@d(\d+))?$")


def _blank(value: object) -> str:
    return "" if value is None else str(value)


def to_csv(measurements: Iterable[PcMeasurement]) -> str:
    """One row per measurement; settings, tool, build and date go in `notes`, as the catalog does."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for m in measurements:
        notes = [f"quality={m.origin}", f"tool={m.tool}"]
        notes += [f"settings: {m.settings_text()}"] if m.settings_text() else []
        notes += [f"build {m.llama_build}"] if m.llama_build else []
        notes += [f"hardware: {m.hardware}"] if m.hardware else []
        notes += [f"measured {m.measured_at}"]
        writer.writerow(
            {
                "device": m.device, "source_url": m.source_url or f"{m.origin} ({m.tool})", "hardware": m.hardware,
                "backend": m.backend, "n_gpus": m.n_gpus, "model": m.model_id or m.model_label,
                "params_b": _blank(m.params_b), "quant": m.quant, "model_size_gib": _blank(m.model_size_gib),
                "test": m.test, "tokens_per_s": m.tokens_per_s, "notes": "; ".join(notes),
                "as_of": m.measured_at[:10],
            }
        )  # fmt: skip
    return out.getvalue()


def _number(value: str, line: int, column: str, kind: type[float] | type[int] = float) -> float | None:
    if not value.strip():
        return None
    try:
        return kind(float(value))
    except ValueError as exc:
        raise InputError(f"line {line}: {column} must be a number; got {value!r}") from exc


def from_csv(text: str, catalog: ModelCatalog, origin: str = COMMUNITY) -> list[PcMeasurement]:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in REQUIRED if c not in (reader.fieldnames or [])]
    if missing:
        wanted = ", ".join(missing)
        raise InputError(f"not a measurements CSV: missing column(s) {wanted} (see db/data/measurements.csv)")
    rows = []
    for line, row in enumerate(reader, start=2):
        test = (row.get("test") or "").strip()
        match = _TEST.match(test)
        speed = _number(row.get("tokens_per_s") or "", line, "tokens_per_s")
        if speed is None or speed <= 0:
            raise InputError(f"line {line}: tokens_per_s must be a positive number")
        n = int(match.group(2)) if match else 0
        is_gen = match is not None and match.group(1) == "tg"
        model = (row.get("model") or "").strip()
        rows.append(
            PcMeasurement(
                tool="csv", model_label=model, test=test, tokens_per_s=speed,
                measured_at=(row.get("as_of") or "").strip(), model_id=resolve_model_id(catalog, model),
                quant=resolve_quant(catalog, (row.get("quant") or "").strip()),
                n_prompt=0 if is_gen else n, n_gen=n if is_gen else 0,
                n_depth=int((match.group(3) if match else None) or 0),
                backend=(row.get("backend") or "").strip(), device=(row.get("device") or "").strip(),
                hardware=(row.get("hardware") or "").strip(),
                n_gpus=int(_number(row.get("n_gpus") or "", line, "n_gpus") or 0),
                params_b=_number(row.get("params_b") or "", line, "params_b"),
                model_size_gib=_number(row.get("model_size_gib") or "", line, "model_size_gib"),
                settings={"notes": row["notes"]} if row.get("notes") else {},
                source_url=(row.get("source_url") or "").strip(), origin=origin,
            )
        )  # fmt: skip
    if not rows:
        raise InputError("the CSV has a header but no measurements")
    return rows


def read_csv_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise UserDataError(f"cannot read {path}: {exc.strerror}") from exc
    except UnicodeDecodeError as exc:
        raise InputError(f"{path} is not a UTF-8 text file") from exc
