"""Child processes the assistant (and its tests) start: a free port to give them, and a stop
that ends the whole process group, politely first."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def stop_process_group(
    process: subprocess.Popen[bytes], *, grace_s: float = 10.0, kill_grace_s: float = 10.0
) -> None:
    """SIGTERM to the process's group (started with `start_new_session=True`), SIGKILL if it
    is still there after `grace_s`."""
    for sig, grace in ((signal.SIGTERM, grace_s), (signal.SIGKILL, kill_grace_s)):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        try:
            process.wait(timeout=grace)
            return
        except subprocess.TimeoutExpired:
            continue
