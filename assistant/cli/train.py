"""`assistant train`: train the NLU model from nlu_data/ into the data directory."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Annotated

import typer

from assistant.cli import state
from assistant.config import Settings


def ensure_trained(
    settings: Settings,
    *,
    force: bool = False,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[bool, float]:
    """Train unless a model trained on exactly this data exists; returns (trained, seconds).
    `progress(done, total)` hears of the training examples as they are embedded."""
    from assistant.engine.embeddings import embedder_from_settings
    from assistant.engine.nlu.model import NLUModel, train_from_settings
    from assistant.engine.nlu.training_data import load_training_data
    from assistant.errors import ModelNotTrained

    embedder = embedder_from_settings(settings)
    path = settings.nlu_model_path
    if not force and path.exists():
        wanted = load_training_data(settings.path(settings.nlu.training_data)).fingerprint()
        try:
            if NLUModel.load(path, embedder).fingerprint == wanted:
                return False, 0.0
        except ModelNotTrained:
            pass
    started = time.perf_counter()
    model = train_from_settings(settings, embedder, progress=progress)
    model.save(path)
    return True, time.perf_counter() - started


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
