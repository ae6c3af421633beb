"""The "This PC" section: what detection found, how, and what each probe said."""

from __future__ import annotations

from planner.hardware.probe import GIB
from planner.reporting.sheet_data import DetectedPc, DetectedSection, ProbeRow


def detected_section(found: DetectedPc) -> DetectedSection:
    detection, pc = found.detection, found.pc
    facts: list[tuple[str, str]] = []
    matches = {m.detected_name: m for m in pc.gpu_matches}
    for gpu in detection.gpus:
        bandwidth = f", {gpu.bandwidth_gbs:g} GB/s" if gpu.bandwidth_gbs else ""
        text = f"{gpu.name}: {gpu.memory_bytes / GIB:.1f} GiB{bandwidth} (via {gpu.source})"
        match = matches.get(gpu.name)
        if gpu.integrated:
            text += "; integrated, left out"
        elif match is not None:
            where = match.accelerator.name if match.in_catalog else "not in catalog"
            text += f"; catalog: {where} ({match.note})"
        facts.append((f"GPU {gpu.index}", text))
    if not detection.gpus and detection.apple is None:
        facts.append(("GPU", "none found"))
    if detection.apple is not None:
        apple = detection.apple
        facts.append(("Apple chip", f"{apple.catalog_name}, {apple.memory_bytes / GIB:.0f} GiB unified"))
    cpu = detection.cpu
    if cpu is not None:
        where = "in catalog" if pc.cpu_in_catalog else "custom entry"
        facts.append(("CPU", f"{cpu.brand} ({cpu.arch}), {cpu.cores} cores / {cpu.threads} threads; {where}"))
    memory = detection.memory
    if memory is not None:
        speed = f"{memory.speed_mts} MT/s ({memory.speed_source})" if memory.speed_mts else "speed unknown"
        channels = f"{memory.channels} channels" if memory.channels else "channels unknown"
        facts.append(("RAM", f"{memory.total_gib:.1f} GiB, {speed}, {channels}"))
    if detection.os is not None:
        os_info = detection.os
        container = " (in a container)" if os_info.in_container else ""
        facts.append(("OS", f"{os_info.system} {os_info.release} {os_info.machine}{container}"))
    probes = tuple(
        ProbeRow(r.probe, r.status, r.method or "-", r.reason or "; ".join(r.notes), r.elapsed_s)
        for r in detection.results
    )
    return DetectedSection(tuple(facts), probes, pc.notes)
