"""`assistant eval nlu`: intent recognition on Bitext customer-support requests, Aisle's
NLU as configured and tuned beside a tuned TF-IDF baseline."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.context import state
from assistant.cli.figures import JsonFlag, OutputOption, emit_json, fmt


def nlu(
    ctx: typer.Context,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Bitext CSV (default: ../shared/data/bitext/intents.csv)."),
    ] = None,
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Intent recognition on Bitext customer-support requests: Aisle vs TF-IDF baseline."""
    from assistant.eval.nlu import evaluate_nlu

    report = evaluate_nlu(state(ctx).settings, data_path=data)
    figures = report.as_dict()
    if emit_json(figures, as_json=as_json, output=output):
        return
    Console().print(_table(figures))


NLU_COLUMNS = {
    "aisle_config": "aisle (config)",
    "aisle": "aisle (tuned)",
    "baseline": "baseline (tuned)",
    "baseline_matched": "baseline @ aisle's OOS share",
}


def _table(figures: dict[str, Any]) -> Table:
    systems = figures["systems"]
    names = [name for name in NLU_COLUMNS if name in systems]
    tuning = figures["tuning"]
    table = Table(
        title=f"NLU on {figures['data']}",
        caption=(
            f"{figures['n_covered']} covered rows, {figures['n_uncovered']} not covered "
            f"(gold out_of_scope); C and threshold tuned by {tuning['aisle']['folds']}-fold "
            f"cross-validation on nlu_data/ (never on this file); macro-F1 over "
            f"{len(figures['macro_f1_labels'])} covered intents; {figures['seconds']} s"
        ),
    )
    table.add_column("metric")
    for name in names:
        table.add_column(NLU_COLUMNS[name], justify="right")

    def row(label: str, cell: Any) -> None:
        table.add_row(label, *(cell(systems[name]) for name in names))

    row("regularisation C", lambda s: f"{s['regularisation']:g}")
    row("threshold", lambda s: f"{s['threshold']:.3f}")
    row("accuracy, all rows (out_of_scope a label)", lambda s: fmt(s["accuracy"]))
    row("macro-F1, wrong acceptances counted", lambda s: fmt(s["macro_f1"]))
    row("macro-F1 with out_of_scope", lambda s: fmt(s["macro_f1_with_oos"]))
    row("share predicted out_of_scope", lambda s: fmt(s["out_of_scope_share"]))
    row("wrong acceptances (uncovered → an intent)", lambda s: str(s["wrong_acceptances"]))
    row("false rejections (covered → out_of_scope)", lambda s: str(s["false_rejections"]))
    row("not covered → out_of_scope", lambda s: fmt(s["uncovered_out_of_scope_share"]))
    for intent in figures["macro_f1_labels"]:
        row(
            f"precision / recall {intent}",
            lambda s, i=intent: f"{fmt(s['precision'][i])} / {fmt(s['recall'][i])}",
        )
    row("old: accuracy, covered rows only", lambda s: fmt(s["covered_only"]["accuracy"]))
    row("old: macro-F1, covered rows only", lambda s: fmt(s["covered_only"]["macro_f1"]))
    table.add_row(
        "tuning: out-of-fold macro-F1 on nlu_data/",
        *(fmt(tuning.get(name, {}).get("validation_macro_f1")) for name in names),
    )
    return table
