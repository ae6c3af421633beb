"""`planner export`: presets, build files and This PC to PDF, and its errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from pypdf import PdfReader

from planner.catalog.store import Catalog
from planner.cli import main
from planner.commands import export as command
from planner.hardware.detect import Detection
from planner.hardware.nvidia import NvidiaProbe
from planner.hardware.probe import CpuInfo, MemoryInfo, absent, found
from planner.hardware.recorded import RecordedNvml, load_recording

pytestmark = pytest.mark.usefixtures("qapp")
NVML = Path(__file__).resolve().parents[1] / "fixtures" / "hardware" / "nvml"


def text_of(path: Path) -> str:
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(path).pages)


def test_preset_with_models_quants_contexts_and_letter(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "sheet.pdf"
    argv = ["export", "--preset", "3090 build", "--models", "Meta-Llama-3-8B,qwen2.5-14b", "--quants", "Q4_K_M",
            "--contexts", "4096,8192", "--page-size", "Letter", "-o", str(out)]  # fmt: skip
    assert main(argv) == 0
    assert capsys.readouterr().out.startswith(f"wrote {out} (")
    text = text_of(out)
    for row in ("Llama 3 8B Q4_K_M 4,096", "Llama 3 8B Q4_K_M 8,192", "Qwen2.5 14B Q4_K_M 8,192"):
        assert row in text
    assert "Q8_0" not in text.split("Fit and speed")[1].split("Charts")[0]
    assert round(float(PdfReader(out).pages[0].mediabox.height)) == 792


def test_build_file_named_with_markup(tmp_path: Path) -> None:
    build = tmp_path / "mine.json"
    spec = {"name": "<b>Tom & Jerry's</b>", "gpus": [{"gpu": "RTX 3090", "price_usd": 750}], "psu_w": 750}
    build.write_text(json.dumps(spec))
    out = tmp_path / "sheet.pdf"
    assert main(["export", "--build", str(build), "-o", str(out)]) == 0
    text = text_of(out)
    assert "<b>Tom & Jerry's</b>" in text
    assert "Build from: build file mine.json" in text
    assert "$750" in text


def recorded_machine() -> Detection:
    rec = load_recording(NVML / "mixed_4090_3060.json")
    cpu = CpuInfo("AMD Ryzen 7 5800X 8-Core Processor", "X86_64", "AuthenticAMD", 8, 16, ("avx2",))
    return Detection(
        (
            NvidiaProbe(lambda: RecordedNvml(rec)).run(),
            absent("apple", "not a Mac"),
            found("cpu", cpu, "py-cpuinfo + psutil"),
            found("memory", MemoryInfo(64 * 1024**3, 50 * 1024**3), "psutil"),
        )
    )


def test_this_pc_shows_what_was_detected_and_how(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalog: Catalog
) -> None:
    monkeypatch.setattr(command, "detect", lambda timeout_s: recorded_machine())
    out = tmp_path / "pc.pdf"
    assert main(["export", "--this-pc", "--models", "Meta-Llama-3-8B", "-o", str(out)]) == 0
    text = text_of(out)
    assert "This PC: what was detected" in text
    assert "NVIDIA GeForce RTX 4090: 24.0 GiB" in text
    assert "apple absent - not a Mac" in text
    assert "cpu ok py-cpuinfo + psutil" in text
    assert "NVIDIA GeForce RTX 3060" in text  # priced from the catalog in the parts list


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--preset", "3090 build", "--contexts", "4k"], "contexts are whole numbers"),
        (["--preset", "3090 build", "--contexts", "0"], "at least 1 token"),
        (["--preset", "3090 build", "--page-size", "A3"], "invalid choice"),
        (["--preset", "3090 build", "--build", "x.json"], "not allowed with"),
        (["--models", "Meta-Llama-3-8B"], "one of the arguments"),
    ],
)
def test_bad_arguments_exit_2(
    argv: list[str], message: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["export", *argv, "-o", str(tmp_path / "s.pdf")])
    assert exit_info.value.code == 2
    assert message in capsys.readouterr().err


def test_unknown_names_and_unwritable_targets_are_user_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["export", "--preset", "no such box", "-o", str(tmp_path / "s.pdf")]) == 2
    assert "unknown preset" in capsys.readouterr().err
    assert main(["export", "--preset", "3060 box", "--quants", "Q9_X", "-o", str(tmp_path / "s.pdf")]) == 2
    assert main(["export", "--preset", "3060 box", "-o", str(tmp_path / "missing" / "s.pdf")]) == 1
    assert "does not exist" in capsys.readouterr().err
    assert not (tmp_path / "s.pdf").exists()
