"""The translation stage of the pipeline: pending articles → English, batched per language, cached."""

from __future__ import annotations

import contextlib
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from tidings.errors import TranslationError
from tidings.settings import Settings
from tidings.store import Store
from tidings.store import translations as translation_rows
from tidings.translate import Router, default_router
from tidings.translate.base import engine_version
from tidings.translate.evidence import Candidate, EvidenceMatcher, Vectors
from tidings.translate.router import Mode, TranslationCache
from tidings.translate.segment import segment

_STRICTNESS = {"never": 0, "titles": 1, "all": 2}
# Articles per engine call: sentences of this many articles go to Apertium in one process.
BATCH = 200
# Evidence (for a language no engine covers, and beside a gloss) is sought again once its event holds this
# many times the English sentences it was last sought among: a few times in an event's life, not at every
# new report (with e5, the only reader of Vietnamese or Czech, ~40 ms a sentence).
EVIDENCE_GROWTH = 2.0
# English sentences of an event evidence is sought among, leads first (every member's first sentence, then
# every member's second, ...): with e5, 400 sentences take ~15 s to embed, once per event and run.
MAX_EVIDENCE_CANDIDATES = 400
# Two English sentences whose word sets overlap this much (Jaccard) are one candidate: a reprint's
# sentence with a word added ("Advertisement LUGANO (Wire) - ..."); sentences that differ in a fact
# ("lasted nearly 4 hours" / "lasted almost 2 hours": 0.5) stay apart.
SAME_SENTENCE_JACCARD = 0.8
_WORDS = re.compile(r"\w+")


def event_english(rows: Sequence[dict[str, Any]]) -> list[Candidate]:
    """The English sentences of an event's translated and English members (`rows` as the brief reads them),
    leads first, each once: a wire text's reprints repeat its sentences, and a runner-up as close as the
    best match left no margin, so no evidence was shown in an event with a reprint."""
    english = [r for r in rows if r.get("translation_kind") in ("translation", "original")]
    out: list[Candidate] = []
    seen: list[set[str]] = []
    for i in range(max((len(r["sentences"]) for r in english), default=0)):
        for r in english:
            if i >= len(r["sentences"]) or not (text := r["sentences"][i][1]):
                continue
            words = set(_WORDS.findall(text.casefold()))
            if any(len(words & w) >= SAME_SENTENCE_JACCARD * len(words | w) for w in seen):
                continue
            seen.append(words)
            out.append(Candidate(text, r.get("source") or f"article {r['id']}"))
            if len(out) == MAX_EVIDENCE_CANDIDATES:
                return out
    return out


class EventEnglish:
    """An event's English sentences with one evidence matcher per sentence encoder, so that the sentences
    are embedded once for all the members that read them, not once per member."""

    def __init__(self, router: Router, candidates: Sequence[Candidate]) -> None:
        self.router = router
        self.candidates = list(candidates)
        self._matchers: dict[str, EvidenceMatcher | None] = {}
        self._read: dict[tuple[int, tuple[str, ...]], Vectors] = {}  # English vectors by encoder, for all

    def matcher(self, lang: str) -> EvidenceMatcher | None:
        """The matcher for a language's sentences (None when no encoder reads it)."""
        found = self.router.reader_for({lang, "en"}) if self.candidates else None
        if found is None:
            return None
        if found[0] not in self._matchers:
            made = self._matchers[found[0]] = self.router.evidence(lang, self.candidates)
            if made is not None:
                made.shared = self._read
        return self._matchers[found[0]]


def effective_mode(*modes: str | None) -> Mode:
    """The strictest of the feed's and the source's translate settings."""
    chosen = min((m for m in modes if m in _STRICTNESS), key=_STRICTNESS.__getitem__, default="all")
    return "never" if chosen == "never" else "titles" if chosen == "titles" else "all"


@dataclass
class TranslateReport:
    """What one translation run did."""

    articles: int = 0
    by_kind: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    failed: list[str] = field(default_factory=list)
    tried: set[int] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        """Counts for --json output."""
        return {"articles": self.articles, "by_kind": dict(self.by_kind), "failed": self.failed}


