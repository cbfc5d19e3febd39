"""Authentication: by email, or by first name, last name and zip code, before any order talk.

`action_authenticate` is the ask step of every order flow's `customer_id` slot: it reads what
the shopper already said (an email, or a name with a zip code), looks the customer up, and
only asks when that is not enough. Once a customer is set it stays for the conversation (one
shopper per conversation): later identities are not looked up, and another customer's orders
are "not found" for this one.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.addresses import parse_address
from actions.common import (
    call,
    entity_values,
    latest_intent,
    latest_text,
    orders,
    texts_since_flow_start,
)
from actions.names import name_pairs
from assistant.backends.orders import CustomerNotFound

_ZIP = re.compile(r"(?<![\w#@.-])(\d{5})(?:-\d{4})?(?![\w@])")
_EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def _emails(tracker: Tracker, text: str) -> list[str]:
    found = [str(v).lower() for v in entity_values(tracker, "email")]
    found += [e.lower() for e in _EMAIL.findall(text)]
    return list(dict.fromkeys(found))


_FORGOT = re.compile(
    r"\b(?:do ?n'?t|do not|can'?t|cannot|no) (?:remember|recall|know|idea)\b|\bforg[oe]t\b",
    re.IGNORECASE,
)


class ActionAuthenticate(Action):
    def name(self) -> str:
        return "action_authenticate"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        if tracker.get_slot("customer_id"):
            return []
        text = latest_text(tracker)
        backend = orders()
        tried: list[str] = []
        for email in _emails(tracker, text):
            try:
                customer_id = await call(backend.find_customer_by_email, email)
            except CustomerNotFound:
                tried.append(email)
                continue
            return await self._welcome(dispatcher, customer_id)
        address = parse_address(text)
        # The zip code of an address the shopper gives ("change it to 101 Highway, New York,
        # 10001") is not theirs to sign in with.
        zips = [
            m.group(1) for m in _ZIP.finditer(text) if address is None or m.group(1) != address.zip
        ]
        ids = backend.order_ids
        pairs = name_pairs(text, ids)
        if zips and not pairs:
            # "Sorry, the zip is 98187" after a name and zip not found: the name said before.
            earlier = texts_since_flow_start(tracker)[:-1]
            pairs = next(
                (found for said in reversed(earlier) if (found := name_pairs(said, ids))), []
            )
        for zip_code in zips:
            for first, last in pairs:
                try:
                    customer_id = await call(
                        backend.find_customer_by_name_zip, first, last, zip_code
                    )
                except CustomerNotFound:
                    continue
                return await self._welcome(dispatcher, customer_id)
        if tried:
            dispatcher.utter_message(response="utter_auth_email_not_found", email=tried[0])
        elif _FORGOT.search(text):
            # "I don't remember which email I used": the other way in, or a person.
            dispatcher.utter_message(response="utter_auth_forgotten")
        elif zips and pairs:
            # What was tried, so a second try with another zip code reads as a new answer.
            dispatcher.utter_message(
                response="utter_auth_name_not_found",
                name=" ".join(pairs[0]),
                zip_code=zips[0],
            )
        elif zips or (pairs and latest_intent(tracker) == "inform"):
            # A zip alone, or what looks like only a name: say what else is needed.
            dispatcher.utter_message(response="utter_auth_incomplete")
        else:
            dispatcher.utter_message(response="utter_ask_customer_id")
        return []

    async def _welcome(self, dispatcher: CollectingDispatcher, customer_id: str) -> list[EventType]:
        customer = await call(orders().get_customer, customer_id)
        dispatcher.utter_message(response="utter_authenticated", first_name=customer.first_name)
        return [SlotSet("customer_id", customer_id), SlotSet("customer_name", customer.first_name)]


class ActionSignIn(Action):
    """A message no flow took that says who the shopper is ("my email is …", a name with a
    zip code) signs them in, as an order flow would, and asks what they want; a message that
    does not is left to the fallback's next step."""

    def name(self) -> str:
        return "action_sign_in"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        text = latest_text(tracker)
        named = bool(_ZIP.search(text)) and bool(name_pairs(text, orders().order_ids))
        if tracker.get_slot("customer_id") or not (_emails(tracker, text) or named):
            return []
        events = await ActionAuthenticate().run(dispatcher, tracker, domain)
        if any(isinstance(e, dict) and e.get("name") == "customer_id" for e in events):
            dispatcher.utter_message(response="utter_signed_in")
        return [*events, ActiveLoop(None)]
