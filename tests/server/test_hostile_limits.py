"""Frame sizes through a real uvicorn server, started with `assistant serve`'s options: a
frame over `channels.websocket.max_frame_bytes` gets a `message_too_large` error frame on an
open connection (as docs/protocol.md promises); only one over the server's hard cap (1 MiB)
closes it, with 1009."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from websockets.exceptions import ConnectionClosedError
from websockets.sync.client import ClientConnection, connect

from assistant.cli.serve import MIN_WS_MAX_SIZE, ws_max_size
from assistant.config import Settings
from tests.protocol_frames import ORIGIN, check
from tests.server.hostile import served


def _receive(ws: ClientConnection) -> dict[str, Any]:
    return check(json.loads(ws.recv(timeout=30)), "ServerFrame")


def _ping(ws: ClientConnection) -> None:
    ws.send(json.dumps({"type": "ping"}))
    assert _receive(ws) == {"type": "pong"}


def test_the_hard_cap_is_far_above_the_frame_limit(make_settings: Callable[..., Settings]) -> None:
    settings = make_settings()
    limit = settings.channels.websocket.max_frame_bytes
    assert ws_max_size(settings) >= max(MIN_WS_MAX_SIZE, 16 * limit)
    bigger = make_settings(**{"channels.websocket.max_frame_bytes": 1_048_576})
    assert ws_max_size(bigger) == 16 * 1_048_576


@pytest.mark.slow
def test_a_large_frame_gets_message_too_large_and_only_a_huge_one_closes(
    settings: Settings,
) -> None:
    with (
        served(settings) as base,
        connect(
            base.replace("http", "ws") + "/ws/chat",
            origin=ORIGIN["origin"],  # type: ignore[arg-type]
            max_size=None,
        ) as ws,
    ):
        ws.send(json.dumps({"type": "hello"}))
        assert _receive(ws)["type"] == "welcome"
        for size in (65 * 1024, 100 * 1024, MIN_WS_MAX_SIZE - 1024):
            text = "a" * size
            ws.send(json.dumps({"type": "message", "client_id": "big", "text": text}))
            error = _receive(ws)
            assert error["type"] == "error" and error["code"] == "message_too_large", error
            _ping(ws)
        # Past the server's own cap the frame is not read at all.
        ws.send("a" * (MIN_WS_MAX_SIZE + 1))
        with pytest.raises(ConnectionClosedError) as closed:
            ws.recv(timeout=30)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009


@pytest.mark.parametrize("compression", [False, True])
def test_compression_is_negotiated_only_when_configured(
    make_settings: Callable[..., Settings], compression: bool
) -> None:
    settings = make_settings(**{"channels.websocket.compression": compression})
    with (
        served(settings) as base,
        connect(base.replace("http", "ws") + "/ws/chat", origin=ORIGIN["origin"]) as ws,  # type: ignore[arg-type]
    ):
        assert ws.response is not None
        extensions = ws.response.headers.get("Sec-WebSocket-Extensions") or ""
        assert ("permessage-deflate" in extensions) is compression
        ws.send(json.dumps({"type": "hello"}))
        assert _receive(ws)["type"] == "welcome"
