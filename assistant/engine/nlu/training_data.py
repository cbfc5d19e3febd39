"""Rasa 3.x NLU training data: reading `nlu_data/` YAML into typed examples.

Owns the file format: the `nlu:` list with `intent`, `synonym`, `lookup` and `regex` items,
and the inline entity annotations `[text](entity)`, `[text](entity:value)`,
`[text]{"entity": ..., "value": ..., "role": ..., "group": ...}` and `[text][{...}, {...}]`.
Anything malformed raises `TrainingDataError` naming the file and the item, so a broken data
file stops `assistant train` instead of silently training a worse model.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from assistant.engine.nlu.spelling import vocabulary_counts, with_plurals, without_typos
from assistant.errors import AisleError


class TrainingDataError(AisleError):
    """The NLU training data is malformed; the message names the file and the item."""

    code = "invalid_training_data"


@dataclass(frozen=True)
class EntitySpan:
    start: int
    end: int
    value: str
    entity: str
    role: str | None = None
    group: str | None = None


@dataclass(frozen=True)
class TrainingExample:
    text: str
    intent: str
    entities: tuple[EntitySpan, ...] = ()


@dataclass
class TrainingData:
    examples: list[TrainingExample] = field(default_factory=list)
    # Lowercased variant -> canonical value.
    synonyms: dict[str, str] = field(default_factory=dict)
    lookups: dict[str, list[str]] = field(default_factory=dict)
    regexes: dict[str, list[str]] = field(default_factory=dict)

    @property
    def intents(self) -> list[str]:
        return sorted({example.intent for example in self.examples})

    def fingerprint(self) -> str:
        """A hash of the content, independent of how it is split into files or ordered."""
        content = {
            "examples": sorted(
                [
                    e.text,
                    e.intent,
                    [[s.start, s.end, s.value, s.entity, s.role, s.group] for s in e.entities],
                ]
                for e in self.examples
            ),
            "synonyms": sorted(self.synonyms.items()),
            "lookups": {name: sorted(values) for name, values in sorted(self.lookups.items())},
            "regexes": {name: sorted(values) for name, values in sorted(self.regexes.items())},
        }
        encoded = json.dumps(content, sort_keys=True, ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()

    def vocabulary(self) -> dict[str, int]:
        """Every word the examples, lookups and synonyms use, with how often (and the plural
        of each), less the typos the examples hold on purpose: what a misspelt word of a
        message is read against."""
        texts = [example.text for example in self.examples]
        texts += [value for values in self.lookups.values() for value in values]
        texts += [*self.synonyms, *self.synonyms.values()]
        return dict(with_plurals(without_typos(vocabulary_counts(texts))))


# Rasa's own annotation grammar: `[text]` followed by `(entity[:value])`, `{json}` or `[json list]`.
_ANNOTATION = re.compile(
    r"\[(?P<text>[^\]]+?)\]"
    r"(?:\((?P<entity>[^:)]+?)(?::(?P<value>[^)]+))?\)"
    r"|(?P<dict>\{[^}]+?\})"
    r"|(?P<list>\[\{.*?\}\]))"
)
_NAME = re.compile(r"^[A-Za-z_][\w\-.]*$")
_TOP_LEVEL_KEYS = {"version", "nlu", "rules", "stories", "responses"}
_ITEM_KINDS = ("intent", "synonym", "lookup", "regex")
_ANNOTATION_KEYS = {"entity", "value", "role", "group"}


def load_training_data(path: Path) -> TrainingData:
    """Read one YAML file, or every `*.yml` / `*.yaml` under a directory (sorted, recursive)."""
    path = Path(path)
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.suffix in {".yml", ".yaml"} and p.is_file())
        if not files:
            raise TrainingDataError(f"{path}: no *.yml training data files found")
    elif path.is_file():
        files = [path]
    else:
        raise TrainingDataError(f"{path}: training data not found")
    data = TrainingData()
    seen: dict[str, tuple[str, str]] = {}
    for file in files:
        _read_file(file, data, seen)
    if not data.examples:
        raise TrainingDataError(f"{path}: no intent examples found")
    return data


def _read_file(file: Path, data: TrainingData, seen: dict[str, tuple[str, str]]) -> None:
    try:
        document = yaml.safe_load(file.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise TrainingDataError(f"{file}: not valid YAML: {exc}") from exc
    if document is None:
        return
    if not isinstance(document, dict):
        raise TrainingDataError(f"{file}: the top level must be a mapping with an `nlu:` list")
    unknown = set(document) - _TOP_LEVEL_KEYS
    if unknown:
        raise TrainingDataError(f"{file}: unknown top-level keys {sorted(unknown)}")
    version = document.get("version")
    if version is not None and not str(version).startswith(("2.", "3.")):
        raise TrainingDataError(f"{file}: unsupported format version {version!r} (expected 3.x)")
    items = document.get("nlu", [])
    if not isinstance(items, list):
        raise TrainingDataError(f"{file}: `nlu` must be a list of items")
    for index, item in enumerate(items, start=1):
        _read_item(file, index, item, data, seen)


def _read_item(
    file: Path,
    index: int,
    item: Any,
    data: TrainingData,
    seen: dict[str, tuple[str, str]],
) -> None:
    where = f"{file}: nlu item {index}"
    if not isinstance(item, dict):
        raise TrainingDataError(f"{where}: must be a mapping")
    kinds = [kind for kind in _ITEM_KINDS if kind in item]
    if len(kinds) != 1:
        raise TrainingDataError(f"{where}: needs exactly one of {', '.join(_ITEM_KINDS)}")
    kind = kinds[0]
    name = item[kind]
    where = f"{file}: nlu item {index} ({kind} {name!r})"
    if not isinstance(name, str) or not name.strip():
        raise TrainingDataError(f"{where}: the {kind} name must be a non-empty string")
    name = name.strip()
    unknown = set(item) - {kind, "examples", "metadata"}
    if unknown:
        raise TrainingDataError(f"{where}: unknown keys {sorted(unknown)}")
    lines = _example_lines(where, item.get("examples"))
    if kind == "intent":
        if not _NAME.match(name):
            raise TrainingDataError(f"{where}: invalid intent name")
        for line in lines:
            example = _parse_example(where, line, name)
            key = example.text.casefold()
            if key in seen and seen[key][0] != name:
                other_intent, other_where = seen[key]
                raise TrainingDataError(
                    f"{where}: example {example.text!r} is also an example of "
                    f"{other_intent!r} ({other_where})"
                )
            seen[key] = (name, where)
            data.examples.append(example)
            for span in example.entities:
                if span.value != example.text[span.start : span.end]:
                    data.synonyms[example.text[span.start : span.end].lower()] = span.value
    elif kind == "synonym":
        for line in lines:
            data.synonyms[line.lower()] = name
    elif kind == "lookup":
        data.lookups.setdefault(name, []).extend(lines)
    else:
        for line in lines:
            try:
                re.compile(line)
            except re.error as exc:
                raise TrainingDataError(f"{where}: invalid regex {line!r}: {exc}") from exc
        data.regexes.setdefault(name, []).extend(lines)


def _example_lines(where: str, examples: Any) -> list[str]:
    """The `- ` lines of a block string, or the `text:` of each entry of a list (Rasa 3)."""
    if isinstance(examples, str):
        lines = []
        for raw in examples.splitlines():
            line = raw.strip()
            if not line:
                continue
            if not line.startswith("- "):
                raise TrainingDataError(f"{where}: example line {line!r} must start with '- '")
            lines.append(line[2:].strip())
    elif isinstance(examples, list):
        lines = []
        for entry in examples:
            if not isinstance(entry, dict) or not isinstance(entry.get("text"), str):
                raise TrainingDataError(f"{where}: each listed example needs a `text:` string")
            lines.append(entry["text"].strip())
    else:
        raise TrainingDataError(f"{where}: `examples` must be a block of '- ' lines")
    if not lines or any(not line for line in lines):
        raise TrainingDataError(f"{where}: empty example")
    return lines


def _parse_example(where: str, annotated: str, intent: str) -> TrainingExample:
    """Strip the annotations from one example, keeping the entity spans in the plain text."""
    plain: list[str] = []
    spans: list[EntitySpan] = []
    cursor = 0
    length = 0
    for match in _ANNOTATION.finditer(annotated):
        before = annotated[cursor : match.start()]
        plain.append(before)
        length += len(before)
        text = match.group("text")
        start, end = length, length + len(text)
        for attrs in _annotation_attributes(where, annotated, match):
            value = attrs.get("value", text)
            spans.append(
                EntitySpan(
                    start=start,
                    end=end,
                    value=str(value),
                    entity=attrs["entity"],
                    role=attrs.get("role"),
                    group=attrs.get("group"),
                )
            )
        plain.append(text)
        length = end
        cursor = match.end()
    plain.append(annotated[cursor:])
    text = "".join(plain)
    if "](" in text or "]{" in text:
        raise TrainingDataError(f"{where}: unparsable entity annotation in {annotated!r}")
    return TrainingExample(text=text, intent=intent, entities=tuple(spans))


def _annotation_attributes(
    where: str, annotated: str, match: re.Match[str]
) -> list[dict[str, str]]:
    if match.group("entity") is not None:
        attrs = {"entity": match.group("entity").strip()}
        if match.group("value") is not None:
            attrs["value"] = match.group("value").strip()
        return [attrs]
    raw = match.group("dict") or match.group("list")
    try:
        parsed = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise TrainingDataError(f"{where}: annotation {raw!r} in {annotated!r}: {exc}") from exc
    entries = parsed if isinstance(parsed, list) else [parsed]
    result = []
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("entity"), str):
            raise TrainingDataError(f'{where}: annotation {raw!r} needs an "entity" string')
        unknown = set(entry) - _ANNOTATION_KEYS
        if unknown:
            raise TrainingDataError(
                f"{where}: annotation {raw!r} has unknown keys {sorted(unknown)}"
            )
        result.append({key: str(value) for key, value in entry.items() if value is not None})
    return result
