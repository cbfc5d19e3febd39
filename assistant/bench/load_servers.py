"""What `assistant bench load` starts, on free loopback ports, and stops again: a database of
its own (a fresh PostgreSQL database, dropped afterwards, or a SQLite file for one worker), its
own redis-server (the fault mode stops it and starts it again on the same port, so it is never
the system's), a Chroma server, `assistant serve` workers, and the reference: the bare FastAPI
WebSocket echo of `load_echo.py` under uvicorn.

The workers read a configuration written here: the one the command was given, with the chat
and events rate limits raised (every shopper of the bench comes from 127.0.0.1), no language
model, and the `--set` overrides; the rest comes in `AISLE_*` variables, as in a deployment.
The database is migrated, seeded, the NLU model trained (or copied when one is up to date)
and the knowledge base ingested once, with the settings the workers load, before any serves.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from sqlalchemy import create_engine, make_url, text

from assistant.config import Settings, load_settings
from assistant.processes import free_port, stop_process_group

# Any rate limit of the configuration, for the bench: loopback shoppers share one address.
UNLIMITED = "1000000/second"
# Log lines worth reporting: the ERROR level, tracebacks and the exception that ends them.
_ERROR_LINE = re.compile(r"\bERROR\b|\bCRITICAL\b|Traceback|^\w[\w.]*(Error|Exception)\b")
_ERROR_EXAMPLES = 8


def raised_limits(model: type[BaseModel] = Settings, prefix: str = "") -> dict[str, str]:
    """Every `*rate_limit*` setting, by dotted key, set to `UNLIMITED`."""
    found: dict[str, str] = {}
    for name, info in model.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            found |= raised_limits(annotation, f"{prefix}{name}.")
        elif "rate_limit" in name and annotation is str:
            found[f"{prefix}{name}"] = UNLIMITED
    return found


def _set_dotted(tree: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    for part in parents:
        tree = tree.setdefault(part, {})
    tree[leaf] = value


def launch(
    command: list[str],
    *,
    log_path: Path,
    ready: Callable[[], bool],
    env: dict[str, str] | None = None,
    timeout: float = 120.0,
) -> subprocess.Popen[bytes]:
    """Start `command` in its own process group; wait until `ready()` answers True."""
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            command,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(Exception):
            if ready():
                return process
        if process.poll() is not None or time.monotonic() > deadline:
            stop_process_group(process, grace_s=2)
            tail = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"{Path(command[0]).name} did not start: {tail}")
        time.sleep(0.25)


def _http_ok(url: str) -> Callable[[], bool]:
    def ok() -> bool:
        with urllib.request.urlopen(url, timeout=2) as response:
            return bool(response.status == 200)

    return ok


@dataclass
class Worker:
    """One `assistant serve` process."""

    name: str
    port: int
    log_path: Path
    process: subprocess.Popen[bytes]
    log_offset: int = 0

    @property
    def url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/chat"

    @property
    def alive(self) -> bool:
        return self.process.poll() is None


@dataclass
class LogErrors:
    """What the servers' logs said at ERROR level during one phase."""

    lines: int = 0
    tracebacks: int = 0
    warnings: int = 0
    examples: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "lines": self.lines,
            "tracebacks": self.tracebacks,
            "warnings": self.warnings,
            "examples": self.examples,
        }


