"""Questions the store's documents answer: quoted, cited, or an honest "I don't know".

A message may ask several questions ("how long does shipping take and can I pay with
paypal?"): each gets its own answer, in order (`Knowledge.respond_all`). A question the
documents do not cover is said to be so — naming what they do not cover when that is known
— with the offer of a person; it is never answered from a passage about something else. An
answer whose sentences say a person handles the matter (a warranty claim, a change of name)
comes with the button to reach one.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions import services
from actions.common import latest_text, spelled_text
from assistant.knowledge.answer import Finding

# When the NLU did not take the message for a question about the store, an answer must be
# closer still before it is given instead of the out-of-scope reply.
FALLBACK_MIN_SIMILARITY = 0.5


async def find_answers(tracker: Tracker) -> list[Finding]:
    """The answers to the latest message's questions; when the documents cover none of them
    as typed, the answers to the message as the speller read it ("how lng dose delivry
    take"), if it read it otherwise."""
    knowledge = services.current().knowledge
    findings = await knowledge.respond_all(latest_text(tracker))
    spelled = spelled_text(tracker)
    if spelled and not any(finding.covered for finding in findings):
        respelled = await knowledge.respond_all(spelled)
        if any(finding.covered for finding in respelled):
            return respelled
    return findings


def send_findings(dispatcher: CollectingDispatcher, findings: list[Finding]) -> None:
    """Each question's answer, in order; for one the documents do not cover, that plain
    statement and the offer of a person."""
    for finding in findings:
        if finding.answer is not None:
            # An answer that says a person handles this, or that the assistant cannot,
            # comes with the way to reach one.
            dispatcher.utter_message(
                response="utter_answer_person" if finding.answer.needs_person else "utter_answer",
                answer=finding.answer.text,
                json_message=finding.answer.as_custom(),
            )
        elif finding.missing:
            dispatcher.utter_message(
                response="utter_not_covered",
                topic=" ".join(finding.missing),
                json_message=unanswered(finding.question),
            )
        elif len(findings) > 1:
            dispatcher.utter_message(
                response="utter_not_covered",
                topic=finding.question,
                json_message=unanswered(finding.question),
            )
        else:
            dispatcher.utter_message(
                response="utter_dont_know", json_message=unanswered(finding.question)
            )


def unanswered(question: str) -> dict[str, Any]:
    """The mark on a reply that could not answer: the admin console's gaps are read from
    these (`assistant/knowledge/gaps.py`)."""
    return {"type": "unanswered", "question": question}


class ActionAnswerQuestion(Action):
    """A policy question (or several): the sentences that answer each, or the offer of a
    person."""

    def name(self) -> str:
        return "action_answer_question"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        findings = await find_answers(tracker)
        send_findings(dispatcher, findings or [Finding("", None)])
        return []


class ActionAnswerOrFallback(Action):
    """Anything no flow handles: answered from the documents when they clearly do, else the
    out-of-scope reply with the offer of a person."""

    def name(self) -> str:
        return "action_answer_or_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        # As typed only: the speller reads other-domain words as the store's own.
        findings = await services.current().knowledge.respond_all(
            latest_text(tracker), min_similarity=FALLBACK_MIN_SIMILARITY
        )
        if not any(finding.covered for finding in findings):
            dispatcher.utter_message(
                response="utter_out_of_scope", json_message=unanswered(latest_text(tracker))
            )
            return []
        send_findings(dispatcher, findings)
        return []
