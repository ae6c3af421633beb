"""Hardware detection probes (NVML, CPU, RAM, Apple, AMD/Intel, Windows) and telemetry.

No Qt here: the UI runs `planner.hardware.detect.detect` on a worker and wraps
`planner.hardware.telemetry.Sampler` in a signal-emitting adapter.
"""
