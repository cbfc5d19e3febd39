"""Fixtures of the order backend tests: the demo store's source and a backend on it."""

from __future__ import annotations

import json

import pytest
from sqlalchemy.orm import Session, sessionmaker

from assistant.backends.sql_orders import SqlOrderBackend
from tests.backends.cases import Source
from tests.fixtures.database import SEED_PATH


@pytest.fixture(scope="module")
def source() -> Source:
    data: Source = json.loads(SEED_PATH.read_text(encoding="utf-8"))
    return data


@pytest.fixture
def backend(seeded_session_factory: sessionmaker[Session]) -> SqlOrderBackend:
    return SqlOrderBackend(seeded_session_factory)
