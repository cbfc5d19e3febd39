"""`assistant bench <suite>`: speed figures measured on this machine, each beside a reference.
Each suite's command and tables are in its own module (`bench_retrieval.py`, `bench_llm.py`,
`bench_search.py`, `bench_load.py`, `bench_chat.py`), registered here."""

from __future__ import annotations

import typer

from assistant.cli.bench_chat import chat
from assistant.cli.bench_llm import llm
from assistant.cli.bench_load import load
from assistant.cli.bench_retrieval import retrieval
from assistant.cli.bench_search import search

app = typer.Typer(
    help="Measure speed on this machine, each figure beside a reference.",
    no_args_is_help=True,
)

app.command("retrieval")(retrieval)
app.command("llm")(llm)
app.command("search")(search)
app.command("load")(load)
app.command("chat")(chat)
