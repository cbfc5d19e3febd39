"""Order tasks told the way shoppers tell them: facts given before they are asked for, an
order described by what it holds, corrections at the confirmation, a yes or a no with more
words around it. Through the REST channel; the shoppers are listed in conftest.py."""

from __future__ import annotations

from tests.conversations.conftest import OLIVIA_EMAIL, YUSUF_EMAIL, Shopper, Store

CONFIRM = "Here is exactly what I'll do:"
NOT_CAUGHT = "didn't catch that"


def test_an_order_described_by_its_items_and_corrected_at_the_confirmation(
    store: Store, shopper: Shopper
) -> None:
    before = store.snapshot()
    shopper.say("I want to cancel the order with just the t-shirt, I don't need it anymore")
    shopper.say(YUSUF_EMAIL)
    # The reason came with the request and the words describe one order: straight to the yes.
    assert "reason for cancelling" not in shopper.text
    assert "Cancel order #W6247578 (T-Shirt)" in shopper.text
    shopper.say("no wait, I meant the order with the espresso machine")
    assert CONFIRM in shopper.text and NOT_CAUGHT not in shopper.text
    assert "Cancel order #W4776164 (T-Shirt, Espresso Machine)" in shopper.text
    assert "Reason: no longer needed" in shopper.text
    shopper.say("yes, cancel that one")
    assert "Order #W4776164 is cancelled" in shopper.text
    assert store.changed_orders(before) == {"#W4776164"}


def test_a_fact_for_a_later_step_is_kept_and_not_met_with_an_apology(
    store: Store, shopper: Shopper
) -> None:
    shopper.say("I want to return something")
    shopper.say(OLIVIA_EMAIL)
    assert "Which items from order #W5866402" in shopper.text
    shopper.say("refund to my gift card please")
    assert NOT_CAUGHT not in shopper.text
    assert "Which items from order #W5866402" in shopper.text
    shopper.say("the sneakers")
    # The refund's destination was heard before: no question about it.
    assert "Where should the refund go?" not in shopper.text
    assert "Refund: $207.75 to your gift card" in shopper.text


def test_a_no_with_more_words_at_the_confirmation_changes_nothing(
    store: Store, shopper: Shopper
) -> None:
    before = store.snapshot()
    shopper.say("cancel order #W6247578, I ordered it by mistake")
    shopper.say(YUSUF_EMAIL)
    assert CONFIRM in shopper.text
    shopper.say("hmm no, let me think about it first")
    assert "haven't changed anything" in shopper.text
    assert store.snapshot() == before


def test_a_return_of_an_item_still_on_its_way_says_why_not(store: Store, shopper: Shopper) -> None:
    shopper.say("I want to return the gaming mouse")
    shopper.say(OLIVIA_EMAIL)
    assert "Order #W5442520 is pending" in shopper.text
    assert "Which order" not in shopper.text and "Which items" not in shopper.text


def test_another_order_change_replaces_the_one_in_progress(store: Store, shopper: Shopper) -> None:
    shopper.say("I want to return something")
    shopper.say(OLIVIA_EMAIL)
    assert "Which items from order #W5866402" in shopper.text
    shopper.say("actually I'd rather cancel my order #W7941031, I don't need it anymore")
    assert "Cancel order #W7941031" in shopper.text
    shopper.say("yes")
    assert "Order #W7941031 is cancelled" in shopper.text
    # The return was dropped, not resumed.
    assert "back to your return" not in shopper.text


def test_a_question_at_a_step_is_not_taken_for_an_answer(store: Store, shopper: Shopper) -> None:
    shopper.say("I want to return something")
    shopper.say(OLIVIA_EMAIL)
    assert "Which items from order #W5866402" in shopper.text
    # A question about where refunds may go chooses nothing.
    shopper.say("can the refund go to my gift card instead of the card I paid with?")
    assert CONFIRM not in shopper.text, shopper.dump()
    shopper.say("the sneakers")
    assert "Where should the refund go?" in shopper.text, shopper.dump()


def test_a_task_started_from_an_offer_reads_the_question_that_brought_it(
    store: Store, shopper: Shopper
) -> None:
    shopper.say("can I return my sneakers?")
    assert "start that for one of your orders" in shopper.text, shopper.dump()
    shopper.say("yes please")
    shopper.say(OLIVIA_EMAIL)
    # The sneakers were named in the question: the task does not ask which items.
    assert "Which items" not in shopper.text, shopper.dump()
    assert "Sneakers" in shopper.text or "Where should the refund go?" in shopper.text


def test_an_item_named_when_the_order_holds_two_of_it_is_asked_about_by_name(
    store: Store, shopper: Shopper
) -> None:
    shopper.say("I want to return the bluetooth speaker")
    shopper.say("aarav.santos8320@example.com")
    assert "has 2 of the Bluetooth Speaker" in shopper.text, shopper.dump()
    assert NOT_CAUGHT not in shopper.text
    # Only the two speakers are offered.
    assert len(shopper.titles) == 2
    assert all(title.startswith("Bluetooth Speaker") for title in shopper.titles)
    shopper.click(shopper.titles[0])
    assert "has 2 of the Bluetooth Speaker" not in shopper.text, shopper.dump()


def test_an_exchange_asked_of_an_order_not_yet_delivered_offers_to_change_it_instead(
    store: Store, shopper: Shopper
) -> None:
    before = store.snapshot()
    shopper.say("I want to exchange the espresso machine")
    shopper.say(YUSUF_EMAIL)
    assert "Order #W4776164 is pending" in shopper.text, shopper.dump()
    assert "change items in it instead" in shopper.text
    shopper.say("yes please")
    # The change reads the request that led to the offer: that order, that item.
    assert "instead of the Espresso Machine" in shopper.text, shopper.dump()
    assert store.snapshot() == before


def test_a_no_naming_an_option_it_did_not_ask_for_is_not_a_wish_for_it(
    store: Store, shopper: Shopper
) -> None:
    before = store.snapshot()
    shopper.say("I want to exchange the Mechanical Keyboard from order #W2378156 for a clicky one")
    shopper.say(YUSUF_EMAIL)
    shopper.say("the clicky one, full size, with no backlight")
    shopper.say("the credit card")
    assert "backlight: RGB → switch type: clicky, backlight: none" in shopper.text
    # Naming the option refused does not ask for it: nothing is rewritten around it.
    shopper.say("no, I didn't ask for full size")
    assert "haven't changed anything" in shopper.text, shopper.dump()
    assert store.snapshot() == before


def test_a_question_at_the_confirmation_is_neither_a_yes_nor_a_no(
    store: Store, shopper: Shopper
) -> None:
    shopper.say("cancel order #W6247578, I ordered it by mistake")
    shopper.say(YUSUF_EMAIL)
    assert CONFIRM in shopper.text
    shopper.say("hmm wait, how long does the refund take?")
    assert "haven't changed anything" not in shopper.text, shopper.dump()
    assert CONFIRM in shopper.text, shopper.dump()
    shopper.say("ok yes")
    assert "Order #W6247578 is cancelled" in shopper.text, shopper.dump()
