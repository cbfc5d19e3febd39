"""Real servers for tests: started on a free port in their own process group, awaited until
their health check answers, and stopped (with every child) afterwards."""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

from assistant.processes import free_port, stop_process_group

__all__ = ["RedisServer", "chroma_server", "free_port", "serve"]


@contextlib.contextmanager
def serve(
    command: Sequence[str],
    *,
    health: str,
    log_path: Path,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Iterator[subprocess.Popen[bytes]]:
    """Run `command` until the block ends; `health` must answer 200 within `timeout` s."""
    with log_path.open("wb") as log:
        # Its own session, so the server and any worker processes stop together.
        process = subprocess.Popen(
            list(command),
            cwd=cwd,
            env={**os.environ, **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                if httpx.get(health, timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if process.poll() is not None or time.monotonic() > deadline:
                output = log_path.read_text(errors="replace")
                raise RuntimeError(f"{command[0]} did not start: {output[-2000:]}")
            time.sleep(0.3)
        yield process
    finally:
        stop_process_group(process)


class RedisServer:
    """A Redis server of the test's own, which the test may stop and start again."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.directory),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 10
        while (
            subprocess.run(
                ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, check=False
            ).stdout.strip()
            != b"PONG"
        ):
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        assert self.process is not None
        self.process.terminate()
        self.process.wait(timeout=10)


CHROMA = shutil.which("chroma", path=str(Path(sys.executable).parent))


@contextlib.contextmanager
def chroma_server(directory: Path) -> Iterator[int]:
    """`chroma run` on a free port; its port."""
    assert CHROMA is not None, "chromadb installs the `chroma` command beside python"
    port = free_port()
    directory.mkdir(parents=True, exist_ok=True)
    command = [CHROMA, "run", "--path", str(directory / "data"), "--host", "127.0.0.1"]
    with serve(
        [*command, "--port", str(port)],
        health=f"http://127.0.0.1:{port}/api/v2/heartbeat",
        log_path=directory / "chroma.log",
    ):
        yield port
