"""The translation interface: what every engine takes and returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from tidings.translate.segment import Segment

# ok: engine output, guards passed; numbers-differ: a number of the source is missing from the output;
# passthrough: already English, untouched; gloss: word-by-word dictionary gloss, not a translation;
# evidence: an English sentence from another source of the event; none: nothing could be done.
Quality = Literal["ok", "numbers-differ", "passthrough", "gloss", "evidence", "none"]
Kind = Literal["translation", "gloss", "evidence", "none", "original"]
QUALITIES: frozenset[str] = frozenset(("ok", "numbers-differ", "passthrough", "gloss", "evidence", "none"))


@dataclass(frozen=True)
class TranslatedSentence:
    """One source sentence and its English rendering by one engine."""

    source: str
    text: str
    engine: str
    quality: Quality
    score: float | None = None  # evidence: cosine similarity of the match
    origin: str | None = None  # evidence: where the English sentence came from (source name or URL)


@dataclass(frozen=True)
class ArticleTranslation:
    """An article's title and body sentences, each beside its English rendering."""

    title: TranslatedSentence
    sentences: list[tuple[Segment, TranslatedSentence]]
    engine: str
    engine_version: str
    kind: Kind
    source_lang: str = ""
    target_lang: str = "en"

    @property
    def text(self) -> str:
        """The English body, paragraphs separated by blank lines."""
        paragraphs: dict[int, list[str]] = {}
        for seg, sent in self.sentences:
            paragraphs.setdefault(seg.paragraph, []).append(sent.text)
        return "\n\n".join(" ".join(p) for _, p in sorted(paragraphs.items()))


@runtime_checkable
class Translator(Protocol):
    """An engine that renders batches of sentences from one language into another."""

    name: str
    version: str

    def pairs(self) -> set[tuple[str, str]]:
        """The (source, target) ISO 639-1 pairs this engine can handle here."""
        ...

    def translate(self, sentences: Sequence[str], src: str, tgt: str = "en") -> list[TranslatedSentence]:
        """Render each sentence; the result is aligned one-to-one with `sentences`."""
        ...


def engine_version(engine: Translator, src: str, tgt: str) -> str:
    """The most specific version an engine reports for a pair (e.g. the Apertium language data)."""
    per_pair = getattr(engine, "version_for", None)
    return str(per_pair(src, tgt)) if callable(per_pair) else engine.version
