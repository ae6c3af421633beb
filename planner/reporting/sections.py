"""`SheetData` as a flow of blocks: header, parts, power, This PC, fit and speed, cost, charts, sources."""

from __future__ import annotations

from functools import partial

from PySide6.QtCore import QRectF
from PySide6.QtGui import QPainter

from planner.reporting import charts
from planner.reporting.formatting import DASH, FIT_LABELS, KIND_LABELS, gib, speed, speed_with_range, usd, watts
from planner.reporting.layout import MUTED, Block, Column, Figure, Style, Table, Text, heading
from planner.reporting.sheet_data import FitRow, SheetData
from planner.reporting.sources import mark

FIT_COLUMNS = (
    Column("Model", 17), Column("Quant", 8.5), Column("Context", 8, "right"), Column("Fit", 11),
    Column("Memory GiB", 13, "right"), Column("Generation tok/s", 12.5, "right"),
    Column("Prompt tok/s", 12.5, "right"), Column("Measured tok/s", 17.5),
)  # fmt: skip


def sheet_blocks(data: SheetData) -> list[Block]:
    blocks = _header(data) + _parts(data) + _power(data)
    if data.detected is not None:
        blocks += _detected(data)
    return blocks + _fit(data) + _cost(data) + _serving(data) + _charts(data) + _assumptions(data) + _sources(data)


SERVING_COLUMNS = (
    Column("Build", 30), Column("Engine, weights", 17), Column("Users", 8, "right"),
    Column("Per user tok/s", 15, "right"), Column("All users tok/s", 15, "right"), Column("$/Mtok", 15, "right"),
)  # fmt: skip


def _serving(data: SheetData) -> list[Block]:
    """The article's "8x H200 is more economical per token" claim, recomputed with this build first."""
    if not data.serving_rows:
        return []
    model = data.serving_model or data.serving_rows[0].model
    rows = [
        [r.build, f"{r.engine}, {r.quant}", DASH if r.users is None else f"{r.users:,}", speed(r.per_user_tok_s),
         speed(r.output_tok_s), DASH if r.usd_per_mtok is None else f"${r.usd_per_mtok:,.3f}"]
        for r in data.serving_rows
    ]  # fmt: skip
    return [
        heading(f"Serving many users: {model}"),
        Text(
            "The article: “For 'serve a 70B model at scale', an 8x H200 box is more economical per token.” "
            "1,024-token prompts, 256-token answers; llama.cpp on consumer cards and Macs, TensorRT-LLM on "
            "datacenter GPUs; hardware amortized and electricity, 24 h a day. "
            "The CS-3 row is Cerebras's published speed for one stream."
        ),
        Table(SERVING_COLUMNS, rows),
        Text(data.serving_verdict, "small", MUTED),
    ]


def _header(data: SheetData) -> list[Block]:
    meta = (
        f"{data.date}  ·  LLM Build Planner {data.app_version}  ·  catalog {data.catalog_version}  ·  {data.page_size}"
    )
    blocks: list[Block] = [
        Text(data.title, "small", MUTED, space_after_pt=1),
        Text(data.build_name, "h1", space_after_pt=3),
        Text(meta, "small", MUTED, space_after_pt=2),
    ]
    if data.origin:
        blocks.append(Text(f"Build from: {data.origin}", "small", MUTED, space_after_pt=2))
    if data.description:
        blocks.append(Text(data.description, space_before_pt=3))
    return blocks


def _parts(data: SheetData) -> list[Block]:
    columns = (
        Column("Part", 36), Column("Kind", 9), Column("Qty", 4.5, "right"), Column("Unit price", 10, "right"),
        Column("Price", 7), Column("As of", 10), Column("Total", 10, "right"), Column("Source", 6),
    )  # fmt: skip
    rows = [
        [p.name, KIND_LABELS.get(p.kind, p.kind), str(p.quantity), usd(p.unit_price_usd), p.price_kind,
         p.as_of or DASH, usd(p.total_usd), mark(p.source) or DASH]
        for p in data.parts
    ]  # fmt: skip
    t = data.totals
    strong = {len(rows)}
    rows.append(["Total", "", "", "", "", "", usd(t.chosen_usd), ""])
    for label, value in (("Total if bought new", t.new_usd), ("Total if bought used", t.used_usd)):
        if value is not None and value != t.chosen_usd:
            strong.add(len(rows))
            rows.append([label, "", "", "", "", "", usd(value), ""])
    if not data.parts:
        return [heading("Parts"), Text("No parts are listed for this build, so it has no price.", "small", MUTED)]
    blocks: list[Block] = [heading("Parts"), Table(columns, rows, frozenset(strong))]
    if not t.complete:
        blocks.append(Text("Some parts have no price: the total leaves them out.", "small", MUTED))
    return blocks


def _power(data: SheetData) -> list[Block]:
    columns = (Column("Power budget", 50), Column("Peak", 12, "right"), Column("Note", 38))
    rows = [[r.item, watts(r.watts), r.note] for r in data.power]
    blocks: list[Block] = [heading("Power")]
    if data.psu is not None:
        rows.append(["Peak draw", watts(data.psu.peak_w), ""])
        blocks += [Table(columns, rows, frozenset({len(rows) - 1}), space_after_pt=3)]
        blocks.append(Text(f"PSU check ({data.psu.verdict}): {data.psu.text}", "bold"))
    else:
        blocks.append(Table(columns, rows))
    return blocks


