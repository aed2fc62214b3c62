"""The train/evaluate contract on an arbitrary labelled file, and the run-time model's fidelity."""

import csv
import json
import math
from pathlib import Path

import pytest

from livedesk.cli import main
from livedesk.understanding.intent_model import IntentModel
from livedesk.understanding.normalize import normalize
from livedesk.understanding.training import build_pipeline

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


def test_train_then_evaluate_any_labelled_file(labelled_csv: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    model_dir = tmp_path / "model"
    assert main(["intents", "train", "--train", str(labelled_csv), "--test-size", "0.34", "--model-out", str(model_dir)]) == 0
    artifact = json.loads((model_dir / "intents.json").read_text(encoding="utf-8"))
    assert artifact["labels"] == ["greeting", "oos", "weather"]
    assert artifact["data_sha256"] and artifact["version"].startswith("tfidf-logreg-1-")
    capsys.readouterr()

    jsonl = tmp_path / "test.jsonl"
    jsonl.write_text("\n".join(json.dumps({"text": t, "label": label, "lang": lang}, ensure_ascii=False) for label, t, lang in ROWS))
    assert main(["intents", "evaluate", "--model", str(model_dir), "--test", str(jsonl)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= {"accuracy", "macro_f1", "per_class_recall", "oos_recall", "latency_ms_per_message", "accuracy_by_language"}
    assert set(report["per_class_recall"]) == {"greeting", "weather", "out_of_scope"}
    assert report["accuracy"] >= 0.8  # mostly the training rows themselves
    assert 0 < report["latency_ms_per_message"] < 50


def test_rows_without_text_or_label_are_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"text": "hello", "label": "greeting"}\n{"text": "", "label": "greeting"}\n')
    with pytest.raises(ValueError, match=r"bad\.jsonl:2"):
        main(["intents", "train", "--train", str(bad)])


def test_the_pure_python_model_reproduces_scikit_learn(labelled_csv: Path, tmp_path: Path) -> None:
    main(["intents", "train", "--train", str(labelled_csv), "--model-out", str(tmp_path)])
    model = IntentModel.load(tmp_path / "intents.json")
    texts = [normalize(text).text for _, text, _ in ROWS]
    pipeline = build_pipeline().fit(texts, [label for label, _, _ in ROWS])
    for text, expected in zip(texts, pipeline.decision_function(texts), strict=True):
        assert all(math.isclose(a, b, abs_tol=1e-3) for a, b in zip(model._scores(text), expected, strict=True))
