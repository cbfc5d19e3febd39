"""One turn at a time per conversation, across workers.

Every worker keeps an in-process lock per conversation. On PostgreSQL a turn also holds a
session-level advisory lock on the conversation, on one connection, for the whole turn: the
tracker is read and written through that connection, so a second worker's turn on the same
conversation waits until the first is saved. SQLite serves one process, where the in-process
lock is enough.
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from typing import Protocol, TypeVar

import anyio
from sqlalchemy import Connection, Engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from assistant.errors import ConversationBusy
from assistant.persistence.db import transaction

T = TypeVar("T")
logger = logging.getLogger(__name__)

# The advisory locks' namespace (pg_advisory_lock's first key): "Aisl" in ASCII.
LOCK_NAMESPACE = 0x4169736C
# A turn waits this long for another worker's turn on the same conversation.
DEFAULT_WAIT_S = 30.0


class Runner(Protocol):
    """Runs `work(session)` in a transaction of the turn."""

    def __call__(self, work: Callable[[Session], T], /) -> Awaitable[T]: ...


class TurnLocks:
    def __init__(self, sessions: sessionmaker[Session], *, wait_s: float = DEFAULT_WAIT_S) -> None:
        self._sessions = sessions
        engine = sessions.kw.get("bind")
        self._engine: Engine | None = engine if isinstance(engine, Engine) else None
        self._shared = self._engine is not None and self._engine.dialect.name == "postgresql"
        self._wait_ms = int(wait_s * 1000)
        # Turns that hold a connection at once: the pool's steady size, so short transactions
        # (storing a message, reading history) always find one in its overflow, and waiting
        # turns wait here, not in threads blocked on the pool.
        size = getattr(self._engine.pool, "size", None) if self._engine is not None else None
        self._slots = asyncio.Semaphore(max(1, size() if callable(size) else 5))
        self._local: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()

    def local(self, conversation_id: str) -> asyncio.Lock:
        """This process's lock of the conversation (short writes take only this one; the
        row lock of their transaction orders them across workers)."""
        lock = self._local.get(conversation_id)
        if lock is None:
            lock = asyncio.Lock()
            self._local[conversation_id] = lock
        return lock

    async def run(self, work: Callable[[Session], T]) -> T:
        """`work(session)` in its own transaction, on a pooled connection."""

        def go() -> T:
            with transaction(self._sessions) as session:
                return work(session)

        return await anyio.to_thread.run_sync(go)

    @asynccontextmanager
    async def hold(self, conversation_id: str) -> AsyncIterator[Runner]:
        """Hold the conversation for a turn; yields the runner its transactions go through."""
        async with self.local(conversation_id):
            if not self._shared:
                yield self.run
                return
            async with self._slots:
                connection = await anyio.to_thread.run_sync(self._acquire, conversation_id)
                try:

                    async def run_on(work: Callable[[Session], T]) -> T:
                        return await anyio.to_thread.run_sync(_in_transaction, connection, work)

                    yield run_on
                finally:
                    await anyio.to_thread.run_sync(self._release, connection, conversation_id)

    def _acquire(self, conversation_id: str) -> Connection:
        assert self._engine is not None
        connection = self._engine.connect()
        try:
            connection.execute(
                text("SELECT set_config('lock_timeout', :wait, true)"),
                {"wait": f"{self._wait_ms}ms"},
            )
            connection.execute(
                text("SELECT pg_advisory_lock(:namespace, hashtext(:id))"),
                {"namespace": LOCK_NAMESPACE, "id": conversation_id},
            )
            connection.commit()
        except DBAPIError as exc:
            connection.close()
            raise ConversationBusy(
                "another reply in this conversation is still being written; send it again"
            ) from exc
        return connection

    def _release(self, connection: Connection, conversation_id: str) -> None:
        try:
            connection.rollback()
            connection.execute(
                text("SELECT pg_advisory_unlock(:namespace, hashtext(:id))"),
                {"namespace": LOCK_NAMESPACE, "id": conversation_id},
            )
            connection.commit()
        except Exception:
            # A connection that may still hold the lock never goes back to the pool.
            logger.warning("could not release the turn lock of %s", conversation_id)
            connection.invalidate()
        finally:
            connection.close()


def _in_transaction(connection: Connection, work: Callable[[Session], T]) -> T:
    with Session(bind=connection, expire_on_commit=False) as session, session.begin():
        return work(session)