def install_argos_models(folder: str) -> list[str]:
    """Install the operator's Argos model files (`*.argosmodel`) from a folder; problems, as notes."""
    if not folder:
        return []
    from tidings.translate.argos import install_model

    notes = []
    for path in sorted(Path(folder).glob("*.argosmodel")):
        try:
            install_model(path)
        except (TranslationError, OSError) as exc:
            notes.append(f"{path}: {exc}")
    if not Path(folder).is_dir():
        notes.append(f"argos_models_dir {folder}: no such folder")
    return notes


def configured_router(settings: Settings, notes: list[str] | None = None) -> Router:
    """The engines the settings allow, in their order of preference; what an operator should know about
    Argos models that would not install goes to `notes`."""
    allow = {e.strip() for e in settings.translate_engines.split(",") if e.strip()} or None
    installed = install_argos_models(settings.argos_models_dir)
    if notes is not None:
        notes.extend(installed)
    return default_router(
        allow,
        settings.libretranslate_url or None,
        settings.libretranslate_key or None,
        evidence_reader(settings),
    )


def evidence_reader(settings: Settings) -> Any:
    """The clusterer's sentence encoder when it is USE (evidence in the languages it was trained on reads
    with it: docs/eval-translate.md), else None (e5 reads them all)."""
    if settings.cluster_embedder not in ("use", "use-static"):
        return None
    from tidings.cluster.embed import default_embedder  # the clustering stage's; loads on first use

    return default_embedder(settings.cluster_embedder)


def warm(router: Router, articles: Iterable[tuple[str, str, str, Mode]], cache: TranslationCache) -> None:
    """Put every sentence of a batch of articles (title, body, language, mode) through its language's
    engine in one call, into the cache; on failure each article then tries alone and reports its own error."""
    by_lang: dict[str, list[str]] = defaultdict(list)
    for title, body, language, mode in articles:
        lang = (language or "").split("-")[0]
        if not lang or lang == "en" or mode == "never":
            continue
        by_lang[lang].append(title)
        if mode == "all":
            by_lang[lang].extend(s.text for s in segment(body, lang))
    for lang, sentences in by_lang.items():
        engine = router.engine_for(lang)
        if engine is not None:
            with contextlib.suppress(TranslationError):
                router.translate_sentences(engine, list(dict.fromkeys(sentences)), lang, cache)


