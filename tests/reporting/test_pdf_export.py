"""The exported PDF itself: its text (via pypdf), pages, fonts, escaping and failure cases."""

from __future__ import annotations

import datetime
import errno
import os
import sys
import tempfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from planner.calibration.shipped import load_calibration
from planner.catalog.store import Catalog
from planner.errors import PlannerError, UserDataError
from planner.estimation.front import Estimator
from planner.reporting.export import export_build_sheet, export_job
from planner.reporting.formatting import speed
from planner.reporting.progress import ExportCancelled
from planner.reporting.sheet_data import SheetRequest
from planner.resources import calibration_path

pytestmark = pytest.mark.usefixtures("qapp")  # a QApplication, as in the desktop app

NASTY = "<b>Tom & Jerry's</b>"


@pytest.fixture
def estimator(catalog: Catalog) -> Estimator:
    return Estimator(catalog, load_calibration(calibration_path()))


def preset(estimator: Estimator, name: str, **options: object) -> SheetRequest:
    preset_id = estimator.catalog.preset_index.resolve(name)
    build = estimator.build_for({"preset": preset_id})
    return SheetRequest(build, "catalog preset", preset_id=preset_id, date=datetime.date(2026, 1, 2), **options)


def pages_text(path: Path) -> list[str]:
    """Each page's text with runs of whitespace made single spaces."""
    return [" ".join(page.extract_text().split()) for page in PdfReader(path).pages]


@pytest.fixture
def sheet(estimator: Estimator, tmp_path: Path) -> tuple[Path, SheetRequest]:
    request = preset(estimator, "2x RTX 3090", models=("Meta-Llama-3-8B", "llama-3-70b"), contexts=(4096, 16384))
    result = export_build_sheet(request, tmp_path / "sheet.pdf", estimator)
    assert result.path == tmp_path / "sheet.pdf"
    return result.path, request


def test_text_has_the_build_parts_prices_totals_and_rows(
    sheet: tuple[Path, SheetRequest], estimator: Estimator
) -> None:
    path, request = sheet
    text = " ".join(pages_text(path))
    assert "2x RTX 3090" in text
    for part in request.build.parts:
        assert part.name in text
        assert f"${part.price_usd:,.0f}" in text
        assert part.as_of in text
    gpu = next(p for p in request.build.parts if p.kind == "gpu")
    assert f"${gpu.price_usd * gpu.quantity:,.0f}" in text  # the line total
    total = sum((p.price_usd or 0) * p.quantity for p in request.build.parts)
    assert f"Total ${total:,.0f}" in text
    assert "Peak draw 855 W" in text and "PSU check (ok)" in text
    for model in ("Llama 3 8B", "Llama 3 70B"):
        for quant in ("Q4_K_M", "Q8_0"):
            for context in ("4,096", "16,384"):
                assert f"{model} {quant} {context}" in text
    measured = estimator.estimate({"preset": "2x RTX 3090", "model": "Meta-Llama-3-8B", "quant": "Q4_K_M"}).measured
    tg4096 = next(m for m in measured if m["test"] == "tg4096")  # nearest the 4,096-token rows
    assert f"tg4096 {speed(tg4096['tokens_per_s'])} [" in text  # a measured figure with its citation
    assert "https://github.com/XiongjieDai/GPU-Benchmarks-on-LLM-Inference" in text.replace(" ", "")
    assert f"catalog {estimator.catalog.version}" in text
    assert "LLM Build Planner 0.1.0" in text


def test_pages_are_numbered_a4_with_embedded_fonts_and_vector_charts(sheet: tuple[Path, SheetRequest]) -> None:
    path, _ = sheet
    reader = PdfReader(path)
    count = len(reader.pages)
    assert 2 <= count <= 4
    for number, page in enumerate(reader.pages, start=1):
        assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (595, 842)
        assert f"Page {number} of {count}" in " ".join(page.extract_text().split())
        assert not page.images  # charts are paths and text, not pictures
        for font in page["/Resources"]["/Font"].values():
            for descendant in font.get_object().get("/DescendantFonts", []):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                assert "/FontFile2" in descriptor  # embedded


def test_letter_pages(estimator: Estimator, tmp_path: Path) -> None:
    request = preset(estimator, "3060 box", models=("Meta-Llama-3-8B",), page_size="Letter")
    path = export_build_sheet(request, tmp_path / "letter.pdf", estimator).path
    page = PdfReader(path).pages[0]
    assert (round(float(page.mediabox.width)), round(float(page.mediabox.height))) == (612, 792)


