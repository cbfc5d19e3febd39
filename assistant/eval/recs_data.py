"""The data of `assistant eval recs`: the loaders and the splits.

- **Online Retail** (`time_ordered_split`): each customer's last invoice is held out and
  predicted from the customer's invoices before it. The held-out baskets are taken in time
  order and cut into blocks (`BLOCK_CASES` baskets or `BLOCK_DAYS` days); a block's models
  are fitted on the invoices that ended strictly before the block's first held-out basket
  began, never on a held-out one, so nothing at or after a basket is used to predict it. The
  validation split is the same protocol on the data with the test baskets removed: each
  customer's second-to-last invoice, from the ones before it (`validation_split`).
- **DIGINETICA** (`session_split`): the sessions of the last `TEST_DAYS` days are the test,
  every next view predicted from the views before it; `earlier_windows` gives the three
  periods before it for validation.

Each case carries what may not be suggested (`Case.exclude`), the same for every system.
"""

from __future__ import annotations

import bisect
import csv
import gzip
import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path

from assistant.errors import AisleError
from assistant.recs.interface import Interaction

RETAIL_FILE = "online_retail.csv.gz"
RETAIL_SAMPLE_FILE = "online_retail_sample.csv"
SESSIONS_FILE = "diginetica_sample_views.csv"
TEST_DAYS = 14
DAY = 86_400.0
# A block of the time-ordered split closes at this many held-out baskets or this many days,
# whichever comes first: the models are refitted about weekly in the busiest months, monthly
# in the quietest (they are refitted once per block, a dozen or two times a split).
BLOCK_CASES = 250
BLOCK_DAYS = 30


class RecsDataError(AisleError):
    """The interactions file is missing or malformed."""

    code = "invalid_recs_data"


@dataclass(frozen=True)
class Case:
    history: tuple[Interaction, ...]
    targets: frozenset[str]
    # What no system may suggest here: the history when only new items count, else nothing.
    exclude: frozenset[str]
    # When the held-out basket (or view) began; every model that predicts it was fitted on
    # interactions strictly before this.
    at: float = math.inf


@dataclass(frozen=True)
class Split:
    """One cut: a training set and the cases it predicts."""

    train: list[Interaction]
    cases: list[Case]
    dropped: int


@dataclass(frozen=True)
class Block:
    """Consecutive held-out baskets, predicted by models fitted on `TimeSplit.train[:size]`:
    the baskets that ended strictly before `start`, the first held-out basket's start."""

    start: float
    size: int
    cases: tuple[Case, ...]


@dataclass(frozen=True)
class TimeSplit:
    # Every interaction of a basket not held out, whole baskets ordered by when they ended
    # (their last line), in file order within one; a block trains on a prefix.
    train: list[Interaction]
    blocks: list[Block]
    # The held-out baskets (invoice numbers).
    held_out: frozenset[str]
    dropped: int = 0

    @property
    def cases(self) -> list[Case]:
        return [case for block in self.blocks for case in block.cases]


def _lines(path: Path, delimiter: str) -> Iterator[list[str]]:
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rt", encoding="utf-8", newline="") as handle:
        yield from csv.reader(handle, delimiter=delimiter)


def _rows(path: Path, columns: Sequence[str], delimiter: str) -> Iterator[tuple[str, ...]]:
    """The named columns of every line, in that order; a missing file, a missing column, no
    rows or an unreadable file (not gzip, not UTF-8) raise `RecsDataError`."""
    if not path.is_file():
        raise RecsDataError(f"{path}: interactions not found")
    try:
        lines = _lines(path, delimiter)
        header = next(lines, [])
        if not set(columns) <= set(header):
            raise RecsDataError(f"{path}: needs the columns {', '.join(sorted(columns))}")
        where = [header.index(name) for name in columns]
        empty = True
        for number, line in enumerate(lines, 2):
            if len(line) < len(header):
                raise RecsDataError(f"{path}: line {number} has {len(line)} fields")
            empty = False
            yield tuple(line[n] for n in where)
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as exc:
        raise RecsDataError(f"{path}: unreadable: {exc}") from exc
    if empty:
        raise RecsDataError(f"{path}: no rows")


def load_retail(path: Path) -> list[Interaction]:
    """Invoice lines (a `.csv` or `.csv.gz`): one `bought` interaction per line, the invoice
    as its basket, quantity × price as the money spent."""
    columns = ("invoice_date", "invoice_no", "stock_code", "customer_id", "quantity", "unit_price")
    stamps: dict[str, float] = {}
    interactions = []
    for stamp, invoice, item, customer, quantity, price in _rows(path, columns, ","):
        try:
            at = stamps.get(stamp)
            if at is None:
                at = stamps[stamp] = datetime.fromisoformat(stamp).replace(tzinfo=UTC).timestamp()
            value = float(quantity) * float(price)
        except ValueError as exc:
            raise RecsDataError(f"{path}: bad line {invoice} {item}: {exc}") from exc
        shopper = customer.strip().removesuffix(".0")
        interactions.append(
            Interaction(item.strip(), invoice.strip(), at, "bought", value, shopper)
        )
    return interactions


def load_sessions(path: Path) -> list[Interaction]:
    """Product views: the session as group, ordered by the day plus the time into it (ms).
    The user ids (mostly "NA") are not used: a session is the shopper."""
    columns = ("session_id", "item_id", "timeframe", "eventdate")
    interactions = []
    for session, item, timeframe, day in _rows(path, columns, ";"):
        try:
            start = datetime.combine(date.fromisoformat(day), datetime.min.time(), UTC)
            at = start.timestamp() + float(timeframe) / 1000.0
        except ValueError as exc:
            raise RecsDataError(f"{path}: bad line {session} {item}: {exc}") from exc
        interactions.append(Interaction(item.strip(), session.strip(), at, "viewed"))
    return interactions