def _detected(data: SheetData) -> list[Block]:
    assert data.detected is not None
    found = data.detected
    probe_columns = (
        Column("Probe", 11), Column("Status", 9), Column("Method", 22), Column("Reason", 50),
        Column("Time", 8, "right"),
    )  # fmt: skip
    probes = [[p.probe, p.status, p.method, p.reason or DASH, f"{p.elapsed_s:.2f} s"] for p in found.probes]
    blocks: list[Block] = [
        heading("This PC: what was detected"),
        Table((Column("Device", 14), Column("Detected", 86)), [list(f) for f in found.facts]),
        Table(probe_columns, probes),
    ]
    blocks += [Text(f"Note: {n}", "small", MUTED) for n in found.notes]
    return blocks


def _fit_cells(r: FitRow) -> list[str]:
    fit = FIT_LABELS.get(r.fit, r.fit)
    if r.fit == "partial":
        fit += f"\n{r.gpu_layers}/{r.total_layers} layers on GPU"
    memory = f"{gib(r.memory_gib)}\nof {gib(r.gpu_capacity_gib)} GPU" if r.gpu_capacity_gib else gib(r.memory_gib)
    if r.fit in ("partial", "cpu", "none"):
        memory += f"\n{gib(r.ram_gib)} in RAM"
    measured = "\n".join(f"{m.test} {speed(m.tokens_per_s)} {mark(m.source)}".strip() for m in r.measured) or DASH
    return [
        r.model, r.quant, f"{r.context:,}", fit, memory, speed_with_range(r.decode_tok_s, r.decode_range),
        speed_with_range(r.prefill_tok_s, r.prefill_range), measured,
    ]  # fmt: skip


def _fit(data: SheetData) -> list[Block]:
    caption = (
        "One row per model, quant and context. Speeds are estimates with their 10th-90th percentile range "
        "below; generation is with the row's context full, prompt processing of 512 tokens. Measured figures are "
        "public llama.cpp runs of the same GPU, model and quant (tgN: generating N tokens; ppN: a prompt of N)."
    )
    if not data.fit_rows:
        return [heading("Fit and speed"), Text("No model and quant to estimate.")]
    rows = [_fit_cells(r) for r in data.fit_rows]
    return [heading("Fit and speed"), Text(caption, "small", MUTED), Table(FIT_COLUMNS, rows)]


def _cost(data: SheetData) -> list[Block]:
    blocks: list[Block] = [heading("Cost")]
    c = data.cost
    if c is not None:
        blocks.append(
            Text(
                f"Hardware {usd(data.totals.chosen_usd)}. Power {watts(c.load_w)} while generating and "
                f"{watts(c.idle_w)} idle: {c.kwh_per_day:.1f} kWh a day at ${c.usd_per_kwh:.2f}/kWh is "
                f"{usd(c.usd_per_day)} a day, {usd(c.usd_per_day * 365)} a year "
                f"({c.hours_per_day:g} h of generation a day)."
            )
        )
    columns = (
        Column("Model", 30), Column("Quant", 12), Column("Generation tok/s", 18, "right"),
        Column("USD per million tokens", 20, "right"), Column("tok/s per $1,000", 20, "right"),
    )  # fmt: skip
    rows = [
        [r.model, r.quant, speed(r.decode_tok_s), usd(r.usd_per_mtok), speed(r.tok_s_per_1000_usd)]
        for r in data.cost_rows
    ]
    if rows:
        blocks.append(Table(columns, rows))
    note = "Cost per million tokens: hardware written off over {y:g} years plus electricity, over the tokens generated."
    if c is not None:
        blocks.append(Text(note.format(y=c.amortization_years), "small", MUTED))
    return blocks


def _charts(data: SheetData) -> list[Block]:
    ch = data.charts

    def two_up(painter: QPainter, rect: QRectF, style: Style) -> None:
        gap = style.pt(14)
        half = (rect.width() - gap) / 2
        charts.context_chart(painter, QRectF(rect.left(), rect.top(), half, rect.height()), style,
                             ch.context_series, "Generation speed against context")  # fmt: skip
        right = QRectF(rect.left() + half + gap, rect.top(), half, rect.height())
        charts.memory_chart(painter, right, style, ch.memory_bars, "Memory breakdown")

    scatter = partial(charts.scatter_chart, points=ch.scatter, title="Price against speed: this build and the presets")
    missing = "" if any(p.highlight for p in ch.scatter) else " This build has no price, so it is not plotted."
    return [
        heading("Charts"),
        Text(f"Left: {ch.context_label}. Right: {ch.memory_label}.", "small", MUTED, keep_with_next=True),
        Figure(190, two_up),
        Text(f"Reference model for the comparison: {ch.scatter_label}.{missing}", "small", MUTED, keep_with_next=True),
        Figure(215, scatter),
    ]


def _assumptions(data: SheetData) -> list[Block]:
    blocks: list[Block] = [heading("Assumptions")]
    blocks += [Text(f"•  {a}", "small", indent_pt=4, space_after_pt=1.5) for a in data.assumptions]
    if data.notes:
        blocks.append(Text("Notes and warnings", "bold", space_before_pt=6, keep_with_next=True))
        blocks += [Text(f"•  {n}", "small", indent_pt=4, space_after_pt=1.5) for n in data.notes]
    return blocks


def _sources(data: SheetData) -> list[Block]:
    blocks: list[Block] = [heading("Sources")]
    blocks += [
        Text(f"[{i}]  {s}", "small", anywhere=" " not in s, space_after_pt=1.5)
        for i, s in enumerate(data.sources, start=1)
    ]
    if not data.sources:
        blocks.append(Text("No outside sources are cited.", "small", MUTED))
    return blocks
