"""Who may take and write in a handed-off conversation.

One agent holds a conversation at a time. Claiming one that another agent holds is refused
with who holds it (`HandoffTaken`), so two agents never both talk to a shopper; the holder may
transfer it, and so may an admin. Only the holder writes to the shopper. The API token's caller
(the store's own systems, `agent_id` None) may do all of this, as before there were accounts.
"""

from __future__ import annotations

from assistant.errors import HandoffStateError
from assistant.persistence.models import Handoff


class HandoffTaken(HandoffStateError):
    """Another agent holds the conversation (or nobody does yet, for a message)."""

    code = "handoff_taken"


def check_claim(
    handoff: Handoff, *, agent_id: int | None, transfer_by: int | None, override: bool
) -> None:
    """`HandoffTaken` unless the caller may make `agent_id` the holder: the hand-off is not
    held yet, the caller already holds it, it is the holder's transfer, or `override`."""
    if handoff.status != "active" or override or agent_id is None:
        return
    holder = handoff.agent_id
    if holder is not None and holder in (agent_id, transfer_by):
        return
    raise HandoffTaken(
        f"{handoff.agent} has this conversation", details={"agent": handoff.agent or ""}
    )


def check_writer(handoff: Handoff, *, agent_id: int | None) -> None:
    """`HandoffTaken` unless the signed-in agent `agent_id` holds the conversation."""
    if agent_id is None:
        return
    if handoff.status != "active":
        raise HandoffTaken("claim this conversation before writing in it")
    if handoff.agent_id != agent_id:
        raise HandoffTaken(
            f"{handoff.agent} has this conversation", details={"agent": handoff.agent or ""}
        )
