"""`assistant bench load`'s simulated shoppers: scripted turns over the widget's WebSocket
(docs/protocol.md), one message at a time.

A turn is the time from a message sent to the first bot message after its `ack`; the next
message goes once the turn is over (`typing {active: false}`). A shopper whose socket drops,
or whose turn gets no answer in time, does what the widget does: it connects again (to the
next worker), says `hello {session, last_seq}` with the highest `seq` it has seen, and resends
a message that was not acknowledged with the same `client_id` (the server makes that
idempotent). A message acknowledged before the drop is not resent: its answer must come by
itself; if it has not come after `PATIENCE_S`, the shopper asks again with the same
`client_id`, and the bench counts that as an error.
"""

from __future__ import annotations

import asyncio
import json
import random
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import WebSocketException

# Each shopper's lines, in order: small talk, a policy question, a product search, an order
# question that asks the shopper to sign in.
SCRIPTS = (
    ("hi there", "what is your return policy?", "show me mechanical keyboards", "thanks, bye"),
    ("hello", "how long does delivery take?", "where is my order #W2378156?", "thank you"),
    ("hey", "do you have wireless headphones?", "can I return an opened item?", "bye"),
    ("good morning", "where is my order?", "do you offer express shipping?", "thanks"),
)
TURN_TIMEOUT_S = 30.0
CONNECT_ATTEMPTS = 10  # in a row, across the workers, each after a growing pause
PATIENCE_S = 10.0  # for the answer to a message acknowledged before a reconnect
MAX_ATTEMPTS = 4  # sends of one message before the shopper gives up


@dataclass
class Shopper:
    """One simulated shopper: what it sent, what it saw, how long each turn took."""

    index: int
    script: tuple[str, ...]
    session: str | None = None
    last_seq: int = 0
    seen: Counter[int] = field(default_factory=Counter)
    bot_seqs: set[int] = field(default_factory=set)
    sent: dict[str, str] = field(default_factory=dict)
    latencies: list[float] = field(default_factory=list)
    # The first bot reply to each message, for a reader to see what the turns were.
    replies: dict[str, str] = field(default_factory=dict)
    # Messages an error frame refused (rate limited, ...), sent again or given up.
    refused: set[str] = field(default_factory=set)
    errors: Counter[str] = field(default_factory=Counter)
    reconnects: int = 0
    # Each connection: the worker's port and the `last_seq` its hello gave.
    trail: list[str] = field(default_factory=list)
    out_of_order: int = 0


@dataclass
class _Turn:
    client_id: str
    acked: int | None = None
    duplicate: bool = False
    answered_at: float | None = None
    done: bool = False
    # Done at the answer, without waiting for `typing` (a replayed or caught-up answer).
    settle_on_answer: bool = False


class _Refused(Exception):
    """An error frame for the message being sent (rate limited, the turn failed)."""

    def __init__(self, retry_after_s: float) -> None:
        super().__init__(retry_after_s)
        self.retry_after_s = min(max(retry_after_s, 0.1), 10.0)


