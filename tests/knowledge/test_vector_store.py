"""The one Chroma client factory: an embedded store's system is freed when its last client
closes, and a client still open on the same path keeps working."""

from __future__ import annotations

from pathlib import Path

from chromadb.api.shared_system_client import SharedSystemClient

from assistant.knowledge.vector_store import close_vector_store, open_vector_store


def test_closing_the_last_client_frees_the_store(tmp_path: Path) -> None:
    first = open_vector_store(tmp_path / "chroma")
    second = open_vector_store(tmp_path / "chroma")
    first.get_or_create_collection("kb-test", embedding_function=None).add(
        ids=["a"], embeddings=[[0.1, 0.2, 0.3]], documents=["returns within 30 days"]
    )
    close_vector_store(first)
    # The other client of the same path still reads what was written.
    assert second.get_or_create_collection("kb-test", embedding_function=None).count() == 1
    held = set(SharedSystemClient._identifier_to_system)
    assert str(tmp_path / "chroma") in held
    close_vector_store(second)
    assert str(tmp_path / "chroma") not in set(SharedSystemClient._identifier_to_system)
    # Opened again, the data is on disk.
    again = open_vector_store(tmp_path / "chroma")
    assert again.get_or_create_collection("kb-test", embedding_function=None).count() == 1
    close_vector_store(again)


def test_without_a_path_the_store_is_in_memory() -> None:
    client = open_vector_store()
    client.get_or_create_collection("kb-memory", embedding_function=None).add(
        ids=["a"], embeddings=[[1.0, 0.0]], documents=["x"]
    )
    assert client.get_collection("kb-memory").count() == 1
    close_vector_store(client)
