"""The search cases of `assistant eval search`: their file format, their checks, and the
reference filter over the demo catalog that turns a case's stated search into item ids.

A case is what a shopper types over a few turns and the search it should end with, stated
declaratively (products, option values, price bounds, in stock; or `none`). A follow-up case
may also say what its last reply must be (`expect_reply`): `comparison` (a comparison table),
`details` (one product's details) or `cart` (an item added to the cart). The expected set is
computed from `knowledge_base/store/db.json` by a plain filter written here, sharing no code
with `assistant/search/`, so a misreading in the search cannot hide in its own reference.
Unknown products, options or values, an expectation that matches nothing (write `none`), or
a malformed file raise `SearchCaseError`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from assistant.errors import AisleError

# The packaged case files: the first written with the search, the second from the catalog
# and shoppers' own words; each is scored on its own.
CASE_FILES = {
    "search_cases": "search_cases.yml",
    "shoppers": "search_cases_shoppers.yml",
}
DEFAULT_CASES = "assistant/eval/data/search_cases.yml"
CATEGORIES = (
    "single",
    "refine",
    "option_change",
    "relax",
    "switch",
    "no_results",
    "relative",
    "follow_up",
)
REPLIES = ("comparison", "details", "cart")
_EXPECT_KEYS = {"product", "options", "min_price", "max_price", "in_stock"}


class SearchCaseError(AisleError):
    """The search cases are missing or malformed, or name what the catalog does not have."""

    status_code = 422
    code = "invalid_search_cases"


# -- the reference catalog ---------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogVariant:
    item_id: str
    product: str
    options: Mapping[str, str]
    price: Decimal
    available: bool


def load_catalog(path: Path) -> list[CatalogVariant]:
    """Every variant of the demo store's seed file, read directly."""
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        products = raw["products"].values()
        return [
            CatalogVariant(
                item_id=str(variant["item_id"]),
                product=str(product["name"]),
                options={str(k): str(v) for k, v in variant["options"].items()},
                price=Decimal(str(variant["price"])),
                available=bool(variant["available"]),
            )
            for product in products
            for variant in product["variants"].values()
        ]
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise SearchCaseError(f"{path}: cannot read the catalog: {exc}") from exc


# -- cases ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Expectation:
    """What the search should end with; `none`: nothing matches."""

    none: bool = False
    products: frozenset[str] = frozenset()
    options: Mapping[str, frozenset[str]] = field(default_factory=dict)
    min_price: Decimal | None = None
    max_price: Decimal | None = None
    in_stock: bool = False

    def as_dict(self) -> dict[str, Any] | str:
        if self.none:
            return "none"
        stated: dict[str, Any] = {"product": sorted(self.products)} if self.products else {}
        if self.options:
            stated["options"] = {name: sorted(values) for name, values in self.options.items()}
        for name in ("min_price", "max_price"):
            if getattr(self, name) is not None:
                stated[name] = str(getattr(self, name))
        return stated | ({"in_stock": True} if self.in_stock else {})


@dataclass(frozen=True)
class SearchCase:
    id: str
    category: str
    turns: tuple[str, ...]
    expect: Expectation
    # What the last reply must show: one of REPLIES, or None (the search only).
    expect_reply: str | None = None


def expected_items(expect: Expectation, catalog: Sequence[CatalogVariant]) -> frozenset[str]:
    """The item ids meeting every stated constraint."""
    if expect.none:
        return frozenset()
    found = set()
    for variant in catalog:
        if expect.products and variant.product not in expect.products:
            continue
        if any(variant.options.get(name) not in wanted for name, wanted in expect.options.items()):
            continue
        if expect.min_price is not None and variant.price < expect.min_price:
            continue
        if expect.max_price is not None and variant.price > expect.max_price:
            continue
        if expect.in_stock and not variant.available:
            continue
        found.add(variant.item_id)
    return frozenset(found)


def packaged_cases(name: str) -> Path:
    """Where a packaged case file (a value of CASE_FILES) lies."""
    return Path(str(resources.files("assistant.eval").joinpath(f"data/{name}")))


def load_cases(
    path: Path | None, catalog: Sequence[CatalogVariant], *, packaged: str = "search_cases.yml"
) -> list[SearchCase]:
    """The cases of `path` (default: the packaged file `packaged`), checked against the
    catalog."""
    if path is None:
        text = resources.files("assistant.eval").joinpath(f"data/{packaged}")
        where, source = f"assistant/eval/data/{packaged}", text.read_text(encoding="utf-8")
    else:
        where = str(path)
        try:
            source = path.read_text(encoding="utf-8")
        except OSError as exc:
            raise SearchCaseError(f"{where}: cannot read the cases: {exc}") from exc
    try:
        loaded = yaml.safe_load(source)
    except yaml.YAMLError as exc:
        raise SearchCaseError(f"{where}: not YAML: {exc}") from exc
    entries = loaded.get("cases") if isinstance(loaded, dict) else None
    if not isinstance(entries, list) or not entries:
        raise SearchCaseError(f"{where}: expected a mapping with a non-empty list `cases`")
    cases: list[SearchCase] = []
    for number, entry in enumerate(entries, 1):
        case = _case(entry, f"{where}: case {number}", catalog)
        if any(c.id == case.id for c in cases):
            raise SearchCaseError(f"{where}: case id {case.id!r} is used twice")
        cases.append(case)
    return cases


