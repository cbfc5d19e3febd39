"""The admin console's tools on the knowledge base: the test console (a question, the passages
retrieved with their lexical, vector and hybrid scores, the answer exactly as a shopper would
get it, and whether the grounding check passed) and the gaps (what shoppers asked that it
could not answer, grouped, each asked again of the documents as they are now). Admins only."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

import anyio
from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from assistant.conversation.repository import MessageRecord
from assistant.knowledge import gaps
from assistant.knowledge.answer import Finding
from assistant.knowledge.index import Mode
from assistant.persistence.models.base import utcnow
from assistant.server.bodies import json_body
from assistant.server.deps import ComponentsDep
from assistant.server.openapi import error_responses, request_body
from assistant.server.protocol import message_frame
from assistant.server.staff import AdminCaller
from assistant.server.wire import StorableStr

router = APIRouter(prefix="/api/admin", tags=["admin"])

# Passages the test console shows.
PASSAGES = 8
TEST_SENDER = "admin-test-console"


class TestRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    question: Annotated[StorableStr, Field(min_length=1, max_length=1000)]


# 1,000 characters, each up to 12 bytes as JSON escapes.
TestBody = Annotated[TestRequest, json_body(TestRequest, max_bytes=16_384)]


def _finding(finding: Finding, *, model: bool) -> dict[str, Any]:
    answer = finding.answer
    if answer is None:
        return {"question": finding.question, "covered": False, "missing": list(finding.missing)}
    if answer.generated:
        grounding = "passed"  # the model's words, checked against the passages
    elif model:
        grounding = "rejected"  # the model's rewrite failed the check: the quote was sent
    else:
        grounding = "quoted"  # no model: the documents' own sentences, nothing to check
    return {
        "question": finding.question,
        "covered": True,
        "confidence": round(answer.confidence, 3),
        "generated": answer.generated,
        "grounding": grounding,
        "text": answer.text,
        "sources": [source.as_dict() for source in answer.sources],
    }


@router.post(
    "/kb/test",
    responses=error_responses(400, 401, 403, 413, 422),
    openapi_extra=request_body(TestRequest),
)
async def test_question(
    _: AdminCaller, body: TestBody, components: ComponentsDep
) -> dict[str, Any]:
    """Ask as a shopper would, in a new conversation that nothing stores: the reply the
    shopper would get, each question's answer with its grounding, and the passages the
    search finds with each of its scores."""
    question = body.question.strip()
    knowledge = components.knowledge
    index = knowledge.index

    def search() -> list[dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        modes: tuple[Mode, ...] = ("hybrid", "lexical", "vector")
        for mode in modes:
            for hit in index.search(question, k=PASSAGES, mode=mode):
                row = found.setdefault(
                    hit.id,
                    {
                        "id": hit.id,
                        "title": hit.title,
                        "section": hit.section,
                        "link": str(hit.metadata.get("link") or ""),
                        "text": hit.text,
                        "hybrid": None,
                        "lexical": None,
                        "vector": None,
                    },
                )
                row[mode] = round(float(hit.score), 4)
        ranked = sorted(found.values(), key=lambda r: -(r["hybrid"] or 0.0))
        return ranked[:PASSAGES]

    passages = await anyio.to_thread.run_sync(search)
    findings = await knowledge.respond_all(question)
    tracker = components.dialogue.new_tracker(TEST_SENDER)
    result = await components.dialogue.handle(tracker, question)
    now = utcnow()
    reply = [
        message_frame(
            MessageRecord(
                conversation_id=TEST_SENDER,
                seq=seq,
                role="bot",
                text=m.text,
                data={k: v for k, v in m.as_data().items() if k != "text"},
                client_id=None,
                created_at=now,
            )
        ).model_dump(exclude_none=True)
        for seq, m in enumerate(result.messages, start=1)
    ]
    model = knowledge.answerer is not None
    return {
        "question": question,
        "reply": reply,
        "handoff": result.handoff_reason is not None,
        "findings": [_finding(f, model=model) for f in findings],
        "passages": passages,
    }


@router.get("/gaps", responses=error_responses(401, 403, 422))
async def knowledge_gaps(
    _: AdminCaller,
    components: ComponentsDep,
    days: Annotated[int, Query(ge=1, le=365)] = 30,
) -> dict[str, Any]:
    """Shoppers' questions of the last `days` that were not answered (or only with low
    confidence), grouped by meaning, most asked first; each group asked again of the
    documents now: `closed` when they answer it."""
    since = utcnow() - timedelta(days=days)
    asked = await components.conversations.read(lambda s: gaps.collect(s, since=since))
    knowledge = components.knowledge

    def grouped() -> list[gaps.Gap]:
        found = gaps.group(asked, knowledge.embedder)
        for gap in found:
            gap.answered_now = knowledge.find(gap.question).covered
        return found

    found = await anyio.to_thread.run_sync(grouped)
    items = [gap.as_dict() for gap in found]
    items.sort(key=lambda g: (g["status"] != "open", -g["count"]))
    return {
        "days": days,
        "open": sum(1 for g in items if g["status"] == "open"),
        "gaps": items,
    }
