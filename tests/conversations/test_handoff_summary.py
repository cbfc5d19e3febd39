"""The summary the agent reads when taking a hand-off: the facts from the stored conversation,
and with a model, its words — kept only when they invent no number and no order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from assistant.config import Settings
from assistant.conversation.handoff_summary import unsupported
from tests.conversations.conftest import OLIVIA, OLIVIA_EMAIL, Shopper, Store
from tests.fake_llm import FakeModelServer


@pytest.fixture
def settings(fake_settings: Callable[..., Settings]) -> Settings:
    # This module is about summaries: the NLU alone reads the shopper.
    return fake_settings(**{"llm.commands": False})


def _hand_off(shopper: Shopper) -> None:
    shopper.say("where is my order #W5442520")
    shopper.say(OLIVIA_EMAIL)
    shopper.say("the hiking boots are wrong, I need to talk to a human")


def _summary(store: Store, headers: dict[str, str]) -> dict[str, Any]:
    (handoff,) = store.client.get("/api/agent/handoffs", headers=headers).json()["handoffs"]
    response = store.client.get(
        f"/api/agent/conversations/{handoff['conversation_id']}/summary", headers=headers
    )
    assert response.status_code == 200, response.text
    summary: dict[str, Any] = response.json()["summary"]
    return summary


def test_the_facts_come_from_the_conversation_and_a_checked_summary_from_the_model(
    store: Store, shopper: Shopper, fake: FakeModelServer, auth_headers: dict[str, str]
) -> None:
    _hand_off(shopper)
    written = (
        "Olivia asked where order #W5442520 is; it is pending, paid $663.85 by Visa. "
        "She says the hiking boots are wrong and wants a person."
    )
    fake.script(written)
    summary = _summary(store, auth_headers)
    facts = summary["facts"]
    assert facts["reason"] == "the hiking boots are wrong, I need to talk to a human"
    assert facts["customer_id"] == OLIVIA and facts["orders"] == ["#W5442520"]
    assert facts["shopper_messages"] == 3
    assert facts["last_words"][-1] == "the hiking boots are wrong, I need to talk to a human"
    assert (summary["text"], summary["generated"]) == (written, True)
    # The model saw the transcript as data, with who said what.
    prompt = fake.requests[-1]["messages"][-1]["content"]
    assert "<conversation>" in prompt and "Shopper: where is my order #W5442520" in prompt
    assert "Assistant: " in prompt

    # Asked again with nothing new said: the same summary, without asking the model again.
    asked = len(fake.requests)
    assert _summary(store, auth_headers) == summary and len(fake.requests) == asked


@pytest.mark.parametrize(
    "written",
    [
        "Olivia wants a refund of $120 for order #W5442520.",  # an amount nobody said
        "Olivia asked about order #W9999999 and wants a person.",  # an order nobody named
        "",
    ],
)
def test_a_summary_that_invents_gives_way_to_the_facts(
    store: Store,
    shopper: Shopper,
    fake: FakeModelServer,
    auth_headers: dict[str, str],
    written: str,
) -> None:
    _hand_off(shopper)
    fake.script(written)
    summary = _summary(store, auth_headers)
    assert summary["generated"] is False
    assert summary["text"].startswith("Asked for a person: “the hiking boots are wrong")
    assert f"Signed in as Olivia ({OLIVIA})." in summary["text"]
    assert "Orders mentioned: #W5442520." in summary["text"]


def test_without_a_model_or_when_it_fails_the_facts_stand(
    store: Store, shopper: Shopper, fake: FakeModelServer, auth_headers: dict[str, str]
) -> None:
    from tests.fake_llm import Reply

    _hand_off(shopper)
    fake.script(Reply(status=500))
    summary = _summary(store, auth_headers)
    assert summary["generated"] is False and "Orders mentioned: #W5442520." in summary["text"]
    missing = store.client.get("/api/agent/conversations/nope/summary", headers=auth_headers)
    assert missing.status_code == 404
    refused = store.client.get("/api/agent/conversations/nope/summary")
    assert refused.status_code == 401


def test_what_counts_as_invented() -> None:
    said = "Shopper: where is #W5442520\nAssistant: It is pending; $663.85 by Visa on 2024-05-01."
    assert unsupported("Order #W5442520 is pending, $663.85 paid.", said) == ""
    assert "#W1234567" in unsupported("Order #W1234567 is late.", said)
    assert "12" in unsupported("It is 12 days late.", said)
    assert unsupported("x" * 601, said).startswith("longer than")
