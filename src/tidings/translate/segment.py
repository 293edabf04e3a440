"""Sentence segmentation that knows abbreviations, quotes, numbers and non-Latin full stops."""

from __future__ import annotations

import re
from dataclasses import dataclass

# Abbreviations that end with a dot but rarely end a sentence, lower-cased, without the final dot.
# Multi-dot forms (EE.UU., U.S., z.B.) are caught by the shape rule in `_is_abbreviation`.
_COMMON = {"etc", "vs", "no", "nr", "nº", "tel", "fig", "approx", "ca", "cf", "jr", "sr", "st", "dr", "prof"}
ABBREVIATIONS: dict[str, frozenset[str]] = {
    "en": frozenset(
        _COMMON
        | {"mr", "mrs", "ms", "gen", "gov", "sen", "rep", "lt", "col", "capt", "sgt", "maj", "rev", "inc"}
        | {"ltd", "co", "corp", "jan", "feb", "mar", "apr", "aug", "sept", "sep", "oct", "nov", "dec", "mt"}
        | {"ft", "est", "dept", "univ", "ave", "blvd", "pres", "gov't"}
    ),
    "es": frozenset(
        _COMMON
        | {"sra", "srta", "dra", "d", "dña", "ud", "uds", "vd", "gral", "lic", "ing", "arq", "pág", "págs"}
        | {"av", "avda", "núm", "art", "cía", "admón", "aprox", "dto", "sto", "sta", "excmo", "ilmo"}
    ),
    "ca": frozenset(_COMMON | {"sra", "srta", "dra", "pàg", "núm", "art", "av", "c", "pl", "aprox"}),
    "gl": frozenset(_COMMON | {"sra", "dna", "dra", "páx", "núm", "art", "av", "rúa"}),
    "pt": frozenset(_COMMON | {"sra", "dra", "exmo", "pág", "art", "av", "n", "gen", "cel", "eng", "prof"}),
    "fr": frozenset(_COMMON | {"m", "mm", "mme", "mmes", "mlle", "me", "gén", "art", "av", "bd", "env", "p"}),
    "it": frozenset(_COMMON | {"sig", "sigg", "sig.ra", "dott", "ing", "avv", "on", "gen", "art", "pag"}),
    "de": frozenset(
        _COMMON
        | {"hr", "fr", "frl", "bzw", "ca", "evtl", "ggf", "inkl", "usw", "vgl", "abs", "str", "mio", "mrd"}
        | {"bspw", "gem", "geb", "jh", "jhd", "tsd", "zzgl", "allg", "nr", "okt", "dez", "jan", "feb", "mr"}
    ),
    "nl": frozenset(
        _COMMON | {"dhr", "mevr", "mw", "mr", "ing", "ir", "drs", "bijv", "blz", "jl", "mln", "mld"}
    ),
    "ru": frozenset(
        _COMMON | {"г", "гг", "т", "тыс", "млн", "млрд", "руб", "ул", "им", "др", "пр", "см", "стр"}
    ),
    "vi": frozenset(_COMMON | {"tp", "ts", "pgs", "gs", "ths", "bs", "q", "p", "ông", "bà"}),
}
for _lang in ("pl", "cs", "sv", "da", "fi", "hu", "tr", "eu", "eo", "hbs", "is", "mk", "ar", "zh", "ja"):
    ABBREVIATIONS.setdefault(_lang, frozenset(_COMMON))

# Languages that capitalise nouns and put a dot after ordinal numbers ("am 3. Oktober").
_ORDINAL_DOT = frozenset(
    {"de", "da", "fi", "hu", "is", "cs", "sk", "pl", "hbs", "sl", "tr", "eu", "lt", "lv"}
)

_CLOSERS = "\"'”’»)]」』›"
_OPENERS = "\"'“‘«([「『‹¿¡—–-"
# A run of terminal punctuation and the quotes or brackets that close around it.
_TERMINAL = re.compile(r"(?:\.{3}|…|[.!?]+|[。！？]+|[؟۔]+)[" + re.escape(_CLOSERS) + r"]*")
_CJK_STOPS = frozenset("。！？")
_WORD_BEFORE = re.compile(r"(\S+)$")
_MULTI_DOT = re.compile(r"^(?:\w{1,4}\.)+\w{1,4}$")  # EE.UU, U.S, z.B, a.m
_DIGITS = re.compile(r"^\d{1,2}$")


@dataclass(frozen=True)
class Segment:
    """One sentence of a body: its paragraph (0-based), its position in the body (0-based) and text."""

    paragraph: int
    index: int
    text: str


def _is_abbreviation(word: str, lang: str) -> bool:
    """Whether `word` (the text before a dot, without the dot) is an abbreviation in `lang`."""
    token = word.lstrip(_OPENERS)
    if not token:
        return False
    low = token.lower()
    if low in ABBREVIATIONS.get(lang, ABBREVIATIONS["en"]) or low in _COMMON:
        return True
    if _MULTI_DOT.match(token):
        return True
    # A single capital letter is an initial ("J. K. Rowling").
    return len(token) == 1 and token.isalpha() and token.isupper()


def _starts_sentence(rest: str) -> bool:
    """Whether the text after a candidate boundary looks like the start of a sentence."""
    stripped = rest.lstrip()
    if not stripped:
        return True
    for ch in stripped:
        if ch in _OPENERS:
            continue
        # Uncased scripts (Arabic, CJK, Hebrew ...) have no capitals: any letter may start a sentence.
        return ch.isupper() or ch.isdigit() or (ch.isalpha() and not ch.islower() and not ch.isupper())
    return True


def _is_boundary(text: str, start: int, end: int, lang: str) -> bool:
    """Decide whether the terminal punctuation text[start:end] ends a sentence."""
    mark = text[start:end].rstrip(_CLOSERS)
    rest = text[end:]
    if mark[0] in _CJK_STOPS:
        return True  # CJK full stops need no following space
    if rest and not rest[0].isspace():
        return False  # 3.5, 1.000, U.S.-led, "word.com"
    if mark[0] in "؟۔!?":
        return _starts_sentence(rest) or mark[0] in "؟۔"
    if not _starts_sentence(rest):
        return False  # "etc. and", "... and then"
    if mark in ("...", "…"):
        return True
    before = _WORD_BEFORE.search(text[:start])
    if before is None:
        return True
    word = before.group(1)
    if _is_abbreviation(word, lang):
        return False
    return not (lang in _ORDINAL_DOT and _DIGITS.match(word))


def split_sentences(text: str, lang: str) -> list[str]:
    """Split a paragraph into sentences; whitespace inside a sentence is collapsed to single spaces."""
    flat = " ".join(text.split())
    if not flat:
        return []
    lang = (lang or "en").lower().split("-")[0]
    sentences: list[str] = []
    begin = 0
    for match in _TERMINAL.finditer(flat):
        if _is_boundary(flat, match.start(), match.end(), lang):
            piece = flat[begin : match.end()].strip()
            if piece:
                sentences.append(piece)
            begin = match.end()
    tail = flat[begin:].strip()
    if tail:
        sentences.append(tail)
    return sentences


_PARAGRAPH_BREAK = re.compile(r"\n[ \t\r\f\v]*\n")


def segment(body: str, lang: str) -> list[Segment]:
    """Split a body (paragraphs separated by blank lines) into numbered sentences."""
    out: list[Segment] = []
    paragraph = 0
    for block in _PARAGRAPH_BREAK.split(body):
        sentences = split_sentences(block, lang)
        if not sentences:
            continue
        for sentence in sentences:
            out.append(Segment(paragraph=paragraph, index=len(out), text=sentence))
        paragraph += 1
    return out
