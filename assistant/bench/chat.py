"""`assistant bench chat`: what one `assistant serve` process costs per turn, beside a bare
FastAPI + uvicorn WebSocket echo driven the same way in the same run (the reference).

The servers are those of `assistant bench load` (`load_servers.py`: a SQLite file or a fresh
PostgreSQL database, Redis for pub/sub, a Chroma server), with one worker. In order:

1. **First reply after ready**: the worker is started and, as soon as `/readyz` says ready,
   one conversation of the script (`chat_script.py`) is sent turn by turn; then the same
   conversation, word for word, on a new session (warm). The same on the echo.
2. **Phases**: for each number of chats and each mode (back to back, and paced: one message
   every `pace_s` per chat), the echo and then the worker each get `duration_s` of those
   chats (`chat_drive.py`). Per phase: turns/s, p50/p99 in all and per kind of turn, the
   server's CPU per turn (its user + system time from /proc, over the phase and the turns
   in flight at its end, divided by the turns answered), its resident memory after the
   phase (and the peak so far), its threads; Redis's and Chroma's CPU per turn beside it,
   and the share of a core the bench's own chats used (when near 1, the client limits).
   Before the phases, the worker's CPU with no chat at all is read for a few seconds
   (`idle_cpu_ms_per_s`): a paced phase with few turns carries it in its CPU per turn.
3. **Idle chats** (optional): N chats that say hello and stay open; the resident memory of
   the worker and of the echo with all of them open.

With `profile`, the worker runs under cProfile in every thread, on thread CPU time
(`chat_profile.py`), which records during the worker's phases only; its top functions (by CPU,
inclusive and own) come with the figures. The profiler costs the worker much CPU: a profiled
run's figures are not the server's own.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from assistant.bench.chat_drive import ChatCrowd, IdleChats, latency_figures, script_once
from assistant.bench.chat_script import KINDS, ChatScript
from assistant.bench.load import _stop_on_sigterm
from assistant.bench.load_servers import cluster
from assistant.bench.proc_stats import cpu_seconds, own_cpu_seconds, sample
from assistant.config import Settings

MODES = ("back-to-back", "paced")
IDLE_SETTLE_S = 3.0
IDLE_CPU_S = 5.0
PROFILE_TOP = 15


def _load() -> float:
    return round(os.getloadavg()[0], 2)


class _Phases:
    """The timed phases of one run: the echo and the worker, each at the same load."""

    def __init__(
        self,
        script: ChatScript,
        *,
        targets: dict[str, tuple[str, int]],
        others: dict[str, int],
        duration_s: float,
        say: Callable[[str], None],
    ) -> None:
        self.script = script
        self.targets = targets  # name: (url, pid)
        self.others = others
        self.duration_s = duration_s
        self.say = say
        self.next_conversation = 1  # 0 is the first-reply probe's

    def run(self, name: str, chats: int, pace_s: float) -> dict[str, Any]:
        url, pid = self.targets[name]
        mode = f"paced ({pace_s:g} s)" if pace_s else "back to back"
        self.say(f"{name}: {chats} chats, {mode}, {self.duration_s:g} s")
        crowd = ChatCrowd(
            url,
            self.script,
            chats=chats,
            pace_s=pace_s,
            duration_s=self.duration_s,
            first_conversation=self.next_conversation,
        )
        others = self.others if name == "assistant" else {}
        before, client_before = sample(pid), own_cpu_seconds()
        others_before = {other: cpu_seconds(other_pid) for other, other_pid in others.items()}
        load_before, began = _load(), time.monotonic()
        turns = asyncio.run(crowd.run())
        seconds = time.monotonic() - began
        after, client_cpu = sample(pid), own_cpu_seconds() - client_before
        if name == "assistant":
            self.next_conversation = crowd.next_conversation
        count = turns.count
        every = [value for values in turns.latencies.values() for value in values]

        def per_turn(cpu_s: float) -> float | None:
            return round(cpu_s * 1000 / count, 2) if count else None

        return {
            "turns": count,
            "turns_in_window": turns.in_window,
            "turns_per_s": round(turns.in_window / self.duration_s, 1),
            "p50_ms": latency_figures(every)["p50_ms"],
            "p99_ms": latency_figures(every)["p99_ms"],
            "by_kind": {
                kind: latency_figures(turns.latencies[kind])
                for kind in KINDS
                if kind in turns.latencies
            },
            "cpu_s": round(after.cpu_s - before.cpu_s, 2),
            "cpu_ms_per_turn": per_turn(after.cpu_s - before.cpu_s),
            "cores_used": round((after.cpu_s - before.cpu_s) / seconds, 2),
            "system_share": round(
                (after.system_s - before.system_s) / max(after.cpu_s - before.cpu_s, 1e-9), 2
            ),
            "rss_mb": after.rss_mb,
            "peak_rss_mb": after.peak_rss_mb,
            "threads": after.threads,
            "others_cpu_ms_per_turn": {
                other: per_turn(cpu_seconds(other_pid) - others_before[other])
                for other, other_pid in others.items()
            },
            "client_cores_used": round(client_cpu / seconds, 2),
            "conversations": turns.conversations,
            "errors": sum(turns.errors.values()),
            "error_kinds": dict(turns.errors),
            "seconds": round(seconds, 1),
            "load_average": [load_before, _load()],
            "samples": turns.samples,
        }


def _first_reply(url: str, script: ChatScript) -> dict[str, Any]:
    """The probe conversation cold, then word for word again on a new session."""
    lines = script.conversation(0)
    first = asyncio.run(script_once(url, lines, "first"))
    warm = asyncio.run(script_once(url, lines, "warm"))
    opening = lines[0]
    return {
        "said": opening.text,
        "first_ms": first.get(opening.kind),
        "warm_ms": warm.get(opening.kind),
        "by_kind": {
            line.kind: {"said": line.text, "first_ms": first[line.kind], "warm_ms": warm[line.kind]}
            for line in lines
        },
    }


def _idle(url: str, pid: int, count: int) -> dict[str, Any]:
    async def hold() -> dict[str, Any]:
        before = sample(pid)
        idle = IdleChats(url, count)
        began = time.monotonic()
        try:
            await idle.open()
            opened_s = time.monotonic() - began
            await asyncio.sleep(IDLE_SETTLE_S)
            held = sample(pid)
            return {
                "chats": len(idle.sockets),
                "errors": dict(idle.errors),
                "open_s": round(opened_s, 1),
                "rss_before_mb": before.rss_mb,
                "rss_mb": held.rss_mb,
                "kb_per_chat": round((held.rss_mb - before.rss_mb) * 1024 / max(1, count), 1),
                "cpu_s": round(held.cpu_s - before.cpu_s, 2),
                "threads": held.threads,
            }
        finally:
            await idle.close()

    return asyncio.run(hold())


def _idle_cpu(pid: int) -> float:
    """The worker's CPU with no chat at all (its timers, Redis, health checks), ms a second:
    a phase's CPU per turn includes this much per second of the phase."""
    before, began = cpu_seconds(pid), time.monotonic()
    time.sleep(IDLE_CPU_S)
    return round((cpu_seconds(pid) - before) * 1000 / (time.monotonic() - began), 2)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, signum)


