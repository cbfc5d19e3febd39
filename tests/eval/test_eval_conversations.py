"""`assistant eval conversations`: the judge on hand-made replies (each behaviour shown and
not shown), the case files' checks, and small conversations played end to end through the
real dialogue engine on a copy of the demo store."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from assistant.cli.eval_conversations import checks_table, rates_table, transcript_text
from assistant.config import Settings, load_settings
from assistant.engine.embeddings import SentenceEmbedder
from assistant.eval.conversation_cases import ConversationCaseError, load_suite
from assistant.eval.conversations import evaluate_conversations, find_button
from assistant.eval.judge import (
    BEHAVIOURS,
    Check,
    Judge,
    Turn,
    mentions,
    repeated_message,
    third_prompt,
)

ROOT = Path(__file__).parents[2]
DATA = Path(__file__).parent / "data" / "conversations"

# Replies shaped as the engine sends them (text, buttons, custom cards).
SIGN_IN = {
    "text": "Before I can look at your orders I need to confirm who you are. Please give me "
    "the email address of your account, or your first name, last name and zip code."
}
FOUND = {"text": "Thanks, Yusuf, I've found your account."}
PRODUCTS = {
    "text": "2 matches for black Backpack.",
    "custom": {
        "type": "product_cards",
        "cards": [
            {"name": "Backpack", "options": {"color": "black", "size": "small"}, "price": "189.0"},
            {"name": "Backpack", "options": {"color": "black", "size": "large"}, "price": "198.0"},
        ],
    },
}
NO_PRODUCTS = {
    "text": "Nothing in the catalog matches that.",
    "custom": {"type": "product_cards", "cards": []},
}
ORDER_CARD = {
    "custom": {
        "type": "order_summary",
        "order_id": "#W6247578",
        "status": "pending",
        "items": [{"name": "T-Shirt", "options": {"color": "blue"}, "price": "53.27"}],
        "total": "53.27",
        "address": "555 Main St, Philadelphia, PA 19122",
        "tracking_ids": [],
    }
}
ORDER_LINE = {
    "text": "Your orders:\n#W6247578 (pending): T-Shirt\n#W2378156 (delivered): Headphones"
}
ORDER_CHOICE = {
    "text": "Which order would you like to cancel?",
    "buttons": [
        {"title": "#W6247578 (pending): T-Shirt", "payload": '/inform{"order_id":"#W6247578"}'}
    ],
}
ANSWER = {
    "text": "“Returns are accepted within 30 days of delivery. We do not cover items damaged "
    "by misuse.” — Returns and Refunds, Time limits",
    "custom": {
        "type": "answer",
        "sources": [{"title": "Returns and Refunds", "section": "Time limits", "link": "/kb/r"}],
    },
}
DONT_KNOW = {
    "text": "I'm not sure, and I'd rather not guess: I couldn't find that in our store's "
    "policies. Would you like to ask a person from our team?",
    "buttons": [{"title": "Talk to a person", "payload": "/human_handoff"}],
}
NOT_COVERED = {"text": "Our documents don't cover price matching."}
ACCOUNT_MISSING = {
    "text": "I couldn't find order #W1111111 on your account. Please check the number."
}
OUT_OF_SCOPE = {"text": "Sorry, I can't help with that. I can help with your orders."}
OFFER_TEXT = {
    "text": "I'm sorry about that. Would you like me to connect you with someone from our team?"
}
HANDOFF: list[dict[str, Any]] = [
    {"text": "I'm connecting you with a person from our support team. Please hold on."},
    {"custom": {"type": "handoff", "status": "requested"}},
]
CONFIRM = {
    "text": "Here is exactly what I'll do:\nCancel order #W6247578 (pending)\nShall I go ahead?",
    "buttons": [
        {"title": "Yes, go ahead", "payload": "/affirm"},
        {"title": "No", "payload": "/deny"},
    ],
    "custom": {
        "type": "change_summary",
        "flow": "cancel_order",
        "lines": ["Cancel order #W6247578"],
    },
}
CONFIRM_TEXT = {
    "text": "That's the blue T-Shirt from #W6247578. Should I go ahead with the return?"
}
OFFER_TASK = {"text": "Would you like me to start that for one of your orders?"}
ASK_ITEMS = {"text": "Which items from order #W2378156 would you like to return?"}


def turn(*messages: dict[str, Any], **facts: Any) -> Turn:
    return Turn(messages=tuple(messages), **facts)


# Each behaviour: replies that show it, and replies that do not (each close to showing it).
SHOWN: dict[str, list[Turn]] = {
    "ask_sign_in": [
        turn(SIGN_IN),
        turn({"text": "I couldn't find an account with the email a@b.co. Could you check it?"}),
        turn({"text": "What's your first name, last name and zip code?"}),
    ],
    "show_products": [
        turn(PRODUCTS),
        turn({"custom": {"type": "product_comparison", "items": [{"name": "Backpack"}]}}),
    ],
    "show_order": [
        turn(ORDER_CARD),
        turn(ORDER_LINE),
        turn({"text": "Order #W2378156 is delivered."}),
    ],
    "answer_from_documents": [turn(ANSWER), turn(FOUND, ANSWER)],
    "say_not_covered": [
        turn(DONT_KNOW),
        turn(NOT_COVERED),
        turn({"text": "I don't know."}),
        turn({"text": "Student discounts aren't covered in the store's documents."}),
        turn({"text": "Our policies say nothing about gift wrapping."}),
        turn({"text": "I wasn't able to find that in our FAQ."}),
    ],
    "offer_person": [
        turn(DONT_KNOW),
        turn(OFFER_TEXT),
        turn(*HANDOFF),
        turn({"text": "Shall I get a person for you?"}),
        turn({"text": "You can ask for a person at any time."}),
    ],
    "hand_off": [turn(*HANDOFF), turn(paused=True)],
    "ask_confirmation": [turn(CONFIRM), turn(CONFIRM_TEXT)],
    "start_anything": [
        turn(SIGN_IN, order_task_started=True),
        turn(NO_PRODUCTS, search_changed=True),
        turn(PRODUCTS),
        turn(ANSWER),
    ],
}
NOT_SHOWN: dict[str, list[Turn]] = {
    "ask_sign_in": [
        turn(FOUND),
        turn(ANSWER),
        turn(OUT_OF_SCOPE),
        turn({"text": "We'll email you a label."}),
    ],
    "show_products": [turn(NO_PRODUCTS), turn(ORDER_CARD), turn(ANSWER)],
    "show_order": [turn(ORDER_CHOICE), turn(CONFIRM), turn(ACCOUNT_MISSING), turn(SIGN_IN)],
    "answer_from_documents": [
        turn(DONT_KNOW),
        turn({"text": "x", "custom": {"type": "answer", "sources": []}}),
    ],
    "say_not_covered": [
        turn(ANSWER),  # "we do not cover" is the document's, quoted
        turn(OUT_OF_SCOPE),
        turn(ACCOUNT_MISSING),
        turn({"text": "I couldn't find an account with that name and zip code."}),
        turn({"text": "If you don't know the order number, pick one below."}),
    ],
    "offer_person": [
        turn(OUT_OF_SCOPE),
        turn(ANSWER),
        turn(SIGN_IN),
        turn({"text": "Our team packs every order with care."}),
    ],
    "hand_off": [turn(DONT_KNOW), turn(OFFER_TEXT)],
    "ask_confirmation": [turn(OFFER_TASK), turn(ASK_ITEMS), turn(SIGN_IN), turn(ORDER_CHOICE)],
    "start_anything": [
        turn(OUT_OF_SCOPE, started_flows=("out_of_scope",)),
        turn(DONT_KNOW),
        turn(*HANDOFF, started_flows=("human_handoff",)),
    ],
}


def test_every_behaviour_has_examples_both_ways() -> None:
    assert set(SHOWN) == set(BEHAVIOURS) == set(NOT_SHOWN)


@pytest.mark.parametrize(
    ("behaviour", "example"),
    [(name, example) for name, examples in SHOWN.items() for example in examples],
)
def test_a_behaviour_is_seen_where_the_reply_shows_it(behaviour: str, example: Turn) -> None:
    judge = Judge()
    assert judge.behaviour(behaviour, example), example
    assert judge.failure(Check("does", behaviour), example) is None
    assert judge.failure(Check("does_not", behaviour), example) == f"does {behaviour}"


@pytest.mark.parametrize(
    ("behaviour", "example"),
    [(name, example) for name, examples in NOT_SHOWN.items() for example in examples],
)
def test_a_behaviour_is_not_seen_where_the_reply_does_not_show_it(
    behaviour: str, example: Turn
) -> None:
    judge = Judge()
    assert not judge.behaviour(behaviour, example), example
    assert judge.failure(Check("does", behaviour), example) == f"does not {behaviour}"
    assert judge.failure(Check("does_not", behaviour), example) is None


def test_show_order_knows_the_statuses_the_store_uses() -> None:
    reply = turn({"text": "Order #W2378156 is awaiting pickup."})
    assert not Judge().behaviour("show_order", reply)
    assert Judge(statuses=["awaiting pickup"]).behaviour("show_order", reply)


def test_mentions_are_words_with_alternatives_in_everything_shown() -> None:
    seen = "Refunds take 5–7 business days. [Talk to a person] Backpack (black, small) $189.0"
    assert mentions(seen, "refund")  # a plural ending is the same word
    assert mentions(seen, "5-7 business days")  # dashes are dashes
    assert mentions(seen, "fourteen days|5-7 business")
    assert mentions(seen, "TALK TO A PERSON")
    assert not mentions(seen, "fund")  # not inside a longer word
    assert not mentions(seen, "14 days|two weeks")
    judge = Judge()
    # Card names, card options, order-card fields, button titles and cited titles count.
    assert judge.failure(Check("mentions", ["backpack", "black", "$189.0"]), turn(PRODUCTS)) is None
    assert judge.failure(Check("mentions", ["T-shirt", "19122", "53.27"]), turn(ORDER_CARD)) is None
    assert judge.failure(Check("mentions", ["time limits"]), turn(ANSWER)) is None
    assert judge.failure(Check("mentions", ["#W6247578"]), turn(ORDER_CHOICE)) is None
    assert judge.failure(Check("mentions", ["backpack", "kettle"]), turn(PRODUCTS)) == (
        "does not mention ['kettle']"
    )
    assert judge.failure(Check("mentions_any", ["kettle", "black"]), turn(PRODUCTS)) is None
    assert judge.failure(Check("mentions_any", ["kettle"]), turn(PRODUCTS)) is not None
    assert judge.failure(Check("avoids", ["kettle"]), turn(PRODUCTS)) is None
    assert judge.failure(Check("avoids", ["kettle", "small"]), turn(PRODUCTS)) == (
        "mentions ['small']"
    )


def test_no_message_twice_in_a_row_and_no_prompt_a_third_time() -> None:
    assert repeated_message(turn(OUT_OF_SCOPE, OUT_OF_SCOPE)) is not None
    assert repeated_message(turn(OUT_OF_SCOPE, DONT_KNOW, OUT_OF_SCOPE)) is None
    asked = turn(SIGN_IN)
    assert third_prompt([asked], asked) is None
    assert third_prompt([asked, asked], asked) is not None
    assert third_prompt([asked, turn(ANSWER, SIGN_IN)], asked) is not None  # the prompt is last
    assert third_prompt([asked, turn(SIGN_IN, ANSWER)], asked) is None
    assert third_prompt([asked, turn(OFFER_TEXT)], asked) is None


def test_a_click_takes_the_button_whose_title_has_the_words() -> None:
    buttons = [
        {"title": "Talk to a person", "payload": "/human_handoff"},
        {"title": "Yes, go ahead", "payload": "/affirm"},
        {"title": "Know more", "payload": "/help"},
    ]
    assert find_button(buttons, "PERSON") == buttons[0]
    assert find_button(buttons, "go yes") == buttons[1]  # every word, in any order
    assert find_button(buttons, "no") is None  # not inside "now" or "know"
    assert find_button([{"title": "No", "payload": "/deny"}], "no") is not None


# -- the case files ------------------------------------------------------------------------------


def write(directory: Path, name: str, content: dict[str, Any]) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / name).write_text(yaml.safe_dump(content, sort_keys=False), encoding="utf-8")


def test_malformed_conversations_are_left_out_and_named(tmp_path: Path) -> None:
    good = {"id": "x-01", "turns": [{"say": "hi", "expect": [{"does": "offer_person"}]}]}
    write(
        tmp_path,
        "x.yml",
        {
            "category": "x",
            "conversations": [
                good,
                {"id": "x-02", "turns": [{"say": "hi", "click": "yes"}]},
                {"id": "x-03", "turns": [{"say": "hi", "expect": [{"does": "dance"}]}]},
                {"id": "x-04", "turns": [{"say": "hi", "expect": [{"mentions": []}]}]},
                {
                    "id": "x-05",
                    "turns": [{"say": "hi", "expect": [{"does": "hand_off", "avoids": ["a"]}]}],
                },
                {"id": "x-06", "turns": [{"say": "hi"}], "end": [{"order": "#W1"}]},
                {"id": "x-01", "turns": [{"say": "hello"}]},
            ],
        },
    )
    suite = load_suite(tmp_path)
    assert [c.id for c in suite.conversations] == ["x-01"]
    assert [problem.split(":")[1].strip() for problem in suite.problems] == [
        "x-02",
        "x-03",
        "x-04",
        "x-05",
        "x-06",
        "x-01",
    ]
    assert "exactly one of `say` and `click`" in suite.problems[0]
    assert "unknown behaviour 'dance'" in suite.problems[1]
    with pytest.raises(ConversationCaseError):
        load_suite(tmp_path / "missing")
    with pytest.raises(ConversationCaseError):
        load_suite(tmp_path, category="y")


def test_the_suites_own_files_are_well_formed() -> None:
    suite = load_suite(ROOT / "assistant" / "eval" / "data" / "conversations")
    assert suite.problems == []
    assert len(suite.conversations) >= 150


# -- end to end ----------------------------------------------------------------------------------


@pytest.fixture
def settings() -> Settings:
    return load_settings(environ={}, overrides={"root": str(ROOT)})


@pytest.fixture(scope="module")
def documents(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two of the store's documents: enough to answer, quick to index."""
    folder = tmp_path_factory.mktemp("kb") / "policies"
    folder.mkdir()
    for name in ("shipping-and-delivery.md", "returns-and-refunds.md"):
        shutil.copy(ROOT / "knowledge_base" / "policies" / name, folder / name)
    return folder.parent