def time_ordered_split(
    interactions: Sequence[Interaction],
    *,
    block_cases: int = BLOCK_CASES,
    block_days: float = BLOCK_DAYS,
) -> TimeSplit:
    """Each customer with two or more invoices has the last one (by start; the invoice number
    breaks ties) held out, whole: its targets are all its items, re-bought ones included,
    and nothing is excluded. The history is the customer's lines strictly before it."""
    start: dict[str, float] = {}
    end: dict[str, float] = {}
    owner: dict[str, str] = {}
    for i in interactions:
        start[i.group] = min(start.get(i.group, math.inf), i.at)
        end[i.group] = max(end.get(i.group, -math.inf), i.at)
        if i.shopper:
            owner[i.group] = i.shopper
    baskets: dict[str, list[str]] = {}
    for group, shopper in owner.items():
        baskets.setdefault(shopper, []).append(group)
    held = {
        shopper: max(groups, key=lambda group: (start[group], group))
        for shopper, groups in baskets.items()
        if len(groups) >= 2
    }
    held_out = frozenset(held.values())
    lines: dict[str, list[Interaction]] = {}
    for i in interactions:
        lines.setdefault(i.group, []).append(i)
    kept = sorted((group for group in lines if group not in held_out), key=lambda g: end[g])
    train = [i for group in kept for i in lines[group]]
    ends = [end[group] for group in kept]
    sizes = [0]
    for group in kept:
        sizes.append(sizes[-1] + len(lines[group]))
    earlier: dict[str, list[Interaction]] = {}
    for i in train:
        if i.shopper in held:
            earlier.setdefault(i.shopper, []).append(i)
    for history in earlier.values():
        history.sort(key=lambda i: i.at)
    cases = []
    for shopper, group in sorted(held.items(), key=lambda pair: (start[pair[1]], pair[1])):
        history = earlier.get(shopper, [])
        before = bisect.bisect_left([i.at for i in history], start[group])
        basket = frozenset(i.item for i in lines[group])
        cases.append(Case(tuple(history[:before]), basket, frozenset(), start[group]))
    chunks: list[list[Case]] = []
    for case in cases:
        if (
            not chunks
            or len(chunks[-1]) >= block_cases
            or case.at - chunks[-1][0].at >= block_days * DAY
        ):
            chunks.append([])
        chunks[-1].append(case)
    blocks = [
        Block(chunk[0].at, sizes[bisect.bisect_left(ends, chunk[0].at)], tuple(chunk))
        for chunk in chunks
    ]
    return TimeSplit(train, blocks, held_out)


def validation_split(
    test: TimeSplit, *, block_cases: int = BLOCK_CASES, block_days: float = BLOCK_DAYS
) -> TimeSplit:
    """The same protocol on the data without the test baskets: each customer's second-to-last
    invoice held out, predicted from the ones before it, by models of what ended before it."""
    return time_ordered_split(test.train, block_cases=block_cases, block_days=block_days)


def new_items(split: TimeSplit) -> TimeSplit:
    """The same blocks with only the items new to the customer as targets and the history
    excluded from every list; a basket of re-buys only is dropped."""
    blocks, dropped = [], 0
    for block in split.blocks:
        cases = []
        for case in block.cases:
            owned = frozenset(i.item for i in case.history)
            if case.targets - owned:
                cases.append(replace(case, targets=case.targets - owned, exclude=owned))
            else:
                dropped += 1
        if cases:
            blocks.append(replace(block, cases=tuple(cases)))
    return replace(split, blocks=blocks, dropped=split.dropped + dropped)


def session_split(interactions: Sequence[Interaction], *, days: int = TEST_DAYS) -> Split:
    """Sessions starting in the last `days` days are the test, earlier ones training; each
    next view of a test session is a case, the views before it its history."""
    sessions: dict[str, list[Interaction]] = {}
    for i in interactions:
        sessions.setdefault(i.group, []).append(i)
    if not sessions:
        return Split([], [], 0)
    start = {group: min(i.at for i in views) for group, views in sessions.items()}
    last_day = math.floor(max(start.values()) / DAY)
    cut = (last_day - days + 1) * DAY
    train = [i for i in interactions if start[i.group] < cut]
    cases, dropped = [], 0
    for group in sorted(sessions, key=lambda group: (start[group], group)):
        if start[group] < cut:
            continue
        views = sorted(sessions[group], key=lambda i: i.at)
        for position in range(1, len(views)):
            history = tuple(views[:position])
            seen = frozenset(i.item for i in history)
            if views[position].item in seen:
                dropped += 1
            else:
                targets = frozenset({views[position].item})
                cases.append(Case(history, targets, seen, views[position].at))
    return Split(train, cases, dropped)


def earlier_windows(interactions: Sequence[Interaction], *, windows: int = 3) -> list[Split]:
    """Validation for sessions: the `windows` periods of `TEST_DAYS` days before the test, each
    predicted by a model trained on the sessions before it."""
    splits: list[Split] = []
    rest = list(interactions)
    for _ in range(windows):
        split = session_split(rest)
        if not split.cases or not split.train:
            break
        splits.append(split)
        rest = split.train
    return splits
