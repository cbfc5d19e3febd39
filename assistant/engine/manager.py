"""The dialogue manager: one user message in, the flows advanced, bot messages out.

A turn parses the message, fills slots from entities, intents and button payloads, then
either answers the slot a waiting flow asked for, interrupts it with the flow the message
triggers, or starts a flow (the fallback flow when nothing matches). Flows run step by step
until one waits for the shopper or the stack is empty. Actions run through an `ActionRunner`.

A language model appears here only as a `CommandSource`: when the NLU is unsure of a message,
the model may propose commands, which `CommandPolicy` validates and reconciles with the NLU's
parse (assistant/engine/commands.py). The turn then runs exactly as for any parse.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any, Protocol

import anyio

from assistant.config.store import OrderIds
from assistant.engine.action_events import ActiveLoop, DispatcherMessage, Followup
from assistant.engine.commands import CommandPolicy, CommandSource, needs_commands
from assistant.engine.domain import Domain
from assistant.engine.executor import ActionRunner
from assistant.engine.flows import FlowSet
from assistant.engine.messages import BotMessage, TurnResult
from assistant.engine.nlu.result import OUT_OF_SCOPE, ParseResult
from assistant.engine.order_readings import names_order_number
from assistant.engine.prompting import Prompting
from assistant.engine.readings import asks_about, sounds_upset, without_upset
from assistant.engine.repair import Repairs
from assistant.engine.slots import apply_corrections, fill_slots, heard_something
from assistant.engine.tracker import DialogueTracker, FlowFrame
from assistant.errors import FlowError

# Enough for any real flow; a cycle of steps that never waits is a bug, not a conversation.
MAX_STEPS_PER_TURN = 60
MAX_FOLLOWUPS = 5


class Parser(Protocol):
    def parse(self, text: str) -> ParseResult: ...


class DialogueEngine:
    def __init__(
        self,
        *,
        parser: Parser,
        domain: Domain,
        flows: FlowSet,
        runner: ActionRunner,
        assistant_name: str,
        store_values: Mapping[str, str] | None = None,
        intents: set[str] | None = None,
        commands: CommandSource | None = None,
        search_flow: str | None = None,
        repair: bool = True,
    ) -> None:
        flows.validate_against(
            responses=set(domain.responses),
            actions=runner.names(),
            slots=set(domain.slots),
            intents=intents,
        )
        self.parser = parser
        self.domain = domain
        self.flows = flows
        self.runner = runner
        self.assistant_name = assistant_name
        # The store's own words for responses ("{order_example}"), beside the slots; the demo
        # store's format unless the store's are given.
        self.store_values = {"order_example": OrderIds().example, **(store_values or {})}
        self.commands = commands
        self.policy = CommandPolicy(flows, domain, search_flow=search_flow)
        self._domain_dict = domain.as_rasa_dict()
        self.repair = repair
        self.repairs = Repairs(flows, domain, push=self._push, search_flow=search_flow)

    def new_tracker(self, sender_id: str) -> DialogueTracker:
        return DialogueTracker(sender_id=sender_id, slots=self.domain.initial_slots())

    async def handle(self, tracker: DialogueTracker, text: str) -> TurnResult:
        """One shopper message; a message that carries several requests ("how long does
        shipping take, and cancel my order") has each handled in turn, the task last."""
        parts = await self.repairs.requests(tracker, text, self._parse) if self.repair else []
        result = TurnResult()
        for part in parts or [text]:
            done = await self._handle_one(tracker, part)
            result.messages += done.messages
            result.handoff_reason = result.handoff_reason or done.handoff_reason
            if tracker.paused:
                break
        if self.repair and not tracker.paused:
            apology = self.repairs.apology(text, result, self._values(tracker), self._seed(tracker))
            if apology is not None:
                # Said first, and kept out of the tracker's events: the prompts the turn sent
                # stay the last thing the engine said (what a "yes" to a sole choice means).
                result.messages.insert(0, apology)
        return result

    async def _parse(self, text: str) -> ParseResult:
        return await anyio.to_thread.run_sync(self.parser.parse, text)

    async def _handle_one(self, tracker: DialogueTracker, text: str) -> TurnResult:
        parse = await self._parse(text)
        if self.repair and parse.intent == OUT_OF_SCOPE and sounds_upset(text):
            # Frustration beside a request can drown it: read the request on its own.
            calm = without_upset(text)
            if calm and calm != text:
                read = await self._parse(calm)
                if read.intent != OUT_OF_SCOPE:
                    parse = replace(read, text=text)
        if self.repair and parse.intent == OUT_OF_SCOPE:
            parse = self.repairs.named_order(tracker, parse)
        if self.repair:
            parse = self.repairs.order_over_search(tracker, parse)
        if self.repair:
            parse = self.repairs.yes_or_no(tracker, parse)
        if self.repair and (choice := self.repairs.sole_choice(tracker, parse)) is not None:
            parse = await anyio.to_thread.run_sync(self.parser.parse, choice)
        parse_data: dict[str, Any] = {}
        if self.commands is not None and needs_commands(parse):
            parse, parse_data["commands"] = await self._with_commands(tracker, parse)
        parse_data = {**parse.as_rasa_dict(), **parse_data}
        tracker.add({"event": "user", "text": text, "parse_data": parse_data})
        result = TurnResult()
        before = dict(tracker.slots)
        intent = self.repairs.offer_taken(tracker, parse) if self.repair else parse.intent
        fill_slots(self.domain, tracker, parse)
        corrected = apply_corrections(self.flows, tracker, before)
        # A question ("can the refund go to another card?") is answered, not read for facts.
        numbered = names_order_number(parse)
        listened = (
            self.repair
            and not asks_about(text, names_order=numbered)
            and await self._listen(tracker, result)
        )
        # What it heard corrected an earlier answer or settled a later step: the message was
        # about this task, not a new request or a question beside it.
        corrected = corrected or listened
        triggered = self.flows.for_intent(intent)
        frame = tracker.active
        if self.repair and self.repairs.arrange(tracker, parse, triggered, corrected=corrected):
            pass
        elif frame is not None and (frame.waiting is not None or corrected):
            # An answer (or a correction) continues the flow; another request interrupts it;
            # anything else (the fallback included) goes back to the waiting step, which asks
            # again.
            answered = corrected or tracker.slots.get(str(frame.waiting)) is not None
            interrupts = (
                triggered is not None
                and triggered != self.flows.fallback
                and self.flows.flows[triggered].interrupts
            )
            switches = (
                self.repair
                # Facts it heard for this task keep it here, unless it asks to change what
                # this task only looks at ("cancel the pending one" while asked which order).
                and (not listened or self.flows.escalates(frame.flow, triggered))
                and interrupts
                and triggered is not None
                and self.flows.share_task(frame.flow, triggered)
                and not self._on_stack(tracker, triggered)
            )
            if switches and triggered:
                # "Then just cancel it" while a return asks which items: the shopper changed
                # their mind; the two would share (and spoil) one task's slots.
                tracker.stack.pop()
                self._push(tracker, triggered)
            elif (
                not answered and interrupts and triggered and not self._on_stack(tracker, triggered)
            ):
                frame.interrupted = self.repair
                self._push(tracker, triggered)
        elif triggered is None or not self._on_stack(tracker, triggered):
            self._push(tracker, triggered or self.flows.fallback)
        await self._run(tracker, result)
        return result

    async def _with_commands(
        self, tracker: DialogueTracker, parse: ParseResult
    ) -> tuple[ParseResult, list[dict[str, Any]]]:
        """The parse with the model's valid, consistent commands applied, and what was
        decided about each command (kept on the turn's user event)."""
        assert self.commands is not None
        frame = tracker.active
        context = self.policy.context(
            parse.text,
            active_flow=frame.flow if frame else None,
            waiting_for=frame.waiting if frame else None,
        )
        proposed = await self.commands.propose(context)
        if not proposed:
            return parse, []
        reconciled = await anyio.to_thread.run_sync(
            lambda: self.policy.reconcile(
                parse, proposed, read_entities=lambda value: self.parser.parse(value).entities
            )
        )
        return reconciled.parse, [decision.as_dict() for decision in reconciled.decisions]

    async def _listen(self, tracker: DialogueTracker, result: TurnResult) -> bool:
        """Run the active flow's `listen` action on the message; True when it kept
        something (a fact for a later step, or a correction of an earlier one, which took
        the flow back to that step)."""
        frame = tracker.active
        listen = self.flows.flows[frame.flow].listen if frame is not None else None
        if listen is None or tracker.paused:
            return False
        start = len(tracker.events)
        corrected = await self._act(listen, tracker, result)
        return corrected or any(event["event"] == "slot" for event in tracker.events[start:])

    # -- flows -------------------------------------------------------------------------------

    @staticmethod
    def _on_stack(tracker: DialogueTracker, flow: str) -> bool:
        return any(frame.flow == flow for frame in tracker.stack)

    def _push(self, tracker: DialogueTracker, flow: str) -> None:
        tracker.stack.append(FlowFrame(flow=flow))
        tracker.add({"event": "active_loop", "name": flow})

    async def _run(self, tracker: DialogueTracker, result: TurnResult) -> None:
        for _ in range(MAX_STEPS_PER_TURN):
            if not tracker.stack:
                return
            frame = tracker.stack[-1]
            flow = self.flows.flows[frame.flow]
            if frame.step >= len(flow.steps):
                tracker.stack.pop()
                # The flow below, if any, resumes (it did not start again).
                resumed = tracker.active
                tracker.add(
                    {"event": "active_loop", "name": resumed.flow, "resumed": True}
                    if resumed is not None
                    else {"event": "active_loop", "name": None}
                )
                below = tracker.active
                if below is not None and below.interrupted:
                    if not result.messages:
                        # The digression had nothing to say: the step simply asks again.
                        below.interrupted = False
                    elif not flow.resumes:
                        return
                continue
            step = flow.steps[frame.step]
            if step.collect is not None:
                slot = step.collect
                if frame.waiting != slot and step.reset:
                    tracker.set_slot(slot, None)
                has_value = tracker.slots.get(slot) is not None
                if (
                    has_value
                    and step.validate_with
                    and await self._act(step.validate_with, tracker, result)
                ):
                    continue
                if tracker.slots.get(slot) is not None:
                    frame.waiting = None
                    frame.step = flow.next_index(frame.step, tracker.slots)
                    continue
                rewrite = None
                if self.repair:
                    again = frame.waiting == slot and not heard_something(tracker)
                    rewrite = Prompting(
                        self.domain, self._values(tracker), self._seed(tracker)
                    ).rewriter(frame, slot, flow.title, again=again)
                if await self._act(step.ask_response, tracker, result, rewrite=rewrite):
                    continue
                if tracker.paused and self.repair:
                    tracker.stack.clear()
                    return
                if tracker.slots.get(slot) is not None:
                    # The ask action filled the slot from what the shopper already said.
                    continue
                frame.waiting = slot
                return
            if step.action is not None:
                ended = await self._act(step.action, tracker, result)
                if tracker.paused and self.repair:
                    # A person wins: no flow goes on, and none asks anything after it.
                    tracker.stack.clear()
                    return
                if ended:
                    continue
            elif step.set_slots is not None:
                for name, value in step.set_slots.items():
                    tracker.set_slot(name, value)
            elif step.link is not None:
                tracker.stack.pop()
                self._push(tracker, step.link)
                continue
            frame.step = flow.next_index(frame.step, tracker.slots)
        raise FlowError(f"flows did not settle within {MAX_STEPS_PER_TURN} steps")

    # -- actions -----------------------------------------------------------------------------

    def _values(self, tracker: DialogueTracker) -> dict[str, Any]:
        return {**self.store_values, **tracker.slots, "assistant_name": self.assistant_name}

    @staticmethod
    def _seed(tracker: DialogueTracker) -> str:
        return f"{tracker.sender_id}:{len(tracker.events)}"

    @staticmethod
    def _last_bot_text(tracker: DialogueTracker) -> str | None:
        """What the assistant said last, in this turn or before it."""
        for event in reversed(tracker.events):
            if event["event"] == "bot" and event.get("text"):
                return str(event["text"])
        return None

    def _say(self, tracker: DialogueTracker, result: TurnResult, message: BotMessage) -> None:
        result.messages.append(message)
        data = message.as_data()
        tracker.add({"event": "bot", "text": data.pop("text", None), "data": data})

    async def _act(
        self,
        name: str,
        tracker: DialogueTracker,
        result: TurnResult,
        *,
        rewrite: Callable[[BotMessage], BotMessage] | None = None,
    ) -> bool:
        """Run an action or response; True when the action ended the active flow or sent it
        back to an earlier step (the caller then re-reads the stack instead of moving on).
        `rewrite` rewords the first message with text (repair's reminders and rephrasings)."""
        pending = [name]
        ended = False

        def say(message: BotMessage) -> None:
            nonlocal rewrite
            if rewrite is not None and message.text:
                message, rewrite = rewrite(message), None
            self._say(tracker, result, message)

        for _ in range(MAX_FOLLOWUPS):
            if not pending:
                return ended
            current = pending.pop()
            tracker.add({"event": "action", "name": current})
            if current not in self.runner.names():
                avoid = self._last_bot_text(tracker) if self.repair else None
                say(
                    self.domain.render(
                        current, self._values(tracker), seed=self._seed(tracker), avoid=avoid
                    )
                )
                continue
            outcome = await self.runner.run(current, tracker.as_rasa_dict(), self._domain_dict)
            for message in outcome.messages:
                say(self._message_from_dispatcher(message, tracker))
            was_paused = tracker.paused
            before = dict(tracker.slots)
            for event in outcome.events:
                tracker.add(event.as_tracker())
                if isinstance(event, Followup):
                    pending.append(event.name)
                elif isinstance(event, ActiveLoop) and not ended and tracker.stack:
                    tracker.stack.pop()
                    ended = True
            if not ended and apply_corrections(self.flows, tracker, before):
                # The action corrected a value collected earlier ("the other order"):
                # the flow went back to that step.
                ended = True
            if tracker.paused and not was_paused:
                reason = tracker.slots.get("handoff_reason")
                result.handoff_reason = str(reason) if reason else "requested"
        if pending:
            raise FlowError(f"more than {MAX_FOLLOWUPS} follow-up actions after {name!r}")
        return ended

    def _message_from_dispatcher(
        self, message: DispatcherMessage, tracker: DialogueTracker
    ) -> BotMessage:
        """A dispatcher message as a bot message: a named response is rendered with the
        message's other keyword arguments as values beside the slots."""
        own = message.as_bot_message()
        if message.response_name is None:
            return own
        values = {**self._values(tracker), **message.template_values()}
        avoid = self._last_bot_text(tracker) if self.repair else None
        return self.domain.render(
            message.response_name, values, seed=self._seed(tracker), fallback=own, avoid=avoid
        )
