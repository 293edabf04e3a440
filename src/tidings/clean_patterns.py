"""Line patterns and date parsing used by the plain-text cleaner (clean.py)."""

from __future__ import annotations

import re

_MONTH = (
    r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6,
    "jul": 7, "aug": 8, "sep": 9, "oct": 10, "nov": 11, "dec": 12,
}  # fmt: skip

# Dates as pages write them; numeric d/m/y is read day first (the Vietnamese and European pages this
# cleaner targets never write month first with slashes).
_DATE_RES = (
    re.compile(rf"\b{_MONTH}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})", re.I),
    re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+{_MONTH},?\s+(?P<y>\d{{4}})", re.I),
    re.compile(r"\b(?P<d>\d{1,2})[/.](?P<m>\d{1,2})[/.](?P<y>\d{4})"),
    re.compile(r"\b(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})"),
)
_YEAR_RE = re.compile(r"\d{4}")
_TIME_RE = re.compile(
    r"(?<![\d:])(?P<h>\d{1,2})\s?:\s?(?P<mi>\d{2})(?::(?P<s>\d{2}))?(?:\s*(?P<ap>[ap])\.?m\b\.?)?"
    r"(?:\s*\(?(?:GMT|UTC)\s*(?P<zs>[+-])(?P<zh>\d{1,2})(?::?(?P<zm>\d{2}))?\)?)?",
    re.I,
)
# What may sit around a date on a byline line besides the name: separators and labels.
_DATE_FILLER_RE = re.compile(
    r"^(?:[\s,|·•/–—-]|\b(?:at|on|updated|published|posted|by)\b|\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b)*$",
    re.I,
)
_BY_RE = re.compile(r"^(?:by|par|por|von)\s+", re.I)

# "News/Politics 2021-10-21T21:22:48.263Z": a section path followed by a full ISO timestamp.
_SECTION_LINE = (
    r"(?P<sec>[A-Z][\w&' -]{0,40}(?:/[\w&' -]{1,40}){0,3})\s+"
    r"(?P<ts>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)$"
)
_SOURCE = r"(?i:Source|Fuente|Source originale|Quelle|Nguồn)\s*:\s*(?P<src>\S.{0,60})$"
_ARCHIVE = r"All news articles on (?P<d>\d{4}-\d{2}-\d{2})\b"
_LIST_LABEL = (
    r"(?P<label>(?i:Similar news|You may (?:also )?like|Trends 24h|Related (?:news|articles)"
    r"|Read (?:more|also)|More news|Most read|See also))\s*:?$"
)
LIST_LABEL_RE = re.compile(_LIST_LABEL)
# One pass over a line for every trailer label; the named group that matched says which it was.
CHROME_LINE_RE = re.compile(f"{_SECTION_LINE}|{_SOURCE}|{_ARCHIVE}|{_LIST_LABEL}")
COPYRIGHT_RE = re.compile(r"^(?:©|\(c\)\s|copyright\b)|©\s*\w*\s*\d{4}", re.I)

# Photo credits. A parenthesised credit at the end of a paragraph, maybe followed by an agency token:
# "... 2021. (Mikhail Metzel / Pool Photo via AP) AP".
CREDIT_PAREN_RE = re.compile(
    r"\((?P<credit>[^()]{2,90})\)\s*(?P<tail>[A-Z][\w&'./-]*(?:\s+(?:[A-Z][\w&'./-]*|via))*)?$"
)
# A credit token glued after the caption's last sentence: "... with Joe Biden. NBC News".
CREDIT_TAIL_RE = re.compile(r"[.!?”\"]\s+(?P<tail>[A-Z][\w&'/-]*(?:\s+(?:[A-Z][\w&'./-]*|via|/)){0,5})$")
PHOTO_LABEL_RE = re.compile(
    r"\(?\b(?:Photo|Photos|Foto|Ảnh|Picture|Image)\s*(?:by\b|:)\s*[^()]{1,60}\)?$", re.I
)
CREDIT_WORDS_RE = re.compile(
    r"\b(?:AP|AFP|Reuters|EFE|Getty|Images|EPA|Pool|Photos?|Fotos?|Ảnh|dpa|Xinhua|ANSA|Bloomberg|"
    r"Shutterstock|Archive|Archivo|File|Courtesy|TTXVN|VNA|Anadolu|Sipa|Europa Press|Keystone|Imago|"
    r"Handout|News|TV|Press|Agency|Agencia|Agence|Presse)\b",
    re.I,
)