def _case(entry: Any, where: str, catalog: Sequence[CatalogVariant]) -> SearchCase:
    if not isinstance(entry, dict):
        raise SearchCaseError(f"{where}: expected a mapping")
    case_id = entry.get("id")
    if not isinstance(case_id, str) or not case_id.strip():
        raise SearchCaseError(f"{where}: needs an id")
    where = f"{where} ({case_id})"
    category = entry.get("category")
    if category not in CATEGORIES:
        raise SearchCaseError(f"{where}: category must be one of {', '.join(CATEGORIES)}")
    turns = entry.get("turns")
    if (
        not isinstance(turns, list)
        or not turns
        or not all(isinstance(t, str) and t.strip() for t in turns)
    ):
        raise SearchCaseError(f"{where}: turns must be a non-empty list of messages")
    if "expect" not in entry:
        raise SearchCaseError(f"{where}: needs expect")
    expect = _expectation(entry["expect"], where, catalog)
    if not expect.none and not expected_items(expect, catalog):
        raise SearchCaseError(f"{where}: expect matches nothing in the catalog; write `none`")
    reply = entry.get("expect_reply")
    if reply is not None and reply not in REPLIES:
        raise SearchCaseError(f"{where}: expect_reply must be one of {', '.join(REPLIES)}")
    if reply is not None and len(turns) < 2:
        raise SearchCaseError(f"{where}: expect_reply needs a turn that shows products first")
    return SearchCase(case_id, str(category), tuple(turns), expect, reply)


def _expectation(raw: Any, where: str, catalog: Sequence[CatalogVariant]) -> Expectation:
    if raw == "none":
        return Expectation(none=True)
    if not isinstance(raw, dict) or not raw:
        raise SearchCaseError(f"{where}: expect must be `none` or a mapping of constraints")
    unknown = set(raw) - _EXPECT_KEYS
    if unknown:
        raise SearchCaseError(f"{where}: unknown expect keys {sorted(unknown)}")
    names = {variant.product for variant in catalog}
    products = frozenset(_names(raw.get("product", []), f"{where}: product"))
    if products - names:
        raise SearchCaseError(f"{where}: no product named {sorted(products - names)}")
    scope = [v for v in catalog if not products or v.product in products]
    options: dict[str, frozenset[str]] = {}
    raw_options = raw.get("options", {})
    if not isinstance(raw_options, dict):
        raise SearchCaseError(f"{where}: options must map option names to values")
    for name, values in raw_options.items():
        offered = {v.options[str(name)] for v in scope if str(name) in v.options}
        if not offered:
            raise SearchCaseError(f"{where}: no option {name!r} for {sorted(products) or 'any'}")
        wanted = frozenset(_names(values, f"{where}: option {name!r}"))
        if wanted - offered:
            unknown_values = sorted(wanted - offered)
            raise SearchCaseError(f"{where}: option {name!r} has no value {unknown_values}")
        options[str(name)] = wanted
    low = _bound(raw.get("min_price"), f"{where}: min_price")
    high = _bound(raw.get("max_price"), f"{where}: max_price")
    if low is not None and high is not None and low > high:
        raise SearchCaseError(f"{where}: min_price is above max_price")
    if "in_stock" in raw and raw["in_stock"] is not True:
        raise SearchCaseError(f"{where}: in_stock is `true` or left out")
    return Expectation(False, products, dict(sorted(options.items())), low, high, "in_stock" in raw)


def _names(raw: Any, where: str) -> list[str]:
    """One name or a non-empty list of them; numbers are names too (`size: 10`)."""
    items = raw if isinstance(raw, list) else [raw]
    if not items or not all(isinstance(i, str | int) and not isinstance(i, bool) for i in items):
        raise SearchCaseError(f"{where}: expected a name or a list of names (quote yes/no)")
    return [str(i) for i in items]


def _bound(raw: Any, where: str) -> Decimal | None:
    if raw is None:
        return None
    if isinstance(raw, int | float | str) and not isinstance(raw, bool):
        try:
            value = Decimal(str(raw))
        except InvalidOperation:
            value = Decimal("NaN")
        if value.is_finite() and value >= 0:
            return value
    raise SearchCaseError(f"{where}: not a price: {raw!r}")


# -- the reply a follow-up expects ----------------------------------------------------------------


def reply_shown(expect: str, turns: Sequence[Sequence[dict[str, Any]]]) -> bool:
    """Whether the last turn's messages hold the reply `expect` names, about items that the
    earlier turns showed as cards: a comparison of at least two, one item's details, or one
    added to the cart. `turns` are each turn's messages in their wire form."""
    *before, last = turns
    shown = {
        str(item["item_id"])
        for messages in before
        for custom in _customs(messages)
        for item in [*custom.get("cards", ()), *custom.get("items", ())]
        if isinstance(item, dict) and "item_id" in item
    }
    for custom in _customs(last):
        kind = custom.get("type")
        if expect == "comparison" and kind == "product_comparison":
            items = [str(item.get("item_id")) for item in custom.get("items", ())]
            if len(set(items)) >= 2 and set(items) <= shown:
                return True
        if expect == "details" and kind == "product_cards" and custom.get("detail"):
            cards = custom.get("cards", ())
            if len(cards) == 1 and str(cards[0].get("item_id")) in shown:
                return True
        if expect == "cart" and kind == "add_to_cart" and str(custom.get("item_id")) in shown:
            return True
    return False


def _customs(messages: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    return [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]
