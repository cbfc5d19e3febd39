"""Which origins may use the channels: the server's own, the listed ones; refusals logged once."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Callable

import pytest
from starlette.applications import Starlette
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse
from starlette.routing import Route, WebSocketRoute
from starlette.testclient import TestClient
from starlette.websockets import WebSocket

from assistant.config import Settings
from assistant.server import origins
from assistant.server.origins import connection_allowed, origin_allowed, own_origin, refused
from tests.protocol_frames import Chat, check

DEFAULTS = ["http://127.0.0.1:8000", "http://localhost:8000"]


@pytest.fixture(autouse=True)
def _fresh_refusals(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(origins, "_refused", OrderedDict())


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:8000",
        "http://localhost:8000/",
        "HTTP://LOCALHOST:8000",
    ],
)
def test_a_listed_origin_is_allowed_however_it_is_spelled(origin: str) -> None:
    assert origin_allowed(origin, DEFAULTS, own=None)


def test_default_ports_are_the_same_origin() -> None:
    assert origin_allowed("https://shop.example.com", ["https://shop.example.com:443"], own=None)
    assert origin_allowed("http://shop.example.com:80", ["http://shop.example.com"], own=None)


@pytest.mark.parametrize(
    "origin",
    [
        "http://127.0.0.1:8001",  # another port
        "https://127.0.0.1:8000",  # another scheme
        "http://evil.example",
        "http://127.0.0.1.evil.example:8000",
        "null",  # sandboxed frames, file:// pages
        "http://[::1",  # not an origin
        "http://localhost:99999",
        "",
    ],
)
def test_an_unlisted_origin_is_refused(origin: str) -> None:
    assert not origin_allowed(origin, DEFAULTS, own="http://127.0.0.1:8123")


def test_the_servers_own_origin_is_allowed_unlisted() -> None:
    # `AISLE_PORT=8123 make run`: the listed defaults name port 8000, the page is on 8123.
    assert origin_allowed("http://127.0.0.1:8123", DEFAULTS, own="http://127.0.0.1:8123")
    assert origin_allowed("http://localhost:8123", DEFAULTS, own="http://LOCALHOST:8123/")
    assert origin_allowed("http://[::1]:8123", [], own="http://[::1]:8123")
    # The same host on another port or scheme is another origin.
    assert not origin_allowed("http://localhost:8124", DEFAULTS, own="http://localhost:8123")
    assert not origin_allowed("https://localhost:8123", DEFAULTS, own="http://localhost:8123")


def test_no_origin_and_any_origin() -> None:
    # Clients other than browsers send no Origin; `*` (refused in production) allows any.
    assert origin_allowed(None, [], own=None)
    assert origin_allowed("http://evil.example", ["*"], own=None)


def _connection(
    scheme: str, host: str | None, server: tuple[str, int] = ("10.0.0.1", 80)
) -> HTTPConnection:
    headers = [(b"host", host.encode())] if host is not None else []
    return HTTPConnection(
        {
            "type": "websocket" if scheme.startswith("ws") else "http",
            "scheme": scheme,
            "server": server,
            "path": "/ws/chat",
            "query_string": b"",
            "headers": headers,
        }
    )


@pytest.mark.parametrize(
    ("scheme", "host", "own"),
    [
        ("http", "127.0.0.1:8123", "http://127.0.0.1:8123"),
        ("ws", "localhost:8123", "http://localhost:8123"),
        ("wss", "Shop.Example.com", "https://shop.example.com"),
        ("https", "shop.example.com:443", "https://shop.example.com"),
        ("ws", None, "http://10.0.0.1"),  # no Host header: the address it was served on
    ],
)
def test_own_origin_is_the_scheme_and_host_addressed(
    scheme: str, host: str | None, own: str
) -> None:
    assert own_origin(_connection(scheme, host)) == own


def test_a_refused_origin_is_logged_once_with_the_setting_that_allows_it(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="assistant.server.origins"):
        assert refused("http://evil.example") is True
        assert refused("http://evil.example") is False
        assert refused("http://other.example") is True
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2
    assert "'http://evil.example'" in messages[0]
    assert "channels.allowed_origins" in messages[0] and "AISLE_ALLOWED_ORIGINS" in messages[0]
    assert all(record.levelno == logging.WARNING for record in caplog.records)


def test_a_forged_origin_cannot_forge_log_lines(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING, logger="assistant.server.origins"):
        refused("http://a.example\nINFO everything is fine")
    assert "\n" not in caplog.records[0].getMessage()


def test_refusals_remembered_are_bounded(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(origins, "REMEMBERED_REFUSALS", 2)
    for number in range(3):
        refused(f"http://{number}.example")
    assert list(origins._refused) == ["http://1.example", "http://2.example"]
    # The oldest was forgotten: it is logged again.
    with caplog.at_level(logging.WARNING, logger="assistant.server.origins"):
        assert refused("http://0.example") is True
        assert refused("http://2.example") is False


def _app(allowed: list[str]) -> Starlette:
    async def page(request: Request) -> JSONResponse:
        return JSONResponse({"allowed": connection_allowed(request, allowed)})

    async def socket(websocket: WebSocket) -> None:
        await websocket.accept()
        await websocket.send_json({"allowed": connection_allowed(websocket, allowed)})
        await websocket.close()

    return Starlette(
        routes=[Route("/events", page, methods=["POST"]), WebSocketRoute("/ws", socket)]
    )


def test_a_server_on_another_port_allows_its_own_pages(caplog: pytest.LogCaptureFixture) -> None:
    client = TestClient(_app(DEFAULTS), base_url="http://127.0.0.1:8123")
    with client.websocket_connect(
        "ws://127.0.0.1:8123/ws", headers={"Origin": "http://127.0.0.1:8123"}
    ) as ws:
        assert ws.receive_json() == {"allowed": True}
    post = client.post("/events", headers={"Origin": "http://127.0.0.1:8123"})
    assert post.json() == {"allowed": True}
    with caplog.at_level(logging.WARNING, logger="assistant.server.origins"):
        with client.websocket_connect(
            "ws://127.0.0.1:8123/ws", headers={"Origin": "http://evil.example"}
        ) as ws:
            assert ws.receive_json() == {"allowed": False}
        post = client.post("/events", headers={"Origin": "http://evil.example"})
        assert post.json() == {"allowed": False}
    assert len(caplog.records) == 1


def test_the_widget_works_on_its_own_page_on_another_port(
    make_settings: Callable[..., Settings], caplog: pytest.LogCaptureFixture
) -> None:
    from assistant.server.app import create_app

    # `AISLE_PORT=8123 make run`: the allowed origins are left at their defaults (port 8000).
    settings = make_settings(**{"server.port": 8123})
    assert settings.channels.allowed_origins == DEFAULTS
    page = "http://127.0.0.1:8123"
    with TestClient(create_app(settings), base_url=page) as client:
        with client.websocket_connect(
            "ws://127.0.0.1:8123/ws/chat", headers={"origin": page}
        ) as ws:
            assert Chat(ws).hello()["type"] == "welcome"
        with (
            caplog.at_level(logging.WARNING, logger="assistant.server.origins"),
            client.websocket_connect(
                "ws://127.0.0.1:8123/ws/chat", headers={"origin": "https://evil.example"}
            ) as ws,
        ):
            assert check(ws.receive_json(), "ServerFrame")["code"] == "origin_not_allowed"
    assert "https://evil.example" in caplog.records[0].getMessage()
