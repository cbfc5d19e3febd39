"""The reference of `assistant bench load`: a bare FastAPI WebSocket endpoint under uvicorn,
driven by the same shoppers as the assistant, in the same run."""

from __future__ import annotations

import json
import secrets

from fastapi import FastAPI, WebSocket, WebSocketDisconnect


def echo_app() -> FastAPI:
    """The reference: a bare FastAPI WebSocket endpoint that answers each shopper message at
    once with the frames a turn ends with (ack, the message, typing, the echo as the bot's
    reply), storing and thinking nothing."""
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.websocket("/ws/chat")
    async def chat(websocket: WebSocket) -> None:
        await websocket.accept()
        seq = 0
        try:
            while True:
                frame = json.loads(await websocket.receive_text())
                if frame.get("type") == "hello":
                    session = frame.get("session") or secrets.token_hex(16)
                    welcome = {"type": "welcome", "session": session, "status": "bot"}
                    await websocket.send_text(json.dumps(welcome | {"last_seq": seq}))
                    continue
                if frame.get("type") == "ping":
                    await websocket.send_text('{"type": "pong"}')
                    continue
                client_id, said = frame.get("client_id"), frame.get("text")
                seq += 2
                for reply in (
                    {"type": "ack", "client_id": client_id, "seq": seq - 1, "duplicate": False},
                    {"type": "message", "seq": seq - 1, "role": "user", "text": said},
                    {"type": "typing", "active": True},
                    {"type": "message", "seq": seq, "role": "bot", "text": said},
                    {"type": "typing", "active": False},
                ):
                    await websocket.send_text(json.dumps(reply))
        except WebSocketDisconnect:
            return

    return app
