"""Canonical URLs, exact and near-duplicate copies, wire-copy lineage and revisions."""

from __future__ import annotations

import hashlib
import re
import unicodedata
import zlib
from collections import deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from functools import lru_cache
from itertools import accumulate
from typing import Any, Literal, Protocol
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import numpy as np
import numpy.typing as npt
from anyascii import anyascii
from datasketch import MinHash, MinHashLSH

from tidings.language import space_unspaced
from tidings.translate.evidence import (
    EVIDENCE_MARGIN,
    EVIDENCE_THRESHOLD,
    accepted,
    best_matches,
    carrying,
)

# Permutations per MinHash: 64 keeps the Jaccard estimate within ±0.06 and hashing under 1 ms an article.
NUM_PERM = 64
# datasketch's collision-free 32-bit permutation scheme; exported signatures are read back with it.
SCHEME: Literal["affine32"] = "affine32"
# Word 5-gram shingles: short enough to survive wire-copy edits, long enough that two reports of one event
# written independently share almost none (tests/data/dedup: independent reports reach 0.08 at most).
SHINGLE = 5
# Jaccard above which two texts are copies of one text. Calibrated on tests/data/dedup/corpus.jsonl: copies
# with other boilerplate, trimmed endings and light edits sit at 0.59-1.0, independently written reports
# of the same events at 0.0. (A fluent English translation of a shortened copy reached 0.245; Apertium's
# English of it reaches 0.01, which is why translated copies are found sentence by sentence, below.)
COPY_JACCARD = 0.2
# Texts shorter than this many words are too short for shingles; they are matched by exact hash only.
MIN_WORDS = 25
# Documents kept in the near-duplicate index (oldest leave first); bounds memory on endless streams.
WINDOW = 20000
# Translated copies (one report renders another in a second language) share no shingles; they are found
# sentence by sentence, over each text's first TRANSLATED_SENTENCES sentences: a copy has at least
# TRANSLATED_MIN of them, and at least TRANSLATED_SHARE of the shorter text's, matched to distinct
# sentences of the other (a cosine of at least the encoder's threshold, and its margin over the
# runner-up, the same numbers written in digits). Chosen on the tune halves of mt_dev (windows of 6
# consecutive sentences against their references) and of SemEval dev's same-story pairs; `tidings eval
# copies` prints both halves.
# Texts under TRANSLATED_SHORTEST sentences are not judged: two three-sentence reports of one meeting
# (the sample's French and German ones) say the same three facts sentence for sentence.
TRANSLATED_SENTENCES = 10
TRANSLATED_MIN = 3
TRANSLATED_SHARE = 0.5
TRANSLATED_SHORTEST = 4
# ... unless both open with one agency's dateline credit ("GENEVA (Reuters) -", "GINEBRA, 16 jun (EFE).-"):
# an agency's brief and its own translation, two or three sentences long, each one matched. Independent
# reports of one meeting carry no common credit (the dedup corpus's English report a6 matches both
# sentences of the Spanish wire brief a4, which is a copy; only the credit tells them apart).
CREDITED_SHORTEST = 2
# Sentence encoders the test reads with, and each one's (cosine, margin over the runner-up). USE, trained
# on translation pairs, tells a sentence's translation from its neighbours far better than e5-small
# (mt_dev tune half, the reference against the best other reference of its window: a margin of 0.04 or
# more for 97 % of Chinese and 99 % of German sentences, against e5's 45 % and 89 %) for ~1/100 of the
# CPU; so it reads the pairs of languages it was trained on, and e5, with the translation stage's
# evidence numbers, the rest. USE's numbers: the tune half's grid (docs/eval-cluster.md).
SENTENCE_MATCH = {
    "e5": (EVIDENCE_THRESHOLD, EVIDENCE_MARGIN),
    "use": (0.50, 0.08),
    "use-static": (0.50, 0.08),
}

_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|igshid|yclid|_ga|ref|ref_src|cmpid|ocid|"
    r"ito|at_medium|at_campaign|smid|sr_share|spm|share|source|via|amp|outputtype)$",
    re.IGNORECASE,
)
_MOBILE_HOST = re.compile(r"^(m|mobile|amp|www|wap)\.", re.IGNORECASE)
_AMP_PATH = re.compile(r"/amp(?=/|$)|\.amp(?=\.html?$|$)", re.IGNORECASE)
_BOILERPLATE = re.compile(
    r"^(advertisement|read more|related:|share this|follow us|subscribe|copyright|©|\(c\)|all rights)",
    re.IGNORECASE,
)
_WORDS = re.compile(r"\w+", re.UNICODE)
# A dateline credit at the start of a text: a place (and maybe a date), the agency in parentheses, a dash.
_CREDIT = re.compile(
    r"^\W{0,3}[^\W\d][^()\n]{0,60}?"  # the place, maybe a date
    r"\(([^\W\d][\w.&/ -]{0,24})\)"  # (Agency)
    r"\s{0,2}[.,:]?\s{0,2}[-\u2013\u2014]"  # "-", ".-", "—"
)