class Translation:
    """Translates stored articles with the configured engines and stores the results."""

    def __init__(self, store: Store, settings: Settings, router: Router | None = None) -> None:
        self.store = store
        self.settings = settings
        self._router = router
        self.notes: list[str] = []  # what an operator should know (a model that would not install)

    @cached_property
    def router(self) -> Router:
        """The engines allowed by settings, in their order of preference."""
        if self._router is not None:
            return self._router
        return configured_router(self.settings, self.notes)

    def version_of(self, engine_name: str, src: str, tgt: str) -> str:
        """The current version of an engine for a pair ('' when the engine is gone)."""
        for engine in self.router.engines:
            if engine.name == engine_name:
                return engine_version(engine, src, tgt)
        return ""

    def is_stale(self, row: dict[str, Any]) -> bool:
        """True when the engines installed now would translate this article differently."""
        engine, lang = row["engine"], (row["language"] or "").split("-")[0]
        if engine is None:
            return True
        if engine == "passthrough":
            return False
        if engine == "none":
            return self.router.engine_for(lang) is not None  # an engine was installed since
        return bool(self.version_of(engine, lang, "en") != (row["engine_version"] or ""))

    def run(self, *, refresh: bool = False, limit: int = 100_000) -> TranslateReport:
        """Translate every article waiting; with refresh, also every one an engine upgrade outdated."""
        report = TranslateReport()
        if refresh:
            with self.store.read() as conn:
                rows = translation_rows.pending(conn, limit=limit, include_translated=True)
            rows = [r for r in rows if self.is_stale(r)]
            for start in range(0, len(rows), BATCH):
                self.translate_rows(rows[start : start + BATCH], report)
            return report
        while report.articles + len(report.failed) < limit:
            with self.store.read() as conn:
                rows = translation_rows.pending(conn, limit=BATCH)
            rows = [r for r in rows if r["id"] not in report.tried]
            if not rows:
                break
            self.translate_rows(rows, report)
        return report

    def translate_rows(self, rows: Sequence[dict[str, Any]], report: TranslateReport) -> None:
        """Translate a batch of article rows: one engine call per language, then one article at a time."""
        with self.store.write() as conn:
            cache = translation_rows.SqlCache(conn, self.version_of)
            self._warm(rows, cache)
            for row in rows:
                report.tried.add(int(row["id"]))
                mode = effective_mode(row.get("feed_mode"), row.get("source_mode"))
                try:
                    result = self.router.translate_article(
                        row["title"], row["body"], row["language"] or "", mode=mode, cache=cache
                    )
                except TranslationError as exc:
                    report.failed.append(f"article {row['id']}: {exc.message}")
                    continue
                translation_rows.save(conn, int(row["id"]), result, mode)
                report.articles += 1
                report.by_kind[result.kind] += 1

    def _warm(self, rows: Sequence[dict[str, Any]], cache: translation_rows.SqlCache) -> None:
        """Put every sentence of the batch through its language's engine in one call, into the cache."""
        batch = [
            (r["title"], r["body"], r["language"], effective_mode(r.get("feed_mode"), r.get("source_mode")))
            for r in rows
        ]
        warm(self.router, batch, cache)

    def beside_gloss(self, rows: Sequence[dict[str, Any]], english: EventEnglish) -> int:
        """For glossed members of one event (`rows`: id, language, sentences as (position, gloss, original)):
        each original sentence beside the closest English sentence another source wrote, stored as evidence
        under its gloss, where a sentence encoder reads the language. How many articles were read."""
        read = 0
        for row in self._due(rows, english):
            lang = (row.get("language") or "").split("-")[0]
            matcher = english.matcher(lang)
            if matcher is None or not row["sentences"]:
                continue
            try:
                matches = matcher.translate([src for _, _, src in row["sentences"]], lang)
            except TranslationError:
                continue
            positions = [pos for pos, _, _ in row["sentences"]]
            with self.store.write() as conn:
                translation_rows.save_evidence(
                    conn, int(row["id"]), list(zip(positions, matches, strict=True)), len(english.candidates)
                )
            read += 1
        return read

    def with_evidence(self, rows: Sequence[dict[str, Any]], english: EventEnglish) -> int:
        """For members in a language no engine covers: each sentence beside the closest English sentence
        another source of its event wrote, labelled as evidence (never as a translation). How many were
        stored."""
        stored = 0
        for row in self._due(rows, english):
            lang = (row.get("language") or "").split("-")[0]
            matcher = english.matcher(lang) if lang and lang != "en" else None
            if matcher is None or self.router.engine_for(lang) is not None:
                continue  # an engine installed since: the translation stage's to redo
            try:
                result = self.router.translate_article(row["title"], row["body"], lang, evidence=matcher)
            except TranslationError:
                continue
            with self.store.write() as conn:
                translation_rows.save(conn, int(row["id"]), result, "all", len(english.candidates))
            stored += 1
        return stored

    def _due(self, rows: Sequence[dict[str, Any]], english: EventEnglish) -> list[dict[str, Any]]:
        """The rows whose evidence was never sought, or among under 1/EVIDENCE_GROWTH of these sentences."""
        if not rows or not english.candidates:
            return []
        with self.store.read() as conn:
            sought = translation_rows.evidence_sought(conn, [int(r["id"]) for r in rows])
        n = len(english.candidates)
        return [r for r in rows if not (before := sought.get(int(r["id"]))) or n >= EVIDENCE_GROWTH * before]
