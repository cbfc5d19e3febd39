"""`assistant eval tasks`: the τ²-bench retail tasks, played by two scripted shoppers.

Each conversation runs against the real dialogue engine (the trained NLU, the flows, the
actions, the order backend) on its own copy of the demo store. Two shoppers play each task:

- the goal-scripted shopper (`goal_shopper.py`) knows the task's expected changes and states
  them exactly: it measures whether the assistant carries out a change it is told plainly;
- the prose shopper (`prose_shopper.py`) knows only the task's scenario text, as a real
  shopper knows their own situation, and never reads the expected actions.

Both see only the text, buttons and cards of each reply. Only the judge (`task_judge.py`)
reads the expected actions: the store after the conversation is compared with a second copy on
which they were applied directly through the backend; every write they do not contain is a
policy violation; a task with nothing to write passes only if the shopper's request was
answered or refused with the policy's reason (or handed to a person when that is expected);
τ²-bench's `communicate_info` facts are checked in the assistant's replies. The task data is
`task_data.py`, the outcomes and figures `task_report.py`; this module runs the conversations.
"""

from __future__ import annotations

import asyncio
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy.orm import Session, sessionmaker

from assistant.backends.orders import OrderPolicyError
from assistant.backends.sql_orders import SqlOrderBackend
from assistant.config import Settings
from assistant.engine.domain import load_domain
from assistant.engine.executor import InProcessActionRunner
from assistant.engine.flows import load_flows
from assistant.engine.manager import DialogueEngine, Parser
from assistant.engine.tracker import DialogueTracker
from assistant.eval.replies import Reply
from assistant.eval.store_copies import (
    Goal,
    StoreCopies,
    TaskDataError,
    apply_goal,
    differences,
    snapshot,
)
from assistant.eval.task_data import DEFAULT_DATA, Task, load_tasks
from assistant.eval.task_judge import count_violations, judge
from assistant.eval.task_report import TaskOutcome, TasksReport
from assistant.knowledge.service import Knowledge
from assistant.services import SEARCH_FLOW

__all__ = [
    "Goal",
    "StoreCopies",
    "TaskDataError",
    "apply_goal",
    "differences",
    "load_tasks",
    "snapshot",
]

SHOPPERS = ("goal", "prose")
# Enough for the longest task (five changes of about eight turns each).
MAX_TURNS = 60


class Shopper(Protocol):
    name: str

    def opening(self) -> str: ...

    def respond(self, reply: Reply) -> str | None: ...


# -- running -----------------------------------------------------------------------------------


async def run_conversation(
    engine: DialogueEngine,
    shopper: Shopper,
    tracker: DialogueTracker,
    transcript: list[dict[str, Any]],
    *,
    limit: int = MAX_TURNS,
) -> str:
    """Let the shopper talk until it leaves, recording the transcript; what went wrong, if
    anything. The tracker is the judge's (the shopper sees only the replies)."""
    text: str | None = shopper.opening()
    for _ in range(limit):
        if text is None:
            return ""
        transcript.append({"shopper": text})
        result = await engine.handle(tracker, text)
        messages = [message.as_data() for message in result.messages]
        for data in messages:
            transcript.append(
                {
                    "assistant": data.get("text"),
                    "buttons": [b["title"] for b in data.get("buttons") or []],
                    "cards": [data["custom"]] if isinstance(data.get("custom"), dict) else [],
                }
            )
        text = shopper.respond(Reply.from_messages(messages))
    return f"no end after {limit} turns"


def evaluate_tasks(
    settings: Settings,
    *,
    data_path: Path | None = None,
    parser: Parser | None = None,
    only: set[str] | None = None,
    shoppers: Sequence[str] = SHOPPERS,
    progress: Callable[[str], None] | None = None,
) -> TasksReport:
    started = time.perf_counter()
    path = (data_path if data_path is not None else settings.path(DEFAULT_DATA)).resolve()
    tasks = [t for t in load_tasks(path) if only is None or t.id in only]
    if parser is None:
        from assistant.engine.embeddings import CachingEmbedder, embedder_from_settings
        from assistant.engine.nlu.model import train_from_settings

        parser = train_from_settings(settings, CachingEmbedder(embedder_from_settings(settings)))
    domain = load_domain(settings.path(settings.dialogue.domain))
    flows = load_flows(settings.path(settings.dialogue.flows))
    knowledge = _knowledge(settings)
    outcomes = []
    with tempfile.TemporaryDirectory(prefix="aisle-tasks-") as workdir:
        copies = StoreCopies(settings.path(settings.store.seed_path), Path(workdir))
        for name in shoppers:
            for index, task in enumerate(tasks):
                outcome = asyncio.run(
                    _run_task(
                        settings,
                        copies,
                        task,
                        parser,
                        domain,
                        flows,
                        knowledge,
                        shopper=name,
                        typed=index % 2 == 0,
                    )
                )
                outcomes.append(outcome)
                if progress is not None:
                    verdict = "pass" if outcome.passed else f"FAIL {outcome.reason[:100]}"
                    progress(f"{name} shopper, task {task.id}: {verdict}")
    return TasksReport(
        data=str(path), outcomes=outcomes, seconds=round(time.perf_counter() - started, 1)
    )


