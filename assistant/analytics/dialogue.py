"""The intents shoppers used and the flows they ran, with how each flow run ended, replayed
from the tracker events the engine writes (`assistant/engine/manager.py`).

The engine records a flow's start as `active_loop` naming it; its end as `active_loop` with
no name (the stack is empty, or an action ended its flow) or naming the flow below with
`resumed` (that one resumes). A person taking over (`pause`), the bot resuming after a
hand-back (`resume`) and the stop pattern (a start of a flow in `stop_flows`) clear the stack
without an event of their own. Replaying those rules gives each flow run one outcome:

- completed: the engine took it off the stack after its last step, or an action ended it;
- handed off: it was on the stack when a person took over;
- abandoned: the shopper stopped it (the stop pattern), it was still waiting when the
  conversation's events end, or it left the stack without an ending of its own (a switch to
  another task sharing its facts; a `link` step, which the shipped flows do not use, reads
  the same).

Where a run was abandoned is the last action it ran before the shopper's message that
abandoned it (for a run still waiting, its last action): usually the step that asked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

from assistant.analytics.figures import Rate
from assistant.analytics.queries import DialogueEvent

NO_STEP = "(no step ran)"
UNKNOWN_INTENT = "(none)"


@dataclass
class FlowUse:
    """How often one flow started, and how its runs ended."""

    name: str
    started: int = 0
    completed: int = 0
    handed_off: int = 0
    abandoned: int = 0
    abandoned_at: Counter[str] = field(default_factory=Counter)

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "started": self.started,
            "completed": self.completed,
            "handed_off": self.handed_off,
            "abandoned": self.abandoned,
            "abandoned_at": [
                {"step": step, "count": count} for step, count in _ranked(self.abandoned_at)
            ],
        }


@dataclass
class _Run:
    use: FlowUse
    last_action: str | None = None
    # Its last action before the latest shopper message: where it stood when it came.
    asked: str | None = None


@dataclass
class DialogueFigures:
    # Requests the NLU read (a message holding two requests is read twice), by intent.
    intents: Counter[str] = field(default_factory=Counter)
    flows: dict[str, FlowUse] = field(default_factory=dict)

    def use(self, flow: str) -> FlowUse:
        return self.flows.setdefault(flow, FlowUse(flow))

    @property
    def started(self) -> int:
        return sum(use.started for use in self.flows.values())

    @property
    def abandonment(self) -> Rate:
        return Rate(sum(use.abandoned for use in self.flows.values()), self.started)

    def as_dict(self, *, top: int) -> dict[str, Any]:
        uses = sorted(self.flows.values(), key=lambda use: (-use.started, use.name))
        return {
            "intents": {
                "read": sum(self.intents.values()),
                "top": [
                    {"name": name, "count": count} for name, count in _ranked(self.intents)[:top]
                ],
            },
            "flows": {
                "started": self.started,
                "completed": sum(use.completed for use in uses),
                "handed_off": sum(use.handed_off for use in uses),
                "abandoned": self.abandonment.as_dict(),
                "top": [use.as_dict() for use in uses[:top]],
            },
        }


def _ranked(counts: Counter[str]) -> list[tuple[str, int]]:
    """Most first; ties by name, so the order never depends on the database's."""
    return sorted(counts.items(), key=lambda item: (-item[1], item[0]))


def dialogue_figures(
    conversations: Iterable[list[DialogueEvent]], *, stop_flows: Collection[str]
) -> DialogueFigures:
    figures = DialogueFigures()
    for events in conversations:
        _replay(events, figures, stop_flows)
    return figures


def _replay(
    events: list[DialogueEvent], figures: DialogueFigures, stop_flows: Collection[str]
) -> None:
    stack: list[_Run] = []

    def abandon(run: _Run, where: str | None) -> None:
        run.use.abandoned += 1
        run.use.abandoned_at[where or NO_STEP] += 1

    def hand_off() -> None:
        for run in stack:
            run.use.handed_off += 1
        stack.clear()

    for event in events:
        if event.kind == "user":
            figures.intents[event.intent or UNKNOWN_INTENT] += 1
            for run in stack:
                run.asked = run.last_action
        elif event.kind == "action":
            if stack:
                stack[-1].last_action = event.name
        elif event.kind in ("pause", "resume"):
            hand_off()
        elif event.kind == "active_loop" and event.name and not event.resumed:
            if event.name in stop_flows:
                for run in stack:
                    abandon(run, run.asked or run.last_action)
                stack.clear()
            use = figures.use(event.name)
            use.started += 1
            stack.append(_Run(use))
        elif event.kind == "active_loop":
            if stack:
                stack.pop().use.completed += 1
            if event.name and any(run.use.name == event.name for run in stack):
                # Runs above the one resuming left the stack with no ending of their own.
                while stack[-1].use.name != event.name:
                    left = stack.pop()
                    abandon(left, left.last_action)
    for run in stack:
        abandon(run, run.last_action)