WORD_RE = re.compile(r"[^\W\d_]+")
# Function words telling a caption's English line from its other-language twin.
_EN_WORDS = (
    "the and of to in his her their with at on for from by is was during its an as after who that "
    "this at while"
)
EN_WORDS = frozenset(_EN_WORDS.split())
_FOREIGN_WORDS = (
    "el la los las del y un una con por para su sus al le les des du et au aux une sur avec dans lors "
    "der die das den dem und ein eine mit bei im vom zum auf und của và các những tại trong người cho "
    "với đã là được ông bà da os com il della nel gli"
)
FOREIGN_WORDS = frozenset(_FOREIGN_WORDS.split())
# A line ending in one of these words stops mid-sentence (an inline link was cut out after it).
_DANGLING_WORDS = (
    "a an the of to and or but also in on at by for with from that which who whom whose as is are was "
    "were be been his her their its our this these those into about than has have had will would not "
    "between against over under after before during while when where said says told"
)
DANGLING_WORDS = frozenset(_DANGLING_WORDS.split())


_NAME_PARTICLES = "y e and und et và de del da di van von der la le dos das - – & ,"
NAME_PARTICLES = frozenset(_NAME_PARTICLES.split())  # lowercase words allowed inside a person's name


def to_iso_utc(stamp: str) -> str:
    """An ISO timestamp with a trailing Z rewritten as +00:00."""
    return stamp[:-1] + "+00:00" if stamp.endswith("Z") else stamp


def find_datetime(line: str) -> tuple[int, int, str] | None:
    """(start, end, ISO 8601) of the first date, with its adjacent time, in a line."""
    if not _YEAR_RE.search(line):
        return None
    for date_re in _DATE_RES:
        m = date_re.search(line)
        if m:
            break
    else:
        return None
    g = m.groupdict()
    month = MONTHS[g["mon"][:3].lower()] if g.get("mon") else int(g["m"])
    day, year = int(g["d"]), int(g["y"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return None
    iso = f"{year:04d}-{month:02d}-{day:02d}"
    start, end = m.start(), m.end()
    after = line[end:]
    t = _TIME_RE.match(after.lstrip(" ,|·-–—T")) if after else None
    if t:
        end = len(line) - len(after.lstrip(" ,|·-–—T")) + t.end()
    else:
        t = _TIME_RE.search(line, 0, start)
        if t and _DATE_FILLER_RE.match(line[t.end() : start]):
            start = t.start()
        else:
            t = None
    if t:
        hour, minute = int(t["h"]), int(t["mi"])
        if t["ap"]:
            hour = hour % 12 + (12 if t["ap"].lower() == "p" else 0)
        if hour > 23 or minute > 59:
            return None
        iso += f"T{hour:02d}:{minute:02d}:{int(t['s'] or 0):02d}"
        if t["zs"]:
            iso += f"{t['zs']}{int(t['zh']):02d}:{int(t['zm'] or 0):02d}"
    return start, end, iso


def byline_and_date(line: str) -> tuple[str | None, str] | None:
    """(byline, ISO date) when a whole line is an optional name followed or preceded by a date."""
    found = find_datetime(line)
    if found is None:
        return None
    start, end, iso = found
    before, after = line[:start], line[end:]
    if not _DATE_FILLER_RE.match(after):
        return None
    name = _BY_RE.sub("", before.strip(" ,|·•/–—-\t"))
    if _DATE_FILLER_RE.match(name):
        return None, iso
    return name, iso
