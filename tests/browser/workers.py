"""Two `assistant serve` workers for the browser tests that cross them: one PostgreSQL
database, one Redis and one Chroma server between them, as a store runs several workers."""

from __future__ import annotations

import contextlib
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.browser.harness import AisleServer
from tests.servers import free_port, serve

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


@contextlib.contextmanager
def two_workers(
    directory: Path, database_url: str, redis_url: str, nlu_model: Path
) -> Iterator[tuple[AisleServer, AisleServer]]:
    """Two workers on one PostgreSQL database, one Redis and one Chroma server: the data
    prepared once (migrate, seed, ingest), the NLU model copied for the second."""
    with chroma_server(directory / "chroma") as chroma:
        shared = {"database_url": database_url, "redis_url": redis_url, "chroma_port": chroma}
        first = AisleServer(directory / "a", **shared)  # type: ignore[arg-type]
        first.prepare_data()
        first.install_model(nlu_model)
        second = AisleServer(directory / "b", **shared)  # type: ignore[arg-type]
        second.install_model(nlu_model)
        second.logs.mkdir(parents=True, exist_ok=True)
        with contextlib.ExitStack() as running:
            for server in (first, second):
                server.start()
                running.callback(server.stop)
            yield first, second
