"""Describe the machine a benchmark ran on, so its timings can be read.

Benchmark scripts print :func:`machine_lines` before their results and may
store :func:`machine_info` beside them. Run it alone to see the description::

    python benchmarks/machine.py

Other benchmark scripts import it as ``from machine import machine_lines``
(``python benchmarks/<script>.py`` puts ``benchmarks/`` on ``sys.path``).
"""

from __future__ import annotations

import os
import platform
import sys
from importlib import metadata
from pathlib import Path

#: Packages whose versions change solver timings.
DEFAULT_PACKAGES: tuple[str, ...] = (
    "numpy", "scipy", "ortools", "highspy", "pyvrp", "spopt", "pulp", "networkx", "osmnx",
)


def _cpu_model() -> str:
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or platform.machine() or "unknown"


def _memory_gib() -> float | None:
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                return int(line.split()[1]) / 1024 ** 2
    return None


def _usable_cores() -> int | None:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count()


def machine_info(packages: tuple[str, ...] = DEFAULT_PACKAGES) -> dict[str, str]:
    """The machine and software versions, as plain strings.

    Parameters
    ----------
    packages
        Distribution names whose installed versions to report; a package that
        is not installed is reported as ``"not installed"``.

    Returns
    -------
    dict
        Keys ``platform``, ``cpu``, ``cores`` (logical CPUs / usable by this
        process), ``memory`` (GiB), ``load`` (1/5/15-minute load average),
        ``python`` and one key per package.

    Raises
    ------
    Nothing: fields that cannot be read say ``unknown``.
    """
    memory = _memory_gib()
    try:
        load = "/".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "unknown"
    info = {
        "platform": platform.platform(),
        "cpu": _cpu_model(),
        "cores": f"{os.cpu_count()} logical, {_usable_cores()} usable",
        "memory": f"{memory:.1f} GiB" if memory is not None else "unknown",
        "load": load,
        "python": f"{platform.python_implementation()} {sys.version.split()[0]}",
    }
    for name in packages:
        try:
            info[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            info[name] = "not installed"
    return info


def machine_lines(packages: tuple[str, ...] = DEFAULT_PACKAGES) -> list[str]:
    """:func:`machine_info` as printable lines, machine first, then versions.

    Raises
    ------
    Nothing.
    """
    info = machine_info(packages)
    lines = [f"machine 机器: {info['platform']}",
             f"  cpu: {info['cpu']}; cores: {info['cores']}; memory: {info['memory']}; "
             f"load avg (1/5/15 min): {info['load']}",
             f"  python {info['python']}"]
    versions = ", ".join(f"{name} {info[name]}" for name in packages)
    lines.append(f"  packages: {versions}")
    return lines


def print_machine(packages: tuple[str, ...] = DEFAULT_PACKAGES) -> None:
    """Print :func:`machine_lines` to standard output."""
    print("\n".join(machine_lines(packages)))


if __name__ == "__main__":
    print_machine()
