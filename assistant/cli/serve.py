"""`assistant serve`: run the HTTP and WebSocket server."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.cli.context import state

if TYPE_CHECKING:
    from assistant.config import Settings

# The server's own hard cap on one WebSocket frame (uvicorn's `ws_max_size`; larger frames
# close the connection with 1009): well above `channels.websocket.max_frame_bytes`, so a frame
# over that limit is read and answered with a `message_too_large` error frame instead.
MIN_WS_MAX_SIZE = 1024 * 1024
WS_MAX_SIZE_FACTOR = 16


def ws_max_size(settings: Settings) -> int:
    return max(MIN_WS_MAX_SIZE, WS_MAX_SIZE_FACTOR * settings.channels.websocket.max_frame_bytes)


def uvicorn_options(settings: Settings) -> dict[str, Any]:
    """How `assistant serve` runs uvicorn, bind address aside."""
    return {
        "log_level": settings.server.log_level,
        "ws_max_size": ws_max_size(settings),
        "ws_per_message_deflate": settings.channels.websocket.compression,
        # The assistant's logging (assistant/logs.py: text or JSON, libraries quiet) applies
        # to uvicorn's records too, instead of uvicorn's own configuration.
        "log_config": None,
    }


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        ctx: typer.Context,
        host: Annotated[str | None, typer.Option(help="Bind address (server.host).")] = None,
        port: Annotated[int | None, typer.Option(help="Port (server.port).")] = None,
    ) -> None:
        """Serve the assistant: REST and WebSocket channels, the widget, the APIs."""
        import uvicorn

        from assistant.engine.nlu.model import ensure_trained
        from assistant.persistence.migrate import check_up_to_date
        from assistant.server.app import create_app

        settings = state(ctx).settings
        if not check_up_to_date(settings.database_url):
            typer.echo("the database is not migrated: run `assistant db upgrade`", err=True)
            raise typer.Exit(2)
        trained, seconds = ensure_trained(settings)
        if trained:
            typer.echo(f"trained the NLU model in {seconds:.1f} s")
        uvicorn.run(
            create_app(settings),
            host=host or settings.server.host,
            port=port or settings.server.port,
            **uvicorn_options(settings),
        )
