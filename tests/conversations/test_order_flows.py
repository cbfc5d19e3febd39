"""Order support end to end: who the shopper is, what the assistant says and offers, and what
is in the database afterwards. The one typed conversation per kind of task (section 3) runs
through the REST channel and through the widget's WebSocket; the rest through REST. The
shoppers and their orders are listed in conftest.py."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conversations.conftest import (
    OLIVIA,
    OLIVIA_EMAIL,
    OLIVIA_GIFT_CARD,
    OLIVIA_PAYPAL,
    OLIVIA_VISA,
    YUSUF,
    YUSUF_CARD,
    YUSUF_EMAIL,
    Shopper,
    Store,
)

ASK_IDENTITY = "Before I can look at your orders I need to confirm who you are"
# What the identity question becomes when the message holds two words that could be a name
# ("What's status"): it asks for the same, worded as if a name had been given.
ASK_IDENTITY_AGAIN = "To find your account I need your first name, last name and zip code"
CONFIRM = "Here is exactly what I'll do:"
# What only Olivia's #W5442520 and her account would show.
OLIVIA_SECRETS = (
    "Olivia",
    "Gaming Mouse",
    "Patio Umbrella",
    "Hiking Boots",
    "Elm Avenue",
    "Denver",
    "80218",
    "9182",
    "Visa",
    "663.85",
)


# The per-kind conversations run through the REST channel and through the widget's WebSocket
# (the `shopper` fixture follows `transport`); the rest through REST only.
BOTH_CHANNELS = pytest.mark.parametrize("transport", ["rest", "ws"])


def payments(store: Store, order_id: str) -> list[tuple[str, Decimal, str]]:
    return [
        (p.transaction_type, p.amount, p.payment_method_id) for p in store.order(order_id).payments
    ]


def asks_identity(shopper: Shopper) -> bool:
    return ASK_IDENTITY in shopper.text or ASK_IDENTITY_AGAIN in shopper.text


def payloads(shopper: Shopper) -> str:
    return " ".join(b["payload"] for b in shopper.buttons)


# -- 1. authentication first -----------------------------------------------------------------


def test_order_status_needs_the_shopper_first_and_reveals_nothing_before(
    store: Store, shopper: Shopper
) -> None:
    shopper.say("Where is my order #W2378156?")
    assert ASK_IDENTITY in shopper.text
    before = shopper.everything_said()
    for secret in ("delivered", "843053632392", "Keyboard", "Headphones", "Broadway", "1,819.92"):
        assert secret not in before, shopper.dump()
    assert shopper.cards("order_summary") == [] and shopper.buttons == []

    shopper.say(f"My email is {YUSUF_EMAIL}")
    assert "Thanks, Yusuf, I've found your account." in shopper.text
    assert "Order #W2378156 is delivered." in shopper.text
    assert "Tracking number: 843053632392" in shopper.text
    assert [card["order_id"] for card in shopper.cards("order_summary")] == ["#W2378156"]


def test_name_and_zip_authenticate(store: Store, shopper: Shopper) -> None:
    shopper.say("What's the status of my order?")
    assert asks_identity(shopper), shopper.dump()
    shopper.say("I'm Yusuf Rossi, zip code 19122")
    assert "Thanks, Yusuf, I've found your account." in shopper.text
    # Then the order to look up, offered as buttons: all of Yusuf's orders, nobody else's.
    assert "Which order would you like to look up?" in shopper.text
    offered = {b["payload"] for b in shopper.buttons}
    assert offered == {
        f'/inform{{"order_id":"{order_id}"}}'
        for order_id in ("#W2378156", "#W4776164", "#W6247578", "#W6679257", "#W9711842")
    }
    shopper.click("#W6679257")
    assert "Order #W6679257 is delivered." in shopper.text
    assert "Tracking number: 522129247270" in shopper.text


def test_a_wrong_email_or_name_is_refused(store: Store, shopper: Shopper) -> None:
    before = store.snapshot()
    shopper.say("I'd like to know the status of my order #W2378156")
    shopper.say("my email is nobody.here@example.com")
    assert "I couldn't find an account with the email nobody.here@example.com" in shopper.text
    shopper.say("I'm Yusuf Rossi, zip code 10001")
    assert "I couldn't find an account with that name and zip code" in shopper.text
    for secret in ("delivered", "843053632392", "Keyboard", "Yusuf,"):
        assert secret not in shopper.everything_said(), shopper.dump()
    # The right email still works afterwards.
    shopper.say(YUSUF_EMAIL)
    assert "Thanks, Yusuf" in shopper.text and "Order #W2378156 is delivered." in shopper.text
    assert store.snapshot() == before


def test_a_payload_cannot_make_the_shopper_someone_else(store: Store, shopper: Shopper) -> None:
    shopper.say("what's the status of order #W5442520")
    shopper.say(f'/inform{{"customer_id":"{OLIVIA}"}}')
    said = shopper.everything_said()
    assert "Gaming Mouse" not in said and "Order #W5442520 is pending" not in said


# -- 2. another customer's order -------------------------------------------------------------


def test_another_customers_order_is_not_found_for_status(store: Store, shopper: Shopper) -> None:
    before = store.snapshot()
    shopper.say(f"Hi, my email is {YUSUF_EMAIL}. What's the status of my order?")
    shopper.say("what's the status of order #W5442520")
    assert "I couldn't find order #W5442520 on your account" in shopper.text
    assert "#W5442520" not in payloads(shopper)
    # Claiming to be the owner now changes nothing: one shopper per conversation.
    shopper.say(f"my email is {OLIVIA_EMAIL}")
    shopper.say("#W5442520")
    assert "I couldn't find order #W5442520 on your account" in shopper.text
    said = shopper.everything_said()
    for secret in OLIVIA_SECRETS:
        assert secret not in said, (secret, shopper.dump())
    assert store.snapshot() == before and store.backend.changes() == []


def test_another_customers_order_is_not_found_for_cancel(store: Store, shopper: Shopper) -> None:
    before = store.snapshot()
    shopper.say("I want to cancel order #W5442520, it's no longer needed")
    assert asks_identity(shopper), shopper.dump()
    shopper.say(YUSUF_EMAIL)
    assert "I couldn't find order #W5442520 on your account" in shopper.text
    # Only Yusuf's own pending orders are offered instead.
    assert "Which order would you like to cancel?" in shopper.text
    assert sorted(shopper.titles) == [
        "#W4776164 (pending): T-Shirt, Espresso Machine",
        "#W6247578 (pending): T-Shirt",
    ]
    # Typing it again, or as a correction at the confirmation, changes nothing either.
    shopper.say("#W5442520")
    assert "I couldn't find order #W5442520 on your account" in shopper.text
    shopper.click("#W6247578")
    assert CONFIRM in shopper.text
    shopper.say("actually, make that order #W5442520")
    assert "I couldn't find order #W5442520 on your account" in shopper.text
    said = shopper.everything_said()
    for secret in OLIVIA_SECRETS:
        assert secret not in said, (secret, shopper.dump())
    assert store.snapshot() == before and store.backend.changes() == []


# -- 3. one conversation per task, typed, through both channels ------------------------------


@BOTH_CHANNELS
def test_order_status_typed(store: Store, shopper: Shopper) -> None:
    shopper.say("Where is my order #W6679257?")
    assert asks_identity(shopper), shopper.dump()
    shopper.say("I'm Yusuf Rossi, zip code 19122")
    assert "Thanks, Yusuf" in shopper.text
    assert "Order #W6679257 is delivered." in shopper.text
    assert "Digital Camera" in shopper.text
    assert "Tracking number: 522129247270" in shopper.text
    assert "Payment: $2,895.55 (Mastercard credit card ending 2478)" in shopper.text
    (card,) = shopper.cards("order_summary")
    assert card["tracking_ids"] == ["522129247270"] and card["status"] == "delivered"
    assert store.backend.changes() == []


def test_asked_which_order_to_look_at_a_shopper_may_ask_to_cancel_it_instead(
    store: Store, shopper: Shopper
) -> None:
    shopper.say("hi, wheres my ordr?")
    shopper.say(YUSUF_EMAIL)
    assert "Which order" in shopper.text, shopper.dump()
    shopper.say("cancel the pending one with the espresso machine, i dont need it")
    # A request to change it, not its status.
    assert "is pending." not in shopper.text, shopper.dump()
    assert CONFIRM in shopper.text, shopper.dump()
    assert "Cancel order #W4776164" in shopper.text and "Reason: no longer needed" in shopper.text
    assert store.backend.changes() == []


@BOTH_CHANNELS
def test_list_orders_typed_then_details_by_button(store: Store, shopper: Shopper) -> None:
    shopper.say("Can you show me all my orders?")
    assert asks_identity(shopper), shopper.dump()
    shopper.say(YUSUF_EMAIL)
    assert "You have 5 orders:" in shopper.text
    for line in (
        "#W2378156 (delivered): Headphones, Vacuum Cleaner, Mechanical Keyboard, "
        "Smart Thermostat and 1 more",
        "#W4776164 (pending): T-Shirt, Espresso Machine",
        "#W6247578 (pending): T-Shirt",
        "#W6679257 (delivered): Digital Camera",
        "#W9711842 (cancelled): Sunglasses",
    ):
        assert f"• {line}" in shopper.text
    shopper.click("Details of #W2378156")
    assert "Order #W2378156 is delivered." in shopper.text
    assert "Tracking number: 843053632392" in shopper.text
    assert "Mechanical Keyboard (switch type: linear" in shopper.text


@BOTH_CHANNELS
def test_cancel_typed(store: Store, shopper: Shopper) -> None:
    before = store.snapshot()
    shopper.say("I want to cancel my order #W6247578")
    shopper.say(YUSUF_EMAIL)
    assert "What is the reason for cancelling" in shopper.text
    assert shopper.titles == ["No longer needed", "Ordered by mistake"]
    shopper.say("I no longer need it")
    assert CONFIRM in shopper.text
    assert "Cancel order #W6247578 (T-Shirt)" in shopper.text
    assert "Reason: no longer needed" in shopper.text
    assert "Refund: $53.27 to your Mastercard credit card ending 2478" in shopper.text
    assert shopper.titles == ["Yes, go ahead", "No"]
    # Nothing is written before the yes.
    assert store.backend.changes() == []
    shopper.say("yes please")
    assert "Order #W6247578 is cancelled" in shopper.text
    assert "$53.27 will be refunded" in shopper.text
    assert shopper.cards("order_summary")[0]["status"] == "cancelled"

    order = store.order("#W6247578")
    assert order.status == "cancelled" and order.cancel_reason == "no longer needed"
    assert payments(store, "#W6247578") == [
        ("payment", Decimal("53.27"), YUSUF_CARD),
        ("refund", Decimal("53.27"), YUSUF_CARD),
    ]
    assert store.changed_orders(before) == {"#W6247578"}
    (change,) = store.backend.changes()
    assert change["operation"] == "cancel_order" and change["customer_id"] == YUSUF

    shopper.say("what's the status of #W6247578 now?")
    assert "Order #W6247578 is cancelled." in shopper.text
    assert "Refund: $53.27" in shopper.text


@BOTH_CHANNELS
def test_modify_address_typed(store: Store, shopper: Shopper) -> None:
    before = store.snapshot()
    shopper.say("I need to change the shipping address of my order #W6247578")
    shopper.say(YUSUF_EMAIL)
    assert "What is the new address?" in shopper.text
    assert shopper.titles == [
        "Use my default address: 763 Broadway, Suite 135, Philadelphia, PA 19122, USA"
    ]
    shopper.say("445 Maple Drive, Suite 394, Fort Worth, TX 76165")
    assert "Ship order #W6247578 to: 445 Maple Drive, Suite 394, Fort Worth, TX 76165, USA" in (
        shopper.text
    )
    shopper.say("yes")
    assert "Order #W6247578 will ship to 445 Maple Drive" in shopper.text

    address = store.order("#W6247578").address
    assert (address.address1, address.address2, address.city, address.state, address.zip) == (
        "445 Maple Drive",
        "Suite 394",
        "Fort Worth",
        "TX",
        "76165",
    )
    assert store.changed_orders(before) == {"#W6247578"}
    # The account's default address is not the order's.
    assert store.customer(YUSUF).address == before[YUSUF]["customer"].address


@BOTH_CHANNELS
def test_an_order_can_be_sent_where_another_order_went(store: Store, shopper: Shopper) -> None:
    # "Send my LA order to my New York address; it's in my other order."
    shopper.say("I need to change the shipping address of my order #W6750959")
    shopper.say("I'm Yusuf Li, zip code 91148")
    assert "What is the new address?" in shopper.text
    offered = [t for t in shopper.titles if "New York" in t]
    assert offered == [
        "Use 476 Maple Drive, Suite 432, New York, NY 10093, USA "
        "(order #W3407479: E-Reader, Jigsaw Puzzle and 2 more)"
    ]
    shopper.click(offered[0])
    assert "Ship order #W6750959 to: 476 Maple Drive, Suite 432, New York, NY 10093" in shopper.text
    shopper.say("yes")
    moved = store.backend.get_order("#W6750959", customer_id="yusuf_li_7255")
    assert moved.address.city == "New York"


@BOTH_CHANNELS
def test_modify_payment_typed(store: Store, shopper: Shopper) -> None:
    before = store.snapshot()
    shopper.say("I want to change the payment method of my order #W5442520")
    shopper.say(OLIVIA_EMAIL)
    assert "Which payment method should the order use instead?" in shopper.text
    # Not the current Visa, and not the gift card: $56 does not cover $663.85.
    assert shopper.titles == ["PayPal"]
    shopper.say("PayPal please")
    assert "Pay order #W5442520 ($663.85) with your PayPal" in shopper.text
    shopper.say("yes")
    assert "Order #W5442520 is now paid with the new method." in shopper.text

    assert payments(store, "#W5442520") == [
        ("payment", Decimal("663.85"), OLIVIA_VISA),
        ("payment", Decimal("663.85"), OLIVIA_PAYPAL),
        ("refund", Decimal("663.85"), OLIVIA_VISA),
    ]
    assert store.order("#W5442520").status == "pending"
    assert store.changed_orders(before) == {"#W5442520"}
    assert store.balance(OLIVIA, OLIVIA_GIFT_CARD) == Decimal("56.00")


@BOTH_CHANNELS
def test_modify_items_typed(store: Store, shopper: Shopper) -> None:
    before = store.snapshot()
    shopper.say(
        "I want to change the Gaming Mouse in my pending order #W5442520 for a white wireless one"
    )
    shopper.say(OLIVIA_EMAIL)
    # The item was named: no "is that everything?" (the summary lists it before any change).
    assert "So far" not in shopper.text
    assert "For the Gaming Mouse: color: white, connectivity: wireless, $143.15." in shopper.text
    assert "Which payment method should pay or receive the price difference?" in shopper.text
    # A $5.83 difference: the $56 gift card may pay it.
    assert "gift card (balance $56.00)" in shopper.titles
    shopper.say("my gift card")
    assert "Gaming Mouse: color: black, connectivity: wired → color: white" in shopper.text
    assert "You pay the difference of $5.83 with your gift card" in shopper.text
    assert "can be changed only once" in shopper.text
    shopper.say("yes")
    assert "Order #W5442520 is updated (you pay $5.83 more)." in shopper.text

    order = store.order("#W5442520")
    assert order.status == "pending (items modified)"
    assert [item.item_id for item in order.items] == ["8896479688", "3111466194", "2648909398"]
    assert payments(store, "#W5442520")[-1] == ("payment", Decimal("5.83"), OLIVIA_GIFT_CARD)
    assert store.balance(OLIVIA, OLIVIA_GIFT_CARD) == Decimal("50.17")
    assert store.changed_orders(before) == {"#W5442520"}


@BOTH_CHANNELS
def test_return_typed(store: Store, shopper: Shopper) -> None:
    before = store.snapshot()
    shopper.say("I want to return the headphones from order #W2378156")
    shopper.say(YUSUF_EMAIL)
    assert "So far" not in shopper.text
    assert "Where should the refund go?" in shopper.text
    assert shopper.titles == ["Mastercard credit card ending 2478"]
    shopper.say("to the original card")
    assert "Return from order #W2378156: Headphones" in shopper.text
    assert "Refund: $342.81 to your Mastercard credit card ending 2478" in shopper.text
    shopper.say("yes")
    assert "The return for order #W2378156 is requested; $342.81 will be refunded" in (shopper.text)

    order = store.order("#W2378156")
    assert order.status == "return requested"
    assert order.return_items == ("4202497723",)
    assert order.return_payment_method_id == YUSUF_CARD
    # Refunded when the items come back: no payment line yet.
    assert payments(store, "#W2378156") == [("payment", Decimal("1819.92"), YUSUF_CARD)]
    assert store.changed_orders(before) == {"#W2378156"}


@BOTH_CHANNELS
def test_exchange_typed(store: Store, shopper: Shopper) -> None:
    before = store.snapshot()
    shopper.say("I want to exchange the Mechanical Keyboard from order #W2378156 for a clicky one")
    shopper.say(YUSUF_EMAIL)
    assert "So far" not in shopper.text
    assert "What would you like instead of the Mechanical Keyboard" in shopper.text
    assert "There are 4 available options." in shopper.text
    shopper.say("the clicky one, full size, with no backlight")
    assert "For the Mechanical Keyboard: switch type: clicky, backlight: none, $269.16." in (
        shopper.text
    )
    shopper.say("the credit card")
    assert "switch type: linear, backlight: RGB → switch type: clicky, backlight: none" in (
        shopper.text
    )
    assert "You get $3.17 back to your Mastercard credit card ending 2478." in shopper.text
    shopper.say("yes")
    assert "The exchange for order #W2378156 is requested (you get $3.17 back)." in shopper.text

    order = store.order("#W2378156")
    assert order.status == "exchange requested"
    assert order.exchange_items == ("1151293680",)
    assert order.exchange_new_items == ("7706410293",)
    assert order.exchange_payment_method_id == YUSUF_CARD
    assert order.exchange_price_difference == Decimal("-3.17")
    assert store.changed_orders(before) == {"#W2378156"}


def test_an_answer_to_the_options_offered_keeps_what_was_asked_before(
    store: Store, shopper: Shopper
) -> None:
    shopper.say("I want to exchange the Mechanical Keyboard from order #W2378156 for a clicky one")
    shopper.say(YUSUF_EMAIL)
    shopper.say("that's all")
    assert "There are 4 available options." in shopper.text
    offered = payloads(shopper)
    shopper.say("full size, with no backlight")
    # The one offered clicky keyboard that is full size without backlight.
    assert "7706410293" in offered
    assert "For the Mechanical Keyboard: switch type: clicky, backlight: none, $269.16." in (
        shopper.text
    )


@BOTH_CHANNELS
def test_change_default_address_typed(store: Store, shopper: Shopper) -> None:
    before = store.snapshot()
    shopper.say("I'd like to update the default address on my account.")
    shopper.say("I'm Yusuf Rossi, my zip is 19122")
    assert "What is the new address?" in shopper.text
    shopper.say("12 Oak Street, Apt 4, Austin, Texas 78701")
    assert "Change your default address to: 12 Oak Street, Apt 4, Austin, TX 78701, USA" in (
        shopper.text
    )
    shopper.say("yes")
    assert "Your default address is now 12 Oak Street, Apt 4, Austin, TX 78701, USA." in (
        shopper.text
    )

    address = store.customer(YUSUF).address
    assert address is not None
    assert (address.address1, address.address2, address.city, address.state, address.zip) == (
        "12 Oak Street",
        "Apt 4",
        "Austin",
        "TX",
        "78701",
    )
    # The orders keep the address they ship to.
    assert store.changed_orders(before) == set()
    (change,) = store.backend.changes()
    assert change["operation"] == "modify_customer_address" and change["order_id"] is None


def test_return_by_clicking_only(store: Store, shopper: Shopper) -> None:
    """After the request and the email, every answer is a payload offered in the last reply."""
    before = store.snapshot()
    shopper.say("I want to return items from an order")
    shopper.say(OLIVIA_EMAIL)
    # Her only delivered order: nothing to choose (the summary names it before any change).
    assert "Which order" not in shopper.text
    assert "Which items from order #W5866402 would you like to return?" in shopper.text
    shopper.click("Sneakers")
    assert "So far: Sneakers (size: 11, color: black, material: synthetic)" in shopper.text
    shopper.click("That's all")
    # The original PayPal or the gift card; never the Visa.
    assert sorted(shopper.titles) == ["PayPal", "gift card (balance $56.00)"]
    shopper.click("gift card")
    assert "Refund: $207.75 to your gift card" in shopper.text
    (summary,) = shopper.cards("change_summary")
    assert summary["flow"] == "return_order"
    shopper.click("Yes, go ahead")
    assert "The return for order #W5866402 is requested; $207.75 will be refunded" in (shopper.text)

    order = store.order("#W5866402")
    assert order.status == "return requested"
    assert order.return_items == ("9727387530",)
    assert order.return_payment_method_id == OLIVIA_GIFT_CARD
    # The gift card gets the refund when the sneakers are back, not now.
    assert store.balance(OLIVIA, OLIVIA_GIFT_CARD) == Decimal("56.00")
    assert store.changed_orders(before) == {"#W5866402"}


def test_exchange_by_clicking_only(store: Store, shopper: Shopper) -> None:
    before = store.snapshot()
    shopper.say("I want to exchange an item")
    shopper.say(YUSUF_EMAIL)
    shopper.click("#W2378156")
    shopper.click("Smart Thermostat")
    shopper.click("That's all")
    assert "What would you like instead of the Smart Thermostat" in shopper.text
    shopper.click("Google Assistant")
    assert "Which payment method should pay or receive the price difference?" in shopper.text
    shopper.click("Mastercard")
    assert "You get $13.46 back to your Mastercard credit card ending 2478." in shopper.text
    shopper.click("Yes, go ahead")
    assert "The exchange for order #W2378156 is requested (you get $13.46 back)." in shopper.text

    order = store.order("#W2378156")
    assert order.status == "exchange requested"
    assert (order.exchange_items, order.exchange_new_items) == (("4983901480",), ("7747408585",))
    assert store.changed_orders(before) == {"#W2378156"}


# -- 4. confirmation, denial and a change of mind ---------------------------------------------


def test_no_at_the_confirmation_changes_nothing(store: Store, shopper: Shopper) -> None:
    before = store.snapshot()
    shopper.say("I want to cancel my order #W6247578, I ordered it by mistake")
    shopper.say(YUSUF_EMAIL)
    assert CONFIRM in shopper.text and "Reason: ordered by mistake" in shopper.text
    shopper.say("no")
    assert "Okay, I haven't changed anything." in shopper.text

    # And a return, declined by clicking "No".
    shopper.say("I want to return the smart watch from order #W2378156")
    shopper.say("that's all")
    shopper.say("the original card")
    assert CONFIRM in shopper.text and "Smart Watch" in shopper.text
    shopper.click("No")
    assert "Okay, I haven't changed anything." in shopper.text

    assert store.snapshot() == before
    assert store.backend.changes() == []


def test_a_corrected_order_id_changes_the_corrected_order_only(
    store: Store, shopper: Shopper
) -> None:
    before = store.snapshot()
    shopper.say("I want to cancel my order #W6247578")
    shopper.say(YUSUF_EMAIL)
    shopper.say("no longer needed")
    assert "Cancel order #W6247578 (T-Shirt)" in shopper.text
    shopper.say("sorry, I meant order #W4776164")
    # The reason the shopper gave still stands; only the order changes.
    assert "What is the reason for cancelling" not in shopper.text
    assert "Cancel order #W4776164 (T-Shirt, Espresso Machine)" in shopper.text
    assert "Reason: no longer needed" in shopper.text
    assert "#W6247578" not in shopper.text
    assert "Refund: $2,772.44" in shopper.text
    shopper.say("yes")
    assert "Order #W4776164 is cancelled" in shopper.text

    assert store.order("#W4776164").status == "cancelled"
    assert store.order("#W6247578") == before[YUSUF]["orders"]["#W6247578"]
    assert store.changed_orders(before) == {"#W4776164"}
    (change,) = store.backend.changes()
    assert change["order_id"] == "#W4776164"
    assert change["arguments"]["reason"] == "no longer needed"


# -- 5. policy refusals ----------------------------------------------------------------------


def test_cancelling_a_delivered_order_is_refused(store: Store, shopper: Shopper) -> None:
    before = store.snapshot()
    shopper.say("Please cancel my order #W6679257")
    shopper.say(YUSUF_EMAIL)
    # Once delivered, sending it back is how it is undone: that is offered, nothing is done.
    assert (
        "Order #W6679257 is delivered, so I can't cancel it, but I can return items from it "
        "instead." in shopper.text
    )
    shopper.say("no thanks")
    assert store.snapshot() == before and store.backend.changes() == []


def test_a_refund_goes_only_to_the_original_method_or_a_gift_card(
    store: Store, shopper: Shopper
) -> None:
    before = store.snapshot()
    shopper.say("I want to return the sneakers from order #W5866402")
    shopper.say(OLIVIA_EMAIL)
    shopper.say("that's all")
    assert "Where should the refund go?" in shopper.text
    assert OLIVIA_VISA not in payloads(shopper)
    shopper.say("to my credit card")
    assert (
        "I can't use that payment method here: refunds go to the original payment method or a "
        "gift card." in shopper.text
    )
    # A hand-written payload naming the Visa is refused too.
    shopper.say(f'/inform{{"payment_method_id":"{OLIVIA_VISA}"}}')
    assert "I can't use that payment method here" in shopper.text
    assert CONFIRM not in shopper.text
    shopper.click("PayPal")
    assert "Refund: $207.75 to your PayPal" in shopper.text
    shopper.say("no")
    assert store.snapshot() == before and store.backend.changes() == []


def test_a_gift_card_too_small_for_the_difference_is_not_offered(
    store: Store, shopper: Shopper
) -> None:
    before = store.snapshot()
    shopper.say(
        "I want to change the Wristwatch in my pending order #W7941031 for one with a metal "
        "strap and a black dial"
    )
    shopper.say(OLIVIA_EMAIL)
    assert "For the Wristwatch: strap material: metal, dial color: black, $2,127.62." in (
        shopper.text
    )
    # $142.32 more: the $56 gift card cannot pay it.
    assert sorted(shopper.titles) == ["PayPal", "Visa credit card ending 9182"]
    shopper.say("my gift card")
    assert "I can't use that payment method here: a gift card must cover the price difference" in (
        shopper.text
    )
    shopper.say(f'/inform{{"payment_method_id":"{OLIVIA_GIFT_CARD}"}}')
    assert "I can't use that payment method here" in shopper.text
    assert CONFIRM not in shopper.text
    shopper.click("Visa")
    assert "You pay the difference of $142.32 with your Visa credit card ending 9182." in (
        shopper.text
    )
    shopper.say("yes")
    assert "Order #W7941031 is updated (you pay $142.32 more)." in shopper.text

    assert payments(store, "#W7941031")[-1] == ("payment", Decimal("142.32"), OLIVIA_VISA)
    assert store.balance(OLIVIA, OLIVIA_GIFT_CARD) == Decimal("56.00")
    assert store.changed_orders(before) == {"#W7941031"}


# -- 6. an idempotent retry ------------------------------------------------------------------


def test_a_resent_yes_is_applied_once(store: Store, shopper: Shopper) -> None:
    shopper.say("I want to cancel my order #W6247578, it's no longer needed", message_id="m1")
    shopper.say(YUSUF_EMAIL, message_id="m2")
    assert CONFIRM in shopper.text
    first = shopper.say("yes", message_id="m3")
    # The widget did not see the answer and sends the same message again.
    again = shopper.say("yes", message_id="m3")
    assert again == first
    assert "Order #W6247578 is cancelled" in shopper.text
    assert [p for p in payments(store, "#W6247578") if p[0] == "refund"] == [
        ("refund", Decimal("53.27"), YUSUF_CARD)
    ]
    assert len(store.backend.changes()) == 1
