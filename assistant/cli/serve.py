"""`assistant serve`: run the HTTP and WebSocket server."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli import state


def register(app: typer.Typer) -> None:
    @app.command()
    def serve(
        ctx: typer.Context,
        host: Annotated[str | None, typer.Option(help="Bind address (server.host).")] = None,
        port: Annotated[int | None, typer.Option(help="Port (server.port).")] = None,
    ) -> None:
        """Serve the assistant: REST and WebSocket channels, the widget, the APIs."""
        import uvicorn

        from assistant.cli.train import ensure_trained
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
            log_level=settings.server.log_level,
            ws_max_size=settings.channels.websocket.max_frame_bytes * 4,
        )
