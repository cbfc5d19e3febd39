"""`assistant eval <suite>`: quality figures, each beside a baseline computed in the same run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli import state
from assistant.cli.figures import (
    JsonFlag,
    OutputOption,
    ProviderOption,
    emit_json,
    progress_lines,
    provider_choice,
)

app = typer.Typer(
    help="Measure quality on public data sets, each figure beside its baseline.",
    no_args_is_help=True,
)


@app.command("nlu")
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


@app.command("tasks")
def tasks(
    ctx: typer.Context,
    data: Annotated[
        Path | None,
        typer.Option(
            "--data", help="τ²-bench retail tasks (default: knowledge_base/store/tasks_train.json)."
        ),
    ] = None,
    only: Annotated[
        str | None, typer.Option("--only", help="Comma-separated task ids to run.")
    ] = None,
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Order support end to end: scripted shoppers play the τ²-bench retail tasks."""
    from assistant.eval.tasks import evaluate_tasks

    chosen = {part.strip() for part in only.split(",") if part.strip()} if only else None
    report = evaluate_tasks(state(ctx).settings, data_path=data, only=chosen)
    figures = report.as_dict()
    if emit_json(figures, as_json=as_json, output=output):
        return
    console = Console()
    table = Table(title=f"Order tasks on {figures['data']}", caption=f"{figures['seconds']} s")
    table.add_column("task")
    table.add_column("style")
    table.add_column("result")
    table.add_column("violations", justify="right")
    table.add_column("why it failed")
    for row in figures["results"]:
        table.add_row(
            row["id"],
            row["style"],
            "pass" if row["passed"] else "FAIL",
            str(row["violations"]),
            row["reason"][:120],
        )
    console.print(table)
    summary = Table(title="Summary")
    summary.add_column("metric")
    summary.add_column("value", justify="right")
    summary.add_row("tasks passed", f"{figures['passed']} / {figures['tasks']}")
    summary.add_row("pass rate", _fmt(figures["pass_rate"]))
    summary.add_row("policy violations", str(figures["policy_violations"]))
    summary.add_row(
        "transfers to a person",
        f"{figures['transfers_done']} / {figures['transfers_expected']} expected",
    )
    console.print(summary)


