"""Dataflow builds (CS-3, Groq, SambaNova) answered from the catalog: vendor figures, units, cost."""

from __future__ import annotations

from planner.catalog.serving_store import vendor_figures
from planner.catalog.store import Catalog
from planner.core.cost import CostSettings, cost_of
from planner.core.dataflow import DataflowAnswer, answer
from planner.core.hardware import Build
from planner.core.memory import weight_layout
from planner.core.model import ModelArch
from planner.errors import PlannerError


class NotRooflined(PlannerError):
    """A dataflow build asked for a llama.cpp estimate: the answer is the vendor's figures.

    Not a failure: `planner estimate` prints `answer` and exits 0; the app shows `str()`."""

    exit_code = 0

    def __init__(self, result: DataflowAnswer) -> None:
        self.answer = result
        super().__init__(result.summary(with_sources=True))


def dataflow_answer(catalog: Catalog, build: Build, model: ModelArch, settings: CostSettings) -> DataflowAnswer:
    assert build.dataflow is not None
    bf16 = float(weight_layout(model, catalog.quant("BF16")).total_bytes)

    def usd_per_mtok(hardware_usd: float, power_w: float, tok_s: float) -> float | None:
        priced = Build(name=build.name, price_usd=hardware_usd, power_w_override=power_w or None)
        return cost_of(priced, tok_s, settings, cpu_busy=False).usd_per_mtok

    figures = vendor_figures(catalog, build.dataflow.id, model)
    return answer(build.dataflow, build.dataflow_units, model.name, bf16, figures, usd_per_mtok)
