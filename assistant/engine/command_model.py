"""Commands from a language model for messages the NLU is unsure of (Rasa CALM's idea).

The model is shown the flows it may start and the slots it may set, and must answer with JSON
of a fixed schema. Its output is only a proposal: it is validated here (pydantic) and then
reconciled with the NLU by `assistant.engine.commands.CommandPolicy`, which applies what is
consistent and drops the rest. A model that fails, times out or writes nonsense proposes
nothing, and the NLU's parse stands.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from assistant.engine.commands import (
    MAX_COMMANDS,
    ChitChat,
    CommandContext,
    HandOff,
    InvalidCommands,
    Search,
    SetSlot,
    StartFlow,
    parse_commands,
)
from assistant.errors import LanguageModelError
from assistant.llm.base import ChatMessage, LanguageModel
from assistant.llm.prompts import as_data, load_prompt

logger = logging.getLogger(__name__)


def command_schema(context: CommandContext) -> dict[str, Any]:
    """The JSON schema the model's answer must follow: only known flows and slots."""

    def command(name: str, **properties: Any) -> dict[str, Any]:
        return {
            "type": "object",
            "properties": {"command": {"const": name}, **properties},
            "required": ["command", *properties],
            "additionalProperties": False,
        }

    options = [
        command("start_flow", flow={"enum": sorted(context.flows)}),
        command("search", query={"type": "string", "maxLength": 120}),
        command("hand_off"),
        command("chitchat"),
    ]
    if context.slots:
        options.insert(
            1,
            command(
                "set_slot",
                slot={"enum": sorted(context.slots)},
                value={"type": "string", "maxLength": 60},
            ),
        )
    return {
        "type": "object",
        "properties": {
            "commands": {"type": "array", "items": {"anyOf": options}, "maxItems": MAX_COMMANDS}
        },
        "required": ["commands"],
        "additionalProperties": False,
    }


class CommandGenerator:
    """A `CommandSource` backed by a language model."""

    def __init__(
        self,
        model: LanguageModel,
        *,
        store_name: str,
        max_tokens: int = 96,
        timeout_s: float = 4.0,
    ) -> None:
        self.model = model
        self.store_name = store_name
        self.max_tokens = max_tokens
        # The shopper waits for this: past it, the NLU's parse stands.
        self.timeout_s = timeout_s
        self._system = load_prompt("commands.txt")
        self._user = load_prompt("message_user.txt")

    def messages(self, context: CommandContext) -> list[ChatMessage]:
        flows = "\n".join(f"    {name}: {about}" for name, about in sorted(context.flows.items()))
        slots = "\n".join(f"    {name}: {about}" for name, about in sorted(context.slots.items()))
        if context.active_flow is None:
            state = "no task is under way."
        elif context.waiting_for:
            state = f"in {context.active_flow}, the assistant asked for {context.waiting_for}."
        else:
            state = f"in {context.active_flow}."
        system = self._system.format(
            store=self.store_name,
            state=state,
            flows=flows,
            slots=slots or "    (none)",
            max_commands=MAX_COMMANDS,
        )
        message = as_data(context.text, "message")
        return [
            ChatMessage("system", system.strip()),
            ChatMessage("user", self._user.format(message=message).strip()),
        ]

    async def propose(
        self, context: CommandContext
    ) -> list[StartFlow | SetSlot | Search | HandOff | ChitChat]:
        try:
            async with asyncio.timeout(self.timeout_s):
                data = await self.model.complete_json(
                    self.messages(context), command_schema(context), max_tokens=self.max_tokens
                )
            return parse_commands(data)
        except TimeoutError:
            logger.info("no commands from the model within %.1f s", self.timeout_s)
        except LanguageModelError as exc:
            logger.info("no commands from the model: %s", exc.message)
        except InvalidCommands as exc:
            logger.info("the model's commands were invalid: %s", exc)
        return []
