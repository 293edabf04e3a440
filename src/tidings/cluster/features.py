"""Language-independent features of one article: terms, names, numbers, character n-grams, embedding."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from operator import itemgetter
from typing import Protocol

import numpy as np
from anyascii import anyascii

from tidings.language import UNSPACED

# How much of the body feeds the features: leads carry the event; the tail carries background that links
# look-alike events (ECB+ tune half: 2,000 characters beat 1,000 and the full text).
BODY_CHARS = 2000
# Title and lead given to the embedder: USE's cost grows with the text (7.9 ms at 300 characters, 14.8 at
# 600, 24.4 at 1,000 a document here). SemEval dev tune half (ramped score): 600 gave Pearson 0.71, 300 0.68,
# 1,000 0.73; 600 is the middle of cost and gain.
LEAD_CHARS = 600
# A body shorter than this (none, or a one-line summary: a feed item) leaves the title to speak for the
# report, and its title is compared with events' titles (tidings.cluster.titles).
SHORT_CHARS = 200
# Years are read from the title and this much of the lead, where datelines and "on Monday" facts sit.
YEAR_CHARS = 600
# Character n-gram length for the cross-language cognate signal (SemEval de-en: 4 beat 3 and 5).
NGRAM = 4
# Most-weighted keys kept per document and per event, bounding memory and scoring time.
MAX_KEYS = 120
MAX_GRAMS = 200

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_UNSPACED_RUN = re.compile(f"({UNSPACED.pattern}+)")
_NUMBER = re.compile(r"\d[\d.,]*\d|\d")
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
_SENTENCE_END = re.compile(r"[.!?:;\"“”«»\n]\s*$")
_STOP = frozenset(  # stop words of the languages seen most (en, de, es, fr, pl, tr)
    """
    a about after again against all also an and any are as at be because been before being between both
    but by can could did do does during each few for from further had has have having he her here hers
    him his how i if in into is it its itself just me more most my no nor not now of off on once only or
    other our out over own same she should so some such than that the their them then there these they
    this those through to too under until up very was we were what when where which while who whom why
    will with would you your said says say told new one two also year years last first mr mrs ms monday
    tuesday wednesday thursday friday saturday sunday der die das und ist nicht ein eine zu den von mit
    sich des auf für im dem als auch es an werden aus er hat dass sie nach wird bei einer um am sind
    noch wie einem über einen so zum war haben nur oder aber vor zur bis mehr durch man sein wurde sei
    el la los las de del en y que un una por con para se su al lo como más pero sus le les des et du est
    dans pour pas sur au qui ne ce il avec une sont ou aux w i z na do nie się to że jest o od po za jak
    ale bir ve bu da de için ile olarak daha çok
    """.split()  # noqa: SIM905
)


class Embedder(Protocol):
    """Turns texts into unit vectors; the real default is `tidings.cluster.embed.USEEmbedder`."""

    dim: int

    def embed(self, texts: Sequence[str]) -> list[list[float]]:
        """One unit vector per text."""
        ...


@dataclass(frozen=True)
class ClusterDoc:
    """What clustering needs of an article, independent of the store."""

    id: str
    lang: str  # the report's original language
    title: str  # English when a translation exists
    text: str  # English when a translation exists, else the original
    original_text: str | None = None  # set when `text` is a translation
    published: datetime | None = None
    source: str | None = None
    url: str | None = None
    entities: tuple[str, ...] = ()
    # language of `text` when it is not `lang` without a translation of ours: a report stored already in
    # English translation (the seeds, republishing sites) has original language vi and English text
    written_in: str = ""
    # word-by-word English gloss (FreeDict) of the title and text, where no engine translates the language:
    # its English words meet English reports' terms across languages
    gloss_title: str = ""
    gloss: str = ""

    @property
    def text_lang(self) -> str:
        """Language of `text`: English once translated."""
        return "en" if self.original_text is not None else self.written_in or self.lang


@dataclass(frozen=True)
class DocFeatures:
    """Raw (unweighted) feature counts of one document; IDF weighting uses the clusterer's state."""

    doc_id: str
    lang: str  # language of the text the features come from ("en" once translated)
    terms: Mapping[str, float]
    names: Mapping[str, float]
    numbers: Mapping[str, float]
    grams: Mapping[str, float]
    years: frozenset[str] = frozenset()  # years the title and lead mention: a date signal without dates
    # float32: 2 KB, where a tuple of Python floats took 16 (states saved before session 5 hold tuples)
    embedding: np.ndarray | None = None
    published: datetime | None = None
    source: str | None = None
    title: str = ""
    original_lang: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)
    # English terms of the document's gloss (None, a plain default, so that states saved before it load)
    gloss: Mapping[str, float] | None = None
    # the second encoder's vector (e5), for a language the first cannot read, or to meet an event that has
    # only such vectors; float32
    fallback: np.ndarray | None = None
    gloss_title: str = ""  # the title's word-by-word English gloss, where the title is not English
    arrived: int = 0  # the clusterer's arrival count when it came (0: states saved before session 7)
    short: bool = False  # a title with next to no text (SHORT_CHARS)


@lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lower-case ASCII form of a word, so Путин, Πούτιν and Putin come close."""
    return anyascii(word).lower().replace("'", "").replace(" ", "")


@lru_cache(maxsize=200_000)
def _stem(word: str) -> str:
    """Crude suffix folding shared by all Latin-script languages (plural -s, -es, -en, -er)."""
    for suffix in ("ing", "es", "en", "er", "ed", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


@lru_cache(maxsize=200_000)
def _term(word: str) -> str | None:
    """The folded stem a lower-case word counts as, None for short and stop words."""
    return _stem(fold(word)) if len(word) >= 3 and word not in _STOP else None


def terms_of(text: str) -> Counter[str]:
    """Content words, folded and stemmed, stop words dropped."""
    out: Counter[str] = Counter()
    # count raw words first, then look each distinct word up once: most of the cost is per token
    for w, n in Counter(_WORD.findall(text.lower())).items():
        if w.isascii() or not UNSPACED.search(w):
            t = _term(w)
            if t is not None:
                out[t] += n
        else:
            for t in _unspaced_terms(w):
                out[t] += n
    return out


def _unspaced_terms(word: str) -> list[str]:
    """Terms of a "word" holding runs of a script written without spaces: each run as character bigrams
    (a Han character is about a morpheme, two about a word: how Chinese and Japanese are indexed without a
    segmenter), the rest as words. Read whole, a Chinese clause was one term and matched nothing."""
    out: list[str] = []
    for i, part in enumerate(_UNSPACED_RUN.split(word)):
        if i % 2:  # split() puts the captured runs at odd positions
            out.extend([part] if len(part) == 1 else [part[j : j + 2] for j in range(len(part) - 1)])
        elif part and (t := _term(part)) is not None:
            out.append(t)
    return out


def names_of(text: str, entities: Iterable[str] = ()) -> Counter[str]:
    """Capitalised words not opening a sentence, transliterated and folded, plus given entity names."""
    out: Counter[str] = Counter()
    for m in _WORD.finditer(text):
        w = m.group()
        if not w[0].isupper() or len(w) < 3 or w.lower() in _STOP:
            continue
        start = m.start()
        # a capital after a sentence end is grammar, not a name
        if start == 0 or _SENTENCE_END.search(text[max(0, start - 3) : start]):
            continue
        out[fold(w)] += 1
    for e in entities:
        for part in e.split():
            if len(part) >= 3:
                out[fold(part)] += 2
    return out


def numbers_of(text: str) -> Counter[str]:
    """Numbers with separators removed; single digits are too common to identify an event."""
    out: Counter[str] = Counter()
    for m in _NUMBER.finditer(text):
        n = re.sub(r"[.,]", "", m.group())
        if len(n) >= 2:
            out[n.lstrip("0") or "0"] += 1
    return out


def years_of(text: str) -> frozenset[str]:
    """Four-digit years 1900-2099 mentioned in the text."""
    return frozenset(_YEAR.findall(text))


def grams_of(text: str, n: int = NGRAM) -> Counter[str]:
    """Character n-grams of folded words, catching cognates across languages (Präsident, president)."""
    out: Counter[str] = Counter()
    for m in _WORD.finditer(text):
        w = fold(m.group())
        if len(w) < n or m.group().lower() in _STOP:
            continue
        w = f"_{w}_"
        for i in range(len(w) - n + 1):
            out[w[i : i + n]] += 1
    return out


def heaviest(items: Iterable[tuple[str, float]], n: int) -> list[tuple[str, float]]:
    """The n heaviest (key, weight) pairs, heaviest first, ties in their order (as a stable sort)."""
    return sorted(items, key=itemgetter(1), reverse=True)[:n]  # stable; faster than heapq.nlargest here


def top(counts: Mapping[str, float], k: int = MAX_KEYS) -> dict[str, float]:
    """The k largest entries, log-scaled so one repeated word does not dominate (ties keep text order)."""
    return {key: 1.0 + math.log(v) for key, v in heaviest(counts.items(), k) if v > 0}


def lead_of(doc: ClusterDoc) -> str:
    """Title and the first sentences, what the embedder sees."""
    body = uncapped(doc.text[:LEAD_CHARS])
    return f"{uncapped(doc.title)}. {body}" if doc.title else body


def uncapped(text: str) -> str:
    """Lines written in capitals, each word capitalised instead, for the encoder: USE reads "REPORT: RED SOX
    MAKE HUGE OFFER TO TEIXEIRA" as noise (cosine 0.43 to its ordinary-case form; capitalised, 0.91)."""
    if text.isupper():  # the common cases first: a title in capitals, or no capitals at all
        lines = [text]
    elif not any(line.isupper() for line in text.split("\n")):
        return text
    else:
        lines = text.split("\n")
    return "\n".join(
        " ".join(w.capitalize() for w in line.split(" "))
        if line.isupper() and sum(len(w) >= 2 and w.isupper() for w in _WORD.findall(line)) >= 2
        else line
        for line in lines
    )


