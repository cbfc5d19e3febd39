"""The flow replay's corner cases, on events written directly (the seeded week covers the
ordinary ones through the database)."""

from __future__ import annotations

from assistant.analytics.dialogue import NO_STEP, UNKNOWN_INTENT, dialogue_figures
from assistant.analytics.queries import DialogueEvent


def _start(flow: str) -> DialogueEvent:
    return DialogueEvent("active_loop", name=flow)


def test_a_message_with_no_intent_is_counted_apart() -> None:
    figures = dialogue_figures([[DialogueEvent("user")]], stop_flows=())
    assert figures.intents == {UNKNOWN_INTENT: 1}


def test_a_flow_stopped_before_any_step_ran_says_so() -> None:
    events = [DialogueEvent("user", intent="x"), _start("order_status"), _start("stop")]
    figures = dialogue_figures([events], stop_flows={"stop"})
    assert figures.flows["order_status"].abandoned_at == {NO_STEP: 1}
    # The stop flow itself is still waiting when the events end: abandoned too.
    assert figures.abandonment.numerator == 2


def test_without_a_stop_pattern_a_stop_is_one_more_flow() -> None:
    events = [_start("cancel_order"), DialogueEvent("action", name="ask"), _start("stop")]
    ended = [*events, DialogueEvent("active_loop")]
    figures = dialogue_figures([ended], stop_flows=())
    assert figures.flows["stop"].completed == 1
    # cancel_order stays below it, waiting, when the events end.
    assert figures.flows["cancel_order"].abandoned_at == {"ask": 1}


def test_a_resumed_flow_that_is_not_on_the_stack_changes_nothing_below() -> None:
    events = [
        _start("a"),
        _start("b"),
        DialogueEvent("active_loop", name="elsewhere", resumed=True),
        DialogueEvent("active_loop"),
    ]
    figures = dialogue_figures([events], stop_flows=())
    assert (figures.flows["a"].completed, figures.flows["b"].completed) == (1, 1)
    assert figures.abandonment.numerator == 0


def test_each_conversation_is_replayed_on_its_own() -> None:
    figures = dialogue_figures([[_start("a")], [DialogueEvent("active_loop")]], stop_flows=())
    # The second conversation's ending does not end the first's flow.
    assert figures.flows["a"].abandoned == 1 and figures.flows["a"].completed == 0
