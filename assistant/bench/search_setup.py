"""What the engine of `assistant bench search` needs: the NLU the server would load, the demo
store in a temporary database, an empty knowledge base, and the `Harness` that builds a
`DialogueEngine` over a catalog from them."""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.backends.orders import OrderBackend
from assistant.config import Settings
from assistant.engine.embeddings import Embedder
from assistant.engine.manager import DialogueEngine
from assistant.knowledge.service import Knowledge
from assistant.search.service import CatalogSearch, Shopping

if TYPE_CHECKING:
    from assistant.engine.nlu.model import NLUModel


@dataclass
class Harness:
    """What every catalog's engine shares: settings, the NLU, the order store and the (empty)
    knowledge base behind the flows' fallback, which no search turn should reach."""

    settings: Settings
    parser: NLUModel
    orders: OrderBackend
    knowledge: Knowledge

    def engine(self, catalog: CatalogSearch) -> DialogueEngine:
        from assistant.engine.domain import load_domain
        from assistant.engine.executor import InProcessActionRunner
        from assistant.engine.flows import load_flows
        from assistant.services import SEARCH_FLOW, ActionServices

        settings = self.settings
        runner = InProcessActionRunner(
            settings.dialogue.actions_package,
            services=ActionServices(self.orders, self.knowledge, Shopping(catalog)),
        )
        flows = load_flows(settings.path(settings.dialogue.flows))
        return DialogueEngine(
            parser=self.parser,
            domain=load_domain(settings.path(settings.dialogue.domain)),
            flows=flows,
            runner=runner,
            assistant_name=settings.assistant.name,
            intents=set(self.parser.intents),
            search_flow=SEARCH_FLOW if SEARCH_FLOW in flows.flows else None,
        )


def load_parser(settings: Settings) -> tuple[NLUModel, str, float]:
    """The NLU the server would load when it matches nlu_data/, else one trained here (not
    saved): (parser, "loaded" or "trained", seconds). Its embedder caches nothing."""
    from assistant.engine.embeddings import embedder_from_settings
    from assistant.engine.nlu.model import NLUModel, train_from_settings
    from assistant.engine.nlu.training_data import load_training_data
    from assistant.errors import ModelNotTrained

    started = time.perf_counter()
    embedder = embedder_from_settings(settings)
    path = settings.nlu_model_path
    if path.exists():
        wanted = load_training_data(settings.path(settings.nlu.training_data)).fingerprint()
        try:
            model = NLUModel.load(path, embedder)
        except ModelNotTrained:
            pass
        else:
            if model.fingerprint == wanted:
                return model, "loaded", time.perf_counter() - started
    model = train_from_settings(settings, embedder)
    return model, "trained", time.perf_counter() - started


@contextmanager
def bench_store(settings: Settings) -> Iterator[OrderBackend]:
    """The demo store in a temporary SQLite database: the order backend the actions get."""
    from assistant.backends.sql_orders import SqlOrderBackend
    from assistant.persistence.db import make_engine, make_session_factory
    from assistant.persistence.migrate import upgrade
    from assistant.store.seed import seed_store

    with tempfile.TemporaryDirectory(prefix="aisle-bench-search-") as directory:
        url = f"sqlite:///{Path(directory) / 'store.db'}"
        upgrade(url)
        db_engine = make_engine(url)
        try:
            sessions = make_session_factory(db_engine)
            seed_store(sessions, settings.path(settings.store.seed_path))
            yield SqlOrderBackend(sessions)
        finally:
            db_engine.dispose()


def empty_knowledge(embedder: Embedder) -> Knowledge:
    """A knowledge base with no documents, in memory: the fallback answers nothing."""
    from assistant.knowledge.index import KnowledgeIndex
    from assistant.knowledge.ingest import get_collection
    from assistant.knowledge.vector_store import open_vector_store

    client = open_vector_store()
    index = KnowledgeIndex(get_collection(client, "bench-search"), embedder)
    index.refresh()
    return Knowledge(index, embedder)


def torch_threads() -> int | None:
    try:
        import torch
    except ImportError:
        return None
    return int(torch.get_num_threads())
