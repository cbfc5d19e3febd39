"""The one place a Chroma client is made: embedded on disk, in memory, or a Chroma server,
and closed so that a server's HTTP connections do not wait for the garbage collector."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chromadb.api import ClientAPI

    from assistant.config import Settings


def open_vector_store(
    path: Path | str | None = None, *, host: str | None = None, port: int = 8000
) -> ClientAPI:
    """A Chroma server's client (`host`), an embedded store at `path` (created if missing),
    or with neither an in-memory store."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if host is not None:
        return chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
    if path is None:
        return chromadb.EphemeralClient(settings=chroma_settings)
    Path(path).mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def vector_store_from_settings(settings: Settings) -> ClientAPI:
    """The configured store: `vector_store.kind` http (a Chroma server) or embedded."""
    if settings.vector_store.kind == "http":
        return open_vector_store(host=settings.vector_store.host, port=settings.vector_store.port)
    return open_vector_store(settings.vector_store_path)


def close_vector_store(client: Any) -> None:
    """Close a client. An embedded store's system is stopped when its last client closes
    (chromadb counts the clients of each path), which frees its database and indexes; a
    Chroma server's HTTP connections, which chromadb's own `close()` leaves to the garbage
    collector (its admin client holds a second pool), are closed here."""
    owners = (client, getattr(client, "_admin_client", None))
    sessions = [getattr(getattr(owner, "_server", None), "_session", None) for owner in owners]
    client.close()
    for session in sessions:
        if session is not None:
            session.close()
