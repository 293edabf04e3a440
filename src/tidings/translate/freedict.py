"""Word-by-word English glosses from Debian's FreeDict X→English dictionaries (dictd format)."""

from __future__ import annotations

import gzip
import re
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from tidings.errors import TranslationError
from tidings.translate.base import TranslatedSentence

DICT_DIR = Path("/usr/share/dictd")
# FreeDict file codes (ISO 639-3) → ISO 639-1 as the rest of tidings speaks it.
_ISO1 = {
    "afr": "af", "ara": "ar", "ces": "cs", "cym": "cy", "dan": "da", "deu": "de", "ell": "el", "fin": "fi",
    "fra": "fr", "gle": "ga", "hrv": "hr", "hun": "hu", "ita": "it", "jpn": "ja", "lat": "la", "lit": "lt",
    "nld": "nl", "pol": "pl", "por": "pt", "slk": "sk", "slv": "sl", "srp": "sr", "swe": "sv", "swh": "sw",
    "tur": "tr", "rus": "ru", "spa": "es", "kur": "ku", "nob": "nb", "bre": "br", "isl": "is",
}  # fmt: skip
_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
MAX_PHRASE_WORDS = 4  # longest multi-word headword tried; longer FreeDict entries are idioms, not headlines
MAX_CJK_CHARS = 8  # longest headword tried when matching unspaced Japanese text character by character
MAX_SENSE_WORDS = 2  # a word's sense this long or shorter is preferred; longer ones are mostly idioms
_UNSPACED = frozenset({"ja", "zh"})
_NOUN_CAPITALS = frozenset({"de", "lb"})  # capitalised common nouns: a capital does not mean a name
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[^\W\d_]+(?:['’-][^\W\d_]+)*|\S", re.UNICODE)
_PLACEHOLDER = re.compile(r"\b(?:sb|sth|so|jdn|jdm|etw)\.(?=\s|$)")  # "afflict sb." → "afflict"
_DOMAIN = re.compile(r"^\s+(?:\[[^\]]*\]\s*)+(?=\w)")
_NOTE = re.compile(r"<[^>]*>|\[[^\]]*\]|\{[^}]*\}|\([^)]*\)|/[^/]*/")


def _b64(text: str) -> int:
    """Decode a dictd base-64 number."""
    value = 0
    for ch in text:
        value = value * 64 + _B64[ch]
    return value


def first_sense(definition: str) -> str:
    """The first English equivalent in a FreeDict definition, without notes, tags or pronunciation."""
    for line in definition.splitlines()[1:]:
        line = _DOMAIN.sub("", line)  # " [pol.] government": a domain label, not an indented example
        if not line.strip() or line[0].isspace() or line.startswith(("see:", "(")):
            continue
        line = re.sub(r"^\s*\d+\.\s*", "", line)
        for sense in re.split(r"[;,]", line):
            # A part-of-speech tag ends the English term ("Monday <n>Mon."); notes in brackets go.
            sense = _NOTE.sub("", sense.split("<", 1)[0]).replace("(", "").replace(")", "")
            sense = _PLACEHOLDER.sub("", sense)
            if sense.strip(" .-"):
                return " ".join(sense.split())
    return ""


@dataclass
class Dictionary:
    """One FreeDict X→English dictionary, loaded once: headword → byte ranges in the decompressed data."""

    index: dict[str, list[tuple[int, int]]]
    data: bytes
    max_words: int

    @classmethod
    def load(cls, index_path: Path, dict_path: Path) -> Dictionary:
        """Parse the .index and decompress the .dict.dz (random access by offset afterwards)."""
        index: dict[str, list[tuple[int, int]]] = {}
        max_words = 1
        try:
            with index_path.open(encoding="utf-8", errors="replace") as lines:
                for line in lines:
                    head, _, rest = line.rstrip("\n").partition("\t")
                    offset, _, length = rest.partition("\t")
                    if not head or head.startswith("00-database") or not length:
                        continue
                    index.setdefault(head, []).append((_b64(offset), _b64(length.split("\t")[0])))
                    max_words = max(max_words, min(head.count(" ") + 1, MAX_PHRASE_WORDS))
            data = gzip.decompress(dict_path.read_bytes())
        except (OSError, ValueError, KeyError) as exc:
            raise TranslationError(f"cannot read dictionary: {exc}", where=str(dict_path)) from exc
        return cls(index=index, data=data, max_words=max_words)

    def lookup(self, word: str) -> str | None:
        """The first sense of the best entry for a word or phrase, or None."""
        found = self.lookup_exact(word)
        return found[0] if found else None

    def lookup_exact(self, word: str) -> tuple[str, bool] | None:
        """The best entry's first sense and whether its headword is written exactly like `word`."""
        best: tuple[tuple[int, int, int, int, int], str] | None = None
        for offset, length in self.index.get(word.lower(), ()):
            text = self.data[offset : offset + length].decode("utf-8", errors="replace")
            sense = first_sense(text)
            forms = [f.strip() for f in _NOTE.sub(" ", text.split("\n", 1)[0]).split(",")]
            if not sense or word.lower() not in {f.lower() for f in forms}:
                continue  # reached through an abbreviation or variant ("am" → Amplitudenmodulation)
            # Exact case first ("die" not "Die"), then articles, then a sense in the word's case (Italian "il"
            # is "the", not its other entry's "All Souls' Day": mt_dev Italian chrF +0.6 / +0.8 on the tune /
            # report halves, the other glossed languages within 0.1), then a sense of one or two words (an
            # idiom filed under its first word gave "che" "what time is it?", German "auch" "for all you
            # know": chrF equal on the report half, BLEU +0.15 German, +0.55 Italian), then the fullest
            # entry (common words carry the most senses and examples).
            rank = (
                int(word in forms),
                int("<art>" in text),
                int(_same_case(word, sense)),
                int(len(sense.split()) <= MAX_SENSE_WORDS),
                length,
            )
            if best is None or rank > best[0]:
                best = (rank, sense)
        return (best[1], best[0][0] == 1) if best else None


def _same_case(word: str, sense: str) -> bool:
    """False when a lower-case word's sense is capitalised (a name or a holiday), "I" aside."""
    return not (word[:1].islower() and sense[:1].isupper() and sense.split()[0] != "I")


def installed_languages(dict_dir: Path = DICT_DIR) -> dict[str, tuple[Path, Path]]:
    """ISO 639-1 source language → (index, data) paths of each installed X→English FreeDict dictionary."""
    found: dict[str, tuple[Path, Path]] = {}
    for index in sorted(dict_dir.glob("freedict-*-eng.index")):
        code = index.name.split("-")[1]
        data = index.with_name(index.name.replace(".index", ".dict.dz"))
        if code in _ISO1 and data.exists():
            found[_ISO1[code]] = (index, data)
    return found


class FreeDictGlosser:
    """Dictionary glosses: the gist of a headline word by word. Always labelled "gloss"."""

    name = "freedict"
    version = "freedict"
    # Raised when the glossing rules change, so that cached and stored glosses count as outdated and
    # `tidings translate --refresh` redoes them (2: a sense in the word's case first; 3: then a short one;
    # 4: spaced as the source is, so quotes and brackets hug their words).
    rules = 4

    def __init__(self, dict_dir: Path = DICT_DIR) -> None:
        self._files = installed_languages(dict_dir)
        self._loaded: dict[str, Dictionary] = {}
        self._lock = threading.Lock()

    def pairs(self) -> set[tuple[str, str]]:
        """Every installed X→English dictionary."""
        return {(src, "en") for src in self._files}

    def version_for(self, src: str, tgt: str = "en") -> str:
        """The dictionary file used for a pair."""
        return f"freedict {self._files[src][0].stem} r{self.rules}" if src in self._files else self.version

    def dictionary(self, src: str) -> Dictionary:
        """The dictionary for a language, loaded on first use and kept."""
        if src not in self._files:
            raise TranslationError(f"no FreeDict dictionary for {src}", where="freedict")
        with self._lock:
            if src not in self._loaded:
                self._loaded[src] = Dictionary.load(*self._files[src])
            return self._loaded[src]

    def translate(self, sentences: Sequence[str], src: str, tgt: str = "en") -> list[TranslatedSentence]:
        """Gloss each sentence word by word (multi-word entries first)."""
        if tgt != "en":
            raise TranslationError(f"FreeDict glosses only into English, not {tgt}", where="freedict")
        dictionary = self.dictionary(src)
        return [TranslatedSentence(s, self.gloss(s, src, dictionary), self.name, "gloss") for s in sentences]

    def gloss(self, sentence: str, src: str, dictionary: Dictionary) -> str:
        """One sentence's gloss: longest dictionary match at each position, names and numbers kept."""
        if src in _UNSPACED:
            return _gloss_unspaced(sentence, dictionary)
        found = list(_TOKEN.finditer(sentence))
        tokens = [m.group() for m in found]
        # whether the source wrote a space before each token: quotes and brackets hug what they enclose
        spaced = [m.start() > 0 and sentence[m.start() - 1].isspace() for m in found]
        out: list[str] = []
        gaps: list[bool] = []
        i = 0
        while i < len(tokens):
            word = tokens[i]
            gaps.append(spaced[i])
            if not word[0].isalpha():
                out.append(word)  # numbers and punctuation as they are
                i += 1
                continue
            size, sense = _longest_match(tokens, i, dictionary)
            if size > 1 and sense:
                out.append(sense)
                i += size
                continue
            is_name = word[0].isupper() and i > 0 and src not in _NOUN_CAPITALS
            out.append(word if is_name else _word_sense(word, src, dictionary) or word)
            i += 1
        return "".join(
            (" " if gap and n else "") + w for n, (w, gap) in enumerate(zip(out, gaps, strict=True))
        )


def _longest_match(tokens: list[str], start: int, dictionary: Dictionary) -> tuple[int, str | None]:
    """The longest run of words from `start` that is a headword, with its sense."""
    for size in range(dictionary.max_words, 0, -1):
        words = tokens[start : start + size]
        if len(words) < size or not all(w[0].isalpha() for w in words):
            continue
        sense = dictionary.lookup(" ".join(words))
        if sense:
            return size, sense
    return 0, None


def _word_sense(word: str, src: str, dictionary: Dictionary) -> str | None:
    """A word's sense: its own entry if written alike, else its lemma's (simplemma), else any entry."""
    found = dictionary.lookup_exact(word)
    if found and found[1]:
        return found[0]
    if found is None and word[0].isupper():
        found = dictionary.lookup_exact(word.lower())  # sentence-initial capital
        if found and found[1]:
            return found[0]
    import simplemma  # lazy: loading its language data costs time only when a gloss needs it

    lang = "hbs" if src in ("hr", "sr", "bs") else src
    try:
        lemma = str(simplemma.lemmatize(word, lang=lang))
    except (ValueError, KeyError):
        lemma = word  # language not covered by simplemma
    by_lemma = dictionary.lookup_exact(lemma) if lemma != word else None
    if by_lemma and (by_lemma[1] or not found):
        return by_lemma[0]
    return found[0] if found else None


def _gloss_unspaced(sentence: str, dictionary: Dictionary) -> str:
    """Gloss text without word spaces (Japanese) by greedy longest headword match per character."""
    out: list[str] = []
    i = 0
    while i < len(sentence):
        for size in range(min(MAX_CJK_CHARS, len(sentence) - i), 0, -1):
            sense = dictionary.lookup(sentence[i : i + size]) if sentence[i].isalpha() else None
            if sense:
                out.append(sense)
                i += size
                break
        else:
            out.append(sentence[i])
            i += 1
    return _detokenize(out)


def _detokenize(words: list[str]) -> str:
    """Join glossed tokens with spaces, punctuation attached to the word before."""
    text = " ".join(words)
    return re.sub(r"\s+([.,;:!?)\]»”%。、！？])", r"\1", text).replace("( ", "(")
