"""What an action may hand back to the engine: typed events and dispatcher messages.

An action (in process through rasa_sdk's executor, or on an action server) answers with Rasa's
event dictionaries and the keyword arguments of its `utter_message` calls. `read_action_result`
reads both into the models below where they cross into the engine, and refuses anything else
with `ActionFailed`: a non-event, an event type an action may not return, an event without its
fields, a slot the domain does not declare, an `active_loop` that names a flow. Nothing of a
refused result is applied. The engine then reads attributes; the tracker keeps (and stores)
Rasa's dictionaries, which `as_tracker()` gives back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from assistant.engine.messages import BotMessage, Button
from assistant.errors import ActionFailed


class _ActionEvent(BaseModel):
    # Keys an event type does not have are dropped, as Rasa drops them when it reads events.
    model_config = ConfigDict(frozen=True, extra="ignore")

    timestamp: float | None = None

    def as_tracker(self) -> dict[str, Any]:
        """The event in Rasa's dictionary shape, as the tracker applies and stores it."""
        return self.model_dump()


class SlotSet(_ActionEvent):
    event: Literal["slot"] = "slot"
    name: str = Field(min_length=1)
    value: Any = None


class ResetSlots(_ActionEvent):
    event: Literal["reset_slots"] = "reset_slots"


class Pause(_ActionEvent):
    """A person takes the conversation over."""

    event: Literal["pause"] = "pause"


class Resume(_ActionEvent):
    event: Literal["resume"] = "resume"


class Followup(_ActionEvent):
    """Run this action (or response) next."""

    event: Literal["followup"] = "followup"
    name: str = Field(min_length=1)


class Restart(_ActionEvent):
    event: Literal["restart"] = "restart"


class ActiveLoop(_ActionEvent):
    """Only `ActiveLoop(None)`: the action ends the flow it runs in (Rasa's way to end a
    form). An action never starts a flow."""

    event: Literal["active_loop"] = "active_loop"
    name: None = None


ActionEvent = Annotated[
    SlotSet | ResetSlots | Pause | Resume | Followup | Restart | ActiveLoop,
    Field(discriminator="event"),
]
_EVENTS: TypeAdapter[ActionEvent] = TypeAdapter(ActionEvent)


class MessageButton(BaseModel):
    model_config = ConfigDict(frozen=True, extra="ignore")

    title: str
    payload: str


class DispatcherMessage(BaseModel):
    """One `dispatcher.utter_message(...)`: its known arguments typed, any other keyword
    argument kept (in `model_extra`) as a value for the named response's placeholders."""

    model_config = ConfigDict(frozen=True, extra="allow")

    text: str | None = None
    # The name of a domain response to render; `template` is rasa_sdk's older name for it.
    response: str | None = None
    template: str | None = None
    buttons: list[MessageButton] = Field(default_factory=list)
    image: str | None = None
    # A typed payload (cards, hand-off notices); rasa_sdk sends `json_message` as `custom`.
    custom: dict[str, Any] | None = None
    json_message: dict[str, Any] | None = None
    # Carried by rasa_sdk; no channel of the assistant shows them.
    attachment: str | None = None
    elements: list[dict[str, Any]] = Field(default_factory=list)

    @property
    def response_name(self) -> str | None:
        return self.response or self.template or None

    def template_values(self) -> dict[str, Any]:
        """The extra keyword arguments that are set, for the response's placeholders."""
        return {key: value for key, value in (self.model_extra or {}).items() if value is not None}

    def as_bot_message(self) -> BotMessage:
        """What the message itself says (a named response's variant may say more)."""
        return BotMessage(
            text=self.text,
            buttons=tuple(Button(title=b.title, payload=b.payload) for b in self.buttons),
            image=self.image,
            custom=self.custom or self.json_message or None,
        )


@dataclass(frozen=True)
class ActionResult:
    """An action's answer, checked: the events to apply and the messages to say, in order."""

    events: list[ActionEvent]
    messages: list[DispatcherMessage]


def read_action_result(
    action_name: str, events: Any, messages: Any, *, slots: Iterable[str]
) -> ActionResult:
    """An action's raw events and dispatcher messages as typed ones; `ActionFailed` names the
    first thing wrong."""
    for what, raw in (("events", events), ("messages", messages)):
        if not isinstance(raw, list | tuple):
            raise ActionFailed(
                action_name, f"returned {what} as a {type(raw).__name__}, not a list"
            )
    return ActionResult(
        events=check_events(action_name, events, set(slots)),
        messages=[_message(action_name, message) for message in messages],
    )


def check_events(action_name: str, events: Iterable[Any], slots: set[str]) -> list[ActionEvent]:
    """An action's raw events as typed ones, each an event type it may return, with its
    fields, setting only the `slots` declared."""
    checked: list[ActionEvent] = []
    for raw in events:
        if not isinstance(raw, dict):
            raise ActionFailed(action_name, f"returned a non-event {type(raw).__name__}")
        try:
            event = _EVENTS.validate_python(raw)
        except ValidationError as exc:
            raise ActionFailed(action_name, _event_problem(raw, exc.errors())) from exc
        if isinstance(event, SlotSet) and event.name not in slots:
            raise ActionFailed(action_name, f"set an undeclared slot {event.name!r}")
        checked.append(event)
    return checked


def _event_problem(raw: dict[str, Any], errors: list[ErrorDetails]) -> str:
    kind = raw.get("event")
    first = errors[0]
    if first["type"] in ("union_tag_invalid", "union_tag_not_found"):
        return f"returned an unsupported event {kind!r}"
    if first["type"] == "none_required":  # the name of an `active_loop`
        return "may only end its flow (active_loop with no name)"
    # The event's own fields follow its type in each error's location.
    fields = [".".join(str(part) for part in error["loc"][1:]) for error in errors]
    missing = [
        field
        for field, error in zip(fields, errors, strict=True)
        if error["type"] == "missing" or raw.get(field) in (None, "")
    ]
    if missing:
        return f"{kind} event lacks {', '.join(missing)}"
    return f"returned a bad {kind} event: {fields[0]}: {first['msg']}"


def _message(action_name: str, raw: Any) -> DispatcherMessage:
    if not isinstance(raw, dict):
        raise ActionFailed(action_name, f"sent a non-message {type(raw).__name__}")
    try:
        return DispatcherMessage.model_validate(raw)
    except ValidationError as exc:
        problem = exc.errors()[0]
        where = ".".join(str(part) for part in problem["loc"])
        raise ActionFailed(action_name, f"sent a bad message: {where}: {problem['msg']}") from exc