class Cluster:
    """The bench's servers, from a fresh database to the workers; `close()` stops them all."""

    def __init__(
        self,
        settings: Settings,
        *,
        directory: Path,
        database_url: str,
        overrides: dict[str, Any] | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        self.settings = settings
        self.directory = directory
        self.server_url = database_url
        self.overrides = overrides or {}
        self.progress = progress or (lambda _line: None)
        self.workers: list[Worker] = []
        self._processes: list[subprocess.Popen[bytes]] = []
        self._database: str | None = None
        self.database_url = ""
        self.redis_port = 0
        self._redis: subprocess.Popen[bytes] | None = None
        self.env: dict[str, str] = {}
        # Each server by name (redis, chroma, echo, worker-1...), the latest of a name.
        self.by_name: dict[str, subprocess.Popen[bytes]] = {}

    # -- set-up --------------------------------------------------------------------------

    def prepare(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        self.database_url = self._create_database()
        self.redis_port = free_port()
        self.start_redis()
        chroma_port = self._start_chroma()
        config = self._write_config()
        inherited = {k: v for k, v in os.environ.items() if not k.startswith("AISLE_")}
        self.env = inherited | {
            "AISLE_CONFIG": str(config),
            "AISLE_DATABASE_URL": self.database_url,
            "AISLE_PUBSUB_KIND": "redis",
            "AISLE_REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            "AISLE_VECTOR_STORE_KIND": "http",
            "AISLE_VECTOR_STORE_HOST": "127.0.0.1",
            "AISLE_VECTOR_STORE_PORT": str(chroma_port),
            "AISLE_DATA_DIR": str(self.directory / "data"),
            "AISLE_HOST": "127.0.0.1",
            "PYTHONUNBUFFERED": "1",
        }
        self._set_up_data()

    def _create_database(self) -> str:
        url = make_url(self.server_url)
        if url.get_backend_name() == "sqlite":
            return f"sqlite:///{self.directory / 'aisle.db'}"
        name = f"aisle_bench_{os.getpid()}_{secrets.token_hex(3)}"
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'CREATE DATABASE "{name}"'))
        finally:
            admin.dispose()
        self._database = name
        return url.set(database=name).render_as_string(hide_password=False)

    def _drop_database(self) -> None:
        if self._database is None:
            return
        admin = create_engine(make_url(self.server_url), isolation_level="AUTOCOMMIT")
        try:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{self._database}" WITH (FORCE)'))
        finally:
            admin.dispose()
        self._database = None

    def start_redis(self) -> None:
        """Start (or start again) the bench's redis-server on its port, without persistence."""
        binary = shutil.which("redis-server")
        if binary is None:
            raise RuntimeError("redis-server is not on PATH")
        command = [binary, "--port", str(self.redis_port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", str(self.directory)]
        self._redis = self._launch(command, "redis", ready=self._redis_ready)

    def _redis_ready(self) -> bool:
        import redis

        client = redis.Redis(port=self.redis_port, socket_timeout=1)
        try:
            return bool(client.ping())
        finally:
            client.close()

    def stop_redis(self) -> None:
        if self._redis is not None:
            stop_process_group(self._redis, grace_s=5)
            self._processes.remove(self._redis)
            self._redis = None

    def _start_chroma(self) -> int:
        chroma = shutil.which("chroma", path=str(Path(sys.executable).parent)) or "chroma"
        port = free_port()
        command = [chroma, "run", "--path", str(self.directory / "chroma"), "--host", "127.0.0.1"]
        health = f"http://127.0.0.1:{port}/api/v2/heartbeat"
        self._launch([*command, "--port", str(port)], "chroma", ready=_http_ok(health))
        return port

    def _write_config(self) -> Path:
        raw = self.settings.model_dump(mode="json")
        raw["nlu"]["model_path"] = None  # the model lives in the bench's data directory
        for key, value in {"llm.provider": "none", **raised_limits(), **self.overrides}.items():
            _set_dotted(raw, key, value)
        path = self.directory / "config.yml"
        path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
        return path

    def worker_settings(self) -> Settings:
        return load_settings(self.env["AISLE_CONFIG"], environ=self.env)

    def _set_up_data(self) -> None:
        """What `assistant db upgrade`, `store seed`, `train --if-stale` and `kb ingest` do,
        once, with the settings every worker loads."""
        from assistant.engine.embeddings import embedder_from_settings
        from assistant.engine.nlu.model import ensure_trained
        from assistant.knowledge.documents import read_knowledge_base
        from assistant.knowledge.ingest import get_collection, ingest
        from assistant.knowledge.vector_store import close_vector_store, vector_store_from_settings
        from assistant.persistence import migrate
        from assistant.persistence.db import make_engine, make_session_factory
        from assistant.store.seed import seed_store

        settings = self.worker_settings()
        self.progress("migrating and seeding the bench's database")
        migrate.upgrade(settings.database_url)
        engine = make_engine(settings.database_url)
        try:
            seed_store(make_session_factory(engine), settings.path(settings.store.seed_path))
        finally:
            engine.dispose()
        source = self.settings.nlu_model_path
        if source.exists():
            settings.nlu_model_path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, settings.nlu_model_path)
        self.progress("training the NLU model unless the copied one is up to date")
        ensure_trained(settings)
        self.progress("ingesting the knowledge base into the Chroma server")
        chunks, problems = read_knowledge_base(settings.path("knowledge_base"))
        client = vector_store_from_settings(settings)
        try:
            collection = get_collection(client, settings.vector_store.collection)
            embedder = embedder_from_settings(settings)
            ingest(collection, embedder, chunks, scope="kb", problems=problems)
        finally:
            close_vector_store(client)

    # -- servers -------------------------------------------------------------------------

    def _launch(
        self,
        command: list[str],
        name: str,
        *,
        ready: Callable[[], bool],
        env: dict[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        log_path = self.directory / f"{name}.log"
        process = launch(command, log_path=log_path, ready=ready, env=env)
        self._processes.append(process)
        self.by_name[name] = process
        return process

    def start_worker(self, launcher: list[str] | None = None) -> Worker:
        """`assistant serve`, run by `launcher` (`python -m assistant` unless given)."""
        name = f"worker-{len(self.workers) + 1}"
        port = free_port()
        self.progress(f"starting {name} on port {port}")
        env = self.env | {"AISLE_PORT": str(port)}
        command = [*(launcher or [sys.executable, "-m", "assistant"]), "serve"]
        ready = _http_ok(f"http://127.0.0.1:{port}/readyz")
        process = self._launch(command, name, ready=ready, env=env)
        worker = Worker(name, port, self.directory / f"{name}.log", process)
        self.workers.append(worker)
        return worker

    def kill_worker(self, worker: Worker) -> None:
        """SIGKILL: the worker has no chance to close its sockets or finish a turn."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(worker.process.pid, signal.SIGKILL)
        worker.process.wait(timeout=10)

    def start_echo(self) -> str:
        port = free_port()
        self.progress(f"starting the echo reference on port {port}")
        command = [
            sys.executable,
            "-m",
            "uvicorn",
            "--factory",
            "assistant.bench.load_echo:echo_app",
        ]
        command += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
        self._launch(command, "echo", ready=_http_ok(f"http://127.0.0.1:{port}/healthz"))
        return f"ws://127.0.0.1:{port}/ws/chat"

    def mark_logs(self) -> None:
        """Start a phase: later `log_errors()` reads only what the workers write from now."""
        for worker in self.workers:
            worker.log_offset = worker.log_path.stat().st_size

    def log_errors(self) -> LogErrors:
        found = LogErrors()
        for worker in self.workers:
            with worker.log_path.open("rb") as log:
                log.seek(worker.log_offset)
                lines = log.read().decode(errors="replace").splitlines()
            for line in lines:
                found.warnings += " WARNING " in line or '"WARNING"' in line
                if not _ERROR_LINE.search(line):
                    continue
                found.lines += 1
                found.tracebacks += line.startswith("Traceback")
                example = f"{worker.name}: {line.strip()[:300]}"
                if len(found.examples) < _ERROR_EXAMPLES and example not in found.examples:
                    found.examples.append(example)
        return found

    def close(self) -> None:
        # The workers first, so their logs do not fill with the loss of Redis and Chroma.
        workers = [worker.process for worker in self.workers]
        for process in [*workers, *(p for p in reversed(self._processes) if p not in workers)]:
            stop_process_group(process, grace_s=5)
        self._processes.clear()
        with contextlib.suppress(Exception):
            self._drop_database()


@contextlib.contextmanager
def cluster(settings: Settings, **options: Any) -> Iterator[Cluster]:
    servers = Cluster(settings, **options)
    try:
        servers.prepare()
        yield servers
    finally:
        servers.close()
