"""Flows declared in YAML: what triggers them and the steps they take.

A flow is a list of steps. Each step is one of

- `action: NAME` — run a response (`utter_*`) or a custom action;
- `collect: SLOT` — ask with `utter_ask_SLOT` (or `ask:`) until the slot is filled. The
  `ask` may be a custom action, which may fill the slot itself (from what the shopper already
  said) instead of asking; `validate: ACTION` runs whenever the slot holds a value at this step
  and may clear it (the step then asks again) or end the flow;
- `set_slots: {SLOT: VALUE}` — set slots directly;
- `link: FLOW` — continue in another flow (this one ends).

After a step, `next` picks where to go: a step id, `END`, or a list of branches
`{if: CONDITION, then: ID}` ending with `{else: ID}`. A condition tests one slot:
`{slot: S, equals: V}`, `{slot: S, is_set: true}` or `{slot: S, in: [V, ...]}`.
Everything is validated at start-up against the domain and the registered actions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from assistant.engine.yaml_files import load_yaml_model
from assistant.errors import FlowError

END = "END"

# The slot a flow collects when it asks the shopper to confirm a change.
CONFIRMATION_SLOT = "confirmed"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class Condition(_Strict):
    slot: str
    equals: Any = None
    is_set: bool | None = None
    in_: list[Any] | None = Field(default=None, alias="in")

    @model_validator(mode="after")
    def _one_test(self) -> Condition:
        tests = [self.is_set is not None, self.in_ is not None, "equals" in self.model_fields_set]
        if sum(tests) != 1:
            raise ValueError("a condition needs exactly one of equals, is_set, in")
        return self

    def holds(self, slots: dict[str, Any]) -> bool:
        value = slots.get(self.slot)
        if self.is_set is not None:
            return (value is not None) == self.is_set
        if self.in_ is not None:
            return value in self.in_
        return bool(value == self.equals)


class Branch(_Strict):
    if_: Condition | None = Field(default=None, alias="if")
    then: str | None = None
    else_: str | None = Field(default=None, alias="else")

    @model_validator(mode="after")
    def _shape(self) -> Branch:
        if self.else_ is not None and (self.if_ is not None or self.then is not None):
            raise ValueError("an else branch stands alone")
        if self.else_ is None and (self.if_ is None or self.then is None):
            raise ValueError("a branch needs both `if` and `then`, or `else`")
        return self

    @property
    def target(self) -> str:
        return self.then if self.then is not None else str(self.else_)


class Step(_Strict):
    id: str | None = None
    action: str | None = None
    collect: str | None = None
    ask: str | None = None
    # Clear the slot before collecting, so an old value is asked again.
    reset: bool = False
    validate_with: str | None = Field(default=None, alias="validate")
    set_slots: dict[str, Any] | None = None
    link: str | None = None
    next: str | list[Branch] | None = None

    @model_validator(mode="after")
    def _one_kind(self) -> Step:
        kinds = [
            k for k in ("action", "collect", "set_slots", "link") if getattr(self, k) is not None
        ]
        if len(kinds) != 1:
            raise ValueError(
                f"a step has exactly one of action, collect, set_slots, link (got {kinds})"
            )
        if self.link is not None and self.next is not None:
            raise ValueError("a link step ends its flow; it takes no `next`")
        return self

    @property
    def ask_response(self) -> str:
        return self.ask or f"utter_ask_{self.collect}"


class Trigger(_Strict):
    intents: list[str] = Field(default_factory=list)


# What a flow is to conversation repair (assistant/engine/repair.py): an ordinary task, or
# one of the patterns the engine runs when a message leaves the path of a flow.
Pattern = Literal["stop", "digression", "answer_then_offer"]


class Flow(_Strict):
    description: str = ""
    # How the shopper would name the task, for reminders: "cancelling your order".
    title: str | None = None
    trigger: Trigger = Trigger()
    # Whether the flow may interrupt one that is waiting for an answer ("yes" to a question
    # is an answer, not a request of its own).
    interrupts: bool = True
    # Whether a flow it interrupted asks its question again right after it ("I'm sorry, would
    # you like a person?" waits for the shopper instead).
    resumes: bool = True
    # A question about doing this ("can I return a used item?") is answered from the store's
    # documents and the task offered, instead of starting it (and its sign-in) at once.
    answer_questions: bool = False
    # An action run after every shopper message while this flow is the active one, before
    # its waiting step reads the answer: it may fill any slot the flow collects from what
    # the shopper said (a fact for a later step, a correction of an earlier one), as a
    # form's `extract_<slot>` methods do in Rasa.
    listen: str | None = None
    pattern: Pattern | None = None
    steps: list[Step] = Field(min_length=1)

    def index_of(self, step_id: str) -> int:
        for index, step in enumerate(self.steps):
            if step.id == step_id:
                return index
        raise FlowError(f"no step {step_id!r}")

    def collect_index(self, slot: str) -> int | None:
        """The step that collects `slot`, if any."""
        for index, step in enumerate(self.steps):
            if step.collect == slot:
                return index
        return None

    def collected_after(self, index: int) -> list[str]:
        """The slots collected by the steps after `index` (what a correction invalidates)."""
        return [step.collect for step in self.steps[index + 1 :] if step.collect is not None]

    def next_index(self, current: int, slots: dict[str, Any]) -> int:
        """Where to go after step `current`; len(steps) means the flow ends."""
        step = self.steps[current]
        if step.next is None:
            return current + 1
        if isinstance(step.next, str):
            return len(self.steps) if step.next == END else self.index_of(step.next)
        for branch in step.next:
            if branch.if_ is None or branch.if_.holds(slots):
                return len(self.steps) if branch.target == END else self.index_of(branch.target)
        return current + 1


class FlowSet(_Strict):
    flows: dict[str, Flow]
    # The flow for messages no flow handles (out of scope, low confidence).
    fallback: str = "out_of_scope"

    def pattern(self, pattern: Pattern) -> str | None:
        """The flow that plays `pattern`, if the store defines one."""
        for name, flow in self.flows.items():
            if flow.pattern == pattern:
                return name
        return None

    def for_intent(self, intent: str) -> str | None:
        for name, flow in self.flows.items():
            if intent in flow.trigger.intents:
                return name
        return None

    def collects(self, name: str) -> set[str]:
        """The slots a flow's steps collect."""
        return {step.collect for step in self.flows[name].steps if step.collect}

    def share_task(self, current: str, other: str) -> bool:
        """Whether two different flows work on one task's slots (two order changes): one
        replaces the other instead of waiting under it. Who the shopper is does not count."""
        if current == other:
            return False
        return bool(self.collects(current) & self.collects(other) - {"customer_id"})

    def escalates(self, current: str, other: str | None) -> bool:
        """Whether `other` changes what `current` only looks at: `current` asks for no
        confirmation (it writes nothing) and `other` does."""
        return (
            other is not None
            and CONFIRMATION_SLOT not in self.collects(current)
            and CONFIRMATION_SLOT in self.collects(other)
        )

    def validate_against(
        self,
        *,
        responses: set[str],
        actions: set[str],
        slots: set[str],
        intents: set[str] | None = None,
    ) -> None:
        """Refuse a flow that names an unknown action, response, slot, step, flow or intent."""
        problems: list[str] = []
        if self.fallback not in self.flows:
            problems.append(f"fallback flow {self.fallback!r} is not defined")
        seen_triggers: dict[str, str] = {}
        for name, flow in self.flows.items():
            for intent in flow.trigger.intents:
                if intents is not None and intent not in intents:
                    problems.append(
                        f"{name}: trigger intent {intent!r} is not in the training data"
                    )
                if intent in seen_triggers:
                    problems.append(
                        f"{name}: intent {intent!r} already triggers {seen_triggers[intent]}"
                    )
                seen_triggers[intent] = name
            if flow.listen and flow.listen not in actions:
                problems.append(f"{name}: unknown listen action {flow.listen!r}")
            ids = {step.id for step in flow.steps if step.id}
            for position, step in enumerate(flow.steps):
                where = f"{name} step {step.id or position}"
                if step.action and step.action not in responses and step.action not in actions:
                    problems.append(f"{where}: unknown action {step.action!r}")
                if step.collect:
                    if step.collect not in slots:
                        problems.append(f"{where}: unknown slot {step.collect!r}")
                    if step.ask_response not in responses and step.ask_response not in actions:
                        problems.append(f"{where}: no response {step.ask_response!r} to ask with")
                if step.validate_with and step.validate_with not in actions:
                    problems.append(f"{where}: unknown validation action {step.validate_with!r}")
                if step.validate_with and not step.collect:
                    problems.append(f"{where}: only a collect step takes `validate`")
                for slot in step.set_slots or {}:
                    if slot not in slots:
                        problems.append(f"{where}: unknown slot {slot!r}")
                if step.link and step.link not in self.flows:
                    problems.append(f"{where}: links to unknown flow {step.link!r}")
                targets = (
                    [step.next]
                    if isinstance(step.next, str)
                    else [branch.target for branch in step.next or ()]
                )
                for branch in step.next if isinstance(step.next, list) else ():
                    if branch.if_ is not None and branch.if_.slot not in slots:
                        problems.append(f"{where}: condition on unknown slot {branch.if_.slot!r}")
                for target in targets:
                    if target != END and target not in ids:
                        problems.append(f"{where}: next step {target!r} does not exist")
        if problems:
            raise FlowError("invalid flows: " + "; ".join(problems))


def load_flows(path: Path) -> FlowSet:
    return load_yaml_model(path, FlowSet, "flows")