CopyKind = Literal["original", "copy", "revision", "duplicate"]


@dataclass(frozen=True)
class SentenceVectors:
    """A text's first sentences, their language and their unit vectors from one multilingual encoder
    (named as in SENTENCE_MATCH: vectors compare only within one)."""

    sentences: Sequence[str]
    lang: str
    vectors: npt.NDArray[np.float32]
    encoder: str = "e5"


def sentence_vectors(sentences: Sequence[str], lang: str, reader: tuple[str, Any]) -> SentenceVectors:
    """The sentences read by an encoder, named as in SENTENCE_MATCH (`Router.reader_for` picks it)."""
    name, encoder = reader
    if not sentences:
        return SentenceVectors(sentences, lang, np.zeros((0, 1), dtype=np.float32), name)
    vectors = np.asarray(encoder.embed(list(sentences)), dtype=np.float32).reshape(len(sentences), -1)
    return SentenceVectors(sentences, lang, vectors, name)


def translated_match(a: SentenceVectors, b: SentenceVectors) -> tuple[int, int]:
    """How many of `a`'s sentences find a distinct counterpart in `b` (the encoder's cosine and margin),
    out of how many the shorter of the two has."""
    if a.encoder != b.encoder:
        raise ValueError(f"sentences read by {a.encoder} and {b.encoder} do not compare")
    a_sents, b_sents = list(a.sentences[:TRANSLATED_SENTENCES]), list(b.sentences[:TRANSLATED_SENTENCES])
    n = min(len(a_sents), len(b_sents))
    if n == 0:
        return 0, 0
    allowed = carrying(a_sents, b_sents, a.lang)
    best, top, second = best_matches(a.vectors[: len(a_sents)], b.vectors[: len(b_sents)], allowed)
    shown = accepted(top, second, *SENTENCE_MATCH[a.encoder])
    return len(set(best[shown].tolist())), n


def is_translated_copy(a: SentenceVectors, b: SentenceVectors) -> tuple[bool, int, int]:
    """Whether one text renders the other (tested both ways: each side's runner-up differs), with the
    sentences matched and the shorter text's count."""
    matched, n = max(translated_match(a, b), translated_match(b, a))
    copy = n >= TRANSLATED_SHORTEST and matched >= max(TRANSLATED_MIN, TRANSLATED_SHARE * n)
    if not copy and CREDITED_SHORTEST <= n == matched:
        credit = wire_credit(a.sentences[0])
        copy = credit is not None and credit == wire_credit(b.sentences[0])
    return copy, matched, n


def wire_credit(text: str) -> str | None:
    """The agency a text's dateline credits ("reuters" for "WASHINGTON, June 16 (Reuters) -"), or None."""
    m = _CREDIT.match(text)
    return " ".join(m.group(1).casefold().split()) if m else None


