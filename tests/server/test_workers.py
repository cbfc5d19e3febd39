"""Two real workers (`assistant serve` processes) on one PostgreSQL database and one Redis:
one turn at a time per conversation whichever worker holds the socket, and live delivery that
survives a Redis restart with nothing lost or shown twice."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sys
import time
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
import websockets
import yaml
from sqlalchemy import select, update
from sqlalchemy.orm import Session, sessionmaker

from assistant.persistence.models import Conversation, Message
from assistant.persistence.models.store import Order
from tests.fixtures.app import ROOT
from tests.servers import RedisServer, free_port, serve

pytestmark = [pytest.mark.postgres, pytest.mark.slow, pytest.mark.anyio]

SECRET = "worker-test-signing-secret-" * 2
YUSUF = "yusuf_rossi_9620"
ORDER = "#W6247578"
ORIGIN = "http://127.0.0.1:8000"
CONFIRM = "Shall I go ahead"


def _config(path: Path, database_url: str, redis_url: str, nlu_model: Path, data: Path) -> Path:
    config = yaml.safe_load((ROOT / "config.yml").read_text())
    config.update(root=str(ROOT), data_dir=str(data), environment="test")
    config["database"]["url"] = database_url
    config["nlu"] = {**config.get("nlu", {}), "model_path": str(nlu_model)}
    config["pubsub"] = {"kind": "redis", "redis_url": redis_url}
    config["channels"]["identity_secret"] = SECRET
    config["security"] = {"api_token": "worker-test-token-0123456789"}
    path.write_text(yaml.safe_dump(config))
    return path


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path)
    server.start()
    yield server
    if server.process is not None and server.process.poll() is None:
        server.stop()


@pytest.fixture
def workers(
    tmp_path: Path,
    database_url: str,
    seeded_session_factory: sessionmaker[Session],
    nlu_model_path: Path,
    redis_server: RedisServer,
) -> Iterator[list[str]]:
    """Two workers on the same database and Redis; their base URLs."""
    urls = []
    with contextlib.ExitStack() as stack:
        for name in ("a", "b"):
            config = _config(
                tmp_path / f"config-{name}.yml",
                database_url,
                redis_server.url,
                nlu_model_path,
                tmp_path / f"data-{name}",
            )
            port = free_port()
            stack.enter_context(
                serve(
                    [sys.executable, "-m", "assistant", "serve", "--port", str(port)],
                    health=f"http://127.0.0.1:{port}/healthz",
                    log_path=tmp_path / f"worker-{name}.log",
                    env={"AISLE_CONFIG": str(config)},
                    cwd=ROOT,
                    timeout=120,
                )
            )
            urls.append(f"http://127.0.0.1:{port}")
        for url in urls:
            _warm(url)
        yield urls


def _warm(base: str) -> None:
    """One turn, so the worker has loaded its models before a test times its replies."""
    response = httpx.post(
        f"{base}/webhooks/rest/webhook",
        json={"sender": f"warm-{base[-5:]}", "message": "hi"},
        timeout=180,
    )
    assert response.status_code == 200, response.text


@pytest.fixture
async def sockets() -> AsyncIterator[list[Socket]]:
    """The widget connections a test opens, closed however the test ends."""
    opened: list[Socket] = []
    yield opened
    for socket in opened:
        await socket.close()


def _token() -> str:
    claims = {"sub": YUSUF, "exp": datetime.now(UTC) + timedelta(minutes=10)}
    return jwt.encode(claims, SECRET, algorithm="HS256")


class Socket:
    """A widget connection: frames kept in arrival order."""

    def __init__(self, ws: Any) -> None:
        self.ws = ws
        self.frames: list[dict[str, Any]] = []
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        async for raw in self.ws:
            self.frames.append(json.loads(raw))

    async def send(self, frame: dict[str, Any]) -> None:
        await self.ws.send(json.dumps(frame))

    async def wait_for(
        self, predicate: Callable[[dict[str, Any]], bool], timeout: float = 20
    ) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        seen = 0
        while time.monotonic() < deadline:
            for frame in self.frames[seen:]:
                if predicate(frame):
                    return frame
            seen = len(self.frames)
            await asyncio.sleep(0.02)
        raise AssertionError(f"no such frame in {self.frames[-10:]}")

    def messages(self) -> list[dict[str, Any]]:
        return [f for f in self.frames if f["type"] == "message"]

    async def close(self) -> None:
        await self.ws.close()
        self._reader.cancel()
        with contextlib.suppress(asyncio.CancelledError, websockets.ConnectionClosed):
            await self._reader


async def _connect(base: str, hello: dict[str, Any], opened: list[Socket]) -> Socket:
    ws = await websockets.connect(
        base.replace("http", "ws", 1) + "/ws/chat", origin=websockets.Origin(ORIGIN)
    )
    socket = Socket(ws)
    opened.append(socket)
    await socket.send({"type": "hello", **hello})
    await socket.wait_for(lambda f: f["type"] == "welcome")
    return socket


async def _say(socket: Socket, client_id: str, text: str) -> None:
    await socket.send({"type": "message", "client_id": client_id, "text": text})


async def _bot_after(socket: Socket, seq: int, needle: str, timeout: float = 30) -> dict[str, Any]:
    return await socket.wait_for(
        lambda f: (
            f["type"] == "message"
            and f["role"] == "bot"
            and f["seq"] > seq
            and needle in (f.get("text") or "")
        ),
        timeout,
    )


async def test_yes_and_no_at_once_on_two_workers_change_the_order_only_after_a_first_yes(
    workers: list[str], seeded_session_factory: sessionmaker[Session], sockets: list[Socket]
) -> None:
    sessions = seeded_session_factory
    outcomes = []
    for round_ in range(20):
        with sessions.begin() as session:
            session.execute(
                update(Order).where(Order.id == ORDER).values(status="pending", cancel_reason=None)
            )
        first = await _connect(workers[0], {"customer_token": _token()}, sockets)
        await first.wait_for(lambda f: f["type"] == "identified")
        await _say(first, "c1", f"cancel order {ORDER}, I no longer need it")
        await first.wait_for(lambda f: CONFIRM in (f.get("text") or ""))
        session_token = next(f["session"] for f in first.frames if f["type"] == "welcome")
        last = max(f["seq"] for f in first.messages())
        second = await _connect(workers[1], {"session": session_token, "last_seq": last}, sockets)
        no, yes = ("no", "yes") if round_ % 2 else ("yes", "no")
        await asyncio.gather(_say(first, "c2", no), _say(second, "c3", yes))
        conversation = await _answered(sessions, session_token, after=last)
        with sessions() as session:
            stored = list(
                session.scalars(
                    select(Message)
                    .where(Message.conversation_id == conversation, Message.seq > last)
                    .order_by(Message.seq)
                )
            )
            status = session.scalar(select(Order.status).where(Order.id == ORDER))
        answers = [m for m in stored if m.role == "user"]
        assert [m.status for m in answers] == ["processed", "processed"]
        first_answer = answers[0].text
        replies = {
            a.text: " ".join(m.text or "" for m in stored if m.reply_to == a.id) for a in answers
        }
        # Turns ran in the order the messages were stored: the first one's reply comes first.
        bot = [m for m in stored if m.role == "bot"]
        assert [m.reply_to for m in bot] == sorted(m.reply_to or 0 for m in bot)
        if first_answer == "yes":
            assert status == "cancelled"
            assert "is cancelled" in replies["yes"]
            assert "haven't changed anything" not in replies["no"]
        else:
            assert status == "pending"
            assert "haven't changed anything" in replies["no"]
            assert "is cancelled" not in replies["yes"]
        # Every socket shows every message once, in order, whichever worker answered it.
        end = stored[-1].seq
        for socket in (first, second):
            await socket.wait_for(lambda f: f["type"] == "message" and f["seq"] == end)  # noqa: B023
            seqs = [f["seq"] for f in socket.messages() if f["seq"] > last]
            assert seqs == [m.seq for m in stored], (seqs, [m.seq for m in stored])
        outcomes.append(first_answer)
        await first.close()
        await second.close()
        sockets.clear()
    # Both orders of arrival happened at least once across the rounds.
    assert len(outcomes) == 20


async def _answered(sessions: sessionmaker[Session], token: str, *, after: int) -> str:
    """The conversation's id, once both messages after `after` are answered."""
    deadline = time.monotonic() + 30
    while True:
        with sessions() as session:
            conversation = _conversation_of(session, token)
            statuses = list(
                session.scalars(
                    select(Message.status).where(
                        Message.conversation_id == conversation,
                        Message.seq > after,
                        Message.role == "user",
                    )
                )
            )
        if statuses == ["processed", "processed"]:
            return conversation
        assert time.monotonic() < deadline, statuses
        await asyncio.sleep(0.05)


