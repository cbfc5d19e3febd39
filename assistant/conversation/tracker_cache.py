"""Live conversations' trackers, kept in this worker between turns.

Reading a tracker back from the database (its slots, its last events decoded from JSON, its
flow stack) is a large part of a turn's cost. A worker keeps the trackers it saved, each with
the version it was saved at: the position of its last stored event. A turn reads the stored
version (one indexed lookup) and uses the kept copy only when the two agree, so a turn another
worker ran, a hand-back or a sign-in the store vouched for is never missed: each of those
stores an event, which moves the version on.

Only committed state is kept (`put` after the transaction), and a turn gets a copy, so a turn
that fails halfway leaves nothing of itself behind. At most `capacity` trackers are kept, the
least recently used dropped first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from assistant.engine.tracker import DialogueTracker, FlowFrame


def copy_tracker(tracker: DialogueTracker, *, max_events: int) -> DialogueTracker:
    """A tracker that shares nothing mutable with `tracker` but its events' dictionaries,
    which nothing changes once added; its last `max_events` events, as a load would give."""
    return DialogueTracker(
        sender_id=tracker.sender_id,
        slots=dict(tracker.slots),
        events=list(tracker.events[-max_events:]),
        stack=[FlowFrame.from_dict(frame.as_dict()) for frame in tracker.stack],
        paused=tracker.paused,
        latest_message=tracker.latest_message,
        # As a load gives it: the turn's actions set it again.
        latest_action_name=None,
    )


class TrackerCache:
    def __init__(self, capacity: int, *, max_events: int) -> None:
        self.capacity = capacity
        self.max_events = max_events
        self._kept: OrderedDict[str, tuple[int, DialogueTracker]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._kept)

    def get(self, conversation_id: str, version: int) -> DialogueTracker | None:
        """A copy of the kept tracker when it is at `version`, the stored one; else None."""
        with self._lock:
            kept = self._kept.get(conversation_id)
            if kept is None or kept[0] != version:
                self.misses += 1
                return None
            self._kept.move_to_end(conversation_id)
            self.hits += 1
            tracker = kept[1]
        return copy_tracker(tracker, max_events=self.max_events)

    def put(self, conversation_id: str, version: int, tracker: DialogueTracker) -> None:
        """Keep a committed tracker at its stored version."""
        if self.capacity <= 0:
            return
        kept = copy_tracker(tracker, max_events=self.max_events)
        with self._lock:
            self._kept[conversation_id] = (version, kept)
            self._kept.move_to_end(conversation_id)
            while len(self._kept) > self.capacity:
                self._kept.popitem(last=False)

    def forget(self, conversation_id: str) -> None:
        with self._lock:
            self._kept.pop(conversation_id, None)