def test_conversations_are_played_through_the_engine_and_judged(
    settings: Settings, nlu_model_path: Path, documents: Path
) -> None:
    report = evaluate_conversations(
        settings,
        data_dir=DATA,
        embedder=SentenceEmbedder(),
        model_path=nlu_model_path,
        knowledge_dir=documents,
    )
    figures = report.as_dict()
    assert figures["conversations"] == 4 and figures["problems"] == []
    with_repair = {o.conversation.id: o for o in report.runs["repair"]}
    assert with_repair["searching-01"].passed, with_repair["searching-01"].failures
    assert with_repair["buttons-01"].passed, with_repair["buttons-01"].failures
    # The case that expects the wrong things fails on each of them, and only on them.
    wrong = [(f.turn, f.check) for f in with_repair["searching-02"].failures]
    assert wrong == [
        (1, "does: ask_sign_in"),
        (1, 'mentions: ["tea kettle"]'),
        (None, "order #W6247578: cancelled"),
    ]
    # A missing button fails its turn and ends the conversation there.
    missing = with_repair["buttons-02"]
    assert [(f.turn, f.check) for f in missing.failures] == [(2, "click: free money")]
    assert not any("never reached" in str(line) for line in missing.transcript)
    # After the hand-off the bot is silent, as the conversation service keeps it.
    said = with_repair["searching-01"].transcript
    assert said[-1] == {"shopper": "hello? anyone there?"}

    systems = figures["systems"]
    assert set(systems) == {"repair", "no_repair"}
    assert systems["repair"]["all"] == {"passed": 2, "conversations": 4, "pass_rate": 0.5}
    assert systems["repair"]["categories"]["searching"]["passed"] == 1
    assert systems["repair"]["failed_checks"]["does: ask_sign_in"] == 1
    assert [f["id"] for f in figures["failures"]["repair"]] == ["buttons-02", "searching-02"]
    text = transcript_text(figures["failures"]["repair"][1])
    assert "turn 1: does: ask_sign_in" in text and "shopper: show me backpacks" in text
    assert rates_table(figures).row_count == 3  # two categories and "all"
    assert checks_table(figures).row_count >= 3
