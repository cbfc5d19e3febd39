"""The dialogue engine on a seeded copy of the demo store, as the evals run it: the real NLU,
flows and actions, with no language model. The search and suggestion evals give it no store
documents; the out-of-scope eval gives it an index of them and the search flow."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

    from assistant.config import Settings
    from assistant.engine.embeddings import Embedder
    from assistant.engine.manager import DialogueEngine, Parser
    from assistant.knowledge.index import KnowledgeIndex
    from assistant.search.service import Shopping
    from assistant.search.session import SearchSession


def demo_engine(
    settings: Settings,
    parser: Parser,
    embedder: Embedder,
    workdir: Path,
    *,
    documents: KnowledgeIndex | None = None,
    search_flow: str | None = None,
) -> tuple[DialogueEngine, SearchSession, Shopping, sessionmaker[Session], Callable[[], None]]:
    """The dialogue engine on a seeded copy of the demo store, its catalog search, the
    shopping services, the copy's sessions, and what releases the copy. `documents`: the
    store's documents the answers come from (none: an empty index); `search_flow`: the
    engine's (`DialogueEngine`)."""
    from assistant.backends.sql_orders import SqlOrderBackend
    from assistant.engine.domain import load_domain
    from assistant.engine.executor import InProcessActionRunner
    from assistant.engine.flows import load_flows
    from assistant.engine.manager import DialogueEngine
    from assistant.eval.store_copies import StoreCopies
    from assistant.knowledge.index import KnowledgeIndex
    from assistant.knowledge.service import Knowledge
    from assistant.services import ActionServices, build_shopping

    copies = StoreCopies(settings.path(settings.store.seed_path), workdir)
    sessions, db_engine = copies.copy("search")
    try:
        orders = SqlOrderBackend(sessions)
        shopping = build_shopping(settings, sessions, orders, embedder=embedder)
        # No documents: the search is measured, not the answers to store questions.
        index = documents if documents is not None else KnowledgeIndex(None, embedder)
        services = ActionServices(orders, Knowledge(index, embedder), shopping)
        engine = DialogueEngine(
            parser=parser,
            domain=load_domain(settings.path(settings.dialogue.domain)),
            flows=load_flows(settings.path(settings.dialogue.flows)),
            runner=InProcessActionRunner(settings.dialogue.actions_package, services=services),
            assistant_name=settings.assistant.name,
            search_flow=search_flow,
        )
    except BaseException:
        db_engine.dispose()
        raise
    return engine, shopping.catalog.session(), shopping, sessions, db_engine.dispose
