"""The index artifact in S3, and the search function's cached copy of it."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livedesk.knowledge.hybrid import HybridIndex

if TYPE_CHECKING:
    from livedesk.understanding.embedders import Embedder

MANIFEST = "manifest.json"


class ArtifactStore:
    """The artifact's files under ``prefix``; the manifest is written last and read first, so a
    reader never loads half an upload."""

    def __init__(self, s3: Any, bucket: str, prefix: str) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._prefix = prefix.rstrip("/") + "/"

    def upload(self, folder: Path) -> None:
        files = sorted(p for p in folder.rglob("*") if p.is_file())
        for path in [p for p in files if p.name != MANIFEST or p.parent != folder] + [folder / MANIFEST]:
            self._s3.upload_file(str(path), self._bucket, self._prefix + path.relative_to(folder).as_posix())

    def version(self) -> str | None:
        """The manifest's ETag, or None when no index has been built yet."""
        try:
            return str(self._s3.head_object(Bucket=self._bucket, Key=self._prefix + MANIFEST)["ETag"])
        except self._s3.exceptions.ClientError as error:
            if error.response["Error"]["Code"] in ("404", "NoSuchKey", "NotFound"):
                return None
            raise

    def download(self, target: Path) -> None:
        paginator = self._s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=self._bucket, Prefix=self._prefix):
            for item in page.get("Contents", []):
                path = target / item["Key"][len(self._prefix) :]
                path.parent.mkdir(parents=True, exist_ok=True)
                self._s3.download_file(self._bucket, item["Key"], str(path))


class CachedIndex:
    """Loaded at cold start, kept for the life of the execution environment, and reloaded when a
    new artifact is published (the manifest is checked at most every ``check_every`` seconds)."""

    def __init__(
        self,
        store: ArtifactStore,
        embedder: Callable[[], Embedder],
        cache_root: Path = Path("/tmp/knowledge-index"),
        check_every: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._store = store
        self._embedder_factory = embedder
        self._embedder: Embedder | None = None
        self._cache_root = cache_root
        self._check_every = check_every
        self._clock = clock
        self._index: HybridIndex | None = None
        self._version: str | None = None
        self._checked_at = -float("inf")

    def __call__(self) -> HybridIndex:
        if self._index is not None and self._clock() - self._checked_at < self._check_every:
            return self._index
        self._checked_at = self._clock()
        version = self._store.version()
        if self._index is None or version != self._version:
            if self._embedder is None:
                self._embedder = self._embedder_factory()
            if version is None:
                self._index = HybridIndex(self._embedder, [])
            else:
                folder = self._cache_root / version.strip('"')
                if not (folder / MANIFEST).exists():
                    self._store.download(folder)
                self._index = HybridIndex.load(folder, self._embedder)
            self._version = version
        return self._index
