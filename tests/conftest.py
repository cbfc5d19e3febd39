"""Shared fixtures: databases in tests/fixtures/database.py, the app in tests/fixtures/app.py,
a real language-model server in tests/fixtures/live_model.py."""

import pytest

pytest_plugins = [
    "tests.fixtures.database",
    "tests.fixtures.app",
    "tests.fixtures.fake_model",
    "tests.fixtures.live_model",
]


@pytest.fixture
def anyio_backend() -> str:
    """Async tests (marked `anyio`) run on asyncio, like the server."""
    return "asyncio"
