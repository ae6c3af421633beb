"""The operating system, and whether we run inside a container."""

from __future__ import annotations

import platform
from pathlib import Path

from planner.hardware.probe import OsInfo, ProbeResult, found

_CONTAINER_MARKS = ("docker", "kubepods", "containerd", "lxc", "podman", "libpod")


def in_container(root: Path = Path("/")) -> bool:
    if (root / ".dockerenv").exists() or (root / "run/.containerenv").exists():
        return True
    try:
        cgroup = (root / "proc/1/cgroup").read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False
    return any(mark in cgroup for mark in _CONTAINER_MARKS)


class OsProbe:
    name = "os"

    def __init__(self, root: Path = Path("/")) -> None:
        self._root = root

    def run(self) -> ProbeResult:
        info = OsInfo(
            system=platform.system(),
            release=platform.release(),
            machine=platform.machine(),
            in_container=platform.system() == "Linux" and in_container(self._root),
        )
        return found(self.name, info, "platform")
