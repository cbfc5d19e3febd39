"""The retry pattern's words: how the step that is asking now words its prompt, given what
its frame sent before (see `repair.py` for the other patterns).

After an interruption a reminder leads the prompt (`utter_resume`); the second time in a row
an apology (`utter_repair_retry`); the third time and after, a rephrasing with the step's
choices, "stop" and "a person" as buttons (`utter_rephrase_<slot>` or `utter_repair_rephrase`,
`utter_repair_stuck`, `utter_repair_options`), never the same words twice in a row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from assistant.engine.domain import Domain
from assistant.engine.messages import BotMessage, Button
from assistant.engine.tracker import FlowFrame

# How many of a step's prompts in a row a frame remembers.
PROMPT_MEMORY = 4


@dataclass
class Prompting:
    """How the step that is asking now should word its prompt."""

    domain: Domain
    values: dict[str, Any]
    seed: str

    def _text(self, name: str, **values: Any) -> str | None:
        if not self.domain.has_response(name):
            return None
        return self.domain.render(name, {**self.values, **values}, seed=self.seed).text

    def _buttons(self, name: str) -> tuple[Button, ...]:
        if not self.domain.has_response(name):
            return ()
        return self.domain.render(name, self.values, seed=self.seed).buttons

    def rewriter(
        self, frame: FlowFrame, slot: str, task: str | None, *, again: bool
    ) -> Callable[[BotMessage], BotMessage]:
        """A rewrite of the step's first prompt, given what this frame sent before: after
        an interruption a reminder leads it; the second time in a row an apology; the third
        time and after, a rephrasing with buttons, never the same words twice in a row."""
        resuming = frame.interrupted
        frame.interrupted = False
        if resuming or not again:
            frame.prompts = []

        def rewrite(message: BotMessage) -> BotMessage:
            raw = message.text or ""
            repeats = 0
            for previous in reversed(frame.prompts):
                if previous != raw:
                    break
                repeats += 1
            frame.prompts = [*frame.prompts, raw][-PROMPT_MEMORY:]
            if resuming and task:
                lead = self._text("utter_resume", task=task)
                return _lead(message, lead)
            if repeats == 1:
                return _lead(message, self._text("utter_repair_retry"))
            if repeats >= 2:
                name = f"utter_rephrase_{slot}"
                if repeats % 2 == 1:
                    text = self._text("utter_repair_stuck", prompt=raw, task=task or "")
                else:
                    text = self._text(name) or self._text(
                        "utter_repair_rephrase", prompt=raw, task=task or ""
                    )
                options = self._buttons("utter_repair_options")
                titles = {button.title for button in message.buttons}
                return replace(
                    message,
                    text=text or message.text,
                    buttons=message.buttons
                    + tuple(button for button in options if button.title not in titles),
                )
            return message

        return rewrite


def _lead(message: BotMessage, lead: str | None) -> BotMessage:
    if not lead:
        return message
    return replace(message, text=f"{lead} {message.text}" if message.text else lead)
