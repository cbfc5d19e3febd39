"""`assistant eval conversations`: multi-turn conversations played through the real dialogue
engine and judged by meaning, beside the same suite with conversation repair switched off.

Each conversation (assistant/eval/conversation_cases.py) is played in process, as the server
would answer it: the NLU trained from `nlu_data/`, the flows, the actions, the order backend on
its own fresh copy of the demo store, the product search, and the knowledge index built from
`knowledge_base/` in a temporary directory; no language model (the extractive answers). A
`say` turn sends the shopper's words; a `click` turn sends the payload of the offered button
(of the latest reply, or of a card in it) whose title contains the words, and fails when none
does. While a person owns the conversation the bot stays silent, as the conversation service
keeps it.

The judge (assistant/eval/judge.py) checks every turn: the case's checks, and two that every
turn gets — no message sent twice in a row, no prompt a third time in a row. After the last
turn, the `end` checks read the store. A conversation passes when every check holds. The NLU
model, the knowledge index and the seeded store template are built once per run; the store
is copied per conversation.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from assistant.eval.conversation_cases import (
    CaseTurn,
    Conversation,
    ConversationCaseError,
    load_suite,
)
from assistant.eval.conversation_report import (
    ConversationsReport,
    Failure,
    Outcome,
    end_failures,
    order_states,
)
from assistant.eval.judge import (
    DEFAULT_STATUSES,
    Judge,
    Turn,
    mentions,
    repeated_message,
    third_prompt,
)

if TYPE_CHECKING:
    from assistant.config import Settings
    from assistant.engine.action_events import ActionResult
    from assistant.engine.embeddings import Embedder
    from assistant.engine.executor import ActionRunner
    from assistant.engine.manager import DialogueEngine
    from assistant.engine.tracker import DialogueTracker
    from assistant.knowledge.service import Knowledge

DEFAULT_DATA = "assistant/eval/data/conversations"
SYSTEMS = ("repair", "no_repair")
KNOWLEDGE_DIR = "knowledge_base"
# The slot that identifies the shopper: a flow that collects it is an order task.
IDENTITY_SLOT = "customer_id"
SEARCH_SLOT = "search"


# -- what every conversation shares ----------------------------------------------------------


class Harness:
    """The NLU model, the knowledge index and the seeded store template, built once; one
    engine per system, as one server answers every shopper; a fresh store copy per
    conversation."""

    def __init__(
        self,
        settings: Settings,
        workdir: Path,
        *,
        embedder: Embedder | None = None,
        model_path: Path | None = None,
        knowledge_dir: Path | None = None,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        from assistant.engine.embeddings import CachingEmbedder, embedder_from_settings
        from assistant.engine.flows import load_flows
        from assistant.eval.store_copies import StoreCopies

        say = progress or (lambda line: None)
        self.embedder = CachingEmbedder(
            embedder if embedder is not None else embedder_from_settings(settings)
        )
        if model_path is None:
            from assistant.engine.nlu.model import train_from_settings

            say("training the NLU model")
            model_path = workdir / "nlu.joblib"
            train_from_settings(settings, self.embedder).save(model_path)
        # The server's own construction (build_dialogue) reads the model from this path.
        nlu = settings.nlu.model_copy(update={"model_path": str(model_path)})
        self.settings = settings.model_copy(update={"nlu": nlu})
        say("indexing the knowledge base")
        self.knowledge = self._knowledge(
            knowledge_dir if knowledge_dir is not None else settings.path(KNOWLEDGE_DIR),
            workdir / "chroma",
        )
        say("seeding the store")
        self.copies = StoreCopies(settings.path(settings.store.seed_path), workdir)
        flows = load_flows(settings.path(settings.dialogue.flows)).flows
        self.order_flows = {
            name
            for name, flow in flows.items()
            if any(step.collect == IDENTITY_SLOT for step in flow.steps)
        }
        self.judge = Judge(statuses=self._statuses())
        self.runner = SwitchedRunner(settings.dialogue.actions_package)

    def _knowledge(self, documents: Path, directory: Path) -> Knowledge:
        from assistant.knowledge.documents import read_knowledge_base
        from assistant.knowledge.ingest import get_collection, ingest
        from assistant.knowledge.vector_store import open_vector_store
        from assistant.services import build_knowledge

        chunks, _ = read_knowledge_base(documents)
        self.chroma = open_vector_store(directory)
        name = self.settings.vector_store.collection
        ingest(get_collection(self.chroma, name), self.embedder, chunks, scope="kb")
        return build_knowledge(self.settings, self.chroma, self.embedder)

    def close(self) -> None:
        """Let go of the index's files before their folder is removed."""
        self.chroma.clear_system_cache()

    def _statuses(self) -> list[str]:
        from sqlalchemy import select

        from assistant.persistence.models.store import Order

        sessions, engine = self.copies.copy("statuses")
        try:
            with sessions() as session:
                found = set(session.scalars(select(Order.status).distinct()))
        finally:
            engine.dispose()
        # The statuses changes lead to are not all in the seed; the judge knows them too.
        return sorted(found | set(DEFAULT_STATUSES))

    def system_settings(self, system: str) -> Settings:
        """The settings of one system: conversation repair on (`repair`) or off."""
        dialogue = self.settings.dialogue.model_copy(update={"repair": system == "repair"})
        return self.settings.model_copy(update={"dialogue": dialogue})

    def engine(self, system: str) -> DialogueEngine:
        """The dialogue engine as the server builds it, for one system; its actions run
        against the store copy of the conversation being played (`play`)."""
        from assistant.services import build_dialogue

        return build_dialogue(self.system_settings(system), self.runner, self.embedder)

    def play(self, conversation: Conversation, engine: DialogueEngine) -> Outcome:
        """One conversation on a fresh copy of the store, judged."""
        from assistant.backends.sql_orders import SqlOrderBackend
        from assistant.engine.executor import InProcessActionRunner
        from assistant.services import ActionServices, build_shopping

        name = re.sub(r"[^A-Za-z0-9_-]", "_", f"conversation-{conversation.id}")
        sessions, db_engine = self.copies.copy(name)
        try:
            orders = SqlOrderBackend(sessions)
            shopping = build_shopping(self.settings, sessions, orders, embedder=self.embedder)
            services = ActionServices(orders, self.knowledge, shopping)
            self.runner.current = InProcessActionRunner(
                self.settings.dialogue.actions_package, services=services
            )
            ids = [check.order for check in conversation.end]
            before = order_states(sessions, ids)
            outcome = asyncio.run(self._converse(engine, conversation))
            outcome.failures += end_failures(conversation, before, order_states(sessions, ids))
            return outcome
        finally:
            db_engine.dispose()
            (self.copies.workdir / f"{name}.db").unlink(missing_ok=True)

    async def _converse(self, engine: DialogueEngine, conversation: Conversation) -> Outcome:
        outcome = Outcome(conversation)
        tracker = engine.new_tracker(f"conversation-{conversation.id}")
        turns: list[Turn] = []
        offered: list[dict[str, Any]] = []
        for number, step in enumerate(conversation.turns, 1):
            text = step.say
            if step.click is not None:
                chosen = find_button(offered, step.click)
                if chosen is None:
                    titles = [str(b.get("title")) for b in offered]
                    outcome.transcript.append({"shopper": step.words, "missing_button": True})
                    outcome.failures.append(
                        Failure(number, f"click: {step.click}", f"no offered button: {titles}")
                    )
                    break  # the rest of the conversation depends on that click
                text = str(chosen["payload"])
                outcome.transcript.append({"shopper": f"[{chosen.get('title')}]", "sent": text})
            else:
                outcome.transcript.append({"shopper": text})
            assert text is not None
            try:
                turn = await self._turn(engine, tracker, text)
            except Exception as exc:
                # A crash fails this conversation, not the whole run.
                outcome.failures.append(
                    Failure(number, "auto: the turn is answered", f"{type(exc).__name__}: {exc}")
                )
                break
            outcome.transcript += [_said(m) for m in turn.messages]
            outcome.failures += self._judge(number, step, turn, turns)
            turns.append(turn)
            offered = offered_buttons(turn)
        return outcome

    async def _turn(self, engine: DialogueEngine, tracker: DialogueTracker, text: str) -> Turn:
        """One message; the facts about the turn the judge may read from the tracker."""
        if tracker.paused:
            # A person owns the conversation: the bot stays silent.
            return Turn(messages=(), paused=True)
        on_stack = {frame.flow for frame in tracker.stack}
        first_event = len(tracker.events)
        search_before = tracker.slots.get(SEARCH_SLOT)
        result = await engine.handle(tracker, text)
        started = tuple(
            dict.fromkeys(
                str(event["name"])
                for event in tracker.events[first_event:]
                if event.get("event") == "active_loop"
                and event.get("name")
                and event["name"] not in on_stack
            )
        )
        search_after = tracker.slots.get(SEARCH_SLOT)
        return Turn(
            messages=tuple(message.as_data() for message in result.messages),
            started_flows=started,
            order_task_started=any(flow in self.order_flows for flow in started),
            search_changed=search_after is not None and search_after != search_before,
            paused=tracker.paused,
        )

    def _judge(
        self, number: int, step: CaseTurn, turn: Turn, previous: list[Turn]
    ) -> list[Failure]:
        failures = []
        for check in step.expect:
            why = self.judge.failure(check, turn)
            if why is not None:
                failures.append(Failure(number, check.describe(), why))
        repeated = repeated_message(turn)
        if repeated:
            failures.append(Failure(number, "auto: no message twice in a row", repeated))
        third = third_prompt(previous, turn)
        if third:
            failures.append(Failure(number, "auto: no prompt a third time", third))
        return failures


