"""Page chrome, teaser and caption removal for plain-text news pages.

Two page shapes are known: aggregator copies (a site header, the title, the body with video teasers and
photo captions, then "Source: x", "All news articles on DATE", related-news lists, "Section/Sub TIMESTAMP"
lines and a copyright line) and agency pages (title, "Byline DATE" line, body with bilingual captions, a
"/." end mark and the byline repeated as a signature). The cleaner works from line shapes and positions,
not from any one site's strings.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from tidings.clean_patterns import (
    CHROME_LINE_RE,
    COPYRIGHT_RE,
    CREDIT_PAREN_RE,
    CREDIT_TAIL_RE,
    CREDIT_WORDS_RE,
    DANGLING_WORDS,
    EN_WORDS,
    FOREIGN_WORDS,
    LIST_LABEL_RE,
    NAME_PARTICLES,
    PHOTO_LABEL_RE,
    WORD_RE,
    byline_and_date,
    find_datetime,
    to_iso_utc,
)

# Thresholds below were chosen on the two seed pages (sample/) and the hand-made pages in tests/data/clean/.
HEADER_SCAN_LINES = 4  # the site header block is the site name and a tagline, before the title
HEADER_MAX_WORDS = 12  # a tagline ("Now you can see non-English news...") is one short line
TITLE_MAX_CHARS = 250  # longer first lines are body text, not a title
BYLINE_MAX_WORDS = 8  # "Huy Hoang", "Nguyễn Thị Minh Anh", "María José López y Juan Pérez"
TITLE_LIKE_MAX_WORDS = 25  # teaser and related-news titles run up to ~20 words
KICKER_MAX_WORDS = 8  # a teaser's second line ("A security expert explains") is a short kicker
BODY_MIN_WORDS = 8  # a full sentence ending the body; shorter lines before the trailer can be chrome
CAPTION_MAX_CHARS = 600  # the seed's long AP caption is 390 characters
PAIR_MAX_CHARS = 300  # each line of a bilingual caption is one sentence or two
PAIR_LENGTH_RATIO = 2.0  # a caption and its translation differ in length by at most this factor
FOREIGN_MIN_NONASCII = 0.05  # share of non-ASCII letters: Vietnamese lines run 12-20 %, English ~0 %
ENGLISH_MAX_NONASCII = 0.03  # an English line may carry one accented name
STRONG_FOREIGN_NONASCII = 0.10  # this many diacritics pair lines even across a blank line
SUBHEADING_MAX_WORDS = 10  # "Tension to the limit", "Record demand": subheads run 2-6 words
SIGNATURE_MAX_WORDS = 4  # "Huy Hoang", "(VNA)", "Minh Anh - Thu Ha"
CHROME_MAX_CHARS = 100  # trailer lines: "News/Politics 2021-10-21T21:22:48.263Z" is 38, labels shorter
# Days a trailer's stamp may lie from the page's archive day ("All news articles on DATE") and still be its
# publication time (a time zone moves the day by one). The seed's stamp, 2021-10-21, is four months after
# its archive day, 2021-06-19, and its event (16 June): a republication's time, not the report's.
STAMP_ARCHIVE_DAYS = 1

TERMINAL = tuple('.!?:”"»')
_CLOSE_QUOTES = "\"”»’'"
_STAMP_END = frozenset("0123456789Z")
_GLUED_PUNCT = ",;:.)]…"
_END_MARK_RE = re.compile(r"\s*/\.\s*$")  # Vietnamese agency end mark "./."
_ELLIPSIS = ("...", "…")
_NONASCII_LETTER_RE = re.compile(r"[^\W\d_\x00-\x7f]")
_NAME_WORD_RE = re.compile(r"^(?:[^\W\d_][\w.'’-]*|[-–&,]|\(?[A-Z]{2,}\)?)$")


@dataclass(frozen=True)
class CleanPage:
    """The parts of a plain-text news page, chrome removed."""

    title: str | None
    byline: str | None
    published: str | None
    source: str | None
    section: str | None
    archive_date: str | None
    paragraphs: tuple[str, ...]
    captions: tuple[str, ...]


@dataclass
class _Meta:
    """Fields read from chrome lines while they are removed."""

    source: str | None = None
    section: str | None = None
    stamp: str | None = None
    archive_date: str | None = None


def clean_page(text: str) -> CleanPage:
    """Split a plain-text news page into title, metadata, body paragraphs and captions."""
    lines, gaps = _split_lines(text)
    if not lines:
        return CleanPage(None, None, None, None, None, None, (), ())
    start = _header_end(lines, gaps)
    title = None
    if start < len(lines) and len(lines[start]) <= TITLE_MAX_CHARS and find_datetime(lines[start]) is None:
        title = lines[start]
        start += 1
    byline, published, start = _byline(lines, start)
    header = set(lines[:start])
    meta = _Meta()
    keep = _drop_chrome(lines, start, header, meta)
    keep = _drop_teasers(lines, keep)
    body, captions = _split_captions(lines, gaps, keep)
    body = _drop_signature(body, byline)
    if body:
        last = _END_MARK_RE.sub("", body[-1])
        body[-1] = last if not last or last.endswith(TERMINAL) else last + "."
    return CleanPage(
        title=title,
        byline=byline,
        published=published or _page_date(meta),
        source=meta.source,
        section=meta.section,
        archive_date=meta.archive_date,
        paragraphs=tuple(_join_broken(body)),
        captions=tuple(captions),
    )


def _page_date(meta: _Meta) -> str | None:
    """The trailer's stamp, or the archive day when the stamp lies further from it than a time zone can
    explain (the aggregator's later republication)."""
    stamp = to_iso_utc(meta.stamp) if meta.stamp else None
    if stamp is None or meta.archive_date is None:
        return stamp or meta.archive_date
    try:
        apart = abs(date.fromisoformat(stamp[:10]) - date.fromisoformat(meta.archive_date)).days
    except ValueError:
        return stamp
    return stamp if apart <= STAMP_ARCHIVE_DAYS else meta.archive_date


def _split_lines(text: str) -> tuple[list[str], list[int]]:
    """Non-blank stripped lines, and how many blank lines preceded each."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("\ufeff", "")
    lines: list[str] = []
    gaps: list[int] = []
    gap = 0
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            gap += 1
            continue
        if "  " in line or "\t" in line:
            line = " ".join(line.split())
        lines.append(line)
        gaps.append(gap)
        gap = 0
    return lines, gaps


def _header_end(lines: list[str], gaps: list[int]) -> int:
    """Index of the first line after the site header block (0 when there is none)."""
    end = 0
    for i in range(min(HEADER_SCAN_LINES, len(lines) - 1)):
        if lines[i].endswith(_ELLIPSIS) and _words(lines[i]) <= HEADER_MAX_WORDS:
            end = i + 1  # a tagline closes the header
    if end:
        return end
    # "Site Name" / "Title" followed by a wide gap: the wide gap marks the title, above it is the site.
    for i in range(1, min(3, len(lines) - 1)):
        if gaps[i + 1] >= 2 and find_datetime(lines[i]) is None and all(_is_label(s) for s in lines[:i]):
            return i
    return 0


def _byline(lines: list[str], start: int) -> tuple[str | None, str | None, int]:
    """(byline, published, next index) from a "Name DATE" line, or a name line then a date line."""
    for i in range(start, min(start + 2, len(lines))):
        found = byline_and_date(lines[i])
        if found is not None:
            name, iso = found
            if name is not None and not _is_name(name):
                return None, None, start
            if name is None and i > start and _is_name(_strip_by(lines[start])):
                name = _strip_by(lines[start])
            elif i > start:
                return None, None, start
            return name, iso, i + 1
    return None, None, start


def _drop_chrome(lines: list[str], start: int, header: set[str], meta: _Meta) -> list[int]:
    """Indexes of lines that are not metadata, copyright, related lists or the trailer; reads metadata."""
    chrome = [False] * len(lines)
    last_body = start - 1
    archived = False  # nothing after "All news articles on DATE" is body
    for i in range(start, len(lines)):
        line = lines[i]
        if _read_meta(line, meta) or line in header:
            chrome[i] = True
            archived = archived or meta.archive_date is not None
        elif not archived and len(line) > 40 and line.endswith(TERMINAL) and _words(line) >= BODY_MIN_WORDS:
            last_body = i
    keep: list[int] = []
    in_list = False
    for i in range(start, len(lines)):
        line = lines[i]
        if chrome[i]:
            if i > last_body:
                break  # the trailer: everything after the first chrome line past the body
            in_list = bool(LIST_LABEL_RE.match(line))
            continue
        if in_list and _is_title_like(line):
            continue  # an item of a "Similar news" / "You may like" list
        in_list = False
        keep.append(i)
    return keep


def _read_meta(line: str, meta: _Meta) -> bool:
    """Whether a line is chrome; fills in the metadata it carries."""
    if len(line) > CHROME_MAX_CHARS:
        return False
    # Cheap shape test first: a section or archive line ends in its date, a label is short or has a colon.
    maybe_label = line[-1] in _STAMP_END or ":" in line or len(line) <= 40
    m = CHROME_LINE_RE.match(line) if maybe_label else None
    if m is None:
        return ("©" in line or line[:1] in "(Cc") and COPYRIGHT_RE.search(line) is not None
    if m["ts"] and meta.section is None:
        meta.section, meta.stamp = m["sec"].strip(), m["ts"]
    elif m["src"] and meta.source is None:
        meta.source = m["src"].strip().rstrip(".")
    elif m["d"] and meta.archive_date is None:
        meta.archive_date = m["d"]
    return True


def _drop_teasers(lines: list[str], keep: list[int]) -> list[int]:
    """Remove video teasers: a title line (and kicker) above a lone date line ("June 9, 202100: 44")."""
    dropped: set[int] = set()
    for k, i in enumerate(keep):
        found = find_datetime(lines[i]) if len(lines[i]) <= 40 else None
        if found is None or found[0] != 0 or found[1] != len(lines[i]):
            continue
        dropped.add(i)
        if "T" not in found[2] or k == 0 or not _is_title_like(lines[keep[k - 1]]):
            continue  # a bare date line is chrome too, but only a date with a time is a teaser's
        dropped.add(keep[k - 1])
        near = lines[keep[k - 1]]
        if k >= 2 and not near.endswith(TERMINAL) and _words(near) <= KICKER_MAX_WORDS:
            above = lines[keep[k - 2]]
            if _is_title_like(above) and (above.endswith("?") or not above.endswith(TERMINAL)):
                dropped.add(keep[k - 2])
    return [i for i in keep if i not in dropped]


def _split_captions(lines: list[str], gaps: list[int], keep: list[int]) -> tuple[list[str], list[str]]:
    """Separate photo captions (credited, or a line with its English translation) from body lines."""
    body: list[str] = []
    captions: list[str] = []
    k = 0
    while k < len(keep):
        line = lines[keep[k]]
        if _is_credited_caption(line):
            captions.append(line)
        elif k + 1 < len(keep) and _is_bilingual(line, lines[keep[k + 1]], gaps[keep[k + 1]] == 0):
            captions.append(line + "\n" + lines[keep[k + 1]])
            k += 1
        else:
            body.append(line)
        k += 1
    return body, captions


def _is_credited_caption(line: str) -> bool:
    """A paragraph ending in a photo credit: "(Name / Agency) AP", ". NBC News", "Photo: VNA"."""
    last = line[-1]
    if len(line) > CAPTION_MAX_CHARS or not (last.isalnum() or last == ")") or line.count(" ") < 3:
        return False  # a credit ends in a name or a closing parenthesis
    m = CREDIT_PAREN_RE.search(line) if ")" in line[-60:] else None
    if m and ("/" in m["credit"] or CREDIT_WORDS_RE.search(m["credit"])):
        return m["tail"] is None or _words(m["tail"]) <= SIGNATURE_MAX_WORDS
    m = CREDIT_TAIL_RE.search(line, max(0, len(line) - 80))
    if m:
        tail = m["tail"]
        return bool(CREDIT_WORDS_RE.search(tail)) or tail in line[: m.start()]
    return bool(PHOTO_LABEL_RE.search(line))


def _is_bilingual(first: str, second: str, same_block: bool) -> bool:
    """Whether two lines are one caption: a non-English line and its English translation."""
    if len(first) > PAIR_MAX_CHARS or len(second) > PAIR_MAX_CHARS:
        return False
    if max(len(first), len(second)) > PAIR_LENGTH_RATIO * min(len(first), len(second)):
        return False
    if first.isascii() and FOREIGN_WORDS.isdisjoint(first.lower().split()):
        return False  # fast path: most lines are plain English
    words1, words2 = WORD_RE.findall(first.lower()), WORD_RE.findall(second.lower())
    ratio1, en1, fo1 = _language_signals(words1)
    if not (fo1 > en1 or (ratio1 >= FOREIGN_MIN_NONASCII and en1 <= 1)):
        return False
    # The English line keeps the names' accents, so its diacritics are counted outside shared words.
    shared = set(words1)
    ratio2, _, fo2 = _language_signals([w for w in words2 if w not in shared])
    if fo2 > 0 or ratio2 > ENGLISH_MAX_NONASCII:
        return False
    return same_block or ratio1 >= STRONG_FOREIGN_NONASCII or bool(_names(first) & _names(second))


def _language_signals(words: list[str]) -> tuple[float, int, int]:
    """(share of non-ASCII letters, English function words, other-language function words)."""
    en, fo = sum(map(EN_WORDS.__contains__, words)), sum(map(FOREIGN_WORDS.__contains__, words))
    joined = "".join(words)
    if joined.isascii():
        return 0.0, en, fo
    return len(_NONASCII_LETTER_RE.findall(joined)) / (len(joined) or 1), en, fo


def _names(line: str) -> set[str]:
    """Capitalised words and numbers, which a caption keeps across languages."""
    return {w for w in re.findall(r"\b(?:[A-Z]\w+|\d+)\b", line)}


def _drop_signature(body: list[str], byline: str | None) -> list[str]:
    """Remove trailing signature lines: the byline again, or a short name or agency tag ("(VNA)")."""
    for _ in range(2):  # a name, then maybe the agency
        last = body[-1] if len(body) > 1 else ""
        if not last or not (
            (byline and last.casefold() == byline.casefold())
            or (not last.endswith(TERMINAL) and _words(last) <= SIGNATURE_MAX_WORDS and _is_name(last))
        ):
            break
        body = body[:-1]
    return body


def _join_broken(body: list[str]) -> list[str]:
    """Join paragraphs the page broke around inline links and quotes."""
    out: list[str] = []
    for line in body:
        if not out:
            out.append(line)
            continue
        prev, first = out[-1], line[0]
        if first in _GLUED_PUNCT:
            out[-1] = prev + line
        elif first in _CLOSE_QUOTES and len(line) > 2 and (line[1].islower() or line[1] in ",."):
            out[-1] = prev + first + ("" if line[1] in ",." else " ") + line[1:].lstrip()
        elif (first.islower() and not line[1:2].isupper()) or _is_dangling(prev) or _is_unfinished(prev):
            out[-1] = prev + " " + line
        else:
            out.append(line)
    return out


def _is_dangling(line: str) -> bool:
    """Whether a line stops mid-sentence: a trailing comma, dash or function word."""
    if line.endswith((",", ";", "(", "-", "–", "—", "“")):
        return True
    if line.endswith(TERMINAL):
        return False
    last = line.rsplit(" ", 1)[-1]
    return last in DANGLING_WORDS


def _words(line: str) -> int:
    """Word count of a whitespace-normalised line."""
    return line.count(" ") + 1


def _is_unfinished(line: str) -> bool:
    """A line too long for a subheading that still lacks its final punctuation."""
    return _words(line) > SUBHEADING_MAX_WORDS and not line.endswith(TERMINAL)


def _is_title_like(line: str) -> bool:
    """A headline-shaped line: short, capitalised, not a finished sentence."""
    return (
        not line.endswith(".")
        and _words(line) <= TITLE_LIKE_MAX_WORDS
        and not line[0].islower()
        and line[0] not in _GLUED_PUNCT
    )


def _is_label(line: str) -> bool:
    """A short line without sentence punctuation, like a site name."""
    return _words(line) <= 6 and not line.endswith(TERMINAL)


def _is_name(text: str) -> bool:
    """Whether text looks like a person's or agency's name: a few capitalised words."""
    words = text.split()
    if not words or len(words) > BYLINE_MAX_WORDS or text.endswith(TERMINAL):
        return False
    return all(_NAME_WORD_RE.match(w) and (w.lstrip("(")[:1].isupper() or w in NAME_PARTICLES) for w in words)


def _strip_by(line: str) -> str:
    """A byline line without its "By" label."""
    return re.sub(r"^(?:by|par|por|von)\s+", "", line, flags=re.I).strip()
