"""The dialogue manager: one user message in, the flows advanced, bot messages out.

A turn parses the message, fills slots from entities, intents and button payloads, then
either answers the slot a waiting flow asked for, interrupts it with the flow the message
triggers, or starts a flow (the fallback flow when nothing matches). Flows run step by step
until one waits for the shopper or the stack is empty. Actions run through an `ActionRunner`;
the language model never appears here.
"""

from __future__ import annotations

from typing import Any, Protocol

import anyio

from assistant.engine.domain import Domain, SlotMapping
from assistant.engine.executor import ActionRunner, check_events
from assistant.engine.flows import FlowSet
from assistant.engine.messages import BotMessage, TurnResult
from assistant.engine.nlu.result import ParseResult
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
        intents: set[str] | None = None,
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
        self._domain_dict = domain.as_rasa_dict()

    def new_tracker(self, sender_id: str) -> DialogueTracker:
        return DialogueTracker(sender_id=sender_id, slots=self.domain.initial_slots())

    async def handle(self, tracker: DialogueTracker, text: str) -> TurnResult:
        parse = await anyio.to_thread.run_sync(self.parser.parse, text)
        tracker.add({"event": "user", "text": text, "parse_data": parse.as_rasa_dict()})
        result = TurnResult()
        self._fill_slots(tracker, parse)
        triggered = self.flows.for_intent(parse.intent)
        frame = tracker.active
        if frame is not None and frame.waiting is not None:
            # An answer continues the flow; another request interrupts it; anything else
            # (the fallback included) just asks again.
            answered = tracker.slots.get(frame.waiting) is not None
            interrupts = triggered is not None and triggered != self.flows.fallback
            if not answered and interrupts and triggered and not self._on_stack(tracker, triggered):
                self._push(tracker, triggered)
        elif triggered is None or not self._on_stack(tracker, triggered):
            self._push(tracker, triggered or self.flows.fallback)
        await self._run(tracker, result)
        return result

    # -- slots -------------------------------------------------------------------------------

    def _fill_slots(self, tracker: DialogueTracker, parse: ParseResult) -> None:
        waiting = tracker.active.waiting if tracker.active else None
        entities = {entity.entity: entity for entity in parse.entities}
        for name, slot in self.domain.slots.items():
            for mapping in slot.mappings:
                found, value = self._mapped_value(mapping, name, waiting, parse, entities)
                if found:
                    tracker.set_slot(name, value)
                    break
        # A button payload may set any declared slot directly: /choose{"order_id": "#W1"}.
        for entity in parse.entities:
            if entity.extractor == "payload" and entity.entity in self.domain.slots:
                tracker.set_slot(entity.entity, entity.value)

    @staticmethod
    def _mapped_value(
        mapping: SlotMapping,
        slot: str,
        waiting: str | None,
        parse: ParseResult,
        entities: dict[str, Any],
    ) -> tuple[bool, Any]:
        asked = waiting == slot
        if mapping.type == "from_entity" and mapping.entity in entities:
            if mapping.active_only and not asked:
                return False, None
            return True, entities[mapping.entity].value
        if mapping.type == "from_intent" and asked and parse.intent == mapping.intent:
            return True, mapping.value
        if mapping.type == "from_text" and asked:
            return True, parse.text
        return False, None

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
                tracker.add(
                    {
                        "event": "active_loop",
                        "name": tracker.active.flow if tracker.active else None,
                    }
                )
                continue
            step = flow.steps[frame.step]
            if step.collect is not None:
                slot = step.collect
                if frame.waiting != slot and step.reset:
                    tracker.set_slot(slot, None)
                if tracker.slots.get(slot) is not None:
                    frame.waiting = None
                    frame.step = flow.next_index(frame.step, tracker.slots)
                    continue
                await self._act(step.ask_response, tracker, result)
                frame.waiting = slot
                return
            if step.action is not None:
                await self._act(step.action, tracker, result)
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
        return {**tracker.slots, "assistant_name": self.assistant_name}

    def _say(self, tracker: DialogueTracker, result: TurnResult, message: BotMessage) -> None:
        result.messages.append(message)
        data = message.as_data()
        tracker.add({"event": "bot", "text": data.pop("text", None), "data": data})

    async def _act(self, name: str, tracker: DialogueTracker, result: TurnResult) -> None:
        pending = [name]
        for _ in range(MAX_FOLLOWUPS):
            if not pending:
                return
            current = pending.pop()
            tracker.add({"event": "action", "name": current})
            if current not in self.runner.names():
                seed = f"{tracker.sender_id}:{len(tracker.events)}"
                self._say(
                    tracker, result, self.domain.render(current, self._values(tracker), seed=seed)
                )
                continue
            outcome = await self.runner.run(current, tracker.as_rasa_dict(), self._domain_dict)
            events = check_events(current, outcome.events, set(self.domain.slots))
            for response in outcome.responses:
                self._say(tracker, result, self._message_from_dispatcher(response, tracker))
            was_paused = tracker.paused
            for event in events:
                tracker.add(event)
                if event["event"] == "followup":
                    pending.append(str(event["name"]))
            if tracker.paused and not was_paused:
                reason = tracker.slots.get("handoff_reason")
                result.handoff_reason = str(reason) if reason else "requested"
        if pending:
            raise FlowError(f"more than {MAX_FOLLOWUPS} follow-up actions after {name!r}")

    def _message_from_dispatcher(
        self, response: dict[str, Any], tracker: DialogueTracker
    ) -> BotMessage:
        """A dispatcher message (`utter_message` kwargs) as a bot message."""
        template = response.get("response") or response.get("template")
        custom = response.get("custom") or response.get("json_message") or None
        if template:
            values = {
                **self._values(tracker),
                **{k: v for k, v in response.items() if v is not None},
            }
            seed = f"{tracker.sender_id}:{len(tracker.events)}"
            return self.domain.render(str(template), values, seed=seed, overrides=response)
        return BotMessage.from_data(
            {
                "text": response.get("text"),
                "buttons": response.get("buttons") or (),
                "image": response.get("image"),
                "custom": custom,
            }
        )
