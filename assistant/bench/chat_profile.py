"""Where a server's CPU goes, for `assistant bench chat --profile`: runs `python -m assistant
<arguments>` under cProfile in every thread and writes the functions' CPU as JSON at exit.

    python -m assistant.bench.chat_profile OUT.json serve

cProfile sees only the thread that enables it, and an `assistant serve` turn runs on several
(the event loop; worker threads for the NLU, the actions' lookups and the database), so the
main thread's profile is enabled at start and `threading.setprofile` has every thread started
later enable its own at its first call. Each times with its own thread's CPU clock
(`time.thread_time`): a thread waiting (for work, for a lock, for the database) is charged
nothing, and each function's time is the CPU its thread used in it (inclusive) or in its own
code (own). Native code called from Python (PyTorch, SQLite) is charged to its caller's call;
native threads of their own (PyTorch's pool) are in the process's CPU but in no profile.

Only the windows between SIGUSR1 and SIGUSR2 count (the bench sends them around the worker's
phases): at SIGUSR1 every thread's profile is cleared, at SIGUSR2 what they hold is added up
(a call under way when a window opens is left out, even its part inside the window). Every
call pays for two readings of the thread's CPU clock (a system call, about a microsecond
each): code made of many small calls looks dearer than it is, and the whole server runs
several times slower than unprofiled.

(A sampler of every thread's stack, weighted by each thread's CPU, was tried first: it can only
look when it holds the GIL, so it mostly looked just as a thread let the GIL go to block, and
charged SQLite's `execute` six times what cProfile measures in it.)
"""

from __future__ import annotations

import contextlib
import cProfile
import json
import os
import re
import runpy
import signal
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from types import CodeType, FrameType
from typing import Any

from assistant.bench.proc_stats import cpu_seconds

TOP = 40

Key = CodeType | str
_OWN_FILE = "chat_profile.py"
_Totals = dict[Key, tuple[int, float, float]]  # calls, own seconds, inclusive seconds


class ThreadProfiles:
    """One cProfile per thread, on thread CPU time; the SIGUSR1–SIGUSR2 windows summed."""

    def __init__(self) -> None:
        self.profiles: list[cProfile.Profile] = []
        self._lock = threading.Lock()
        self._open = False
        self.window: defaultdict[Key, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        self.windows = 0
        self.process_cpu_s = 0.0
        self._modules: set[str] = set()
        self.imported: list[str] = []
        self._process_at = 0.0

    def _new(self) -> cProfile.Profile:
        profile = cProfile.Profile(time.thread_time)
        with self._lock:
            self.profiles.append(profile)
        return profile

    def _thread_started(self, _frame: FrameType, _event: str, _arg: Any) -> None:
        # Called at a new thread's first event; the profile enabled here replaces it.
        self._new().enable()

    def start(self) -> None:
        threading.setprofile(self._thread_started)
        self._new().enable()

    def _totals(self) -> _Totals:
        totals: defaultdict[Key, list[float]] = defaultdict(lambda: [0, 0.0, 0.0])
        with self._lock:
            profiles = list(self.profiles)
        for profile in profiles:
            for entry in profile.getstats():
                row = totals[entry.code]
                row[0] += entry.callcount
                row[1] += entry.inlinetime
                row[2] += entry.totaltime
        return {key: (int(row[0]), row[1], row[2]) for key, row in totals.items()}

    def begin(self) -> None:
        """A window opens: every thread's profile starts afresh (calls under way are dropped)."""
        with self._lock:
            profiles = list(self.profiles)
        for profile in profiles:
            profile.clear()
        self._modules = set(sys.modules)
        self._process_at = cpu_seconds(os.getpid())
        self._open = True

    def end(self) -> None:
        """The window closes: what every thread's profile holds is added to the windows'."""
        if not self._open:
            return
        self._open = False
        self.process_cpu_s += cpu_seconds(os.getpid()) - self._process_at
        for key, (calls, own, inclusive) in self._totals().items():
            row = self.window[key]
            row[0] += calls
            row[1] += own
            row[2] += inclusive
        self.windows += 1
        self.imported += sorted(set(sys.modules) - self._modules)

    def report(self, name: Any, top: int) -> dict[str, Any]:
        """Functions by inclusive and by own CPU in the windows; `name` names a code object."""
        # Without the profiler's own reading of the stats (at the end of each window).
        window = {
            key: row
            for key, row in self.window.items()
            if isinstance(key, str) or not key.co_filename.endswith(_OWN_FILE)
        }
        total = sum(row[1] for row in window.values()) or 1.0

        def rows(column: int) -> list[dict[str, Any]]:
            ordered = sorted(window.items(), key=lambda item: item[1][column], reverse=True)
            return [
                {
                    "function": key if isinstance(key, str) else name(key),
                    "cpu_s": round(row[column], 3),
                    "share": round(row[column] / total, 4),
                    "calls": int(row[0]),
                }
                for key, row in ordered[:top]
            ]

        return {
            "windows": self.windows,
            "python_threads_cpu_s": round(total, 3),
            "process_cpu_s": round(self.process_cpu_s, 3),
            "threads": len(self.profiles),
            "inclusive": rows(2),
            "own": rows(1),
            # Modules first imported in a window (a lazy import a turn paid for).
            "imported": self.imported,
        }


def _name(code: CodeType) -> str:
    path = code.co_filename
    if "/site-packages/" in path:
        path = path.split("/site-packages/", 1)[1]
    elif found := re.search(r"/((?:assistant|actions)/.*)$", path):
        path = found.group(1)
    else:
        path = "/".join(Path(path).parts[-2:])
    return f"{code.co_qualname} ({path}:{code.co_firstlineno})"


def main(argv: list[str]) -> None:
    """`OUT ARGUMENTS...`: `python -m assistant ARGUMENTS` under `ThreadProfiles`, its report
    written to OUT as JSON when it exits."""
    out = Path(argv[0])
    profiles = ThreadProfiles()
    signal.signal(signal.SIGUSR1, lambda _s, _f: profiles.begin())
    signal.signal(signal.SIGUSR2, lambda _s, _f: profiles.end())
    # uvicorn handles SIGTERM, then raises it again once it has shut down: end as an exit.
    signal.signal(signal.SIGTERM, lambda _s, _f: sys.exit(143))
    profiles.start()
    sys.argv = ["assistant", *argv[1:]]
    try:
        with contextlib.suppress(SystemExit):
            runpy.run_module("assistant", run_name="__main__", alter_sys=True)
    finally:
        out.write_text(json.dumps(profiles.report(_name, TOP), indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
