"""`assistant bench load`: simulated shoppers over the widget's WebSocket (docs/protocol.md)
against 1 and 2 `assistant serve` workers on PostgreSQL, Redis and a Chroma server, beside a
bare FastAPI WebSocket echo driven the same way in the same run (the reference).

Each phase (the echo, 1 worker, 2 workers, 2 workers with a fault) runs its own shoppers
(`load_shoppers.py`), on new conversations; afterwards they are read back from the database
(`load_check.py`). The fault mode, at 40% of the turns, stops Redis for 2 s and starts it
again on the same port, and kills one worker with SIGKILL; its shoppers go on on the other.
The servers are started and stopped by `load_servers.py`.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import tempfile
import threading
import time
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from sqlalchemy import make_url

from assistant.bench.load_check import check_database, client_figures
from assistant.bench.load_servers import Cluster, cluster
from assistant.bench.load_shoppers import SCRIPTS, Shopper, ShopperClient
from assistant.config import Settings

FAULT_AT = 0.4  # share of the turns done when the fault mode strikes
REDIS_DOWN_S = 2.0

Fault = Callable[[], Awaitable[dict[str, Any]]]


async def drive(
    urls: list[str],
    *,
    shoppers: int,
    turns: int,
    concurrency: int,
    ramp: float,
    deadline: float,
    first_index: int = 0,
    fault: Fault | None = None,
) -> tuple[list[Shopper], dict[str, Any]]:
    """Run the shoppers against `urls`, at most `concurrency` connected at once and `ramp`
    new ones a second; with `fault`, call it once when 40% of the turns are done."""
    crowd = [
        Shopper(i, SCRIPTS[i % len(SCRIPTS)]) for i in range(first_index, first_index + shoppers)
    ]
    gate = asyncio.Semaphore(concurrency)
    down: set[str] = set()
    started = time.perf_counter()

    async def one(shopper: Shopper) -> None:
        # The first `concurrency` open at `ramp` a second; later ones as places free up.
        opens_at = min(shopper.index - first_index, concurrency) / ramp
        await asyncio.sleep(max(0.0, opens_at - (time.perf_counter() - started)))
        async with gate:
            await ShopperClient(shopper, urls, deadline, down).run(turns)

    tasks = [asyncio.create_task(one(shopper)) for shopper in crowd]
    struck = asyncio.Event()
    striker = (
        asyncio.create_task(_strike(crowd, shoppers * turns, fault, struck)) if fault else None
    )
    done, pending = await asyncio.wait(tasks, timeout=max(0.1, deadline - time.monotonic()))
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    seconds = time.perf_counter() - started
    report: dict[str, Any] = {}
    if striker is not None:
        if not struck.is_set():
            striker.cancel()  # the shoppers finished first
        outcome = (await asyncio.gather(striker, return_exceptions=True))[0]
        report = outcome if isinstance(outcome, dict) else {"not struck": repr(outcome)}
    failures = [repr(t.exception()) for t in done if not t.cancelled() and t.exception()]
    timing = {"seconds": seconds, "unfinished_shoppers": len(pending), "failures": failures[:5]}
    return crowd, timing | {"fault": report}


async def _strike(
    crowd: list[Shopper], expected: int, fault: Fault, struck: asyncio.Event
) -> dict[str, Any]:
    while sum(len(s.latencies) for s in crowd) < FAULT_AT * expected:
        await asyncio.sleep(0.05)
    struck.set()  # from here on the fault runs its course (Redis comes back)
    at_turn = sum(len(s.latencies) for s in crowd)
    return {"at_turn": at_turn, "of_turns": expected} | await fault()


class _Run:
    """The phases of one run, on one set of servers."""

    def __init__(self, servers: Cluster, options: dict[str, Any], say: Callable[[str], None]):
        self.servers = servers
        self.options = options
        self.say = say
        self.next_index = 0
        self.phases: list[dict[str, Any]] = []

    def phase(self, name: str, urls: list[str], *, fault: Fault | None = None) -> None:
        shoppers, turns = self.options["shoppers"], self.options["turns"]
        self.say(f"{name}: {shoppers} shoppers × {turns} turns")
        servers = self.servers if name != "echo" else None
        if servers is not None:
            servers.mark_logs()
        load = [round(os.getloadavg()[0], 2)]
        crowd, timing = asyncio.run(
            drive(urls, first_index=self.next_index, fault=fault, **self.options)
        )
        load.append(round(os.getloadavg()[0], 2))
        self.next_index += shoppers
        figures = {"name": name, "workers": len(urls), "load_average": load}
        figures |= client_figures(crowd, turns, timing)
        if fault is not None:
            figures["fault"] = timing["fault"]
        if servers is None:
            self.phases.append(figures | {"lost": None, "duplicated": None, "checks": None})
            return
        checks = check_database(servers.database_url, crowd)
        figures |= {"lost": checks["lost"], "duplicated": checks["duplicated"], "checks": checks}
        self.phases.append(figures | {"server_errors": servers.log_errors().as_dict()})

    def workers(self, count: int) -> list[str]:
        """The first `count` workers' URLs, started (and warmed up) when missing."""
        while len(self.servers.workers) < count:
            began = time.monotonic()
            worker = self.servers.start_worker()
            self.say(f"{worker.name} ready in {time.monotonic() - began:.1f} s; warming it up")
            asyncio.run(_warm_up(worker.url, self.options["deadline"]))
        return [worker.url for worker in self.servers.workers[:count]]