def test_a_long_table_repeats_its_header_on_every_page(estimator: Estimator, tmp_path: Path) -> None:
    models = ("Meta-Llama-3-8B", "llama-3-70b", "qwen2.5-14b", "qwen2.5-7b", "gemma-3-27b", "mistral-7b-v0.3")
    request = preset(estimator, "3090 build", models=models, contexts=(2048, 4096, 8192, 16384))
    result = export_build_sheet(request, tmp_path / "long.pdf", estimator)
    texts = pages_text(result.path)
    with_rows = [t for t in texts if " Q8_0 8,192 " in t or " Q4_K_M 8,192 " in t]
    assert len(with_rows) >= 2
    for text in with_rows:
        assert "Model Quant Context Fit Memory GiB" in text


def test_user_text_prints_literally(estimator: Estimator, tmp_path: Path) -> None:
    spec = {
        "name": NASTY,
        "gpus": [{"gpu": "RTX 3060", "vram_gb": 12}],
        "parts": [{"name": "<i>Case</i> & fans", "price_usd": 99, "as_of": "2026-01-01", "source_url": "a&b <c>"}],
        "notes": '5 < 6 & "quoted"',
    }
    request = SheetRequest(estimator.build_for({"build": spec}), "build file", models=("Meta-Llama-3-8B",))
    text = " ".join(pages_text(export_build_sheet(request, tmp_path / "nasty.pdf", estimator).path))
    for literal in (NASTY, "<i>Case</i> & fans", "[1] a&b <c>", '5 < 6 & "quoted"'):
        assert literal in text
    assert "&amp;" not in text and "&lt;" not in text
    assert PdfReader(tmp_path / "nasty.pdf").metadata.title == f"LLM build sheet: {NASTY}"


def test_progress_rises_to_100(estimator: Estimator, tmp_path: Path) -> None:
    seen: list[tuple[int, str]] = []
    job = export_job(preset(estimator, "3060 box"), tmp_path / "job.pdf", estimator)
    result = job(lambda p, t: seen.append((p, t)), lambda: False)
    percents = [p for p, _ in seen]
    assert percents == sorted(percents)
    assert seen[-1] == (100, f"wrote job.pdf ({result.pages} pages)")


def folder_is_clean(folder: Path, *expected: str) -> bool:
    return sorted(p.name for p in folder.iterdir()) == sorted(expected)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """An empty folder to export into (tmp_path also holds the test catalog)."""
    folder = tmp_path / "out"
    folder.mkdir()
    return folder


def test_cancel_leaves_nothing(estimator: Estimator, out: Path) -> None:
    calls = iter(range(1000))
    with pytest.raises(ExportCancelled):
        export_build_sheet(preset(estimator, "3060 box"), out / "c.pdf", estimator, None, lambda: next(calls) > 8)
    assert folder_is_clean(out)


def test_missing_or_unwritable_folder(estimator: Estimator, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    request = preset(estimator, "3060 box", models=("Meta-Llama-3-8B",))
    with pytest.raises(UserDataError, match=r"does not exist\. Create it"):
        export_build_sheet(request, out / "nope" / "s.pdf", estimator)
    (out / "file").write_text("x")
    with pytest.raises(UserDataError, match="Choose a folder you can write to"):
        export_build_sheet(request, out / "file" / "s.pdf", estimator)

    def denied(*args: object, **kwargs: object) -> None:
        raise PermissionError(errno.EACCES, "Permission denied")

    monkeypatch.setattr(tempfile, "mkstemp", denied)
    with pytest.raises(UserDataError, match=r"Permission denied\)\. Choose a folder"):
        export_build_sheet(request, out / "s.pdf", estimator)
    assert folder_is_clean(out, "file")


def test_full_disk_leaves_no_partial_file(estimator: Estimator, out: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    with pytest.raises(UserDataError, match="disk is full"):
        export_build_sheet(preset(estimator, "3060 box"), out / "s.pdf", estimator)
    assert folder_is_clean(out)


def test_a_file_locked_by_a_viewer_is_left_as_it_was(
    estimator: Estimator, out: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = out / "s.pdf"
    target.write_bytes(b"the old sheet")

    def locked(src: object, dst: object) -> None:
        raise PermissionError(errno.EACCES, "The process cannot access the file")

    monkeypatch.setattr(os, "replace", locked)
    with pytest.raises(UserDataError, match=r"open in another program .* Close it there"):
        export_build_sheet(preset(estimator, "3060 box"), target, estimator)
    assert target.read_bytes() == b"the old sheet"
    assert folder_is_clean(out, "s.pdf")


def test_a_folder_as_the_target(estimator: Estimator, out: Path) -> None:
    with pytest.raises(PlannerError, match="it is a folder"):
        export_build_sheet(preset(estimator, "3060 box"), out, estimator)


def test_rendering_keeps_its_references_to_none(estimator: Estimator, out: Path) -> None:
    """PySide6 6.12.0 drops a reference to None per void call on Python 3.11 and aborts Python
    at exit; pyproject pins below it. This fails if a release with that bug comes back."""
    before = sys.getrefcount(None)
    export_build_sheet(preset(estimator, "3060 box"), out / "s.pdf", estimator)
    assert sys.getrefcount(None) >= before - 50
