"""`assistant bench chat`'s chats: N of them at once over the widget's WebSocket, each going
through the script's conversations (`chat_script.py`) one after another, a new connection
and session for each, either back to back (the next message as soon as a turn ends) or at a
human pace (one message every `pace_s` seconds: the next goes `pace_s` after the previous
one was sent, or at once when that turn took longer).

A turn is timed as `assistant bench load` times it (`load_shoppers.ShopperClient`): from the
message sent to the first bot message after its `ack`; the next message waits for `typing`
to end. Connecting is not part of a turn. Chats start spread over the first second (back to
back) or over the first `pace_s` (paced), and send nothing new after `duration_s`; turns in
flight then finish. Throughput counts the turns answered within `duration_s`.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

from assistant.bench.chat_script import ChatScript, Line
from assistant.bench.load_check import percentile
from assistant.bench.load_shoppers import Shopper, ShopperClient

DRAIN_S = 30.0  # after the end of a phase, for the turns in flight
RAMP_S = 1.0  # back to back: the chats start over this long
_NETWORK_ERRORS = (OSError, TimeoutError, WebSocketException, ConnectionError)


@dataclass
class Turns:
    """What the chats of one phase measured."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    in_window: int = 0
    conversations: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    # The first exchange of each kind: what was said and the start of the reply.
    samples: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(len(values) for values in self.latencies.values())

    def add(self, line: Line, seconds: float, reply: str | None, *, in_window: bool) -> None:
        self.latencies[line.kind].append(seconds)
        self.in_window += in_window
        self.samples.setdefault(line.kind, {"said": line.text, "reply": reply or ""})


def latency_figures(values: list[float]) -> dict[str, Any]:
    if not values:
        return {"turns": 0, "p50_ms": None, "p99_ms": None}
    return {
        "turns": len(values),
        "p50_ms": round(percentile(values, 0.5) * 1000, 1),
        "p99_ms": round(percentile(values, 0.99) * 1000, 1),
    }


async def _sleep_until(moment: float) -> None:
    await asyncio.sleep(max(0.0, moment - time.monotonic()))


class ChatCrowd:
    """`chats` chats on `url` for `duration_s`, back to back (`pace_s` 0) or paced."""

    def __init__(
        self,
        url: str,
        script: ChatScript,
        *,
        chats: int,
        pace_s: float,
        duration_s: float,
        first_conversation: int = 0,
    ) -> None:
        self.url = url
        self.script = script
        self.chats = chats
        self.pace_s = pace_s
        self.duration_s = duration_s
        self.first_conversation = first_conversation
        self.turns = Turns()
        self.window_end = 0.0
        # The conversations' numbers used so far end before this one.
        self.next_conversation = first_conversation

    async def run(self) -> Turns:
        started = time.monotonic()
        self.window_end = started + self.duration_s
        spread = self.pace_s or RAMP_S
        tasks = [
            asyncio.create_task(self._chat(index, started + spread * index / self.chats))
            for index in range(self.chats)
        ]
        _done, pending = await asyncio.wait(tasks, timeout=self.duration_s + DRAIN_S + 10)
        for task in pending:
            task.cancel()
        results = await asyncio.gather(*tasks, return_exceptions=True)
        if pending:
            self.turns.errors["chats cut off after the drain"] += len(pending)
        for result in results:
            if isinstance(result, BaseException) and not isinstance(result, asyncio.CancelledError):
                self.turns.errors[f"chat failed: {type(result).__name__}"] += 1
        return self.turns

    async def _chat(self, index: int, start_at: float) -> None:
        await _sleep_until(start_at)
        next_send = time.monotonic()
        number = self.first_conversation + index
        while time.monotonic() < self.window_end:
            self.next_conversation = max(self.next_conversation, number + 1)
            lines = self.script.conversation(number)
            next_send = await self._conversation(index, number, lines, next_send)
            number += self.chats

    async def _conversation(
        self, index: int, number: int, lines: list[Line], next_send: float
    ) -> float:
        """One conversation on a new connection; when its next message is due."""
        shopper = Shopper(index, tuple(line.text for line in lines))
        client = ShopperClient(shopper, [self.url], self.window_end + DRAIN_S)
        try:
            await client.connect()
            self.turns.conversations += 1
            for step, line in enumerate(lines):
                if self.pace_s:
                    await _sleep_until(next_send)
                sent_at = time.monotonic()
                if sent_at >= self.window_end:
                    break
                next_send = sent_at + self.pace_s
                client_id = f"bench-{number}-{step}"
                answered = len(shopper.latencies)
                if not await client.turn(client_id, line.text):
                    break
                if len(shopper.latencies) > answered:
                    in_window = time.monotonic() <= self.window_end
                    reply = shopper.replies.get(client_id)
                    self.turns.add(line, shopper.latencies[-1], reply, in_window=in_window)
        except _NETWORK_ERRORS as exc:
            self.turns.errors[f"connect: {type(exc).__name__}"] += 1
            await asyncio.sleep(0.5)  # not a tight loop against a server that refuses
        finally:
            if client.ws is not None:
                await client.ws.close()
            self.turns.errors.update(shopper.errors)
        return next_send


async def script_once(url: str, lines: list[Line], tag: str) -> dict[str, float | None]:
    """One conversation through `lines`, turn by turn: each kind's milliseconds (None when it
    went unanswered)."""
    shopper = Shopper(0, tuple(line.text for line in lines))
    client = ShopperClient(shopper, [url], time.monotonic() + 120)
    found: dict[str, float | None] = {}
    try:
        await client.connect()
        for step, line in enumerate(lines):
            answered = len(shopper.latencies)
            ok = await client.turn(f"{tag}-{step}", line.text)
            done = ok and len(shopper.latencies) > answered
            found[line.kind] = round(shopper.latencies[-1] * 1000, 1) if done else None
    finally:
        if client.ws is not None:
            await client.ws.close()
    return found


async def _open_idle(url: str) -> ClientConnection:
    ws = await connect(url, open_timeout=30, ping_interval=None, close_timeout=2)
    await ws.send(json.dumps({"type": "hello", "last_seq": 0}))
    welcome = json.loads(await asyncio.wait_for(ws.recv(), timeout=30))
    if welcome.get("type") != "welcome":
        await ws.close()
        raise ConnectionError(f"hello answered with {welcome.get('code', welcome)}")
    return ws


class IdleChats:
    """`count` chats that say hello and then nothing, held open until `close()`."""

    def __init__(self, url: str, count: int, *, at_once: int = 100) -> None:
        self.url = url
        self.count = count
        self.at_once = at_once
        self.sockets: list[ClientConnection] = []
        self.errors: Counter[str] = Counter()

    async def open(self) -> None:
        gate = asyncio.Semaphore(self.at_once)

        async def one() -> None:
            async with gate:
                try:
                    self.sockets.append(await _open_idle(self.url))
                except _NETWORK_ERRORS as exc:
                    self.errors[type(exc).__name__] += 1

        await asyncio.gather(*(one() for _ in range(self.count)))

    async def close(self) -> None:
        gate = asyncio.Semaphore(self.at_once)

        async def one(ws: ClientConnection) -> None:
            async with gate:
                await ws.close()

        await asyncio.gather(*(one(ws) for ws in self.sockets), return_exceptions=True)
        self.sockets.clear()
