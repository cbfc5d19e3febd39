from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fake_llm import FakeModelServer, run_fake_model_server


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeModelServer]:
    yield from run_fake_model_server()


@pytest.fixture
def fake(fake_server: FakeModelServer) -> FakeModelServer:
    fake_server.replies.clear()
    fake_server.requests.clear()
    return fake_server
