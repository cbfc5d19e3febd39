"""`assistant eval answers`: policy answers judged against sentences labelled from the
documents, the grounding guard beside no guard, then the model's answers beside the extractive
ones."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from assistant.cli.context import state
from assistant.cli.figures import (
    JsonFlag,
    OutputOption,
    ProviderOption,
    emit_json,
    fmt,
    progress_lines,
    provider_choice,
)


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
        table.add_row(label, *(str(c) if isinstance(c, int) else fmt(c) for c in cells))
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
