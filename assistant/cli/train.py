"""`assistant train`: train the NLU model from nlu_data/ into the data directory."""

from __future__ import annotations

from typing import Annotated

import typer

from assistant.cli.context import state
from assistant.engine.nlu.model import ensure_trained


def register(app: typer.Typer) -> None:
    @app.command()
    def train(
        ctx: typer.Context,
        if_stale: Annotated[
            bool, typer.Option("--if-stale", help="Skip when the model matches nlu_data/.")
        ] = False,
        quiet: Annotated[
            bool,
            typer.Option("--quiet", "-q", help="No progress bar (none either off a terminal)."),
        ] = False,
    ) -> None:
        """Train the intent classifier and entity extractor from nlu_data/."""
        from assistant.cli.progress import progress_bar

        settings = state(ctx).settings
        with progress_bar(
            "embedding the training examples", quiet=quiet, finishing="fitting the classifier"
        ) as advance:
            trained, seconds = ensure_trained(settings, force=not if_stale, progress=advance)
        if trained:
            typer.echo(f"trained the NLU model in {seconds:.1f} s -> {settings.nlu_model_path}")
        else:
            typer.echo(f"the NLU model is up to date ({settings.nlu_model_path})")
