"""`assistant eval <suite>`: quality figures, each beside a baseline computed in the same run."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.context import state
from assistant.cli.eval_conversations import conversations
from assistant.cli.eval_oos import oos
from assistant.cli.eval_suggestions import suggestions
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
app.command("conversations")(conversations)
app.command("oos")(oos)
app.command("suggestions")(suggestions)


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
    shopper: Annotated[
        str,
        typer.Option(
            "--shopper",
            help="goal (knows the expected changes), prose (speaks from the scenario text "
            "only), or both.",
        ),
    ] = "both",
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Order support end to end: scripted shoppers play the τ²-bench retail tasks."""
    from assistant.eval.tasks import SHOPPERS, evaluate_tasks

    if shopper not in (*SHOPPERS, "both"):
        raise typer.BadParameter(f"choose goal, prose or both, not {shopper!r}")
    chosen = {part.strip() for part in only.split(",") if part.strip()} if only else None
    shoppers = SHOPPERS if shopper == "both" else (shopper,)
    report = evaluate_tasks(
        state(ctx).settings,
        data_path=data,
        only=chosen,
        shoppers=shoppers,
        progress=progress_lines(as_json=as_json),
    )
    figures = report.as_dict()
    if emit_json(figures, as_json=as_json, output=output):
        return
    console = Console()
    table = Table(title=f"Order tasks on {figures['data']}", caption=f"{figures['seconds']} s")
    for column in ("shopper", "task", "style", "result", "violations", "why it failed"):
        table.add_column(column, justify="right" if column == "violations" else "left")
    for row in figures["results"]:
        table.add_row(
            row["shopper"],
            row["id"],
            row["style"],
            "pass" if row["passed"] else "FAIL",
            str(row["violations"]),
            row["reason"][:120],
        )
    console.print(table)
    summary = Table(title="Summary")
    summary.add_column("metric")
    for name in figures["shoppers"]:
        summary.add_column(f"{name} shopper", justify="right")
    rows = list(figures["shoppers"].values())
    summary.add_row("tasks passed", *(f"{f['passed']} / {f['tasks']}" for f in rows))
    summary.add_row("pass rate", *(_fmt(f["pass_rate"]) for f in rows))
    summary.add_row("policy violations", *(str(f["policy_violations"]) for f in rows))
    summary.add_row(
        "transfers to a person",
        *(f"{f['transfers_done']} / {f['transfers_expected']} expected" for f in rows),
    )
    summary.add_row(
        "passed with nothing to write",
        *(
            f"{f['passed_with_nothing_to_write']} / {f['tasks_with_nothing_to_write']}"
            for f in rows
        ),
    )
    summary.add_row(
        "facts told (communicate_info)",
        *(f"{f['facts_told']} / {f['tasks_with_facts']}" for f in rows),
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
    guard_only: Annotated[
        bool,
        typer.Option(
            "--guard-only", help="Only the guard against the labels: no model is started."
        ),
    ] = False,
    limit: Annotated[
        int | None, typer.Option("--limit", min=1, help="Only the first N labelled questions.")
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
    """Policy answers judged against sentences labelled from the documents: the grounding
    guard beside no guard and each of its checks alone, then the model's final answers
    beside the extractive ones."""
    from assistant.config import LLMProvider
    from assistant.eval.answers import evaluate_answers

    figures = evaluate_answers(
        state(ctx).settings,
        provider=LLMProvider.none if guard_only else provider_choice(provider),
        limit=limit,
        max_tokens=max_tokens,
        first_token_timeout_s=first_token_timeout,
        progress=progress_lines(as_json=as_json),
    )
    if emit_json(figures, as_json=as_json, output=output):
        return
    console = Console()
    guard = figures["guard"]
    table = Table(
        title="The grounding guard against labelled answer sentences",
        caption=f"{guard['sentences']} sentences ({guard['supported']} supported, "
        f"{guard['unsupported']} unsupported) for {figures['questions']} questions, labelled "
        f"from the documents; {figures['seconds']} s",
    )
    table.add_column("metric")
    judges = list(guard["judges"])
    for judge in judges:
        table.add_column(judge, justify="right")
    for metric, label in (
        ("unsupported_shown_as_final", "unsupported shown as final"),
        ("unsupported_shown_share", "  share of the unsupported"),
        ("recall", "recall (unsupported caught)"),
        ("precision", "precision (rejections that were unsupported)"),
        ("supported_rejected", "supported sentences rejected"),
    ):
        cells = [guard["judges"][judge][metric] for judge in judges]
        table.add_row(label, *(str(c) if isinstance(c, int) else _fmt(c) for c in cells))
    console.print(table)
    model = figures["model"]
    if model is None:
        return
    table = Table(
        title=f"Policy answers with {model['provider']} ({model['model']})",
        caption=f"{figures['questions']} questions, max {figures['max_tokens']} tokens; "
        f"median model answer {model['median_answer_seconds']} s",
    )
    table.add_column("outcome")
    table.add_column("questions", justify="right")
    for outcome, count in model["outcomes"].items():
        table.add_row(outcome, str(count))
    share = model["replaced_share"]
    table.add_row("share of drafts replaced", "—" if share is None else f"{share:.1%}")
    for reason, count in sorted(model["rejection_reasons"].items()):
        table.add_row(f"  replaced because: {reason}", str(count))
    table.add_row("unsupported drafts shown as final", str(model["unsupported_shown_as_final"]))
    for verdict, count in sorted(model["finals"].items()):
        table.add_row(f"  final: {verdict}", str(count))
    for verdict, count in sorted(model["extractive"].items()):
        table.add_row(f"  extractive (baseline): {verdict}", str(count))
    for side in ("final", "extractive"):
        counts = model["sentences"][side]
        table.add_row(
            f"{side} sentences: supported / unsupported / unlabelled",
            " / ".join(str(counts.get(k, 0)) for k in ("supported", "unsupported", "unlabelled")),
        )
    table.add_row(
        "answers citing a labelled section: extractive / final",
        f"{model['right_section']['extractive']} / {model['right_section']['final']}",
    )
    console.print(table)


@app.command("recs")
def recs(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            help="Folder of the interaction files (default: ../shared/data/interactions).",
        ),
    ] = None,
    retail_file: Annotated[
        str,
        typer.Option(
            "--retail-file",
            help="The Online Retail file in that folder, .csv or .csv.gz (the 10,000-line "
            "sample: online_retail_sample.csv).",
        ),
    ] = "online_retail.csv.gz",
    sets: Annotated[
        str,
        typer.Option(
            "--sets",
            help="Comma-separated: online_retail (whole basket), online_retail_new_items, "
            "diginetica.",
        ),
    ] = "online_retail,online_retail_new_items,diginetica",
    tune: Annotated[
        bool | None,
        typer.Option(
            "--tune/--no-tune",
            help="--tune: also search the recommender's params on Online Retail's validation "
            "split and show the choice beside config.yml's (the test still scores config.yml's). "
            "--no-tune: no validation at all (defaults for item-kNN and DIGINETICA).",
        ),
    ] = None,
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Recommendations: the store's recommender (config.yml) beside popularity and item-kNN,
    each Online Retail basket predicted by models fitted strictly before it."""
    from assistant.eval.recs import evaluate_recs

    chosen = [part.strip() for part in sets.split(",") if part.strip()]
    figures = evaluate_recs(
        state(ctx).settings,
        data_dir=data_dir,
        retail_file=retail_file,
        sets=chosen,
        tune=tune,
        progress=progress_lines(as_json=as_json),
    )
    if emit_json(figures, as_json=as_json, output=output):
        return
    console = Console()
    for result in figures["sets"]:
        console.print(_recs_table(result, figures["systems"], figures["k"]))
        if result.get("search"):
            console.print(_search_table(result["search"], figures["k"]))


def _recs_table(result: dict[str, Any], systems: list[str], k: int) -> Table:
    """One set: test figures of every system, then their validation figures."""
    params = result["params"]
    facts = [f"{result['dropped']} dropped", f"{result['reachable']:.0%} reachable"]
    if "cases_with_rebuys" in result:
        facts.append(f"{result['cases_with_rebuys']} with re-buys")
    if "blocks" in result:
        protocol = result["protocol"]
        facts.append(
            f"{result['blocks']} blocks of up to {protocol['block_cases']} baskets or "
            f"{protocol['block_days']:g} days, in time order"
        )
    validation = result["validation"] or {}
    table = Table(
        title=f"Recommendations on {result['set']} ({result['file']}): {result['split']}",
        caption=f"{result['cases']} cases ({', '.join(facts)}); validation "
        f"{validation.get('cases', 0)} cases; catalog {result['catalog']} items; "
        f"{result['seconds']} s\naisle: {params['aisle_source']}; "
        f"item-kNN {params['item_knn']['neighbours'] or 'all'} neighbours",
        min_width=72,
    )
    table.add_column("metric")
    for system in systems:
        table.add_column(system, justify="right")
    for metric in result["systems"]["aisle"]:
        table.add_row(metric, *(_fmt(result["systems"][system][metric]) for system in systems))
    table.add_row(
        f"aisle hr@{k} ÷ this", "", *(_fmt_ratio(value) for value in result["ratios"].values())
    )
    for metric in result["validation_systems"].get("aisle", {}):
        table.add_row(
            f"{metric}, validation",
            *(_fmt(result["validation_systems"][system][metric]) for system in systems),
        )
    return table


def _search_table(search: dict[str, Any], k: int) -> Table:
    """What the search on validation would change, with aisle's validation HR@k per value."""
    table = Table(
        title="Search on the validation split (from config.yml's params)",
        caption="no change: config.yml's params are where the search ends"
        if not search["changed"]
        else f"would change {', '.join(search['changed'])}",
        min_width=72,
    )
    table.add_column("param")
    table.add_column("configured", justify="right")
    table.add_column("chosen", justify="right")
    table.add_column(f"aisle hr@{k} on validation per value tried")
    for name, tried in search["tried"].items():
        table.add_row(
            name,
            str(search["configured"][name]),
            str(search["chosen"][name]),
            ", ".join(f"{value}: {_fmt(f[f'hr@{k}'])}" for value, f in tried.items()),
        )
    return table


@app.command("search")
def search(
    ctx: typer.Context,
    cases: Annotated[
        list[Path] | None,
        typer.Option(
            "--cases",
            help="A search case file; repeat for several (default: the packaged "
            "search_cases.yml and search_cases_shoppers.yml, each scored on its own).",
        ),
    ] = None,
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Conversational product search: the assistant's final result set (and, for follow-ups,
    its reply) beside a stateless reading of the last message, against sets worked out from
    the catalog."""
    from assistant.eval.search import evaluate_search_files

    files = {path.stem: path for path in cases} if cases else None
    reports = evaluate_search_files(
        state(ctx).settings, files, progress=progress_lines(as_json=as_json)
    )
    figures = {"files": {name: report.as_dict() for name, report in reports.items()}}
    if emit_json(figures, as_json=as_json, output=output):
        return
    console = Console()
    console.print(_search_summary(figures["files"]))
    for name, report in figures["files"].items():
        _print_search_file(console, name, report)


def _search_summary(files: dict[str, Any]) -> Table:
    """One row per case file, side by side."""
    table = Table(title="Product search, each case file scored on its own")
    table.add_column("case file")
    table.add_column("cases", justify="right")
    for heading in ("aisle exact", "aisle precision", "aisle recall", "core exact"):
        table.add_column(heading, justify="right")
    table.add_column("stateless exact", justify="right")
    table.add_column("follow-ups right: slot + reply / slot only", justify="right")
    table.add_column("typed turns in nlu_data/", justify="right")
    for name, report in files.items():
        aisle = report["systems"]["aisle"]
        replies = report["replies"]
        table.add_row(
            name,
            str(report["cases"]),
            *(_fmt(aisle[m]) for m in ("exact", "precision", "recall")),
            _fmt(report["systems"]["core"]["exact"]),
            _fmt(report["systems"]["stateless"]["exact"]),
            f"{replies['exact']} / {replies['set_only_exact']} of {replies['checked']}",
            f"{report['typed_turns_in_nlu_data']} / {report['typed_turns']}",
        )
    return table


def _print_search_file(console: Console, name: str, figures: dict[str, Any]) -> None:
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
        failures = Table(title=f"Not exactly right ({name})")
        failures.add_column("case")
        failures.add_column("category")
        failures.add_column("expected", justify="right")
        failures.add_column("got", justify="right")
        failures.add_column("reply")
        failures.add_column("core")
        failures.add_column("the search it ended with")
        for failure in figures["failures"]:
            got = failure["got_size"]
            reply = failure["expect_reply"]
            shown = "shown" if failure["reply_ok"] else "not shown"
            failures.add_row(
                failure["id"],
                failure["category"],
                str(failure["expected_size"]),
                "no search" if got is None else str(got),
                "—" if reply is None else f"{reply}: {shown}",
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
    row("accuracy, all rows (out_of_scope a label)", lambda s: _fmt(s["accuracy"]))
    row("macro-F1, wrong acceptances counted", lambda s: _fmt(s["macro_f1"]))
    row("macro-F1 with out_of_scope", lambda s: _fmt(s["macro_f1_with_oos"]))
    row("share predicted out_of_scope", lambda s: _fmt(s["out_of_scope_share"]))
    row("wrong acceptances (uncovered → an intent)", lambda s: str(s["wrong_acceptances"]))
    row("false rejections (covered → out_of_scope)", lambda s: str(s["false_rejections"]))
    row("not covered → out_of_scope", lambda s: _fmt(s["uncovered_out_of_scope_share"]))
    for intent in figures["macro_f1_labels"]:
        row(
            f"precision / recall {intent}",
            lambda s, i=intent: f"{_fmt(s['precision'][i])} / {_fmt(s['recall'][i])}",
        )
    row("old: accuracy, covered rows only", lambda s: _fmt(s["covered_only"]["accuracy"]))
    row("old: macro-F1, covered rows only", lambda s: _fmt(s["covered_only"]["macro_f1"]))
    table.add_row(
        "tuning: out-of-fold macro-F1 on nlu_data/",
        *(_fmt(tuning.get(name, {}).get("validation_macro_f1")) for name in names),
    )
    return table


def _fmt(value: object) -> str:
    return "—" if value is None else f"{value:.3f}"


def _fmt_ratio(value: object) -> str:
    return "—" if value is None else f"{value:.2f}×"