class ShopperClient:
    """Drives one shopper over the workers' sockets, reconnecting as the widget does."""

    def __init__(
        self, shopper: Shopper, urls: list[str], deadline: float, down: set[str] | None = None
    ) -> None:
        self.shopper = shopper
        self.urls = urls
        self.worker = shopper.index % len(urls)  # round robin, as a balancer would
        self.deadline = deadline
        # Workers that refused a connection, shared by the shoppers: as a balancer's health
        # check would, new connections go to the others.
        self.down = down if down is not None else set()
        self.ws: ClientConnection | None = None

    def _next_worker(self) -> None:
        for _step in self.urls:
            self.worker = (self.worker + 1) % len(self.urls)
            if self.urls[self.worker] not in self.down:
                return

    async def run(self, turns: int) -> None:
        try:
            for number in range(turns):
                text = self.shopper.script[number % len(self.shopper.script)]
                if not await self.turn(f"s{self.shopper.index}-t{number}", text):
                    return
            await self._settle()
        finally:
            if self.ws is not None:
                await self.ws.close()

    async def _settle(self) -> None:
        """Before leaving, as a widget left open would: a `ping`, and every frame before its
        `pong` (the rest of a replay that brought the last answer)."""
        if self.ws is None:
            return
        state = _Turn("")
        try:
            await self.ws.send(json.dumps({"type": "ping"}))
            async with asyncio.timeout(PATIENCE_S):
                while (frame := json.loads(await self.ws.recv())).get("type") != "pong":
                    self._take(frame, state)
        except (OSError, TimeoutError, WebSocketException, _Refused) as exc:
            self.shopper.errors[f"settle: {type(exc).__name__}"] += 1

    async def connect(self) -> None:
        delay = 0.1
        for attempt in range(CONNECT_ATTEMPTS):
            if self.urls[self.worker] in self.down:
                self._next_worker()
            url = self.urls[self.worker]
            try:
                ws = await connect(url, open_timeout=10, ping_interval=None, close_timeout=2)
                hello: dict[str, Any] = {"type": "hello", "last_seq": self.shopper.last_seq}
                if self.shopper.session:
                    hello["session"] = self.shopper.session
                await ws.send(json.dumps(hello))
                welcome = json.loads(await asyncio.wait_for(ws.recv(), timeout=10))
                if welcome.get("type") != "welcome":
                    await ws.close()
                    raise ConnectionError(f"hello answered with {welcome.get('code', welcome)}")
                self.shopper.reconnects += self.shopper.session is not None
                self.shopper.trail.append(
                    f":{url.split(':')[-1].split('/')[0]} after {hello['last_seq']}"
                )
                self.shopper.session = welcome["session"]
                self.ws = ws
                return
            except (OSError, TimeoutError, WebSocketException, ConnectionError) as exc:
                self.shopper.errors[f"connect: {type(exc).__name__}"] += 1
                if isinstance(exc, ConnectionRefusedError):
                    self.down.add(url)
                self._next_worker()
                if attempt + 1 == CONNECT_ATTEMPTS or time.monotonic() + delay > self.deadline:
                    raise
                await asyncio.sleep(delay * (0.5 + random.random()))
                delay = min(delay * 2, 2.0)
        raise ConnectionError("no worker answered")

    async def turn(self, client_id: str, text: str) -> bool:
        """Send one message until it is answered; False when the shopper gave up."""
        started = time.perf_counter()
        acked: int | None = None  # once acknowledged, the message is stored
        answered_at: float | None = None
        for _attempt in range(MAX_ATTEMPTS):
            state = _Turn(client_id)
            try:
                if self.ws is None:
                    await self.connect()
                assert self.ws is not None
                if acked is not None:
                    answered_at = answered_at or await self._answer_comes(self.ws, state, acked)
                    if answered_at is None:
                        # Asked again, with the same client_id: the protocol has it answered.
                        self.shopper.errors["acked, unanswered after reconnect: resent"] += 1
                        acked, state = None, _Turn(client_id)
                if acked is None:
                    frame = {"type": "message", "client_id": client_id, "text": text}
                    await self.ws.send(json.dumps(frame))
                    self.shopper.sent[client_id] = text
                    budget = min(TURN_TIMEOUT_S, self.deadline - time.monotonic())
                    await asyncio.wait_for(self._until_done(self.ws, state), max(budget, 0.1))
                    answered_at = state.answered_at
            except _Refused as refused:  # stored or not, the message is to be sent again
                acked = None
                await asyncio.sleep(refused.retry_after_s)
                continue
            except (OSError, TimeoutError, WebSocketException, ConnectionError) as exc:
                self.shopper.errors[f"turn: {type(exc).__name__}"] += 1
                acked = acked if acked is not None else state.acked
                answered_at = answered_at or state.answered_at
                await self._drop()
                if time.monotonic() >= self.deadline:
                    return False
                continue
            assert answered_at is not None
            self.shopper.latencies.append(answered_at - started)
            return True
        return False

    async def _answer_comes(self, ws: ClientConnection, state: _Turn, acked: int) -> float | None:
        """After a reconnect, a message acknowledged before is not resent (as the widget
        does): its answer comes in the replay or live within `PATIENCE_S`, or not at all."""
        if any(seq > acked for seq in self.shopper.bot_seqs):
            return time.perf_counter()
        state.acked, state.settle_on_answer = acked, True
        try:
            await asyncio.wait_for(self._until_done(ws, state), PATIENCE_S)
        except TimeoutError:
            return None
        return state.answered_at

    async def _drop(self) -> None:
        """Close a socket that failed; the next connection goes to the next worker."""
        if self.ws is not None:
            ws, self.ws = self.ws, None
            await ws.close()
        self._next_worker()

    async def _until_done(self, ws: ClientConnection, state: _Turn) -> None:
        while not state.done:
            self._take(json.loads(await ws.recv()), state)

    def _take(self, frame: dict[str, Any], state: _Turn) -> None:
        shopper = self.shopper
        kind = frame.get("type")
        if kind == "message":
            seq = int(frame["seq"])
            shopper.seen[seq] += 1
            if seq <= shopper.last_seq:
                shopper.out_of_order += shopper.seen[seq] == 1
            shopper.last_seq = max(shopper.last_seq, seq)
            if frame.get("role") == "bot":
                shopper.bot_seqs.add(seq)
                if state.acked is not None and seq > state.acked and state.answered_at is None:
                    state.answered_at = time.perf_counter()
                    state.done = state.settle_on_answer
                    shopper.replies.setdefault(state.client_id, str(frame.get("text") or "")[:80])
        elif kind == "ack" and frame.get("client_id") == state.client_id:
            state.acked, state.duplicate = int(frame["seq"]), bool(frame.get("duplicate"))
            if any(seq > state.acked for seq in shopper.bot_seqs):  # replayed on resume
                state.answered_at = time.perf_counter()
                state.done = state.duplicate
        elif kind == "typing" and not frame.get("active") and state.acked is not None:
            state.done = state.answered_at is not None
        elif kind == "error":
            shopper.errors[f"error frame: {frame.get('code')}"] += 1
            if frame.get("client_id") == state.client_id:
                shopper.refused.add(state.client_id)
                raise _Refused(float(frame.get("retry_after_s") or 0.5))
