"""Agent notes: the support team's words about a conversation, for each other. Kept apart from
messages, so nothing the shopper's channels read can carry one; any agent may add one, whoever
holds the conversation."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from assistant.conversation import repository as repo
from assistant.conversation.records import check_text
from assistant.errors import ConversationNotFound
from assistant.persistence.models import AgentNote


@dataclass(frozen=True)
class Note:
    id: int
    conversation_id: str
    author: str
    author_id: int | None
    text: str
    created_at: str

    @classmethod
    def of(cls, note: AgentNote) -> Note:
        return cls(
            id=note.id,
            conversation_id=note.conversation_id,
            author=note.author,
            author_id=note.author_id,
            text=note.text,
            created_at=note.created_at.isoformat(),
        )

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "author": self.author,
            "author_id": self.author_id,
            "text": self.text,
            "created_at": self.created_at,
        }


def _existing(session: Session, conversation_id: str) -> None:
    if repo.get_conversation(session, conversation_id=conversation_id) is None:
        raise ConversationNotFound(f"no conversation {conversation_id}")


def add_note(
    sessions: sessionmaker[Session],
    conversation_id: str,
    *,
    text: Any,
    author: str,
    author_id: int | None,
    max_bytes: int,
) -> Note:
    """Store a note (checked like a message: not blank, storable, within `max_bytes`)."""
    clean = check_text(text, max_bytes=max_bytes)
    with sessions.begin() as session:
        _existing(session, conversation_id)
        note = AgentNote(
            conversation_id=conversation_id, author=author, author_id=author_id, text=clean
        )
        session.add(note)
        session.flush()
        return Note.of(note)


def list_notes(sessions: sessionmaker[Session], conversation_id: str) -> list[Note]:
    with sessions() as session:
        _existing(session, conversation_id)
        notes = session.scalars(
            select(AgentNote)
            .where(AgentNote.conversation_id == conversation_id)
            .order_by(AgentNote.id)
        )
        return [Note.of(note) for note in notes]
