"""Read knowledge files (JSONL, CSV, Markdown). Bad rows are reported with their row number and
reason; the good rows still load.

- JSONL: one document per line, fields as in ``livedesk.knowledge.documents``.
- CSV: a header row; list fields separated by ``|`` (questions, channels, tags, steps, skus),
  object fields as JSON (parameters, size_chart, scope, promises).
- Markdown: one document per file: a front-matter block between ``---`` lines (``key: value``,
  list fields separated by ``|``) and a body: a process's numbered or bulleted steps, a policy's
  text or a FAQ's answer.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from livedesk.knowledge.documents import DOCUMENT, Faq, LiveSession, Policy, Process, Product

AnyDocument = Faq | Product | Policy | Process | LiveSession
LIST_FIELDS = ("questions", "channels", "tags", "steps", "skus")
OBJECT_FIELDS = ("parameters", "size_chart", "scope", "promises")
STEP = re.compile(r"^\s*(?:\d+[.)、]|[-*])\s+(.*\S)\s*$")


@dataclass(frozen=True)
class RowError:
    file: str
    row: int
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.reason}"


@dataclass
class LoadReport:
    documents: list[AnyDocument] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)

    def extend(self, other: LoadReport) -> None:
        self.documents += other.documents
        self.errors += other.errors


def _reason(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or 'row'}: {e['msg']}" for e in error.errors(include_url=False)[:3])
    return str(error)


def _validated(name: str, rows: list[tuple[int, Any]], brand_id: str | None) -> LoadReport:
    report = LoadReport()
    seen: set[str] = set()
    for number, row in rows:
        try:
            if isinstance(row, str):  # the parser's reason
                raise ValueError(row)
            if not isinstance(row, dict):
                raise ValueError("not an object")
            if brand_id is not None:
                row = {**row, "brand_id": row.get("brand_id") or brand_id}
            document = DOCUMENT.validate_python(row)
            if document.id in seen:
                raise ValueError(f"duplicate id {document.id}")
        except (ValidationError, ValueError) as error:
            report.errors.append(RowError(name, number, _reason(error)))
            continue
        seen.add(document.id)
        report.documents.append(document)
    return report


def _jsonl_rows(text: str) -> list[tuple[int, Any]]:
    rows: list[tuple[int, Any]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            rows.append((number, json.loads(line)))
        except json.JSONDecodeError as error:
            rows.append((number, f"invalid JSON: {error.msg}"))
    return rows


def _flat_to_fields(flat: dict[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key, value in flat.items():
        value = (value or "").strip()
        if not key or value == "":
            continue
        if key in LIST_FIELDS:
            fields[key] = [part.strip() for part in value.split("|") if part.strip()]
        elif key in OBJECT_FIELDS:
            fields[key] = json.loads(value)
        else:
            fields[key] = value
    return fields


def _csv_rows(text: str) -> list[tuple[int, Any]]:
    rows: list[tuple[int, Any]] = []
    for number, flat in enumerate(csv.DictReader(io.StringIO(text)), start=2):  # row 1 is the header
        try:
            rows.append((number, _flat_to_fields(flat)))
        except json.JSONDecodeError as error:
            rows.append((number, f"invalid JSON in a field: {error.msg}"))
    return rows


def _markdown_rows(text: str) -> list[tuple[int, Any]]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---" or "---" not in (line.strip() for line in lines[1:]):
        return [(1, "a Markdown knowledge file starts with a front-matter block between --- lines")]
    end = next(i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---")
    flat = {}
    for line in lines[1:end]:
        key, _, value = line.partition(":")
        flat[key.strip()] = value.strip()
    fields = _flat_to_fields(flat)
    body = "\n".join(lines[end + 1 :]).strip()
    kind = fields.get("kind")
    if kind == "process":
        fields["steps"] = [m.group(1) for m in map(STEP.match, body.splitlines()) if m]
    elif kind == "policy":
        fields["text"] = body
    elif kind == "faq":
        fields["answer"] = body
    return [(1, fields)]


def load_text(name: str, text: str, brand_id: str | None = None) -> LoadReport:
    """Parse one file's text by its extension; ``brand_id`` fills rows that do not name a brand."""
    suffix = Path(name).suffix.lower()
    if suffix == ".jsonl":
        rows = _jsonl_rows(text)
    elif suffix == ".csv":
        rows = _csv_rows(text)
    elif suffix in (".md", ".markdown"):
        rows = _markdown_rows(text)
    else:
        return LoadReport(errors=[RowError(name, 0, f"unsupported file type {suffix or '(none)'}: use .jsonl, .csv or .md")])
    return _validated(name, rows, brand_id)


def load_paths(paths: list[Path]) -> LoadReport:
    """Every knowledge file under the given files or folders."""
    report = LoadReport()
    for path in paths:
        files = sorted(p for p in path.rglob("*") if p.suffix.lower() in (".jsonl", ".csv", ".md")) if path.is_dir() else [path]
        for file in files:
            if file.name == "queries.jsonl":  # evaluation queries live beside the demo knowledge
                continue
            report.extend(load_text(str(file), file.read_text(encoding="utf-8")))
    return report
