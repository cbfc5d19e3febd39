"""Two `assistant serve` workers for the browser tests that cross them: one PostgreSQL
database, one Redis and one Chroma server between them, as a store runs several workers."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from tests.browser.harness import AisleServer
from tests.servers import chroma_server


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
