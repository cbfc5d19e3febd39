"""`assistant kb ...`: the knowledge base in the vector store."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from assistant.cli.context import state
from assistant.cli.figures import JsonFlag, emit_json
from assistant.cli.progress import progress_bar

QuietFlag = Annotated[
    bool, typer.Option("--quiet", "-q", help="No progress bar (none either off a terminal).")
]


app = typer.Typer(help="The knowledge base: documents and catalog.", no_args_is_help=True)
logger = logging.getLogger(__name__)

KNOWLEDGE_DIR = "knowledge_base"


@app.command()
def ingest(
    ctx: typer.Context,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Read knowledge_base/ (each document the admin console saved as its latest revision)
    and embed what changed; delete chunks of removed documents.

    A change leaves a new version stamp on the collection: running servers (every worker)
    read the documents again on their next search, within about a second, with no restart.
    """
    from sqlalchemy.exc import OperationalError, ProgrammingError

    from assistant.engine.embeddings import embedder_from_settings
    from assistant.knowledge.documents import Chunk, SourceProblem, read_knowledge_base
    from assistant.knowledge.ingest import get_collection
    from assistant.knowledge.ingest import ingest as run_ingest
    from assistant.knowledge.library import library_chunks
    from assistant.knowledge.vector_store import vector_store_from_settings
    from assistant.persistence.db import sessions_for

    settings = state(ctx).settings
    root = settings.path(KNOWLEDGE_DIR)
    console = Console(stderr=True)
    url = settings.database_url
    missing = url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists()
    chunks: list[Chunk] = []
    problems: list[SourceProblem] = []
    try:
        if not missing:
            # The documents as the admin console last saved them, the files for the rest.
            with sessions_for(url) as sessions, sessions() as session:
                chunks, problems = library_chunks(session, root)
    except (OperationalError, ProgrammingError):
        missing = True
    if missing:
        logger.info("no database yet (assistant db upgrade): reading knowledge_base/ only")
        chunks, problems = read_knowledge_base(root)
    collection = get_collection(
        vector_store_from_settings(settings), settings.vector_store.collection
    )
    embedder = embedder_from_settings(settings)
    with progress_bar("embedding", quiet=quiet or as_json, console=console) as advance:
        report = run_ingest(
            collection, embedder, chunks, scope="kb", problems=problems, progress=advance
        )
    figures = report.as_dict()
    if emit_json(figures, as_json=as_json, output=None):
        return
    typer.echo(
        f"{len(chunks)} chunks: {report.added} added, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.deleted} deleted in {report.seconds:.1f} s"
    )
    for problem in report.problems:
        console.print(f"[yellow]skipped[/yellow] {problem.path}: {problem.reason}")


@app.command("import-catalog")
def import_catalog(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The catalog CSV (UTF-8, with a header row).")],
    mapping: Annotated[
        list[str],
        typer.Option(
            "--map",
            help="FIELD=COLUMN, repeated. Fields: id and name (required), category, price, "
            "description, brand, available, url, image, options.",
        ),
    ],
    name: Annotated[
        str | None,
        typer.Option("--name", help="The catalog's name (scope catalog:NAME); the file's stem."),
    ] = None,
    as_json: JsonFlag = False,
    quiet: QuietFlag = False,
) -> None:
    """Import a store's product catalog from a CSV: one product per row, re-imports incremental.

    Rows that cannot become a product are reported and skipped; rows removed from the file
    are deleted from the index; the knowledge base and other catalogs are never touched.
    """
    from assistant.engine.embeddings import embedder_from_settings
    from assistant.knowledge.catalog_import import REPORTED_SKIPS, ingest_catalog
    from assistant.knowledge.catalog_read import parse_mapping, read_catalog
    from assistant.knowledge.ingest import get_collection
    from assistant.knowledge.vector_store import vector_store_from_settings

    settings = state(ctx).settings
    # Read and checked before the vector store is opened: a bad mapping or file writes nothing.
    read = read_catalog(file, parse_mapping(mapping), name=name)
    catalog = read.name
    collection = get_collection(
        vector_store_from_settings(settings), settings.vector_store.collection
    )
    embedder = embedder_from_settings(settings)
    console = Console(stderr=True)
    with progress_bar(f"embedding {catalog}", quiet=quiet or as_json, console=console) as advance:
        report = ingest_catalog(read, collection=collection, embedder=embedder, progress=advance)
    figures = report.as_dict()
    if emit_json(figures, as_json=as_json, output=None):
        return
    typer.echo(
        f"{catalog}: {report.rows} rows, {report.imported} imported, "
        f"{len(report.skipped)} skipped; {figures['added']} added, {figures['updated']} updated, "
        f"{figures['unchanged']} unchanged, {figures['deleted']} deleted "
        f"in {report.seconds:.1f} s ({report.rows_per_second:.0f} rows/s)"
    )
    for skip in report.skipped[:REPORTED_SKIPS]:
        console.print(f"[yellow]skipped[/yellow] row {skip.row}: {skip.reason}")
    if len(report.skipped) > REPORTED_SKIPS:
        console.print(f"... and {len(report.skipped) - REPORTED_SKIPS} more skipped rows")
