"""Real servers for tests: started on a free port in their own process group, awaited until
their health check answers, and stopped (with every child) afterwards."""

from __future__ import annotations

import contextlib
import os
import subprocess
import time
from collections.abc import Iterator, Sequence
from pathlib import Path

import httpx

from assistant.processes import free_port, stop_process_group

__all__ = ["free_port", "serve"]


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
