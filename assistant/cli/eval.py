"""`assistant eval <suite>`: quality figures, each beside a baseline computed in the same run.
Each suite's command is its own module (`cli/eval_<suite>.py`), mounted here."""

from __future__ import annotations

import typer

from assistant.cli.eval_answers import answers
from assistant.cli.eval_conversations import conversations
from assistant.cli.eval_nlu import nlu
from assistant.cli.eval_oos import oos
from assistant.cli.eval_recs import recs
from assistant.cli.eval_retrieval import retrieval
from assistant.cli.eval_search import search
from assistant.cli.eval_suggestions import suggestions
from assistant.cli.eval_tasks import tasks

app = typer.Typer(
    help="Measure quality on public data sets, each figure beside its baseline.",
    no_args_is_help=True,
)
app.command("conversations")(conversations)
app.command("oos")(oos)
app.command("suggestions")(suggestions)
app.command("nlu")(nlu)
app.command("tasks")(tasks)
app.command("retrieval")(retrieval)
app.command("answers")(answers)
app.command("recs")(recs)
app.command("search")(search)
