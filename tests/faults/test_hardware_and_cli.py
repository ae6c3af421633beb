"""Fault injection at the edges: one NVML field that fails, impossible detect timeouts."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from planner.cli import main
from planner.hardware.nvidia import NvidiaProbe
from planner.hardware.nvml_api import ERROR_UNKNOWN
from planner.hardware.probe import OK
from planner.hardware.recorded import RecordedNvml, load_recording

NVML = Path(__file__).resolve().parents[1] / "fixtures" / "hardware" / "nvml"
FIELDS = ("memory", "compute_capability", "name", "uuid", "power_limit_mw", "max_pcie_generation")


def recording(name: str) -> dict[str, Any]:
    return load_recording(NVML / f"{name}.json")


@pytest.mark.parametrize("field", FIELDS)
def test_one_failing_field_keeps_every_gpu(field: str) -> None:
    rec = recording("dual_3090")
    rec["devices"][0]["errors"] = {field: ERROR_UNKNOWN}
    result = NvidiaProbe(lambda: RecordedNvml(rec)).run()
    assert result.status == OK
    assert len(result.data) == 2
    first, second = result.data
    assert any("shown as unknown" in note for note in first.notes) or field in ("power_limit_mw", "max_pcie_generation")
    assert second.notes == () and second.memory_bytes > 0 and "3090" in second.name


def test_pynvml_python_errors_become_nvml_errors() -> None:
    from types import SimpleNamespace

    from planner.hardware.nvml_api import NvmlError
    from planner.hardware.nvml_pynvml import PynvmlApi

    class FakeError(Exception):
        pass

    def broken(_handle: object) -> str:
        raise UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte")

    module = SimpleNamespace(NVMLError=FakeError, nvmlDeviceGetHandleByIndex=lambda i: i, nvmlDeviceGetName=broken)
    api = PynvmlApi(module)  # type: ignore[arg-type]
    with pytest.raises(NvmlError):
        api.name(0)


@pytest.mark.parametrize("timeout", ["inf", "nan", "0", "-1", "1e9"])
def test_impossible_detect_timeouts_exit_2(capsys: pytest.CaptureFixture[str], timeout: str) -> None:
    assert main(["detect", f"--timeout={timeout}"]) == 2
    assert "--timeout must be" in capsys.readouterr().err


def test_plan_with_a_damaged_database_warns_and_plans(capsys: pytest.CaptureFixture[str]) -> None:
    from planner.catalog.userdb import default_user_db_path

    path = default_user_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"not a database at all" * 100)
    assert main(["plan", "--model", "llama-3.1-8b", "--quant", "Q4_K_M", "--limit", "1"]) == 0
    captured = capsys.readouterr()
    assert "saved builds left out" in captured.err and "is damaged" in captured.err
    assert path.read_bytes() == b"not a database at all" * 100
