"""Order requests as shoppers word them when the change they ask for is not the one the store
makes: a cancellation undone, an item swapped for another product, a refund to another
order's card, the order they placed last, and a second try at signing in. What is said and
that nothing is written unless the shopper confirms (knowledge_base/store/db.json)."""

from __future__ import annotations

from tests.conversations.conftest import Shopper, Store


def test_undoing_a_cancellation_is_refused_and_a_person_is_offered(
    store: Store, shopper: Shopper
) -> None:
    before = store.snapshot()
    # Said at once: no order of theirs needs to be looked at to know it.
    shopper.say("I want to undo cancelling an order that I've previously placed")
    assert "can't undo the cancellation" in shopper.text, shopper.dump()
    assert "Talk to a person" in shopper.titles
    assert "I can only cancel orders" not in shopper.text
    shopper.say("yes please")
    assert shopper.cards("handoff"), shopper.dump()
    assert store.snapshot() == before


def test_an_item_changes_only_within_its_product(store: Store, shopper: Shopper) -> None:
    before = store.snapshot()
    shopper.say("I want to change the luggage set in my order for a coat")
    shopper.say("My name is Aarav Lee, zip code 85025")
    assert "I can only change the Luggage Set for another Luggage Set" in shopper.text
    assert "a coat is a different product" in shopper.text
    assert store.snapshot() == before


def test_a_refund_to_the_other_orders_card_is_refused_without_changing_order(
    store: Store, shopper: Shopper
) -> None:
    shopper.say("I want to return all the items in order #W5490111")
    shopper.say("mia.garcia2723@example.com")
    assert "Where should the refund go?" in shopper.text
    shopper.say("I'd like the refund to go to the other order's payment method")
    assert "refunds go to the original payment method or a gift card" in shopper.text
    assert "#W7387996" not in shopper.text  # it stays on the order asked about
    assert "Where should the refund go?" in shopper.text


def test_the_order_placed_last_is_the_one_looked_up(store: Store, shopper: Shopper) -> None:
    shopper.say("I want to check how much I paid for the order that I most recently placed")
    shopper.say("My name is Noah Ito, zip code 98187")
    (card,) = shopper.cards("order_summary")
    assert card["order_id"] == "#W6729841"
    assert "829.43" in shopper.text


def test_a_second_try_at_a_name_and_zip_is_a_new_answer(store: Store, shopper: Shopper) -> None:
    shopper.say("where is my order?")
    shopper.say("My name is Noah Ito, zip code 98178")
    assert "(Noah Ito, 98178)" in shopper.text
    shopper.say("My name is Noah Ito, zip code 98186")
    assert "(Noah Ito, 98186)" in shopper.text
    assert "didn't catch" not in shopper.text
    shopper.say("My name is Noah Ito, zip code 98187")
    assert "Thanks, Noah" in shopper.text


def test_also_at_the_confirmation_adds_to_what_was_chosen(store: Store, shopper: Shopper) -> None:
    before = store.snapshot()
    shopper.say("I want to return the two skateboards I just bought")
    shopper.say("My name is Mei Ahmed, zip code 78705")
    shopper.say("to my credit card")
    (summary,) = shopper.cards("change_summary")
    assert summary["lines"][0].count("Skateboard") == 2, shopper.dump()
    shopper.say("No, I also want to return the smart watch")
    (summary,) = shopper.cards("change_summary")
    assert summary["lines"][0].count("Skateboard") == 2 and "Smart Watch" in summary["lines"][0]
    shopper.say("no")
    assert store.snapshot() == before


def test_a_corrected_zip_code_goes_with_the_name_given_before(
    store: Store, shopper: Shopper
) -> None:
    shopper.say("how much did i pay for my most recent order?")
    shopper.say("Noah Ito 98178")
    assert "(Noah Ito, 98178)" in shopper.text
    shopper.say("sorry, zip is 98187")
    assert "Thanks, Noah" in shopper.text, shopper.dump()
    (card,) = shopper.cards("order_summary")
    assert card["order_id"] == "#W6729841"
