"""Measuring this PC: RAM bandwidth, PCIe links, llama-bench, Ollama and llama-server runs.

Qt-free: every long job takes a `progress(percent, text)` callable and a `cancelled()` flag,
so planner/ui/workers.py can run it on a worker and the CLI can run it inline.
"""