def _conversation_of(session: Session, token: str) -> str:
    found = session.scalar(select(Conversation.id).where(Conversation.external_id == token))
    assert found is not None
    return found


async def _ready(base: str) -> int:
    async with httpx.AsyncClient() as client:
        return (await client.get(f"{base}/readyz", timeout=10)).status_code


async def test_live_delivery_heals_after_redis_restarts(
    workers: list[str],
    redis_server: RedisServer,
    seeded_session_factory: sessionmaker[Session],
    sockets: list[Socket],
) -> None:
    a = await _connect(workers[0], {}, sockets)
    token = next(f["session"] for f in a.frames if f["type"] == "welcome")
    b = await _connect(workers[1], {"session": token, "last_seq": 0}, sockets)
    await _say(a, "m1", "hi")
    await b.wait_for(lambda f: f["type"] == "message" and f["role"] == "bot")
    assert {await _ready(w) for w in workers} == {200}

    redis_server.stop()
    deadline = time.monotonic() + 10
    while {await _ready(w) for w in workers} != {503}:
        assert time.monotonic() < deadline, "readiness stayed ready without Redis"
        await asyncio.sleep(0.2)
    # Chat goes on while Redis is down: stored, answered, delivered on the worker's own socket.
    await _say(a, "m2", "what is your return policy?")
    await _bot_after(a, 2, "")
    async with httpx.AsyncClient(timeout=60) as client:
        rest = await client.post(
            f"{workers[1]}/webhooks/rest/webhook", json={"sender": "r1", "message": "hi"}
        )
        events = await client.post(
            f"{workers[0]}/api/events",
            json={"type": "view", "session_id": "s1", "item_id": "1008292230"},
        )
    assert rest.status_code == 200, rest.text
    assert events.status_code < 500, events.text
    assert all(f["type"] != "error" for f in a.frames), a.frames

    redis_server.start()
    # Within 5 s both workers are ready again and b has caught up on what it missed.
    started = time.monotonic()
    a_seqs = {f["seq"] for f in a.messages()}
    await b.wait_for(lambda f: f["type"] == "message" and f["seq"] == max(a_seqs), timeout=5)
    while {await _ready(w) for w in workers} != {200}:
        assert time.monotonic() - started < 5, "readiness did not come back within 5 s"
        await asyncio.sleep(0.1)
    # Live again in both directions.
    await _say(b, "m3", "thanks")
    last_a = max(a_seqs)
    await a.wait_for(lambda f: f["type"] == "message" and f["seq"] > last_a + 1, timeout=5)
    await asyncio.sleep(0.5)
    with seeded_session_factory() as session:
        stored = sorted(
            session.scalars(
                select(Message.seq).where(
                    Message.conversation_id == _conversation_of(session, token)
                )
            )
        )
    for socket in (a, b):
        seqs = [f["seq"] for f in socket.messages()]
        assert seqs == stored, (seqs, stored)  # nothing lost, nothing twice, in order
