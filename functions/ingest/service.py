"""Ingestion: every knowledge file under knowledge/<brand>/ becomes the published index artifact.

Any change rebuilds the artifact from all files, so a re-upload replaces a file's documents and a
delete removes them; the previous artifact's vectors are reused for unchanged passages, so only
new text is embedded. Bad rows are reported per file and the good rows still load. When OpenSearch
is the search backend, each rebuild also syncs its index from the new artifact.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from livedesk.knowledge.documents import passages
from livedesk.knowledge.hybrid import HybridIndex
from livedesk.knowledge.loader import LoadReport, RowError, load_text
from livedesk.knowledge.store import MANIFEST, ArtifactStore
from livedesk.modelbase import Model
from livedesk.understanding.embedders import Embedder


class FileReport(Model):
    key: str
    brand_id: str
    documents: int
    errors: list[str]


class IngestResult(Model):
    trigger: str
    files: int
    documents: int
    passages: int
    embedded: int
    rows_skipped: int
    reports: list[FileReport]
    ignored: list[str]  # keys that are not knowledge/<brand>/<file>
    opensearch_indexed: int = 0  # documents written to OpenSearch (every passage, on that backend)
    opensearch_deleted: int = 0  # documents deleted there


class ReportSink(Protocol):
    def record(self, report: FileReport, at: datetime) -> None: ...


class IndexWriter(Protocol):
    """A search index kept in step with the artifact (OpenSearch); returns (indexed, deleted)."""

    def sync(self, current: HybridIndex, previous: HybridIndex | None) -> tuple[int, int]: ...


@dataclass(frozen=True)
class KnowledgeFile:
    key: str
    brand_id: str | None  # None: the key is not knowledge/<brand>/<file>
    text: str | None  # None: the file could not be read as UTF-8 text


@dataclass(frozen=True)
class KnowledgeFiles:
    s3: Any
    bucket: str
    prefix: str = "knowledge/"

    def read(self) -> list[KnowledgeFile]:
        found = []
        for page in self.s3.get_paginator("list_objects_v2").paginate(Bucket=self.bucket, Prefix=self.prefix):
            for item in page.get("Contents", []):
                parts = item["Key"][len(self.prefix) :].split("/")
                if len(parts) < 2 or not parts[0] or not parts[-1]:
                    found.append(KnowledgeFile(item["Key"], None, None))
                    continue
                body = self.s3.get_object(Bucket=self.bucket, Key=item["Key"])["Body"].read()
                try:
                    found.append(KnowledgeFile(item["Key"], parts[0], body.decode("utf-8")))
                except UnicodeDecodeError:
                    found.append(KnowledgeFile(item["Key"], parts[0], None))
        return found


def _brand_checked(key: str, brand: str, text: str) -> LoadReport:
    """A file under knowledge/<brand>/ may only hold that brand's documents."""
    loaded = load_text(key, text, brand_id=brand)
    kept = [d for d in loaded.documents if d.brand_id == brand]
    errors = loaded.errors + [
        RowError(key, 0, f"document {d.id} names brand {d.brand_id}, not {brand}") for d in loaded.documents if d.brand_id != brand
    ]
    return LoadReport(kept, errors)


class Ingestor:
    def __init__(
        self,
        files: KnowledgeFiles,
        store: ArtifactStore,
        embedder: Callable[[], Embedder],
        reports: ReportSink,
        clock: Callable[[], datetime],
        writer: IndexWriter | None = None,
    ) -> None:
        self._files = files
        self._store = store
        self._embedder_factory = embedder
        self._embedder: Embedder | None = None
        self._reports = reports
        self._clock = clock
        self._writer = writer

    def rebuild(self, trigger: str) -> IngestResult:
        embedder = self._embedder = self._embedder or self._embedder_factory()
        corpus, reports = [], []
        ignored = []
        for file in self._files.read():
            if file.brand_id is None:
                ignored.append(file.key)
                continue
            if file.text is None:
                reports.append(FileReport(key=file.key, brand_id=file.brand_id, documents=0, errors=[f"{file.key}: not UTF-8 text"]))
                continue
            loaded = _brand_checked(file.key, file.brand_id, file.text)
            corpus += [p for d in loaded.documents for p in passages(d)]
            reports.append(
                FileReport(key=file.key, brand_id=file.brand_id, documents=len(loaded.documents), errors=[str(e) for e in loaded.errors])
            )
        with tempfile.TemporaryDirectory() as work:
            previous_dir, out = Path(work) / "previous", Path(work) / "index"
            previous = None
            if self._store.current() is not None:
                self._store.download(previous_dir)
                if (previous_dir / MANIFEST).exists():
                    try:
                        previous = HybridIndex.load(previous_dir, embedder)
                    except ValueError:  # built with another embedder: embed everything again
                        previous = None
            index = HybridIndex(embedder, corpus, previous=previous)
            index.save(out)
            indexed = deleted = 0
            if self._writer is not None:  # before publishing: on a retry, the previous artifact still names the passages to delete
                indexed, deleted = self._writer.sync(index, previous)
            self._store.upload(out)
        now = self._clock()
        for report in reports:
            self._reports.record(report, now)
        return IngestResult(
            trigger=trigger,
            files=len(reports),
            documents=sum(r.documents for r in reports),
            passages=index.size,
            embedded=index.embedded,
            rows_skipped=sum(len(r.errors) for r in reports),
            reports=reports,
            ignored=ignored,
            opensearch_indexed=indexed,
            opensearch_deleted=deleted,
        )
