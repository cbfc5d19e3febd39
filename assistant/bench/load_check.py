"""`assistant bench load`'s account: every simulated shopper's conversation read back from the
database and set against what the shopper sent and was shown.

Lost: a message the shopper sent that is not stored (unless an error frame refused it, a
rate limit for one); a stored shopper message that no bot message answers; a stored message
of the conversation (the shopper's own, the bot's) that never reached the shopper's socket.
Duplicated: a `client_id` stored twice; a message answered twice (the same reply, to the same
message, stored twice); a `seq` shown twice to the shopper. Beside them, what the shoppers
measured: turns, turns/s, p50/p99 latency, errors, reconnects.
"""

from __future__ import annotations

import statistics
from collections import Counter, defaultdict
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from assistant.persistence.db import make_engine
from assistant.persistence.models import Conversation, Message

if TYPE_CHECKING:
    from assistant.bench.load_shoppers import Shopper

CHANNEL = "web"
_BATCH = 500


def _rows(url: str, sessions: list[str]) -> tuple[dict[str, str], list[Any]]:
    """{session: conversation id} and the messages of those conversations."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            ids: dict[str, str] = {}
            for start in range(0, len(sessions), _BATCH):
                batch = sessions[start : start + _BATCH]
                found = connection.execute(
                    select(Conversation.external_id, Conversation.id).where(
                        Conversation.channel == CHANNEL, Conversation.external_id.in_(batch)
                    )
                )
                ids.update({external: cid for external, cid in found})
            messages: list[Any] = []
            wanted = list(ids.values())
            for start in range(0, len(wanted), _BATCH):
                messages += connection.execute(
                    select(
                        Message.conversation_id,
                        Message.id,
                        Message.seq,
                        Message.role,
                        Message.client_id,
                        Message.text,
                        Message.status,
                        Message.reply_to,
                    ).where(Message.conversation_id.in_(wanted[start : start + _BATCH]))
                ).all()
    finally:
        engine.dispose()
    return ids, messages


def check_database(url: str, crowd: Sequence[Shopper]) -> dict[str, Any]:
    """The lost and duplicated messages of `crowd`'s conversations, by kind."""
    sessions = [shopper.session for shopper in crowd if shopper.session]
    ids, rows = _rows(url, sessions)
    by_conversation: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        by_conversation[row.conversation_id].append(row)
    counts: Counter[str] = Counter()
    examples: list[str] = []

    def note(kind: str, amount: int, where: str) -> None:
        if amount > 0:
            counts[kind] += amount
            if len(examples) < 10:
                examples.append(f"{kind}: {amount} in {where}")

    for shopper in crowd:
        if not shopper.sent:
            continue
        conversation = ids.get(shopper.session or "")
        stored = by_conversation.get(conversation or "", [])
        where = f"shopper {shopper.index} (conversation {conversation})"
        users = [row for row in stored if row.role == "user"]
        replies = [row for row in stored if row.role == "bot" and row.reply_to is not None]
        by_client = Counter(row.client_id for row in users)
        missing = [cid for cid in shopper.sent if cid not in by_client]
        # A message the server refused with an error frame (a rate limit) is not lost.
        note("refused, not stored", sum(cid in shopper.refused for cid in missing), where)
        note("sent, not stored", sum(cid not in shopper.refused for cid in missing), where)
        note("stored twice (client_id)", sum(n - 1 for n in by_client.values() if n > 1), where)
        answered = {row.reply_to for row in replies}
        note("stored, never answered", sum(row.id not in answered for row in users), where)
        note("left 'received'", sum(row.status == "received" for row in users), where)
        same_reply = Counter((row.reply_to, row.text) for row in replies)
        note("answered twice", sum(n - 1 for n in same_reply.values() if n > 1), where)
        undelivered = [
            f"{row.seq} ({row.role}, {row.status})"
            for row in sorted(stored, key=lambda row: row.seq)
            if row.seq not in shopper.seen
        ]
        shown = (
            f"{where}: seq {', '.join(undelivered)}; shown up to {max(shopper.seen, default=0)}"
            f"; connections: {', '.join(shopper.trail)}"
        )
        note("stored, never delivered", len(undelivered), shown)
        seqs = {row.seq for row in stored}
        note("delivered twice", sum(n - 1 for n in shopper.seen.values() if n > 1), where)
        note("delivered, not stored", len(set(shopper.seen) - seqs), where)
        note("delivered out of order", shopper.out_of_order, where)
    lost = (
        counts["sent, not stored"]
        + counts["stored, never answered"]
        + counts["stored, never delivered"]
    )
    duplicated = (
        counts["stored twice (client_id)"] + counts["answered twice"] + counts["delivered twice"]
    )
    return {
        "lost": lost,
        "duplicated": duplicated,
        "kinds": dict(counts),
        "examples": examples,
        "conversations": len(ids),
        "messages": len(rows),
    }


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))]


def client_figures(crowd: list[Shopper], turns: int, timing: dict[str, Any]) -> dict[str, Any]:
    """What the shoppers measured: turns, turns/s, p50/p99, errors, reconnects."""
    latencies = [value for shopper in crowd for value in shopper.latencies]
    errors: Counter[str] = Counter()
    for shopper in crowd:
        errors.update(shopper.errors)
    unanswered = len(crowd) * turns - len(latencies)
    if unanswered:
        errors["turns never answered"] = unanswered
    seconds = timing["seconds"]
    sample = crowd[0] if crowd else None
    return {
        "shoppers": len(crowd),
        "turns": len(latencies),
        "turns_expected": len(crowd) * turns,
        "seconds": round(seconds, 2),
        "turns_per_s": round(len(latencies) / seconds, 1) if seconds > 0 else 0.0,
        "p50_ms": round(statistics.median(latencies) * 1000, 1) if latencies else None,
        "p99_ms": round(percentile(latencies, 0.99) * 1000, 1) if latencies else None,
        "max_ms": round(max(latencies) * 1000, 1) if latencies else None,
        "errors": sum(errors.values()),
        "error_kinds": dict(errors),
        "reconnects": sum(s.reconnects for s in crowd),
        "unfinished_shoppers": timing["unfinished_shoppers"],
        "client_failures": timing["failures"],
        "sample": [
            {"shopper": text, "bot": sample.replies.get(cid)} for cid, text in sample.sent.items()
        ]
        if sample
        else [],
    }
