"""A server process's CPU time and memory, read from Linux's /proc (no psutil): CPU is the
process's user + system time over all its threads (`/proc/<pid>/stat`, in clock ticks,
usually 10 ms), memory its resident set now and at its peak (`VmRSS`, `VmHWM` in
`/proc/<pid>/status`)."""

from __future__ import annotations

import os
import resource
from dataclasses import dataclass
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


@dataclass(frozen=True)
class Sample:
    cpu_s: float
    system_s: float  # of cpu_s, in the kernel (system calls: sockets, files, locks)
    rss_mb: float
    peak_rss_mb: float
    threads: int


def cpu_times(pid: int) -> tuple[float, float]:
    """User and system CPU seconds of process `pid` so far (all its threads)."""
    text = Path(f"/proc/{pid}/stat").read_text()
    # The command name (field 2) is in parentheses and may hold spaces: split after it.
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[11]) / _TICKS, int(fields[12]) / _TICKS


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process `pid` so far (all its threads)."""
    return sum(cpu_times(pid))


def sample(pid: int) -> Sample:
    status: dict[str, str] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        status[key] = value.strip()

    def megabytes(key: str) -> float:
        return round(int(status.get(key, "0 kB").split()[0]) / 1024, 1)

    user, system = cpu_times(pid)
    threads = int(status.get("Threads", 0))
    return Sample(user + system, system, megabytes("VmRSS"), megabytes("VmHWM"), threads)


def own_cpu_seconds() -> float:
    """The calling process's own user + system CPU seconds (the bench's shoppers)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime
