"""The index artifact in S3, and the search function's cached copy of it."""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from livedesk.knowledge.hybrid import HybridIndex

if TYPE_CHECKING:
    from livedesk.understanding.embedders import Embedder

MANIFEST = "manifest.json"
CURRENT = "CURRENT"


class ArtifactStore:
    """Each published artifact gets its own folder ``prefix/<build>/``; the pointer file
    ``prefix/CURRENT`` names the live one and is written last, so a reader never mixes two builds.
    The build before the current one is kept for readers still downloading it."""

    def __init__(self, s3: Any, bucket: str, prefix: str) -> None:
        self._s3 = s3
        self._bucket = bucket
        self._prefix = prefix.rstrip("/") + "/"

    def upload(self, folder: Path) -> str:
        build = f"{time.strftime('%Y%m%dT%H%M%S', time.gmtime())}-{uuid.uuid4().hex[:8]}"
        for path in sorted(p for p in folder.rglob("*") if p.is_file()):
            self._s3.upload_file(str(path), self._bucket, f"{self._prefix}{build}/{path.relative_to(folder).as_posix()}")
        previous = self.current()
        self._s3.put_object(Bucket=self._bucket, Key=self._prefix + CURRENT, Body=build.encode())
        self._delete_builds(keep={build, previous})
        return build

    def current(self) -> str | None:
        """The live build, or None when no index has been published yet."""
        try:
            return str(self._s3.get_object(Bucket=self._bucket, Key=self._prefix + CURRENT)["Body"].read().decode())
        except self._s3.exceptions.NoSuchKey:
            return None

    def download(self, target: Path, build: str | None = None) -> None:
        build = build or self.current()
        if build is None:
            return
        root = f"{self._prefix}{build}/"
        for item in self._objects(root):
            path = target / item[len(root) :]
            path.parent.mkdir(parents=True, exist_ok=True)
            self._s3.download_file(self._bucket, item, str(path))

    def _objects(self, prefix: str) -> list[str]:
        pages = self._s3.get_paginator("list_objects_v2").paginate(Bucket=self._bucket, Prefix=prefix)
        return [item["Key"] for page in pages for item in page.get("Contents", [])]

    def _delete_builds(self, keep: set[str | None]) -> None:
        stale = [
            key
            for key in self._objects(self._prefix)
            if key != self._prefix + CURRENT and key[len(self._prefix) :].split("/")[0] not in keep
        ]
        for start in range(0, len(stale), 1000):
            self._s3.delete_objects(Bucket=self._bucket, Delete={"Objects": [{"Key": key} for key in stale[start : start + 1000]]})


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
        version = self._store.current()
        if self._index is None or version != self._version:
            if self._embedder is None:
                self._embedder = self._embedder_factory()
            if version is None:
                self._index = HybridIndex(self._embedder, [])
            else:
                folder = self._cache_root / version
                if not (folder / MANIFEST).exists():
                    self._download(folder, version)
                self._index = HybridIndex.load(folder, self._embedder)
            self._version = version
        return self._index

    def _download(self, folder: Path, version: str) -> None:
        """Into a folder of its own, then renamed into place whole: a reader never sees half a build,
        even with another process (a second local stack) fetching the same build beside it."""
        self._cache_root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{version}-", dir=self._cache_root))
        self._store.download(staging, version)
        try:
            staging.rename(folder)
        except OSError:  # another process put the same build in place first
            shutil.rmtree(staging, ignore_errors=True)
