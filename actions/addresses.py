"""Addresses from the shopper's words ("445 Maple Drive, Suite 394, Fort Worth, TX 76165")
and the addresses the store already knows for them, offered as buttons."""

from __future__ import annotations

import re
from collections.abc import Sequence

import zipcodes

from assistant.backends.orders import AddressView, CustomerView, OrderView
from assistant.config.store import OrderIds

STATES = {
    "alabama": "AL",
    "alaska": "AK",
    "arizona": "AZ",
    "arkansas": "AR",
    "california": "CA",
    "colorado": "CO",
    "connecticut": "CT",
    "delaware": "DE",
    "florida": "FL",
    "georgia": "GA",
    "hawaii": "HI",
    "idaho": "ID",
    "illinois": "IL",
    "indiana": "IN",
    "iowa": "IA",
    "kansas": "KS",
    "kentucky": "KY",
    "louisiana": "LA",
    "maine": "ME",
    "maryland": "MD",
    "massachusetts": "MA",
    "michigan": "MI",
    "minnesota": "MN",
    "mississippi": "MS",
    "missouri": "MO",
    "montana": "MT",
    "nebraska": "NE",
    "nevada": "NV",
    "new hampshire": "NH",
    "new jersey": "NJ",
    "new mexico": "NM",
    "new york": "NY",
    "north carolina": "NC",
    "north dakota": "ND",
    "ohio": "OH",
    "oklahoma": "OK",
    "oregon": "OR",
    "pennsylvania": "PA",
    "rhode island": "RI",
    "south carolina": "SC",
    "south dakota": "SD",
    "tennessee": "TN",
    "texas": "TX",
    "utah": "UT",
    "vermont": "VT",
    "virginia": "VA",
    "washington": "WA",
    "west virginia": "WV",
    "wisconsin": "WI",
    "wyoming": "WY",
    "district of columbia": "DC",
}
_CODES = set(STATES.values())
_COUNTRIES = {"usa", "us", "u.s.", "u.s.a.", "united states", "united states of america"}
_UNIT = re.compile(
    r"^(suite|ste\.?|apt\.?|apartment|unit|floor|fl\.?|room|#|building|bldg)\b", re.IGNORECASE
)
_STREET = re.compile(r"(?:^|\s)\d+[A-Za-z]?\s+\S")
_STATE_ZIP = re.compile(r"^(?:(?P<state>[A-Za-z .]+?)\s+)?(?P<zip>\d{5})(?:-\d{4})?$")


def state_of(zip_code: str, city: str) -> str | None:
    """The state of a US zip code, when the city is one the zip code serves."""
    named = city.strip().lower()
    for place in zipcodes.matching(zip_code):  # type: ignore[no-untyped-call]
        cities = [place.get("city", ""), *(place.get("acceptable_cities") or [])]
        if named in {str(c).lower() for c in cities}:
            return str(place["state"])
    return None


def _state_code(text: str) -> str | None:
    cleaned = text.strip().rstrip(".")
    if cleaned.upper() in _CODES:
        return cleaned.upper()
    return STATES.get(cleaned.lower())


# An address typed without commas: "77 birch st apt 3 charlotte nc 28205". The street ends
# at its suffix; a unit may follow; the city is what comes before the two-letter state.
_STREET_SUFFIX = (
    r"st|street|ave|avenue|rd|road|dr|drive|ln|lane|blvd|boulevard|way|ct|court|pl|place|"
    r"ter|terrace|hwy|highway|pkwy|parkway|cir|circle|trl|trail|sq|square"
)
_LOOSE = re.compile(
    rf"(?P<street>\d+[a-z]?\s+(?:[a-z0-9'.-]+\s+){{0,4}}?(?:{_STREET_SUFFIX})\.?)\s+"
    r"(?:(?P<unit>(?:suite|ste|apt|apartment|unit|#)\.?\s*#?\w+)\s+)?"
    r"(?P<city>[a-z][a-z .'-]*?),?\s+(?P<state>[a-z]{2})\.?,?\s+(?P<zip>\d{5})(?:-\d{4})?\b",
    re.IGNORECASE,
)


def _loose_address(text: str) -> AddressView | None:
    match = _LOOSE.search(text)
    state = _state_code(match.group("state")) if match else None
    if match is None or state is None:
        return None
    return AddressView(
        address1=match.group("street").rstrip(".").title(),
        address2=(match.group("unit") or "").title(),
        city=match.group("city").strip().title(),
        state=state,
        country="USA",
        zip=match.group("zip"),
    )


