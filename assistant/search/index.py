"""The catalog, indexed for search on every turn: product names by their keys, each option
value's variants, prices and availability as arrays. Built once from the backend's product
views (`CatalogIndex(products)`); a search is then a few lookups and array operations, whatever
the catalog's size.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np
import numpy.typing as npt

from assistant.backends.orders import ProductView, VariantView
from assistant.search.filters import Vocabulary
from assistant.search.followups import sized
from assistant.search.terms import SearchTerms
from assistant.search.words import ValueReader, grams, name_keys, singular, words

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class Hit:
    product: ProductView
    variant: VariantView

    @property
    def item_id(self) -> str:
        return self.variant.item_id


class CatalogIndex:
    """Every variant of every product, searchable by `SearchTerms`.

    `popularity` (item id → how often it sold) orders results no sort was asked for: in stock
    first, then best-selling, then cheaper, then by item id, so a search is deterministic.
    """

    def __init__(
        self, products: Iterable[ProductView], *, popularity: Mapping[str, float] | None = None
    ) -> None:
        self.products = tuple(products)
        sold = popularity or {}
        rows: list[tuple[int, int]] = []
        for p, product in enumerate(self.products):
            rows.extend((p, v) for v in range(len(product.variants)))
        self._rows = rows
        self.item_ids = [self.products[p].variants[v].item_id for p, v in rows]
        self.item_ids_array = np.array(self.item_ids)
        self.position = {item: row for row, item in enumerate(self.item_ids)}
        self.product_of: IntArray = np.array([p for p, _ in rows], dtype=np.int64)
        variants = [self.products[p].variants[v] for p, v in rows]
        self.price = np.array([float(v.price) for v in variants], dtype=np.float64)
        self.available = np.array([v.available for v in variants], dtype=np.bool_)
        self.sold = np.array([float(sold.get(v.item_id, 0.0)) for v in variants])
        # Default order: in stock, best-selling, cheaper, item id.
        self._order: IntArray = np.lexsort(
            (self.item_ids_array, self.price, -self.sold, ~self.available)
        ).astype(np.int64)
        self._rank = np.empty(len(rows), dtype=np.int64)
        self._rank[self._order] = np.arange(len(rows))

        self._by_name: dict[str, list[int]] = {}
        self._full_keys: dict[str, set[str]] = {}
        self._head_keys: dict[str, set[str]] = {}
        self._product_position = {product.id: p for p, product in enumerate(self.products)}
        self._options_of: dict[str, set[str]] = {}
        self._pairs_of: dict[str, set[tuple[str, str]]] = {}
        for p, product in enumerate(self.products):
            self._by_name.setdefault(product.name, []).append(p)
            pairs = {
                (str(name), str(value))
                for variant in product.variants
                for name, value in variant.options.items()
            }
            self._pairs_of.setdefault(product.name, set()).update(pairs)
            self._options_of.setdefault(product.name, set()).update(name for name, _ in pairs)
            full, head = name_keys(product.name)
            self._full_keys.setdefault(full, set()).add(product.name)
            if head:
                self._head_keys.setdefault(head, set()).add(product.name)

        postings: dict[tuple[str, str], list[int]] = {}
        for row, variant in enumerate(variants):
            for name, value in variant.options.items():
                postings.setdefault((str(name), str(value)), []).append(row)
        self._postings = {pair: np.array(r, dtype=np.int64) for pair, r in postings.items()}
        vocabulary: dict[str, set[str]] = {}
        for name, value in self._postings:
            vocabulary.setdefault(name, set()).add(value)
        self._reader = ValueReader(vocabulary)
        # Every word of the catalog's names, options and values, singular.
        self.catalog_words = {
            singular(w)
            for text in [
                *self._by_name,
                *vocabulary,
                *(v for vs in vocabulary.values() for v in vs),
            ]
            for w in words(text)
        }
        # Options whose values are sizes ("a bigger one"), learned from the values.
        self.size_options = frozenset(
            name.lower() for name, values in vocabulary.items() if sized(values)
        )
        self.vocabulary = Vocabulary(
            tuple(sorted(self._by_name)),
            {name: tuple(sorted(values)) for name, values in sorted(vocabulary.items())},
        )

    def __len__(self) -> int:
        return len(self._rows)

    # -- reading text ------------------------------------------------------------------------

    def named_products(self, text: str) -> frozenset[str]:
        """The products a text names: by full name when it names any ("tea kettle"), else by
        head noun ("kettle": every kettle)."""
        found = grams(text)
        full = {name for key in found for name in self._full_keys.get(key, ())}
        if full:
            # "smart watch" names Smart Watch, not every watch.
            longest = max(len(name_keys(name)[0]) for name in full)
            return frozenset(n for n in full if len(name_keys(n)[0]) == longest)
        return frozenset(name for key in found for name in self._head_keys.get(key, ()))

    def mentioned_values(self, text: str, *, within: Iterable[str] = ()) -> dict[str, set[str]]:
        """Option values the text names. With `within` products, read as theirs: a value they
        come in wins over the same words read as another product's ("stainless steel" is a
        bottle's material, not a colour; "espresso" in "espresso machine" is its name, not a
        coffee maker's type); a value they lack of an option they have is kept, so nothing
        matches ("a blue backpack"); a colour of a product whose colours have other names
        is read as theirs ("red sunglasses": a frame colour)."""
        mentions = self._reader.find(text)
        scope = list(within)
        names = self.option_names(scope)
        found: dict[str, set[str]] = {}
        if names is None:
            for mention in mentions:
                found.setdefault(mention.option, set()).add(mention.value)
            return found
        pairs = {pair for name in scope for pair in self._pairs_of.get(name, ())}
        name_words = {w for name in scope for w in words(name)}
        for mention in mentions:
            pair = (mention.option, mention.value)
            if pair not in pairs:
                hidden = any(
                    (other.option, other.value) in pairs
                    and other.start < mention.end
                    and mention.start < other.end
                    for other in mentions
                )
                if hidden or set(words(mention.value)) <= name_words:
                    continue
                if mention.option not in names:
                    alike = sorted(n for n in names if n.endswith(" " + mention.option))
                    if not alike:
                        continue
                    pair = (alike[0], mention.value)
            found.setdefault(pair[0], set()).add(pair[1])
        return found

    def option_names(self, products: Iterable[str]) -> set[str] | None:
        """The options the named products have; None for no products."""
        wanted = list(products)
        if not wanted:
            return None
        return {n for name in wanted for n in self._options_of.get(name, ())}

    # -- searching ---------------------------------------------------------------------------

    def product_mask(self, names: Iterable[str]) -> BoolArray | None:
        """Which products (by index) carry one of these names; None for no names."""
        wanted = [p for name in names for p in self._by_name.get(name, ())]
        if not wanted:
            return None
        mask = np.zeros(len(self.products), dtype=np.bool_)
        mask[wanted] = True
        return mask

    def matches(self, terms: SearchTerms) -> BoolArray:
        """Which variants satisfy every constraint of the terms."""
        mask = np.ones(len(self), dtype=np.bool_)
        if terms.products:
            products = self.product_mask(terms.products)
            if products is None:
                return np.zeros(len(self), dtype=np.bool_)
            mask &= products[self.product_of]
        for group in terms.option_groups():
            allowed = np.zeros(len(self), dtype=np.bool_)
            for pair in group:
                rows = self._postings.get(pair)
                if rows is not None:
                    allowed[rows] = True
            mask &= allowed
        if terms.min_price is not None:
            mask &= self.price >= float(terms.min_price) - 1e-9
        if terms.max_price is not None:
            mask &= self.price <= float(terms.max_price) + 1e-9
        if terms.in_stock:
            mask &= self.available
        return mask

    def ranked(self, mask: BoolArray, sort: str | None = None) -> IntArray:
        """The rows of `mask`, in the order a shopper sees them."""
        rows = np.flatnonzero(mask)
        keys: list[npt.NDArray[np.float64] | IntArray] = [self._rank[rows]]
        if sort == "cheapest":
            keys.append(self.price[rows])
        elif sort == "priciest":
            keys.append(-self.price[rows])
        return rows[np.lexsort(keys)].astype(np.int64)

    def search(self, terms: SearchTerms) -> list[Hit]:
        return [self.hit(int(row)) for row in self.ranked(self.matches(terms), terms.sort)]

    def hit(self, row: int) -> Hit:
        p, v = self._rows[row]
        product = self.products[p]
        return Hit(product, product.variants[v])

    def find(self, item_id: str) -> Hit | None:
        row = self.position.get(item_id)
        return None if row is None else self.hit(row)

    def hits(self, item_ids: Sequence[str]) -> list[Hit]:
        return [h for item in item_ids if (h := self.find(item)) is not None]

    def of_product(self, product_id: str) -> BoolArray:
        """Which variants belong to the product with this id."""
        mask = np.zeros(len(self), dtype=np.bool_)
        position = self._product_position.get(product_id)
        if position is not None:
            mask[self.product_of == position] = True
        return mask

    def best_versions(
        self,
        products: Iterable[str] | None,
        terms: SearchTerms,
        *,
        limit: int,
        exclude: Collection[str] = (),
    ) -> list[Hit]:
        """Each product's first version within the terms and in stock, in the given order of
        products (None: the shopper's order of the whole catalog, less the `exclude`d
        products); a product with none is skipped; at most `limit`."""
        allowed = self.matches(terms) & self.available
        found: list[Hit] = []
        if products is None:
            left_out = set(exclude)
            seen = {p for p, product in enumerate(self.products) if product.id in left_out}
            for row in self.ranked(allowed):
                position = int(self.product_of[row])
                if position not in seen:
                    seen.add(position)
                    found.append(self.hit(int(row)))
                    if len(found) >= limit:
                        break
            return found
        for product in products:
            rows = self.ranked(allowed & self.of_product(product))
            if len(rows):
                found.append(self.hit(int(rows[0])))
                if len(found) >= limit:
                    break
        return found

    def products_named(self, name: str) -> list[ProductView]:
        return [self.products[p] for p in self._by_name.get(name, ())]

    def price_of(self, item_id: str) -> Decimal | None:
        hit = self.find(item_id)
        return None if hit is None else hit.variant.price