def _make_shopper(
    name: str, task: Task, sessions: sessionmaker[Session], *, typed: bool
) -> Shopper:
    if name == "goal":
        from assistant.eval.goal_shopper import GoalShopper

        return GoalShopper(task, sessions, typed=typed)
    if name == "prose":
        from assistant.eval.prose_shopper import ProseShopper

        return ProseShopper(task.instructions, typed=typed)
    raise TaskDataError(f"unknown shopper {name!r}: choose from {', '.join(SHOPPERS)}")


def _knowledge(settings: Settings) -> Knowledge:
    """The store's knowledge base as the assistant reads it (for a question asked mid-task)."""
    from assistant.engine.embeddings import CachingEmbedder, embedder_from_settings
    from assistant.knowledge.vector_store import vector_store_from_settings
    from assistant.services import build_knowledge

    embedder = CachingEmbedder(embedder_from_settings(settings))
    return build_knowledge(settings, vector_store_from_settings(settings), embedder)


async def _run_task(
    settings: Settings,
    copies: StoreCopies,
    task: Task,
    parser: Parser,
    domain: Any,
    flows: Any,
    knowledge: Knowledge,
    *,
    shopper: str,
    typed: bool,
) -> TaskOutcome:
    expected_sessions, expected_engine = copies.copy(f"{task.id}-{shopper}-expected")
    actual_sessions, actual_engine = copies.copy(f"{task.id}-{shopper}-actual")
    pristine_sessions, pristine_engine = copies.copy(f"{task.id}-{shopper}-shopper")
    try:
        # As in τ²-bench, an expected action the policy refuses changes nothing; the goal
        # shopper does not pursue it (the assistant would refuse it as the backend did).
        refused: list[str] = []
        goals: list[Goal] = []
        for number, goal in enumerate(task.goals):
            try:
                apply_goal(expected_sessions, goal, key=f"expected-{task.id}-{number}")
                goals.append(goal)
            except OrderPolicyError as exc:
                refused.append(f"expected {goal.operation} is refused by the policy: {exc}")
        # The goal shopper still asks for a refused change: the assistant must refuse it.
        asked = task
        task = replace(task, goals=goals)
        actual = SqlOrderBackend(actual_sessions)
        from assistant.services import ActionServices, build_shopping

        shopping = build_shopping(settings, actual_sessions, actual)
        runner = InProcessActionRunner(
            settings.dialogue.actions_package,
            services=ActionServices(actual, knowledge, shopping),
        )
        engine = DialogueEngine(
            parser=parser,
            domain=domain,
            flows=flows,
            runner=runner,
            assistant_name=settings.assistant.name,
            # As the server builds it: a search may stand aside for the shopper's own items.
            search_flow=SEARCH_FLOW if SEARCH_FLOW in flows.flows else None,
        )
        player = _make_shopper(shopper, asked, pristine_sessions, typed=typed)
        tracker = engine.new_tracker(f"task-{task.id}")
        transcript: list[dict[str, Any]] = []
        try:
            problem = await run_conversation(engine, player, tracker, transcript)
        except Exception as exc:  # one task's crash is that task's failure, not the run's
            problem = f"the assistant failed: {type(exc).__name__}: {exc}"
        diff = differences(snapshot(expected_sessions), snapshot(actual_sessions))
        violations = count_violations(task.goals, actual.changes())
        transferred = tracker.paused
        passed, reasons, told = judge(
            task, diff=diff, violations=violations, transferred=transferred, transcript=transcript
        )
        reasons = [*refused, *([problem] if problem else []), *reasons]
        return TaskOutcome(
            id=task.id,
            shopper=shopper,
            passed=passed,
            violations=violations,
            transferred=transferred,
            expected_transfer=task.transfer,
            turns=sum(1 for line in transcript if "shopper" in line),
            reason="; ".join(reasons),
            no_op=not task.goals,
            facts_told=told,
            transcript=transcript,
            typed=typed,
        )
    finally:
        for engine_ in (expected_engine, actual_engine, pristine_engine):
            engine_.dispose()