class Copyable(Protocol):
    """What dedup reads of a document (`tidings.cluster.ClusterDoc` has it)."""

    @property
    def id(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def text(self) -> str: ...
    @property
    def source(self) -> str | None: ...
    @property
    def url(self) -> str | None: ...
    @property
    def published(self) -> datetime | None: ...


@dataclass(frozen=True)
class CopyVerdict:
    """What dedup says of one incoming document."""

    doc_id: str
    kind: CopyKind  # original | copy (other outlet) | revision (same outlet, edited) | duplicate (identical)
    of: str | None = None  # the document it copies, revises or duplicates
    origin: str | None = None  # earliest member of its copy group
    similarity: float = 0.0  # estimated Jaccard of shingles, 1.0 for an exact match


@dataclass
class CopyIndexState:
    """Plain-data state of a `CopyIndex`, for the store to save and reload."""

    urls: dict[str, str] = field(default_factory=dict)  # canonical URL -> doc id
    hashes: dict[str, str] = field(default_factory=dict)  # normalised-text hash -> doc id
    group_of: dict[str, str] = field(default_factory=dict)  # doc id -> group id
    origin_of: dict[str, str] = field(default_factory=dict)  # group id -> earliest doc id
    published: dict[str, str] = field(default_factory=dict)  # doc id -> ISO date, to re-elect origins
    signatures: dict[str, list[int]] = field(default_factory=dict)  # doc id -> MinHash values
    sources: dict[str, str] = field(default_factory=dict)  # doc id -> source
    titles: dict[str, str] = field(default_factory=dict)  # doc id -> title, to tell revisions from duplicates


@lru_cache(maxsize=1)
def _permutations() -> Any:
    # drawing the permutations once, not per document, is most of MinHash's set-up cost
    return MinHash(num_perm=NUM_PERM, scheme=SCHEME).permutations


def _fmix32(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 32-bit finalizer, the pre-mix datasketch's affine32 scheme applies to input hashes."""
    h = h ^ (h >> np.uint32(16))
    h = h * np.uint32(0x85EBCA6B)
    h = h ^ (h >> np.uint32(13))
    h = h * np.uint32(0xC2B2AE35)
    out: np.ndarray = h ^ (h >> np.uint32(16))
    return out


def signature(shingle_set: Iterable[bytes]) -> np.ndarray:
    """MinHash values of a set of shingles, equal to datasketch's `MinHash(scheme="affine32")` with crc32.

    One array operation over the distinct shingles instead of a MinHash object per document: the object's
    set-up and per-call checks cost more than the hashing itself.
    """
    # crc32: a C-speed, process-independent 32-bit hash, so exported signatures stay valid across runs
    hv = np.fromiter(map(zlib.crc32, shingle_set), dtype=np.uint32)
    a, b = _permutations()
    if not len(hv):
        return np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    # uint32 arithmetic wraps, which is the scheme's modulo 2^32
    out: np.ndarray = (_fmix32(hv)[:, None] * a + b).min(axis=0)
    return out


@lru_cache(maxsize=4)
def _bands(threshold: float) -> tuple[tuple[int, int], ...]:
    # datasketch's choice of bands and rows for the threshold (equal false-positive and -negative weights)
    lsh = MinHashLSH(threshold=threshold, num_perm=NUM_PERM)
    return tuple((i * lsh.r, (i + 1) * lsh.r) for i in range(lsh.b))


class _BandIndex:
    """Banded LSH over signatures, the candidate search of datasketch's `MinHashLSH`, on plain dicts of
    matrix rows: at a low threshold a query meets ~150 candidates in a full window (pages sharing a stock
    sentence), and their exact estimates are one gather of rows, not 150 arrays stacked and sorted."""

    def __init__(self, threshold: float) -> None:
        self.ranges = [(4 * start, 4 * end) for start, end in _bands(threshold)]  # byte offsets of uint32
        self.tables: list[dict[bytes, set[int]]] = [{} for _ in self.ranges]  # band value -> rows
        self._row: dict[str, int] = {}  # key -> its row
        self._bands: dict[int, list[bytes]] = {}  # row -> its band values, for removal
        self._free: list[int] = []  # rows of removed keys
        self._keys: list[str] = []  # row -> key
        self._matrix = np.zeros((1024, NUM_PERM), dtype=np.uint32)
        self._seq = np.zeros(1024, dtype=np.int64)  # row -> insertion number: of equals, the oldest wins
        self._next = 0

    def _split(self, sig: np.ndarray) -> list[bytes]:
        raw = sig.tobytes()
        return [raw[start:end] for start, end in self.ranges]

    def insert(self, key: str, sig: np.ndarray) -> None:
        """Index a signature under `key`."""
        if self._free:
            row = self._free.pop()
            self._keys[row] = key
        else:
            row = len(self._keys)
            self._keys.append(key)
            if row == len(self._matrix):
                self._matrix = np.concatenate([self._matrix, np.zeros_like(self._matrix)])
                self._seq = np.concatenate([self._seq, np.zeros_like(self._seq)])
        self._row[key] = row
        self._matrix[row] = sig
        self._seq[row] = self._next
        self._next += 1
        bands = self._bands[row] = self._split(sig)
        for band, table in zip(bands, self.tables, strict=True):
            members = table.get(band)
            if members is None:
                table[band] = {row}
            else:
                members.add(row)

    def nearest(self, sig: np.ndarray) -> tuple[str, float] | None:
        """The candidate (sharing a band) whose signature agrees most with this one, with the share of
        agreeing values (the Jaccard estimate); of equally close ones the oldest, so that every process
        resolves them alike. None without candidates."""
        found: set[int] = set()
        for band, table in zip(self._split(sig), self.tables, strict=True):
            members = table.get(band)
            if members:
                found |= members
        if not found:
            return None
        rows = np.fromiter(found, dtype=np.int64, count=len(found))
        agree = (self._matrix[rows] == sig).mean(axis=1)
        best = rows[agree == agree.max()]
        row = int(best[np.argmin(self._seq[best])])
        return self._keys[row], float(agree.max())

    def remove(self, key: str) -> None:
        """Drop a key."""
        row = self._row.pop(key)
        self._free.append(row)
        for band, table in zip(self._bands.pop(row), self.tables, strict=True):
            members = table[band]
            members.discard(row)
            if not members:
                del table[band]


def canonical_url(url: str) -> str:
    """The URL with tracking parameters, AMP and mobile hosts, fragments and trailing slashes removed."""
    parts = urlsplit(url.strip())
    host = (parts.hostname or "").lower()
    while _MOBILE_HOST.match(host):
        host = _MOBILE_HOST.sub("", host, count=1)
    if host.endswith(".cdn.ampproject.org"):
        # Google AMP cache: /c/s/example.com/path -> example.com/path
        rest = re.sub(r"^/[a-z]/(s/)?", "", parts.path)
        host, _, path = rest.partition("/")
        return canonical_url(f"https://{host}/{path}")
    port = f":{parts.port}" if parts.port and parts.port not in (80, 443) else ""
    path = _AMP_PATH.sub("", parts.path)
    path = re.sub(r"/{2,}", "/", path).rstrip("/") or ""
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _TRACKING.match(k)]
    return urlunsplit(("https", host + port, path, urlencode(sorted(query)), ""))


def normalise_text(text: str) -> str:
    """Body text without boilerplate lines, case, accents, punctuation and spacing differences."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not _BOILERPLATE.match(ln.strip())]
    text = space_unspaced(unicodedata.normalize("NFKC", " ".join(lines)).casefold())
    return " ".join(_WORDS.findall(text))


def text_hash(text: str) -> str:
    """Hash of the normalised text: equal for exact copies whatever their layout."""
    return hashlib.blake2b(normalise_text(text).encode(), digest_size=16).hexdigest()


def shingles(text: str, k: int = SHINGLE) -> list[bytes]:
    """Word k-gram shingles of the normalised, transliterated text."""
    return _shingles_of(normalise_text(text), k)


def _shingles_of(norm: str, k: int = SHINGLE) -> list[bytes]:
    # transliterated, so copies in Cyrillic and Latin spellings of one text still match
    words = anyascii(norm).split()
    if len(words) < k:
        return []
    # slices of the joined text (ASCII, so characters are bytes) instead of one join per shingle
    raw = " ".join(words).encode()
    ends = list(accumulate(len(w) + 1 for w in words))  # offset just past each word's following space
    return [raw[start : end - 1] for start, end in zip([0, *ends[:-1]], ends[k - 1 :], strict=False)]


class CopyIndex:
    """Online dedup: says whether a document copies, revises or duplicates one seen before."""

    def __init__(self, threshold: float = COPY_JACCARD, window: int = WINDOW) -> None:
        self.threshold = threshold
        self.window = window
        self.state = CopyIndexState()
        self._lsh = _BandIndex(threshold)
        self._order: deque[str] = deque()
        self._group_members: dict[str, list[str]] = {}
        self._keys: dict[str, tuple[str | None, str]] = {}  # doc id -> (canonical URL, text hash)

    def check(self, doc: Copyable) -> CopyVerdict:
        """Classify `doc` against the index and add it; copies join the group of what they copy."""
        st = self.state
        url = canonical_url(doc.url) if doc.url else None
        norm = normalise_text(doc.text)
        # texts too short to tell a copy from a coincidence (empty bodies, one-liners) get no hash match
        digest = (
            hashlib.blake2b(norm.encode(), digest_size=16).hexdigest() if norm.count(" ") >= MIN_WORDS else ""
        )
        of: str | None = None
        kind: CopyKind = "original"
        sim = 0.0
        if url and url in st.urls:
            of, sim = st.urls[url], 1.0
            same = st.hashes.get(digest) == of and st.titles.get(of) == doc.title
            kind = "duplicate" if same else "revision"
        elif digest and digest in st.hashes:
            of, sim = st.hashes[digest], 1.0
            if st.sources.get(of) != (doc.source or ""):
                kind = "copy"
            else:  # same outlet, same text: a new title makes it a revision, else a plain duplicate
                kind = "duplicate" if st.titles.get(of) == doc.title else "revision"
        mh = self._minhash(norm)
        if of is None and mh is not None:
            best = self._lsh.nearest(mh)
            if best is not None and best[1] >= self.threshold:
                of, sim = best
                kind = "revision" if doc.source and st.sources.get(of) == doc.source else "copy"
        self._remember(doc, url, digest, mh, of)
        group = st.group_of.get(doc.id)
        origin = st.origin_of.get(group) if group else None
        if kind == "duplicate":
            origin = st.origin_of.get(st.group_of.get(of or "", ""), of)
        return CopyVerdict(doc.id, kind, of, origin, round(sim, 3))

    def group(self, doc_id: str) -> list[str]:
        """Members of the copy group holding `doc_id`, itself included."""
        gid = self.state.group_of.get(doc_id)
        return list(self._group_members.get(gid, [doc_id])) if gid else [doc_id]

    def origin(self, doc_id: str) -> str:
        """The origin of the copy group holding `doc_id` (itself when it is in none)."""
        st = self.state
        return st.origin_of.get(st.group_of.get(doc_id, doc_id), doc_id)

    def join(self, doc_id: str, of: str) -> str:
        """Put a document in the copy group of `of` (a translated copy, found once both are placed);
        returns the group's origin, re-elected as the earliest published member."""
        st = self.state
        old = st.group_of.get(doc_id)
        if old is not None and doc_id in self._group_members.get(old, []):
            rest = self._group_members[old]
            rest.remove(doc_id)
            if rest:
                st.origin_of[old] = min(rest, key=lambda m: st.published.get(m, "9999"))
            else:
                del self._group_members[old]
                st.origin_of.pop(old, None)
        gid = st.group_of.setdefault(of, of)
        st.group_of[doc_id] = gid
        members = self._group_members.setdefault(gid, [of])
        if doc_id not in members:
            members.append(doc_id)
        st.origin_of[gid] = min(members, key=lambda m: st.published.get(m, "9999"))
        return st.origin_of[gid]

    def _minhash(self, norm: str) -> np.ndarray | None:
        sh = _shingles_of(norm)
        if len(sh) + SHINGLE - 1 < MIN_WORDS:
            return None
        return signature(set(sh))  # repeated shingles cannot lower a minimum: hash each once

    def _remember(
        self, doc: Copyable, url: str | None, digest: str, mh: np.ndarray | None, of: str | None
    ) -> None:
        st = self.state
        if url and url not in st.urls:
            st.urls[url] = doc.id
        if digest:
            st.hashes.setdefault(digest, doc.id)
        self._keys[doc.id] = (url, digest)
        st.sources[doc.id] = doc.source or ""
        st.titles[doc.id] = doc.title
        if doc.published:
            st.published[doc.id] = doc.published.isoformat()
        if mh is not None and doc.id not in st.signatures:
            st.signatures[doc.id] = mh.tolist()
            self._lsh.insert(doc.id, mh)
        gid = st.group_of.get(of, of) if of else doc.id
        st.group_of[doc.id] = gid
        if of:
            st.group_of.setdefault(of, gid)
        members = self._group_members.setdefault(gid, [gid] if of else [])
        if doc.id not in members:
            members.append(doc.id)
        st.origin_of[gid] = min(members, key=lambda m: st.published.get(m, "9999"))
        self._order.append(doc.id)
        while len(self._order) > self.window:
            self._forget(self._order.popleft())

    def _forget(self, doc_id: str) -> None:
        st = self.state
        if doc_id in st.signatures:
            self._lsh.remove(doc_id)
            del st.signatures[doc_id]
        st.sources.pop(doc_id, None)
        st.titles.pop(doc_id, None)
        st.published.pop(doc_id, None)
        gid = st.group_of.pop(doc_id, None)
        if gid is not None and gid in self._group_members:
            members = self._group_members[gid]
            if doc_id in members:
                members.remove(doc_id)
            if not members:
                del self._group_members[gid]
                st.origin_of.pop(gid, None)
        url, digest = self._keys.pop(doc_id, (None, ""))
        if url and st.urls.get(url) == doc_id:
            del st.urls[url]
        if st.hashes.get(digest) == doc_id:
            del st.hashes[digest]

    def export(self) -> CopyIndexState:
        """The state as plain data."""
        return self.state

    @classmethod
    def load(cls, state: CopyIndexState, threshold: float = COPY_JACCARD) -> CopyIndex:
        """Rebuild an index from exported state."""
        idx = cls(threshold)
        idx.state = state
        for key, values in state.signatures.items():
            idx._lsh.insert(key, np.array(values, dtype=np.uint32))
        idx._order.extend(state.sources)
        for url, doc_id in state.urls.items():
            idx._keys[doc_id] = (url, "")
        for digest, doc_id in state.hashes.items():
            idx._keys[doc_id] = (idx._keys.get(doc_id, (None, ""))[0], digest)
        for doc_id, gid in state.group_of.items():
            idx._group_members.setdefault(gid, []).append(doc_id)
        return idx
