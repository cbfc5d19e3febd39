"""`assistant store ...`: the store's data: the demo store, or one made from a catalog."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from assistant.cli.context import state
from assistant.cli.figures import JsonFlag, emit_json
from assistant.persistence.db import make_engine, make_session_factory
from assistant.store.seed import seed_store

app = typer.Typer(help="The store's data.", no_args_is_help=True)


@app.command()
def seed(
    ctx: typer.Context,
    reset: bool = typer.Option(
        False, "--reset", help="Delete the store's rows and reload them (orders included)."
    ),
) -> None:
    """Seed an empty store from `store.seed_path`; with --reset, restore the pristine data."""
    settings = state(ctx).settings
    engine = make_engine(settings.database_url, echo=settings.database.echo)
    try:
        report = seed_store(
            make_session_factory(engine), settings.path(settings.store.seed_path), reset=reset
        )
    finally:
        engine.dispose()
    typer.echo(report.summary())


@app.command("from-catalog")
def from_catalog(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(help="The catalog CSV (UTF-8, with a header row).")],
    out: Annotated[Path, typer.Option("--out", help="Where to write the seed file (JSON).")],
    mapping: Annotated[
        list[str],
        typer.Option(
            "--map",
            help="FIELD=COLUMN, repeated, as for `assistant kb import-catalog` (id, name and "
            "price are needed; category, brand and options make products and their choices).",
        ),
    ],
    customers: Annotated[int, typer.Option(min=1, max=10_000, help="Customers to make up.")] = 24,
    seed_value: Annotated[int, typer.Option("--seed", help="The same seed, the same store.")] = 7,
    as_json: JsonFlag = False,
) -> None:
    """Make a store to try the assistant on from a catalog: its listings grouped into products,
    with made-up customers and orders whose numbers follow `store.order_ids`. Point
    `store.seed_path` at the file and run `assistant store seed`."""
    from assistant.knowledge.catalog_read import catalog_rows, parse_mapping
    from assistant.knowledge.catalog_store import store_from_catalog

    settings = state(ctx).settings
    fields = parse_mapping(mapping)
    if "price" not in fields:
        raise typer.BadParameter("a store needs prices: add --map price=COLUMN", param_hint="--map")
    made = store_from_catalog(
        catalog_rows(file, fields),
        order_ids=settings.store.order_ids,
        customers=customers,
        seed=seed_value,
    )
    if not made.data["products"]:
        raise typer.BadParameter(f"no row of {file} could become a product: {made.skipped[:3]}")
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.write_text(json.dumps(made.data, indent=1, ensure_ascii=False), encoding="utf-8")
    partial.replace(out)
    figures = {
        "products": len(made.data["products"]),
        "listings": sum(len(p["variants"]) for p in made.data["products"].values()),
        "customers": len(made.data["users"]),
        "orders": len(made.data["orders"]),
        "rows": made.rows,
        "skipped": len(made.skipped),
        "out": str(out),
    }
    if emit_json(figures, as_json=as_json, output=None):
        return
    typer.echo(f"{made.summary()}\nwritten to {out}")
    for reason in made.skipped[:20]:
        typer.echo(f"skipped {reason}", err=True)
