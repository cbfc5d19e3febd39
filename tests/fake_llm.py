"""A queue-driven fake model behind a real OpenAI-compatible HTTP server (the network edge).

Each chat request takes the next scripted `Reply` from the queue: its text (streamed word by
word when the request streams), delays before the first and between pieces, or an HTTP
error status. Requests are recorded, so tests can check what the assistant sent.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.servers import free_port


@dataclass
class Reply:
    # The answer, or a function of the request body that writes it.
    text: str | Callable[[dict[str, Any]], str] = ""
    first_delay_s: float = 0.0
    piece_delay_s: float = 0.0
    status: int = 200


@dataclass
class FakeModelServer:
    port: int
    replies: deque[Reply] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    # The answer once the scripted replies are used up.
    default: Reply = field(default_factory=lambda: Reply("(no reply scripted)"))

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def script(self, *replies: Reply | str) -> None:
        self.replies.extend(r if isinstance(r, Reply) else Reply(r) for r in replies)


def _app(server: FakeModelServer) -> Starlette:
    async def models(_: Request) -> Response:
        return JSONResponse({"object": "list", "data": [{"id": "fake", "object": "model"}]})

    async def chat(request: Request) -> Response:
        body = await request.json()
        server.requests.append(body)
        reply = server.replies.popleft() if server.replies else server.default
        if callable(reply.text):
            reply = Reply(reply.text(body), reply.first_delay_s, reply.piece_delay_s, reply.status)
        if reply.status != 200:
            await asyncio.sleep(reply.first_delay_s)
            return JSONResponse({"error": {"message": "scripted failure"}}, reply.status)
        created = int(time.time())
        if not body.get("stream"):
            await asyncio.sleep(reply.first_delay_s)
            return JSONResponse(
                {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion",
                    "created": created,
                    "model": body.get("model", "fake"),
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply.text},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
                }
            )

        async def pieces() -> AsyncIterator[bytes]:
            await asyncio.sleep(reply.first_delay_s)
            words = str(reply.text).split(" ")
            for i, word in enumerate(words):
                if i:
                    await asyncio.sleep(reply.piece_delay_s)
                piece = word if i == 0 else f" {word}"
                chunk = {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion.chunk",
                    "created": created,
                    "model": body.get("model", "fake"),
                    "choices": [{"index": 0, "delta": {"content": piece}, "finish_reason": None}],
                }
                yield f"data: {json.dumps(chunk)}\n\n".encode()
            done = {
                "id": "chatcmpl-fake",
                "object": "chat.completion.chunk",
                "created": created,
                "model": body.get("model", "fake"),
                "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}],
            }
            yield f"data: {json.dumps(done)}\n\n".encode()
            yield b"data: [DONE]\n\n"

        return StreamingResponse(pieces(), media_type="text/event-stream")

    return Starlette(
        routes=[
            Route("/v1/models", models),
            Route("/v1/chat/completions", chat, methods=["POST"]),
        ]
    )


def run_fake_model_server() -> Iterator[FakeModelServer]:
    """Serve on a free port in a thread until the generator is closed."""
    server = FakeModelServer(port=free_port())
    config = uvicorn.Config(_app(server), host="127.0.0.1", port=server.port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not uv.started:
        if time.monotonic() > deadline:
            raise RuntimeError("the fake model server did not start")
        time.sleep(0.02)
    try:
        yield server
    finally:
        uv.should_exit = True
        thread.join(timeout=10)