class SwitchedRunner:
    """The in-process action runner of the conversation being played. One engine serves
    every conversation of a system, as one server serves every shopper; each conversation's
    actions reach its own store copy."""

    def __init__(self, package: str) -> None:
        from assistant.engine.executor import InProcessActionRunner

        self.current: ActionRunner = InProcessActionRunner(package)

    def names(self) -> set[str]:
        return self.current.names()

    async def run(
        self, action_name: str, tracker: dict[str, Any], domain: dict[str, Any]
    ) -> ActionResult:
        return await self.current.run(action_name, tracker, domain)

    async def aclose(self) -> None:
        await self.current.aclose()


def offered_buttons(turn: Turn) -> list[dict[str, Any]]:
    """The buttons a reply offers: the messages' own, then those on its cards."""
    found = [b for m in turn.messages for b in m.get("buttons") or ()]
    for message in turn.messages:
        custom = message.get("custom") or {}
        for card in custom.get("cards") or custom.get("items") or ():
            if isinstance(card, dict):
                found += list(card.get("buttons") or ())
    return found


def find_button(buttons: list[dict[str, Any]], words: str) -> dict[str, Any] | None:
    """The first button whose title has `words` as a phrase; failing that, the first that
    has each of its words."""
    titles = [str(b.get("title") or "") for b in buttons]
    for button, title in zip(buttons, titles, strict=True):
        if mentions(title, words):
            return button
    for button, title in zip(buttons, titles, strict=True):
        if all(mentions(title, word) for word in re.findall(r"[^\W_]+", words)):
            return button
    return None


