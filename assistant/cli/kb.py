"""`assistant kb ...`: the knowledge base in the vector store."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

from assistant.cli import state

app = typer.Typer(help="The knowledge base: documents and catalog.", no_args_is_help=True)

KNOWLEDGE_DIR = "knowledge_base"


@app.command()
def ingest(
    ctx: typer.Context,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print one JSON object on stdout, nothing else.")
    ] = False,
) -> None:
    """Read knowledge_base/ and embed what changed; delete chunks of removed documents."""
    from assistant.engine.embeddings import embedder_from_settings
    from assistant.knowledge.documents import read_knowledge_base
    from assistant.knowledge.ingest import get_collection
    from assistant.knowledge.ingest import ingest as run_ingest
    from assistant.server.components import build_vector_store

    settings = state(ctx).settings
    chunks, problems = read_knowledge_base(settings.path(KNOWLEDGE_DIR))
    collection = get_collection(build_vector_store(settings), settings.vector_store.collection)
    embedder = embedder_from_settings(settings)
    console = Console(stderr=True)
    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=as_json,
        transient=True,
    ) as progress:
        task = progress.add_task("embedding", total=None)

        def advance(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        report = run_ingest(
            collection, embedder, chunks, scope="kb", problems=problems, progress=advance
        )
    figures = report.as_dict()
    if as_json:
        typer.echo(json.dumps(figures))
        return
    typer.echo(
        f"{len(chunks)} chunks: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.deleted} deleted in {report.seconds:.1f} s"
    )
    for problem in report.problems:
        console.print(f"[yellow]skipped[/yellow] {problem.path}: {problem.reason}")
