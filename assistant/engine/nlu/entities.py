"""Rule-based entity extraction: the training data's regexes, lookup tables and synonyms.

Regexes find structured values (order ids, emails, zip codes); a named group called after the
entity (or `value`) marks the part to keep. Lookup tables, plus every value annotated in an
example, match case-insensitively on whole words. Overlapping matches resolve to the longest,
regexes winning ties. Extracted values then pass through the synonyms and, for the few entities
the store's backend expects in one exact form, a normaliser. Order numbers follow the store's
own format (`with_regex`, from `store.order_ids`), not the training data.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.config.store import OrderIds
from assistant.engine.nlu.result import Entity
from assistant.engine.nlu.training_data import TrainingData


def _email(value: str) -> str:
    return value.strip().lower()


# Entities whose value the backends compare exactly: one canonical spelling each.
NORMALISERS: dict[str, Callable[[str], str]] = {"email": _email}

REGEX_EXTRACTOR = "regex"
LOOKUP_EXTRACTOR = "lookup"


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    entity: str
    value: str
    extractor: str


@dataclass(frozen=True)
class _Rule:
    entity: str
    pattern: re.Pattern[str]
    extractor: str
    # Lowercased match -> the spelling in the lookup table (empty for regexes).
    spellings: dict[str, str]


class EntityExtractor:
    """Extracts entities from a message with the rules of one `TrainingData`."""

    def __init__(
        self,
        *,
        regexes: dict[str, list[str]],
        lookups: dict[str, list[str]],
        synonyms: dict[str, str],
        normalisers: dict[str, Callable[[str], str]] | None = None,
    ) -> None:
        self.normalisers = {**NORMALISERS, **(normalisers or {})}
        self.synonyms = {variant.lower(): canonical for variant, canonical in synonyms.items()}
        self._rules: list[_Rule] = []
        for entity, patterns in sorted(regexes.items()):
            for source in patterns:
                compiled = re.compile(source, re.IGNORECASE)
                self._rules.append(_Rule(entity, compiled, REGEX_EXTRACTOR, {}))
        for entity, values in sorted(lookups.items()):
            spellings = {value.lower(): value for value in values if value.strip()}
            if not spellings:
                continue
            alternatives = "|".join(
                re.escape(value) for value in sorted(spellings, key=len, reverse=True)
            )
            lookup = re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)", re.IGNORECASE)
            self._rules.append(_Rule(entity, lookup, LOOKUP_EXTRACTOR, spellings))

    @classmethod
    def from_training_data(
        cls, data: TrainingData, order_ids: OrderIds | None = None
    ) -> EntityExtractor:
        """The data's own rules, with each annotated example value as an implicit lookup, and
        order numbers in the store's format (`order_ids`; the demo store's unless given)."""
        lookups = {entity: list(values) for entity, values in data.lookups.items()}
        for example in data.examples:
            for span in example.entities:
                lookups.setdefault(span.entity, []).append(example.text[span.start : span.end])
        ids = order_ids or OrderIds()
        extractor = cls(regexes=data.regexes, lookups=lookups, synonyms=data.synonyms)
        return extractor.with_regex("order_id", ids.entity_regex(), ids.normalise)

    def with_regex(
        self, entity: str, pattern: str, normalise: Callable[[str], str] | None = None
    ) -> EntityExtractor:
        """A copy whose only regex for `entity` is `pattern`, its values in `normalise`'s
        spelling: the store's own order-number format."""
        compiled = re.compile(pattern, re.IGNORECASE)
        changed = copy.copy(self)
        changed._rules = [
            rule
            for rule in self._rules
            if not (rule.entity == entity and rule.extractor == REGEX_EXTRACTOR)
        ] + [_Rule(entity, compiled, REGEX_EXTRACTOR, {})]
        changed.normalisers = dict(self.normalisers)
        if normalise is not None:
            changed.normalisers[entity] = normalise
        return changed

    @property
    def entity_names(self) -> list[str]:
        return sorted({rule.entity for rule in self._rules})

    def extract(self, text: str) -> list[Entity]:
        candidates = [c for rule in self._rules for c in self._matches(rule, text)]
        # Longest span first; on equal length a regex beats a lookup, then the earlier wins.
        candidates.sort(key=lambda c: (-(c.end - c.start), c.extractor != REGEX_EXTRACTOR, c.start))
        kept: list[_Candidate] = []
        for candidate in candidates:
            if all(candidate.end <= k.start or candidate.start >= k.end for k in kept):
                kept.append(candidate)
        kept.sort(key=lambda c: c.start)
        return [
            Entity(
                entity=c.entity,
                value=self._canonical(c.entity, c.value),
                start=c.start,
                end=c.end,
                extractor=c.extractor,
                text=text[c.start : c.end],
            )
            for c in kept
        ]

    def _matches(self, rule: _Rule, text: str) -> list[_Candidate]:
        found = []
        for match in rule.pattern.finditer(text):
            group = _value_group(rule, match)
            start, end = match.span(group)
            if start < 0 or start == end:
                continue
            matched = text[start:end]
            value = rule.spellings.get(matched.lower(), matched)
            found.append(_Candidate(start, end, rule.entity, value, rule.extractor))
        return found

    def _canonical(self, entity: str, value: str) -> str:
        value = self.synonyms.get(value.lower(), value)
        normalise = self.normalisers.get(entity)
        return normalise(value) if normalise else value


def _value_group(rule: _Rule, match: re.Match[str]) -> int | str:
    names = rule.pattern.groupindex
    for name in (rule.entity, "value"):
        if name in names and match.group(name) is not None:
            return name
    return 0
