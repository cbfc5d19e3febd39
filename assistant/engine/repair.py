"""Conversation repair: what the engine does when a message leaves the path of a flow.

Rasa CALM's patterns, in this engine's terms. A flow is a path the shopper may leave and
re-enter, never a corridor; the flows that play each pattern are ordinary flows in
flows.yml, marked with `pattern:`, and every text is a domain response a store can change:

- stop — "cancel", "never mind": the flows on the stack end with nothing half-done
  (`utter_stopped` names what was stopped);
- a person wins — the hand-off clears the stack, so no flow prompt follows it;
- digression — a question while a step waits is answered from the store's documents, then the
  step asks again after a one-line reminder (`utter_resume`);
- answer_then_offer — a question about doing a task ("can I return a used item?") is answered
  and the task offered (`offer` slot: a yes starts it), instead of its sign-in;
- retry — a message the step cannot use gets the prompt once more with an apology
  (`utter_repair_retry`), then a rephrasing with the step's choices, "stop" and "a person" as
  buttons (`utter_rephrase_<slot>` or `utter_repair_rephrase`, `utter_repair_options`),
  never the same prompt a third time in a row (the prompt's words: `prompting.py`).

A store that leaves a response out of its domain loses that pattern's words, not the pattern.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

from assistant.engine.commands import HANDOFF_INTENT
from assistant.engine.domain import Domain
from assistant.engine.flows import FlowSet
from assistant.engine.messages import BotMessage, TurnResult
from assistant.engine.nlu.payload import PAYLOAD_EXTRACTOR
from assistant.engine.nlu.result import ParseResult
from assistant.engine.order_readings import (
    ORDER_ENTITY,
    default_as_destination,
    order_reading_of,
    order_task_over_search,
)
from assistant.engine.readings import (
    asks_about,
    asks_for_person,
    leaves,
    points_elsewhere,
    sounds_upset,
    split_requests,
)
from assistant.engine.tracker import DialogueTracker

# Slots the patterns use, when the domain declares them.
OFFER_SLOT = "offer"
STOPPED_SLOT = "stopped_task"
REPAIR_SLOTS = (OFFER_SLOT, STOPPED_SLOT)
AFFIRM_INTENT = "affirm"
DENY_INTENT = "deny"
# A button that fills a slot ("/inform{"order_id": "#W1"}"), as opposed to one that starts
# something ("/human_handoff").
CHOICE_PAYLOAD = "/inform{"
# What a shopper gives to prove who they are: sent right after an offer, it takes the offer.
IDENTITY_ENTITIES = ("email", "zip")
# A reply that already says sorry.
_APOLOGY = re.compile(r"\b(?:sorry|apologi[sz]e|apologies)\b", re.IGNORECASE)
# A message that opens with a yes or a no ("yes thanks", "hmm no, let me think about it"),
# after any hesitation: to a yes-or-no question, that is its answer, whatever else it says.
_HESITATION = (
    r"(?:(?:hmm+|um+|uh+|oh|ah|well|ok(?:ay)?|right|so|actually|you know what|"
    r"on second thoughts?|sorry)[\s,.!]+)*"
)
# "No, leave it as it is" to a step that asks which or what: the shopper wants out.
_KEEPS = re.compile(
    r"\b(leave it|keep it|as it is|as is|don'?t change|no change|forget it|not anymore|"
    r"(?:i'?ll|i will) (?:keep|give)|not (?:right )?now|let me think)\b"
)
_OPENS_YES = re.compile(
    rf"^{_HESITATION}(?:yes|yeah|yea|yep|yup|ya|sure|of course|correct|absolutely|definitely|"
    r"go ahead|do it|please do|sounds good|looks (?:good|right)|that'?s (?:right|correct|it|fine)|"
    r"perfect|ok(?:ay)?|confirm(?:ed)?)\b(?![\s,]+(?:but|wait)\b)"
)
_OPENS_NO = re.compile(
    rf"^{_HESITATION}(?:no|nope|nah|not (?:now|yet|really)|don'?t|do not|wait|hold on|hang on|"
    r"never ?mind)\b(?![\s,]+(?:problem|worries)\b)"
)


class Repairs:
    """Where a message that leaves the path puts the flow stack; `push` starts a flow."""

    def __init__(
        self,
        flows: FlowSet,
        domain: Domain,
        *,
        push: Callable[[DialogueTracker, str], None],
        search_flow: str | None = None,
    ) -> None:
        self.flows = flows
        self.search_flow = search_flow
        self.domain = domain
        self.push = push
        self.handoff_flow = flows.for_intent(HANDOFF_INTENT)

    def offer_taken(self, tracker: DialogueTracker, parse: ParseResult) -> str:
        """A yes to the task the last turn offered starts it, and so does going straight on
        to what it needs (an email, a zip code, or a fact the task collects: "I don't need
        it anymore" to an offer to cancel). A question beside it ("…and how long do refunds
        take?") is answered and leaves the offer standing; any other message lets it go."""
        intent = parse.intent
        offered = tracker.slots.get(OFFER_SLOT)
        if offered is None:
            return intent
        waiting = tracker.active.waiting if tracker.active else None
        flow = self.flows.for_intent(str(offered))
        needs = {*IDENTITY_ENTITIES, *(self.flows.collects(flow) if flow else ())}
        goes_on = any(entity.entity in needs for entity in parse.entities)
        takes = (intent == AFFIRM_INTENT or goes_on) and not self._takes(waiting, AFFIRM_INTENT)
        if intent != DENY_INTENT and not takes and asks_about(parse.text):
            return intent
        tracker.set_slot(OFFER_SLOT, None)
        return str(offered) if takes and flow else intent

    def yes_or_no(self, tracker: DialogueTracker, parse: ParseResult) -> ParseResult:
        """To a step that takes a yes or a no, a message that opens with one is that answer
        ("yes thanks" is not a thank-you, "hmm no, let me think" is not out of scope)."""
        frame = tracker.active
        waiting = frame.waiting if frame is not None else None
        if waiting is None or parse.intent in (AFFIRM_INTENT, DENY_INTENT):
            return parse
        lowered = parse.text.lower().replace("’", "'").strip()
        if not (self._takes(waiting, AFFIRM_INTENT) and self._takes(waiting, DENY_INTENT)):
            # A step that asks which or what: only a no that keeps things as they are.
            if _OPENS_NO.search(lowered) and _KEEPS.search(lowered) and not parse.entities:
                return replace(parse, intent=DENY_INTENT)
            return parse
        if lowered.endswith("?") and asks_about(lowered):
            # "Hmm wait, when would I get the new one?": a question, answered; the step asks
            # again. Neither a yes nor a no.
            return parse
        if _OPENS_NO.search(lowered):
            return replace(parse, intent=DENY_INTENT)
        if _OPENS_YES.search(lowered):
            return replace(parse, intent=AFFIRM_INTENT)
        return parse

    def named_order(self, tracker: DialogueTracker, parse: ParseResult) -> ParseResult:
        """An out-of-scope parse that is about the shopper's order (see `order_readings`)."""
        return order_reading_of(self.flows, tracker, parse)

    def order_over_search(self, tracker: DialogueTracker, parse: ParseResult) -> ParseResult:
        """A search parse that asks to change the shopper's own items (see `order_readings`)."""
        parse = default_as_destination(self.flows, parse)
        if self.search_flow is None:
            return parse
        return order_task_over_search(self.flows, tracker, parse, self.search_flow)

    def _about_task_in_progress(self, tracker: DialogueTracker, triggered: str | None) -> bool:
        """Whether the triggered flow is one on the stack, or shares its task's slots."""
        return triggered is not None and any(
            other.flow == triggered or self.flows.share_task(other.flow, triggered)
            for other in tracker.stack
        )

    def sole_choice(self, tracker: DialogueTracker, parse: ParseResult) -> str | None:
        """A yes to a step that offered exactly one choice ("Which order?" with one button)
        picks it: the payload of that button."""
        frame = tracker.active
        waiting = frame.waiting if frame is not None else None
        if parse.intent != AFFIRM_INTENT or waiting is None or self._takes(waiting, AFFIRM_INTENT):
            return None
        # The buttons of the last prompt, sent since the shopper's previous message.
        for event in reversed(tracker.events):
            if event["event"] == "user":
                return None
            if event["event"] == "bot" and (event.get("data") or {}).get("buttons"):
                choices = [
                    str(button["payload"])
                    for button in event["data"]["buttons"]
                    if str(button.get("payload", "")).startswith(CHOICE_PAYLOAD)
                ]
                return choices[0] if len(choices) == 1 else None
        return None

    def _takes(self, slot: str | None, intent: str) -> bool:
        """Whether a step collecting `slot` takes `intent` as its answer (a yes or a no)."""
        return slot is not None and any(
            mapping.type == "from_intent" and mapping.intent == intent
            for mapping in self.domain.slots[slot].mappings
        )

    def arrange(
        self,
        tracker: DialogueTracker,
        parse: ParseResult,
        triggered: str | None,
        *,
        corrected: bool,
    ) -> bool:
        """Arrange the stack for a message that leaves the path; False when the ordinary
        rules apply (an answer, a new request, a first message)."""
        frame = tracker.active
        stop = self.flows.pattern("stop")
        waiting = frame.waiting if frame is not None else None
        answered = corrected or (waiting is not None and tracker.slots.get(waiting) is not None)
        if self.handoff_flow is not None and asks_for_person(parse.text):
            triggered = self.handoff_flow
        elif stop is not None and (
            leaves(parse.text)
            # "No, I want to keep it" to a step that asks which or what: the shopper
            # wants out (a "no" naming something else, "no, the other one", is an answer).
            or (
                parse.intent == DENY_INTENT
                and waiting is not None
                and not answered
                and not self._takes(waiting, DENY_INTENT)
                and not parse.entities
                and not points_elsewhere(parse.text)
            )
        ):
            triggered = stop
        flow = self.flows.flows[triggered] if triggered else None
        if flow is not None and flow.pattern == "stop":
            task = self.task_title(tracker)
            tracker.stack.clear()
            if STOPPED_SLOT in self.domain.slots:
                tracker.set_slot(STOPPED_SLOT, task)
            self.push(tracker, str(triggered))
            return True
        if triggered is not None and triggered == self.handoff_flow:
            tracker.stack.clear()
            self.push(tracker, triggered)
            return True
        if answered:
            return False
        asks = asks_about(parse.text)
        offer = self.flows.pattern("answer_then_offer")
        if (
            flow is not None
            and flow.answer_questions
            and offer is not None
            and asks
            # A question about the task in progress, or one that shares its slots, is a
            # digression, not the offer of another task.
            and not self._about_task_in_progress(tracker, triggered)
            and not any(entity.extractor == PAYLOAD_EXTRACTOR for entity in parse.entities)
            and not any(entity.entity == ORDER_ENTITY for entity in parse.entities)
        ):
            if frame is not None and waiting is not None:
                frame.interrupted = True
            self.push(tracker, offer)
            return True
        digression = self.flows.pattern("digression")
        if (
            frame is not None
            and waiting is not None
            and digression is not None
            and (
                triggered is None
                or triggered == self.flows.fallback
                # "is it under warranty?" read as a product question, which does not
                # interrupt: the documents may answer it; if not, the step reads it as usual.
                or not self.flows.flows[triggered].interrupts
                # "Can the refund go to my gift card?" during the return: about this task.
                or self._about_task_in_progress(tracker, triggered)
            )
            and asks
        ):
            frame.interrupted = True
            self.push(tracker, digression)
            return True
        return False

    async def requests(
        self,
        tracker: DialogueTracker,
        text: str,
        parse: Callable[[str], Awaitable[ParseResult]],
    ) -> list[str]:
        """The message's requests, when it holds more than one that the NLU reads with
        confidence, at most one of them a task that asks questions (a question about doing a
        task is a question); otherwise none (the message is one request)."""
        if tracker.active is not None and tracker.active.waiting is not None:
            return []
        pieces = split_requests(text)
        if len(pieces) < 2:
            return []
        parses = [await parse(piece) for piece in pieces]
        flows = [self.flows.for_intent(parse.intent) for parse in parses]
        asks = [asks_about(piece) for piece in pieces]
        # A question the NLU does not place goes to the documents, beside a clear request.
        unplaced = [
            flow is None or (flow == self.flows.fallback and not question)
            for flow, question in zip(flows, asks, strict=True)
        ]
        if any(unplaced) or all(flow == self.flows.fallback for flow in flows):
            return []
        tasks = [
            piece
            for piece, flow, question in zip(pieces, flows, asks, strict=True)
            if self._collects(flow)
            and not (question and self.flows.flows[str(flow)].answer_questions)
        ]
        # Two questions of one kind are two requests; two searches or two tasks are one
        # request said twice, or too much to take at once.
        repeated = [
            flow
            for flow, question in zip(flows, asks, strict=True)
            if flows.count(flow) > 1 and not question
        ]
        if len(tasks) > 1 or repeated:
            return []
        return [piece for piece in pieces if piece not in tasks] + tasks

    def _collects(self, flow: str | None) -> bool:
        return flow is not None and bool(self.flows.collects(flow))

    def apology(
        self, text: str, result: TurnResult, values: dict[str, Any], seed: str
    ) -> BotMessage | None:
        """For a request said in frustration ("omg, where. is. my. order."): an apology and
        the offer of a person to say first. Not when the reply already apologises; without
        the offer when the reply makes one (whichever wording of it was chosen)."""
        if not sounds_upset(text) or not self.domain.has_response("utter_sorry_upset"):
            return None
        if any(_APOLOGY.search(message.text or "") for message in result.messages):
            return None
        offered = any(
            button.payload == f"/{HANDOFF_INTENT}"
            for message in result.messages
            for button in message.buttons
        )
        sorry = self.domain.render("utter_sorry_upset", values, seed=seed)
        return replace(sorry, buttons=()) if offered else sorry

    def task_title(self, tracker: DialogueTracker) -> str | None:
        for frame in reversed(tracker.stack):
            title = self.flows.flows[frame.flow].title
            if title:
                return title
        return None