@app.command("retrieval")
def retrieval(
    ctx: typer.Context,
    sets: Annotated[
        str,
        typer.Option("--sets", help="Comma-separated: policyqa, policies, products."),
    ] = "policyqa,policies,products",
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Retrieval quality: hybrid search beside lexical-only and vector-only, same index."""
    from assistant.eval.retrieval import evaluate_retrieval

    chosen = [part.strip() for part in sets.split(",") if part.strip()]
    figures = evaluate_retrieval(
        state(ctx).settings,
        sets=chosen,
        progress=progress_lines(as_json=as_json),
    )
    if emit_json(figures, as_json=as_json, output=output):
        return
    for result in figures["sets"]:
        table = Table(
            title=f"Retrieval on {result['set']}",
            caption=f"{result['chunks']} chunks, {result['queries']} queries, "
            f"{result['seconds']} s",
        )
        table.add_column("metric")
        for mode in figures["modes"]:
            table.add_column(mode, justify="right")
        for metric in result["systems"]["hybrid"]:
            table.add_row(
                metric, *(_fmt(result["systems"][mode][metric]) for mode in figures["modes"])
            )
        Console().print(table)


@app.command("answers")
def answers(
    ctx: typer.Context,
    provider: ProviderOption = "llamacpp",
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Only the first N questions.")
    ] = None,
    max_tokens: Annotated[int, typer.Option("--max-tokens", min=8, max=1024)] = 96,
    first_token_timeout: Annotated[
        float | None,
        typer.Option(
            "--first-token-timeout",
            min=0.1,
            help="Seconds; overrides llm.first_token_timeout_s (default 30: measure drafts).",
        ),
    ] = 30.0,
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """The model's answers to the policy questions: how often the grounding guard replaced
    them, beside the extractive answers of the same run."""
    from assistant.eval.answers import evaluate_answers

    figures = evaluate_answers(
        state(ctx).settings,
        provider=provider_choice(provider),
        limit=limit,
        max_tokens=max_tokens,
        first_token_timeout_s=first_token_timeout,
        progress=progress_lines(as_json=as_json),
    )
    if emit_json(figures, as_json=as_json, output=output):
        return
    table = Table(
        title=f"Policy answers with {figures['provider']} ({figures['model']})",
        caption=f"{figures['questions']} questions, max {figures['max_tokens']} tokens, "
        f"{figures['seconds']} s; median model answer {figures['median_answer_seconds']} s",
    )
    table.add_column("outcome")
    table.add_column("questions", justify="right")
    for outcome, count in figures["outcomes"].items():
        table.add_row(outcome, str(count))
    table.add_row("ungrounded claims shown as final", str(figures["ungrounded_finals"]))
    share = figures["replaced_share"]
    table.add_row("share of drafts replaced", "—" if share is None else f"{share:.1%}")
    table.add_row(
        "answers citing the labelled section: extractive / final",
        f"{figures['right_section']['extractive']} / {figures['right_section']['final']}",
    )
    for reason, count in sorted(figures["rejection_reasons"].items()):
        table.add_row(f"  replaced because: {reason}", str(count))
    Console().print(table)


@app.command("recs")
def recs(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Folder of online_retail_sample.csv and diginetica_sample_views.csv "
            "(default: ../shared/data/interactions).",
        ),
    ] = None,
    sets: Annotated[
        str,
        typer.Option(
            "--sets",
            help="Comma-separated: online_retail (whole basket), online_retail_new_items, "
            "diginetica.",
        ),
    ] = "online_retail,online_retail_new_items,diginetica",
    tune: Annotated[
        bool,
        typer.Option(
            "--tune/--no-tune", help="Choose parameters on validation folds first (default)."
        ),
    ] = True,
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Recommendations: the built-in recommender beside popularity and item-kNN, same split."""
    from assistant.eval.recs import evaluate_recs

    chosen = [part.strip() for part in sets.split(",") if part.strip()]
    figures = evaluate_recs(
        state(ctx).settings,
        data_dir=data_dir,
        sets=chosen,
        tune=tune,
        progress=progress_lines(as_json=as_json),
    )
    if emit_json(figures, as_json=as_json, output=output):
        return
    k = figures["k"]
    for result in figures["sets"]:
        repeat = result["repeat_validation_systems"]
        table = Table(
            title=f"Recommendations on {result['set']}: {result['split']}",
            caption=f"{result['cases']} cases ({result['dropped']} dropped, "
            f"{result['reachable']:.0%} reachable, {result['cases_with_rebuys']} with re-buys), "
            f"catalog {result['catalog']} items; {result['seconds']} s"
            + _validation_line(result["validation_systems"], k)
            + (
                f"\nHR@{k} where the repeat weight ({result['params']['aisle']['repeat']}) "
                "was chosen: "
                + ", ".join(f"{name} {_fmt(f[f'hr@{k}'])}" for name, f in repeat.items())
                if repeat
                else ""
            ),
            min_width=72,
        )
        table.add_column("metric")
        for system in figures["systems"]:
            table.add_column(system, justify="right")
        for metric in result["systems"]["aisle"]:
            table.add_row(
                metric, *(_fmt(result["systems"][system][metric]) for system in figures["systems"])
            )
        table.add_row(
            f"aisle hr@{figures['k']} ÷ this",
            "",
            *(_fmt_ratio(value) for value in result["ratios"].values()),
        )
        Console().print(table)


@app.command("search")
def search(
    ctx: typer.Context,
    cases: Annotated[
        Path | None,
        typer.Option(
            "--cases", help="Search cases (default: assistant/eval/data/search_cases.yml)."
        ),
    ] = None,
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Conversational product search: the assistant's final result set beside a stateless
    reading of the last message, against sets worked out from the catalog."""
    from assistant.eval.search import evaluate_search

    report = evaluate_search(
        state(ctx).settings, cases_path=cases, progress=progress_lines(as_json=as_json)
    )
    figures = report.as_dict()
    if emit_json(figures, as_json=as_json, output=output):
        return
    console = Console()
    table = Table(
        title=f"Product search on {figures['cases_file']}",
        caption=f"{figures['exact']} of {figures['cases']} cases exactly right; "
        f"{figures['seconds']} s",
    )
    table.add_column("cases")
    table.add_column("n", justify="right")
    columns = [("aisle", m) for m in ("exact", "precision", "recall")]
    columns += [("core", "exact"), ("stateless", "exact"), ("stateless", "recall")]
    for system, metric in columns:
        table.add_column(f"{system} {metric}", justify="right")
    scopes = {"all": {"cases": figures["cases"], **figures["systems"]}, **figures["categories"]}
    for scope, row in scopes.items():
        cells = [_fmt(row[system][metric]) for system, metric in columns]
        table.add_row(scope, str(row["cases"]), *cells)
    console.print(table)
    if figures["failures"]:
        failures = Table(title="Not exactly right")
        failures.add_column("case")
        failures.add_column("category")
        failures.add_column("expected", justify="right")
        failures.add_column("got", justify="right")
        failures.add_column("core")
        failures.add_column("the search it ended with")
        for failure in figures["failures"]:
            got = failure["got_size"]
            failures.add_row(
                failure["id"],
                failure["category"],
                str(failure["expected_size"]),
                "no search" if got is None else str(got),
                "right" if failure["core_exact"] else "wrong",
                _terms_line(failure["got_terms"]),
            )
        console.print(failures)


def _terms_line(terms: dict[str, Any] | None) -> str:
    """ "Backpack; color black; ≤ 200; in stock"."""
    if not terms:
        return "—"
    parts = [" or ".join(terms["products"]) or "any product"]
    parts += [f"{name} {' or '.join(values)}" for name, values in terms["options"].items()]
    if terms["min_price"] is not None:
        parts.append(f"≥ {terms['min_price']}")
    if terms["max_price"] is not None:
        parts.append(f"≤ {terms['max_price']}")
    if terms["in_stock"]:
        parts.append("in stock")
    return "; ".join(parts)


def _table(figures: dict[str, object]) -> Table:
    aisle, baseline = figures["aisle"], figures["baseline"]
    assert isinstance(aisle, dict) and isinstance(baseline, dict)
    table = Table(
        title=f"NLU on {figures['data']}",
        caption=(
            f"threshold {figures['threshold']}; macro-F1 over {figures['macro_f1_labels']}; "
            f"{figures['seconds']} s"
        ),
    )
    table.add_column("metric")
    table.add_column("aisle", justify="right")
    table.add_column("baseline", justify="right")
    table.add_row("rows covered", str(figures["n_covered"]), str(figures["n_covered"]))
    table.add_row("accuracy", _fmt(aisle["accuracy"]), _fmt(baseline["accuracy"]))
    table.add_row("macro-F1", _fmt(aisle["macro_f1"]), _fmt(baseline["macro_f1"]))
    for intent in aisle["recall"]:
        table.add_row(
            f"recall {intent}", _fmt(aisle["recall"][intent]), _fmt(baseline["recall"][intent])
        )
    table.add_row("rows not covered", str(figures["n_uncovered"]), str(figures["n_uncovered"]))
    table.add_row(
        "not covered → out_of_scope",
        _fmt(aisle["uncovered_out_of_scope_share"]),
        _fmt(baseline["uncovered_out_of_scope_share"]),
    )
    return table


def _fmt(value: object) -> str:
    return "—" if value is None else f"{value:.3f}"


def _validation_line(systems: dict[str, dict[str, float]], k: int) -> str:
    if not systems:
        return ""
    scores = ", ".join(f"{name} {_fmt(figures[f'hr@{k}'])}" for name, figures in systems.items())
    return f"\nHR@{k} on the validation folds: {scores}"


def _fmt_ratio(value: object) -> str:
    return "—" if value is None else f"{value:.2f}×"
