"""`assistant analytics report`: the store's analytics over a period (docs/analytics.md), as
tables for people, one JSON object (`--json`, what the admin console shows) or a CSV."""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from assistant.cli.context import state
from assistant.cli.figures import JsonFlag, emit_json

if TYPE_CHECKING:
    from rich.console import Console

    from assistant.config import Settings

app = typer.Typer(help="The store's analytics.", no_args_is_help=True)


def _stop_flows(settings: Settings) -> list[str]:
    """The configured flow playing the stop pattern: its start ends the flows in progress."""
    from assistant.analytics import stop_flows
    from assistant.engine.flows import load_flows

    return stop_flows(load_flows(settings.path(settings.dialogue.flows)))


@app.command("report")
def report_command(
    ctx: typer.Context,
    since: Annotated[
        str | None, typer.Option("--since", help="First day, YYYY-MM-DD (UTC).")
    ] = None,
    until: Annotated[
        str | None, typer.Option("--until", help="Last day, included, YYYY-MM-DD (UTC).")
    ] = None,
    days: Annotated[
        int | None, typer.Option("--days", help="How many days (30 with neither date).")
    ] = None,
    window_hours: Annotated[
        float,
        typer.Option(
            "--window-hours", help="How long after a search or a chat a cart or a purchase counts."
        ),
    ] = 24.0,
    top: Annotated[int, typer.Option("--top", help="How many intents and flows to list.")] = 10,
    as_json: JsonFlag = False,
    csv_path: Annotated[
        Path | None, typer.Option("--csv", help="Also write every figure to this CSV file.")
    ] = None,
) -> None:
    """The period's figures: conversations, hand-offs, CSAT, flows, conversions, segments."""
    from assistant.analytics import parse_period, report

    period = parse_period(since, until, days)
    settings = state(ctx).settings
    from assistant.persistence.db import sessions_for

    with sessions_for(settings.database_url) as sessions:
        result = report(
            sessions,
            start=period.start,
            end=period.end,
            window=timedelta(hours=window_hours),
            stop_flows=_stop_flows(settings),
            top=top,
        )
    if csv_path is not None:
        csv_path.parent.mkdir(parents=True, exist_ok=True)
        csv_path.write_text(result.to_csv(), encoding="utf-8")
    figures = result.as_dict()
    if emit_json(figures, as_json=as_json, output=None):
        return
    from rich.console import Console

    _print(Console(), figures)


def _when(iso: str) -> str:
    return datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")


def _pct(rate: dict[str, Any]) -> tuple[str, str]:
    return f"{rate['value']:.1%}", f"{rate['numerator']} of {rate['denominator']}"


def _print(console: Console, figures: dict[str, Any]) -> None:
    from rich.table import Table

    period, handoff, csat = figures["period"], figures["handoff"], figures["csat"]
    reply, talks = handoff["first_agent_reply"], figures["conversations"]
    summary = Table(
        title=f"Analytics, {_when(period['start'])} to {_when(period['end'])} UTC",
        caption=f"the end excluded; conversions within {period['window_hours']:g} h; "
        "docs/analytics.md defines each figure",
    )
    for name in ("figure", "value", "out of"):
        summary.add_column(name, justify="left" if name == "figure" else "right")
    summary.add_row("conversations opened", str(talks["opened"]), "")
    summary.add_row("  with shopper messages", str(talks["with_messages"]), "")
    summary.add_row("  silent", str(talks["silent"]), "")
    summary.add_row("containment (no hand-off)", *_pct(figures["containment"]))
    summary.add_row("hand-off rate", *_pct(handoff))
    summary.add_row("hand-offs", str(handoff["handoffs"]), "")
    answered = f"{reply['replied']} answered, {reply['unanswered']} not"
    summary.add_row("first agent reply, median", f"{reply['median_seconds']:g} s", answered)
    summary.add_row("first agent reply, p90", f"{reply['p90_seconds']:g} s", answered)
    summary.add_row("CSAT (ratings 4-5)", *_pct(csat))
    summary.add_row("mean rating", f"{csat['mean']:.2f}", str(csat["rated"]["numerator"]))
    summary.add_row("rated", *_pct(csat["rated"]))
    summary.add_row("flow runs abandoned", *_pct(figures["flows"]["abandoned"]))
    summary.add_row("search to cart (sessions)", *_pct(figures["search_to_cart"]))
    buying = figures["chat_to_purchase"]
    value, out_of = _pct(buying)
    summary.add_row("chat to purchase", value, f"{out_of} ({buying['anonymous']} anonymous)")
    console.print(summary)

    intents = Table(title=f"Intents ({figures['intents']['read']} requests read)")
    intents.add_column("intent")
    intents.add_column("count", justify="right")
    for row in figures["intents"]["top"]:
        intents.add_row(row["name"], str(row["count"]))
    console.print(intents)

    flows = Table(title=f"Flows ({figures['flows']['started']} runs)")
    for name in ("flow", "started", "completed", "handed off", "abandoned"):
        flows.add_column(name, justify="left" if name == "flow" else "right")
    abandoned = Table(title="Where flows were abandoned (their last step)")
    for name in ("flow", "step", "runs"):
        abandoned.add_column(name, justify="right" if name == "runs" else "left")
    for row in figures["flows"]["top"]:
        counts = (row[k] for k in ("started", "completed", "handed_off", "abandoned"))
        flows.add_row(row["name"], *map(str, counts))
        for where in row["abandoned_at"]:
            abandoned.add_row(row["name"], where["step"], str(where["count"]))
    console.print(flows)
    console.print(abandoned)

    segments = Table(
        title=f"RFM segments as of the end ({figures['segments']['customers']} customers)"
    )
    for name in ("segment", "customers", "chatted", "conversations", "hand-off rate"):
        segments.add_column(name, justify="left" if name == "segment" else "right")
    for row in figures["segments"]["rows"]:
        chatted, handed = row["chatted"], row["handoff"]
        segments.add_row(
            row["name"],
            str(row["customers"]),
            f"{chatted['numerator']} ({chatted['value']:.0%})",
            str(row["conversations"]),
            f"{handed['value']:.1%}",
        )
    console.print(segments)