def extract(doc: ClusterDoc, embedding: Sequence[float] | None = None, *, grams: bool = False) -> DocFeatures:
    """Features of one document; pass the embedding of `lead_of(doc)` when the policy computes one.

    Character n-grams are off unless asked for: the ablation in docs/eval-cluster.md found they add
    nothing once embeddings are on, and they are the costliest feature.
    """
    body = doc.text[:BODY_CHARS]
    text = f"{doc.title}\n{doc.title}\n{body}" if doc.title else body
    gloss = None  # English terms of a gloss, where the text itself is not English
    if (doc.gloss or doc.gloss_title) and doc.text_lang != "en":
        gloss = top(terms_of(f"{doc.gloss_title}\n{doc.gloss_title}\n{doc.gloss[:BODY_CHARS]}"))
    return DocFeatures(
        doc_id=doc.id,
        lang=doc.text_lang,
        terms=top(terms_of(text)),
        names=top(names_of(f"{doc.title}. {body}", doc.entities)),
        numbers=top(numbers_of(text), 40),
        grams=top(grams_of(f"{doc.title} {doc.text[: LEAD_CHARS * 2]}"), MAX_GRAMS) if grams else {},
        years=years_of(f"{doc.title} {doc.text[:YEAR_CHARS]}"),
        embedding=np.asarray(embedding, dtype=np.float32) if embedding is not None else None,
        published=doc.published,
        source=doc.source,
        title=doc.title,
        original_lang=doc.lang,
        gloss=gloss,
        gloss_title=doc.gloss_title if doc.text_lang != "en" else "",
        short=bool(doc.title.strip()) and len(doc.text.strip()) < SHORT_CHARS,
    )