async def _warm_up(url: str, deadline: float) -> None:
    """Two untimed shoppers: each kind of turn once (models, indexes, caches)."""
    await asyncio.gather(
        *(
            ShopperClient(Shopper(-1 - index, script), [url], deadline).run(len(script))
            for index, script in enumerate(SCRIPTS[:2])
        )
    )


def run_benchmark(
    settings: Settings,
    *,
    shoppers: int = 100,
    turns: int = 4,
    concurrency: int = 100,
    ramp: float = 200.0,
    timeout: float = 900.0,
    workers: tuple[int, ...] = (1, 2),
    fault: bool = False,
    database_url: str = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres",
    overrides: dict[str, Any] | None = None,
    logs: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """The echo, then each worker count, then (with `fault`) 2 workers with a fault; the
    servers started here, on loopback, and stopped before it returns."""
    say = progress or (lambda _line: None)
    _stop_on_sigterm()
    began = time.monotonic()
    load_before = round(os.getloadavg()[0], 2)
    options = {"shoppers": shoppers, "turns": turns, "concurrency": concurrency, "ramp": ramp}
    options["deadline"] = began + timeout
    with (
        tempfile.TemporaryDirectory(prefix="aisle-bench-load-") as scratch,
        cluster(
            settings,
            directory=logs or Path(scratch),
            database_url=database_url,
            overrides=overrides,
            progress=say,
        ) as servers,
    ):
        setup_s = time.monotonic() - began
        run = _Run(servers, options, say)
        run.phase("echo", [servers.start_echo()])
        for count in sorted(set(workers)):
            run.phase(f"{count} worker{'s' * (count > 1)}", run.workers(count))
        if fault:
            run.phase("2 workers + fault", run.workers(2), fault=_fault(servers))
        backend = make_url(servers.database_url).get_backend_name()
    phases = run.phases
    return {
        "shoppers": shoppers,
        "turns_per_shopper": turns,
        "concurrency": concurrency,
        "database": backend,
        "fault": fault,
        "phases": phases,
        "lost": sum(p["lost"] or 0 for p in phases),
        "duplicated": sum(p["duplicated"] or 0 for p in phases),
        "cpu_count": os.cpu_count() or 1,
        "load_average": {"start": load_before, "end": round(os.getloadavg()[0], 2)},
        "setup_s": round(setup_s, 1),
        "seconds": round(time.monotonic() - began, 1),
    }


def _stop_on_sigterm() -> None:
    """A terminated bench still stops its servers and drops its database (`finally`)."""
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, lambda _signum, _frame: sys.exit(143))


def _fault(servers: Cluster) -> Fault:
    async def strike() -> dict[str, Any]:
        victim = servers.workers[1]
        began = time.perf_counter()
        await asyncio.to_thread(servers.stop_redis)
        await asyncio.to_thread(servers.kill_worker, victim)
        killed = time.perf_counter() - began
        await asyncio.sleep(REDIS_DOWN_S)
        await asyncio.to_thread(servers.start_redis)
        return {
            "killed": victim.name,
            "worker_killed_after_s": round(killed, 2),
            "redis_down_s": round(time.perf_counter() - began, 2),
        }

    return strike
