"""Fault injection on where files are written: symlinks, pipes, devices, folders, long and odd text."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from pypdf import PdfReader

from planner.calibration.shipped import load_calibration
from planner.catalog.store import Catalog
from planner.cli import main
from planner.errors import UserDataError
from planner.estimation.front import Estimator
from planner.reporting.atomic import write_atomically
from planner.reporting.export import export_build_sheet
from planner.reporting.sheet_data import SheetRequest
from planner.reporting.text_fit import MISSING
from planner.resources import calibration_path

pytestmark = pytest.mark.usefixtures("qapp")


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path: Path) -> None:
    real = tmp_path / "real.pdf"
    real.write_bytes(b"old")
    link = tmp_path / "link.pdf"
    link.symlink_to(real)
    write_atomically(link, b"new")
    assert link.is_symlink() and real.read_bytes() == b"new"


def test_a_dangling_symlink_creates_its_target(tmp_path: Path) -> None:
    link = tmp_path / "link.pdf"
    link.symlink_to(tmp_path / "made.pdf")
    write_atomically(link, b"data")
    assert link.is_symlink() and (tmp_path / "made.pdf").read_bytes() == b"data"


def test_a_fifo_is_written_into_not_replaced(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    opened = threading.Event()

    def read() -> None:
        with open(fifo, "rb") as pipe:
            opened.set()
            received.append(pipe.read())

    reader = threading.Thread(target=read, daemon=True)  # never hangs the run if the FIFO was replaced
    reader.start()
    payload = b"x" * 200_000  # more than a pipe buffer holds
    while not opened.is_set():  # the writer may only open once a reader has
        try:
            write_atomically(fifo, payload)
            break
        except UserDataError:
            continue
    reader.join(10)
    assert received == [payload]
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_fifo_nobody_reads_is_an_error_not_a_hang(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    with pytest.raises(UserDataError, match="no program is reading"):
        write_atomically(fifo, b"data")
    assert stat.S_ISFIFO(fifo.stat().st_mode)


def test_a_device_is_written_to_not_replaced() -> None:
    """A terminal device of our own (a pty), never a shared one such as /dev/null."""
    master, slave = os.openpty()
    try:
        device = Path(os.ttyname(slave))
        write_atomically(device, b"data")
        assert stat.S_ISCHR(device.stat().st_mode)
        assert os.read(master, 100).startswith(b"data")
    finally:
        os.close(master)
        os.close(slave)


def test_output_folder_with_a_slash_means_a_file_inside(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    folder = tmp_path / "newdir"
    assert main(["export", "--preset", "3060 box", "--models", "Meta-Llama-3-8B", "-o", f"{folder}/"]) == 0
    (written,) = folder.iterdir()
    assert written.suffix == ".pdf" and written.stat().st_size > 1000
    assert str(written) in capsys.readouterr().out


@pytest.fixture
def estimator(catalog: Catalog) -> Estimator:
    return Estimator(catalog, load_calibration(calibration_path()))


def test_long_text_wraps_and_stays_on_its_page(estimator: Estimator, tmp_path: Path) -> None:
    spec = {
        "name": "N" * 200,
        "gpus": [{"gpu": "RTX 3060", "vram_gb": 12}],
        "notes": "".join(f"word{i}" for i in range(1300)),  # ~9,000 characters without a space
        "parts": [{"name": "P" * 200, "price_usd": 1}],
    }
    request = SheetRequest(estimator.build_for({"build": spec}), "build file", models=("Meta-Llama-3-8B",))
    path = export_build_sheet(request, tmp_path / "long.pdf", estimator).path
    pages = PdfReader(path).pages
    first = pages[0].extract_text()
    assert "NNNNNNNNNN" in first and "word0" in first, "page 1 must not be left blank"
    assert "word1299" in " ".join(p.extract_text() for p in pages)
    width = float(pages[0].mediabox.width)
    for page in pages:  # every piece of text starts inside the page
        xs: list[float] = []
        page.extract_text(
            visitor_text=lambda text, cm, tm, *_, xs=xs: xs.append(tm[4] * cm[0] + cm[4]) if text.strip() else None
        )
        assert xs and max(xs) < width


def test_emoji_prints_as_a_visible_box_not_a_null(estimator: Estimator, tmp_path: Path) -> None:
    spec = {"name": "Box 🚀 build", "gpus": [{"gpu": "RTX 3060", "vram_gb": 12}], "notes": "fast ✨🎉 \x07bell"}
    request = SheetRequest(estimator.build_for({"build": spec}), "build file", models=("Meta-Llama-3-8B",))
    text = " ".join(
        p.extract_text() for p in PdfReader(export_build_sheet(request, tmp_path / "e.pdf", estimator).path).pages
    )
    assert "\x00" not in text and "\x07" not in text
    assert "Box" in text and "build" in text
    assert MISSING in text or "🚀" in text
