"""What shoppers asked that the assistant could not answer: the knowledge base's gaps.

Two kinds of replies count: one the assistant marked `unanswered` (the documents do not cover
the question, or nothing in the store's scope does: `actions/knowledge.py`), and an answer
quoted with low confidence. Their questions are grouped by meaning (the embedder's vectors,
greedily: a question joins the first group whose first question is close enough), counted,
and each group is asked again of the knowledge base as it is now: a group the documents now
answer is closed. So writing the missing answer closes its gap, with nothing to tick.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session, aliased

from assistant.engine.embeddings import Embedder
from assistant.persistence.models import Message

# An answer quoted with less confidence than this is a gap too.
LOW_CONFIDENCE = 0.55
# Questions this similar (cosine) are one gap.
SAME_GAP = 0.78
# Conversations kept as examples per gap.
EXAMPLES = 3
MAX_QUESTIONS = 2000


@dataclass(frozen=True)
class Asked:
    question: str
    conversation_id: str
    at: datetime
    # unanswered, or low_confidence (with the answer's confidence)
    kind: str
    confidence: float | None = None


@dataclass
class Gap:
    question: str
    asked: list[Asked] = field(default_factory=list)
    # Filled by `retest`: whether the knowledge base answers the question now.
    answered_now: bool = False

    def as_dict(self) -> dict[str, Any]:
        examples: list[str] = []
        for asked in self.asked:
            if asked.conversation_id not in examples:
                examples.append(asked.conversation_id)
        last = max(a.at for a in self.asked)
        return {
            "question": self.question,
            "count": len(self.asked),
            "status": "closed" if self.answered_now else "open",
            "kinds": sorted({a.kind for a in self.asked}),
            "questions": sorted({a.question for a in self.asked})[:10],
            "conversations": examples[:EXAMPLES],
            "last_asked_at": (last if last.tzinfo else last.replace(tzinfo=UTC)).isoformat(),
        }


def collect(session: Session, *, since: datetime) -> list[Asked]:
    """The questions of marked and low-confidence replies since `since`, newest first."""
    asked_by = aliased(Message)
    rows = session.execute(
        select(Message, asked_by.text)
        .join(asked_by, asked_by.id == Message.reply_to, isouter=True)
        .where(Message.role == "bot", Message.created_at >= since)
        .order_by(Message.created_at.desc())
        .limit(MAX_QUESTIONS * 4)
    )
    found: list[Asked] = []
    for message, question in rows:
        custom = (message.data or {}).get("custom") or {}
        kind = custom.get("type")
        if kind == "unanswered":
            text = str(custom.get("question") or question or "").strip()
            if text:
                found.append(Asked(text, message.conversation_id, message.created_at, kind))
        elif kind == "answer" and not custom.get("generated") and question:
            confidence = float(custom.get("confidence") or 0.0)
            if confidence < LOW_CONFIDENCE:
                found.append(
                    Asked(
                        question.strip(),
                        message.conversation_id,
                        message.created_at,
                        "low_confidence",
                        confidence,
                    )
                )
        if len(found) >= MAX_QUESTIONS:
            break
    return found


def group(asked: list[Asked], embedder: Embedder, *, threshold: float = SAME_GAP) -> list[Gap]:
    """The questions in groups of the same meaning, the most asked first."""
    if not asked:
        return []
    vectors = np.asarray(embedder.encode([a.question for a in asked]), dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    vectors = (vectors / np.where(norms == 0, 1, norms)).astype(np.float32)
    gaps: list[Gap] = []
    heads: list[np.ndarray] = []
    for item, vector in zip(asked, vectors, strict=True):
        best = -1
        if heads:
            similarity = np.stack(heads) @ vector
            candidate = int(np.argmax(similarity))
            if similarity[candidate] >= threshold:
                best = candidate
        if best < 0:
            gaps.append(Gap(item.question))
            heads.append(vector)
            best = len(gaps) - 1
        gaps[best].asked.append(item)
    return sorted(gaps, key=lambda g: -len(g.asked))