def _said(message: dict[str, Any]) -> dict[str, Any]:
    line: dict[str, Any] = {"assistant": message.get("text")}
    if message.get("buttons"):
        line["buttons"] = [b.get("title") for b in message["buttons"]]
    custom = message.get("custom") or {}
    if custom.get("type"):
        line["card"] = custom["type"]
    return line


# -- running ---------------------------------------------------------------------------------


def evaluate_conversations(
    settings: Settings,
    *,
    data_dir: Path | None = None,
    category: str | None = None,
    systems: tuple[str, ...] = SYSTEMS,
    embedder: Embedder | None = None,
    model_path: Path | None = None,
    knowledge_dir: Path | None = None,
    progress: Callable[[str], None] | None = None,
) -> ConversationsReport:
    """Every conversation once per system: with repair, then with it switched off. The NLU
    is trained from `nlu_data/` unless `model_path` names a trained model; the documents are
    `knowledge_base/` unless `knowledge_dir` is given."""
    started = time.perf_counter()
    unknown = set(systems) - set(SYSTEMS)
    if unknown:
        raise ConversationCaseError(f"unknown systems {sorted(unknown)}")
    directory = data_dir if data_dir is not None else settings.path(DEFAULT_DATA)
    suite = load_suite(directory, category=category)
    runs: dict[str, list[Outcome]] = {}
    with tempfile.TemporaryDirectory(prefix="aisle-conversations-") as workdir:
        harness = Harness(
            settings,
            Path(workdir),
            embedder=embedder,
            model_path=model_path,
            knowledge_dir=knowledge_dir,
            progress=progress,
        )
        for system in systems:
            engine = harness.engine(system)
            outcomes = []
            for number, conversation in enumerate(suite.conversations, 1):
                outcomes.append(harness.play(conversation, engine))
                if progress and (number % 20 == 0 or number == len(suite.conversations)):
                    progress(f"{system}: {number}/{len(suite.conversations)} conversations")
            runs[system] = outcomes
        harness.close()
    return ConversationsReport(
        suite=suite, runs=runs, seconds=round(time.perf_counter() - started, 1)
    )
