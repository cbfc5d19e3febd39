"""`assistant bench llm`: time to first token and tokens/s of a RAG turn through the
assistant, beside the same request sent straight to the model server."""

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
    progress_lines,
    provider_choice,
)


def llm(
    ctx: typer.Context,
    provider: ProviderOption = "llamacpp",
    pairs: Annotated[int, typer.Option("--pairs", min=1, help="Timed request pairs.")] = 12,
    max_tokens: Annotated[int, typer.Option("--max-tokens", min=2, max=1024)] = 48,
    as_json: JsonFlag = False,
    output: OutputOption = None,
) -> None:
    """Time to first token and tokens/s of a RAG turn through the assistant, beside the same
    request sent straight to the model server."""
    import asyncio

    from assistant.bench.llm import run_benchmark

    figures = asyncio.run(
        run_benchmark(
            state(ctx).settings,
            provider=provider_choice(provider),
            pairs=pairs,
            max_tokens=max_tokens,
            progress=progress_lines(as_json=as_json),
        )
    )
    if emit_json(figures, as_json=as_json, output=output):
        return
    overhead = figures["ttft_overhead"]
    met = {True: "met", False: "NOT met", None: "not measured"}[figures["met"]]
    table = Table(
        title=f"A RAG turn with {figures['provider']} ({figures['model']}), {pairs} pairs",
        caption=(
            "Overhead of the assistant's time to first token over the direct request: "
            f"{'—' if overhead is None else f'{overhead:+.1%}'} "
            f"(target ≤ {figures['target_overhead']:.0%}: {met}); {figures['seconds']} s. "
            "Through the assistant: a whole engine turn, the embedding cache emptied first; "
            f"prompts that differed from the direct side's: {figures['prompt_mismatches']}."
        ),
    )
    table.add_column("")
    table.add_column("through the assistant", justify="right")
    table.add_column("direct to the server", justify="right")
    for key, label in (
        ("ttft_p50_ms", "time to first token, p50 (ms)"),
        ("ttft_mean_ms", "time to first token, mean (ms)"),
        ("tokens_per_s_p50", "tokens/s after the first, p50"),
        ("tokens_p50", "tokens per answer, p50"),
        ("total_p50_ms", "the whole turn / answer, p50 (ms)"),
    ):
        table.add_row(label, str(figures["assistant"][key]), str(figures["direct"][key]))
    Console().print(table)