def parse_address(text: str) -> AddressView | None:
    """A US address with street, optional unit, city, state and zip; None when incomplete."""
    if "," not in text and "\n" not in text:
        return _loose_address(text)
    # Words after the zip code ("..., NY 10107 instead") are not part of the address.
    text = re.sub(r"(\b\d{5}(?:-\d{4})?)\b[^\d\n]*$", r"\1", text.strip())
    parts = [p.strip() for p in re.split(r"[,\n;]+", text) if p.strip()]
    # The street starts at the first part that begins with a house number.
    start = next((i for i, p in enumerate(parts) if _STREET.search(p)), None)
    if start is None:
        return None
    first = parts[start][_STREET.search(parts[start]).start() :].strip()  # type: ignore[union-attr]
    parts = [first, *parts[start + 1 :]]
    country = "USA"
    if parts and parts[-1].lower() in _COUNTRIES:
        parts.pop()
    state = zip_code = None
    named_state: str | None = None
    while parts and (state is None or zip_code is None):
        tail = parts[-1].rstrip(".")
        match = _STATE_ZIP.match(tail)
        if match and zip_code is None:
            zip_code = match.group("zip")
            if match.group("state"):
                state = _state_code(match.group("state"))
                if state is None:
                    return None
            parts.pop()
        elif state is None and _state_code(tail):
            state = _state_code(tail)
            named_state = parts.pop()
        else:
            break
    if len(parts) == 1 and named_state is not None and zip_code is not None:
        # "101 Highway, New York, 10001": New York is the city; the zip code says the state.
        parts.append(named_state)
        state = None
    if zip_code is None or len(parts) < 2:
        return None
    address1, *middle = parts[:-1]
    city = parts[-1]
    # "101 Highway, New York, 10001": the state the zip code and the city are in.
    state = state or state_of(zip_code, city)
    if state is None:
        return None
    if len(middle) > 1 or (middle and not _UNIT.match(middle[0])):
        return None
    return AddressView(
        address1=address1,
        address2=middle[0] if middle else "",
        city=city,
        state=state,
        country=country,
        zip=zip_code,
    )


def address_buttons(
    flow: str, customer: CustomerView, orders: Sequence[OrderView]
) -> dict[str, tuple[str, AddressView]]:
    """Known addresses to offer: the orders' ones for the default (e.g. "use the address my
    last order went to"); the default one and the other orders' ones for an order."""
    options: dict[str, tuple[str, AddressView]] = {}
    seen = {customer.address} if customer.address is not None else set()
    if flow != "change_default_address" and customer.address is not None:
        # An order can go to the default address, or to where another order went ("ship it
        # to my New York address, it's in my other order").
        options["default"] = (
            f"Use my default address: {customer.address.one_line()}",
            customer.address,
        )
    for order in orders:
        if order.address not in seen:
            seen.add(order.address)
            # The order by what it holds too: shoppers know their orders by their items.
            names = list(dict.fromkeys(item.name for item in order.items))
            held = ", ".join(names[:2]) + (f" and {len(names) - 2} more" if len(names) > 2 else "")
            options[f"order:{order.id}"] = (
                f"Use {order.address.one_line()} (order {order.id}: {held})",
                order.address,
            )
    return dict(list(options.items())[:8])


# "The address on my account", "my default address", "the usual one".
_DEFAULT_WORDS = re.compile(
    r"\b(?:(?:default|usual|normal|home|registered|account'?s?|current|profile)\s+address"
    r"|address (?:on|in|of) (?:my|the) (?:account|profile|file)|(?:address )?on file)\b",
    re.IGNORECASE,
)


def known_address_named(
    text: str,
    options: dict[str, tuple[str, AddressView]],
    *,
    changing: str | None = None,
    orders: Sequence[OrderView] = (),
    order_ids: OrderIds | None = None,
) -> str | None:
    """Which offered address the words name, if exactly one: the default ("the address on my
    account"), another order's ("same as order #W1234567"), or the only one in a city the
    words name ("my New York address"). Never the address of the order being changed, and
    nothing from a button's payload."""
    if text.startswith("/"):
        return None
    options = {key: value for key, value in options.items() if key != f"order:{changing}"}
    if "default" in options and _DEFAULT_WORDS.search(text):
        return "default"
    numbers = set((order_ids or OrderIds()).find_all(text))
    # "The same as order #W8277957": the offered address that order went to, which may be
    # offered as the default one.
    went_to = {o.address for o in orders if o.id in numbers and o.id != changing}
    named = [
        key
        for key, (_, address) in options.items()
        if key.removeprefix("order:") in numbers or address in went_to
    ]
    if len(named) == 1:
        return named[0]
    lowered = text.lower()
    in_city = {
        key
        for key, (_, address) in options.items()
        if re.search(rf"\b{re.escape(address.city.lower())}\b", lowered)
    }
    cities = {options[key][1].one_line() for key in in_city}
    return next(iter(in_city)) if len(cities) == 1 else None