def run_benchmark(
    settings: Settings,
    *,
    chats: tuple[int, ...] = (1, 50, 200),
    modes: tuple[str, ...] = MODES,
    pace_s: float = 3.0,
    duration_s: float = 20.0,
    idle_chats: int = 0,
    database_url: str = "sqlite://",
    overrides: dict[str, Any] | None = None,
    logs: Path | None = None,
    profile: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """First reply after ready, then every (chats, mode) phase on the echo and the worker,
    then (with `idle_chats`) the idle chats; the servers started here and stopped before it
    returns."""
    say = progress or (lambda _line: None)
    _stop_on_sigterm()
    began = time.monotonic()
    load_before = _load()
    script = ChatScript.from_seed(settings.path(settings.store.seed_path))
    launcher = None
    if profile is not None:
        profile = profile.resolve()
        launcher = [sys.executable, "-m", "assistant.bench.chat_profile", str(profile)]
    with (
        tempfile.TemporaryDirectory(prefix="aisle-bench-chat-") as scratch,
        cluster(
            settings,
            directory=logs or Path(scratch),
            database_url=database_url,
            overrides=overrides,
            progress=say,
        ) as servers,
    ):
        setup_s = time.monotonic() - began
        echo_url = servers.start_echo()
        started = time.monotonic()
        worker = servers.start_worker(launcher)
        ready_s = time.monotonic() - started
        say(f"{worker.name} ready in {ready_s:.1f} s: its first replies")
        first = {"assistant": _first_reply(worker.url, script)}
        first["echo"] = _first_reply(echo_url, script)
        idle_cpu = _idle_cpu(worker.process.pid)
        targets = {
            "assistant": (worker.url, worker.process.pid),
            "echo": (echo_url, servers.by_name["echo"].pid),
        }
        others = {name: servers.by_name[name].pid for name in ("redis", "chroma")}
        phases = _Phases(script, targets=targets, others=others, duration_s=duration_s, say=say)
        rows = []
        for count in chats:
            for mode in modes:
                pace = pace_s if mode == "paced" else 0.0
                row: dict[str, Any] = {"chats": count, "mode": mode, "pace_s": pace or None}
                row["echo"] = phases.run("echo", count, pace)
                servers.mark_logs()
                if profile is not None:
                    _signal(worker.process.pid, signal.SIGUSR1)
                row["assistant"] = phases.run("assistant", count, pace)
                if profile is not None:
                    _signal(worker.process.pid, signal.SIGUSR2)
                row["assistant"]["server_errors"] = servers.log_errors().as_dict()
                rows.append(row)
        idle = None
        if idle_chats:
            say(f"{idle_chats} idle chats on the assistant, then on the echo")
            idle = {name: _idle(url, pid, idle_chats) for name, (url, pid) in targets.items()}
        backend = make_url(servers.database_url).get_backend_name()
    return {
        "database": backend,
        "chats": list(chats),
        "modes": list(modes),
        "pace_s": pace_s,
        "duration_s": duration_s,
        "ready_s": round(ready_s, 1),
        "first_reply": first,
        "idle_cpu_ms_per_s": idle_cpu,
        "phases": rows,
        "idle": idle,
        "profile": _profile_summary(profile),
        "cpu_count": os.cpu_count() or 1,
        "load_average": {"start": load_before, "end": _load()},
        "setup_s": round(setup_s, 1),
        "seconds": round(time.monotonic() - began, 1),
    }


def _profile_summary(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    if not path.exists():
        return {"path": str(path), "error": "the worker wrote no profile"}
    found = json.loads(path.read_text(encoding="utf-8"))
    lists = ("inclusive", "own")
    summary = {key: value for key, value in found.items() if key not in lists}
    summary |= {key: found[key][:PROFILE_TOP] for key in lists}
    return {"path": str(path), **summary}
