"""Numbers with units in English sentences, hedges normalised to intervals in a base unit.

Interval rules (docs/brief-schema.md lists them with examples):

    exact "4 hours"                  [4 h, 4 h]; comparisons widen by half the last written digit
    nearly/almost/just under N       [N·(1−NEAR_FRACTION), N]
    just over/slightly more than N   [N, N·(1+NEAR_FRACTION)]
    about/around/some/roughly N      [N·(1−ABOUT_FRACTION), N·(1+ABOUT_FRACTION)]
    more than/over/at least N        [N, ∞)
    up to/less than/under/at most N  [0, N]
    N to M, between N and M          [N, M]
    several [2, 9]; a few [2, 5]; a couple [2, 3]; a dozen ≈12; dozens [24, 99]; hundreds [200, 999] ...
"""

from __future__ import annotations

import math
import re
from dataclasses import replace
from datetime import date

from tidings.brief.model import Quantity
from tidings.brief.words import wordlist

# "nearly 4 hours" → [3.4 h, 4 h]: wide enough that "nearly four hours" and "three and a half hours" agree
# (dev pairs d07, d21), narrow enough that "nearly 4 hours" and "almost 2 hours" conflict (seed 000/004).
NEAR_FRACTION = 0.15
# "about 300" → [270, 330]: the usual reading of about/around in wire copy (dev pairs d11, d12).
ABOUT_FRACTION = 0.10

# Vagueness levels: 0 exact, 1 near, 2 about/range, 3 open-ended bound, 4 vague word.
VAGUENESS = {"exact": 0, "near": 1, "about": 2, "range": 2, "bound": 3, "vague": 4}

_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
    "hundred": 100,
    "a hundred": 100,
    "a thousand": 1000,
}
# Vague number words: (low, high) before any scale word.
_VAGUE = {
    "several": (2.0, 9.0),
    "a few": (2.0, 5.0),
    "a couple of": (2.0, 3.0),
    "dozens of": (24.0, 99.0),
    "dozens": (24.0, 99.0),
    "scores of": (40.0, 199.0),
    "hundreds of": (200.0, 999.0),
    "hundreds": (200.0, 999.0),
    "thousands of": (2000.0, 9999.0),
    "thousands": (2000.0, 9999.0),
    "tens of thousands of": (20000.0, 99999.0),
    "hundreds of thousands of": (200000.0, 999999.0),
    "millions of": (2e6, 9.99e6),
}
_DOZEN = {"a dozen": 12.0, "half a dozen": 6.0, "a half dozen": 6.0, "a score of": 20.0}
_SCALE = {
    "thousand": 1e3,
    "k": 1e3,
    "million": 1e6,
    "mn": 1e6,
    "m": 1e6,
    "mln": 1e6,
    "billion": 1e9,
    "bn": 1e9,
    "b": 1e9,
    "trillion": 1e12,
    "tn": 1e12,
}
_HEDGES = {
    "near": "nearly|almost|just under|just shy of|close to|nearing|not quite|just short of|a little under",
    "over": "just over|just above|slightly more than|slightly over|a little over|a little more than",
    "about": "about|around|approximately|roughly|some|an estimated|estimated|circa|approx\\.|an average of|~",
    "above": "more than|over|above|upwards of|in excess of|exceeding|at least|no fewer than|no less than"
    "|a minimum of|a record",
    "below": "up to|as many as|as much as|at most|no more than|less than|fewer than|under|below|a maximum of"
    "|not more than",
}
_UNITS = {
    # durations → seconds
    "seconds": ("seconds", 1.0),
    "second": ("seconds", 1.0),
    "secs": ("seconds", 1.0),
    "sec": ("seconds", 1.0),
    "minutes": ("seconds", 60.0),
    "minute": ("seconds", 60.0),
    "mins": ("seconds", 60.0),
    "min": ("seconds", 60.0),
    "hours": ("seconds", 3600.0),
    "hour": ("seconds", 3600.0),
    "hrs": ("seconds", 3600.0),
    "hr": ("seconds", 3600.0),
    "h": ("seconds", 3600.0),
    "days": ("seconds", 86400.0),
    "day": ("seconds", 86400.0),
    "weeks": ("seconds", 604800.0),
    "week": ("seconds", 604800.0),
    "months": ("seconds", 2629800.0),
    "month": ("seconds", 2629800.0),
    "years": ("seconds", 31557600.0),
    "year": ("seconds", 31557600.0),
    "decades": ("seconds", 315576000.0),
    "decade": ("seconds", 315576000.0),
    # distances → metres
    "nautical miles": ("metres", 1852.0),
    "kilometres": ("metres", 1000.0),
    "kilometers": ("metres", 1000.0),
    "kilometre": ("metres", 1000.0),
    "kilometer": ("metres", 1000.0),
    "kms": ("metres", 1000.0),
    "km": ("metres", 1000.0),
    "miles": ("metres", 1609.344),
    "mile": ("metres", 1609.344),
    "mi": ("metres", 1609.344),
    "metres": ("metres", 1.0),
    "meters": ("metres", 1.0),
    "metre": ("metres", 1.0),
    "meter": ("metres", 1.0),
    "m": ("metres", 1.0),
    "centimetres": ("metres", 0.01),
    "centimeters": ("metres", 0.01),
    "cm": ("metres", 0.01),
    "feet": ("metres", 0.3048),
    "foot": ("metres", 0.3048),
    "ft": ("metres", 0.3048),
    "yards": ("metres", 0.9144),
    "yard": ("metres", 0.9144),
    # percentages
    "%": ("percent", 1.0),
    "percent": ("percent", 1.0),
    "per cent": ("percent", 1.0),
    "pct": ("percent", 1.0),
    "percentage points": ("percent", 1.0),
}
_CURRENCY_WORDS = {
    "us dollars": "USD",
    "u.s. dollars": "USD",
    "dollars": "USD",
    "dollar": "USD",
    "euros": "EUR",
    "euro": "EUR",
    "pounds sterling": "GBP",
    "pounds": "GBP",
    "pound": "GBP",
    "yen": "JPY",
    "yuan": "CNY",
    "renminbi": "CNY",
    "roubles": "RUB",
    "rubles": "RUB",
    "rouble": "RUB",
    "ruble": "RUB",
    "rupees": "INR",
    "rupee": "INR",
    "swiss francs": "CHF",
    "francs": "CHF",
    "pesos": "MXN",
    "reais": "BRL",
    "hryvnias": "UAH",
    "lira": "TRY",
}
_CURRENCY_SIGNS = {"us$": "USD", "$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY", "₹": "INR", "₽": "RUB"}
_CODES = "USD|EUR|GBP|JPY|CNY|RUB|INR|CHF|MXN|BRL|UAH|TRY|CAD|AUD|KRW|ZAR"

_DIGITS = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_NUMWORD = rf"(?:{_TENS})-(?:one|two|three|four|five|six|seven|eight|nine)|" + "|".join(
    sorted((re.escape(w) for w in _WORDS), key=len, reverse=True)
)
_VAGUEWORD = "|".join(sorted((re.escape(w) for w in list(_VAGUE) + list(_DOZEN)), key=len, reverse=True))


def _alt(words: object) -> str:
    return "|".join(sorted((re.escape(str(w)) for w in words), key=len, reverse=True))  # type: ignore[attr-defined]


_HEDGE_ALT = "|".join(_HEDGES.values()).replace(" ", r"\s+")
_NUMBER_RE = re.compile(
    rf"""
    (?<![\w.-])
    (?:(?P<between>between|from)\s+)?
    (?:(?P<hedge>{_HEDGE_ALT})\s+)?
    (?:(?P<sign>US\$|\$|€|£|¥|₹|₽|(?:{_CODES})\s?))?
    (?:(?P<vague>{_VAGUEWORD})(?![\w-])|(?P<num>{_DIGITS}|(?:{_NUMWORD})(?![\w])|an?(?=[\s-]+(?:hour|minute|day|week|month|year|mile|kilomet)))
       (?:\s*(?:-|–|to|and)\s*(?P<sign2>US\$|\$|€|£)?(?P<num2>{_DIGITS}|{_NUMWORD})(?![\w-]))?)
    (?P<half>\s+and\s+a\s+half)?
    (?:\s*(?P<scale>{_alt(_SCALE)})(?![\w]))?
    (?:[\s-]*(?P<unit>{_alt(_UNITS)}|{_alt(_CURRENCY_WORDS)}|{_CODES})(?![\w]))?
    (?P<post>\s+(?:or\ more|or\ so|plus)|\+)?
    """,
    re.IGNORECASE | re.VERBOSE,
)
_HALF_RE = re.compile(r"\s+and\s+a\s+half\b|\s+½", re.IGNORECASE)
_HALF_BEFORE_RE = re.compile(r"(?<!and )\b(?:half\s+an?|a\s+half)[\s-]+(hour|day|mile)s?\b", re.IGNORECASE)
_COUNT_NOUN_RE = re.compile(r"\s*([a-z][\w-]*(?:\s+[a-z][\w-]*)?)", re.IGNORECASE)
_DEFINITE_RE = re.compile(r"(?:\b(?:the|these|those|both|its|their|his|her|our|all)\s+)$", re.IGNORECASE)
_YEAR_RE = re.compile(r"^(?:1[89]\d\d|20\d\d)$")
_NOT_COUNT = frozenset(
    wordlist(
        """
        of and or to times time percent am pm a.m p.m per the in on at from for by with as than is are was
        were st nd rd th
        """
    )
)

MONTHS = {
    m: i
    for i, names in enumerate(
        [
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sept", "sep"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ],
        1,
    )
    for m in names
}
_MONTH = _alt(MONTHS)
_DATE_RE = re.compile(
    rf"\b(?:(?P<m1>{_MONTH})\.?\s+(?P<d1>\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(?P<y1>\d{{4}}))?"
    rf"|(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m2>{_MONTH})\.?(?:,?\s+(?P<y2>\d{{4}}))?"
    rf"|(?P<prep>in|since|until|by|during|early|late|mid-?)\s+(?P<m3>{_MONTH})(?:\s+(?P<y3>\d{{4}}))?)\b",
    re.IGNORECASE,
)
_EPOCH = date(1970, 1, 1).toordinal()


def number_value(text: str) -> float | None:
    """The value of a written number: digits with thousands commas, or an English number word."""
    low = text.lower().replace(",", "")
    if low in ("a", "an"):
        return 1.0
    if low in _WORDS:
        return float(_WORDS[low])
    if "-" in low:
        tens, _, unit = low.partition("-")
        if tens in _WORDS and unit in _WORDS:
            return float(_WORDS[tens] + _WORDS[unit])
    try:
        return float(low)
    except ValueError:
        return None


def rounding(text: str) -> float:
    """Half a unit of the last written digit: "3.1" → 0.05, "5" → 0.5, "four" → 0.5."""
    digits = text.replace(",", "")
    if "." in digits and digits.replace(".", "").isdigit():
        return 0.5 * 10.0 ** -len(digits.split(".")[1])
    return 0.5


def _hedge_kind(hedge: str | None) -> str | None:
    if not hedge:
        return None
    low = hedge.lower()
    for kind, alternatives in _HEDGES.items():
        if re.fullmatch(alternatives, low):
            return kind
    return None


def _interval(value: float, kind: str | None) -> tuple[float, float, str]:
    if kind == "near":
        return value * (1 - NEAR_FRACTION), value, "near"
    if kind == "over":
        return value, value * (1 + NEAR_FRACTION), "near"
    if kind == "about":
        return value * (1 - ABOUT_FRACTION), value * (1 + ABOUT_FRACTION), "about"
    if kind == "above":
        return value, math.inf, "bound"
    if kind == "below":
        return 0.0, value, "bound"
    return value, value, "exact"


def _unit_of(m: re.Match[str]) -> tuple[str | None, float]:
    """Base unit and factor from the currency sign, scale and unit word of a match."""
    unit_word = (m.group("unit") or "").lower()
    sign = (m.group("sign") or m.group("sign2") or "").strip().lower()
    scale_word = (m.group("scale") or "").lower()
    currency = _CURRENCY_SIGNS.get(sign) or (sign.upper() if sign else None)
    if unit_word in _CURRENCY_WORDS:
        currency = _CURRENCY_WORDS[unit_word]
    elif unit_word.upper() in _CODES.split("|"):
        currency = unit_word.upper()
    scale = _SCALE.get(scale_word, 1.0)
    if scale_word == "m" and not currency:
        return "metres", 1.0  # "5 m" without a currency is metres, not millions
    if scale_word in ("b", "k") and not currency:
        return None, 1.0
    if currency:
        return currency, scale
    if unit_word in _UNITS:
        base, factor = _UNITS[unit_word]
        return base, factor * scale
    return "count", scale


def _count_noun(sentence: str, end: int) -> str | None:
    """The counted noun after a bare number ("300 people" → people), or None when there is none."""
    m = _COUNT_NOUN_RE.match(sentence, end)
    if not m:
        return None
    words = m.group(1).lower().split()
    if not words or words[0] in _NOT_COUNT or not words[0].isalpha():
        return None
    # "300 people killed": stop at the first word; "2 foreign ministers": keep an adjective and its noun
    noun = words[0]
    if len(words) > 1 and words[1].endswith("s") and not noun.endswith("s"):
        noun = f"{words[0]} {words[1]}"
    return noun


def find_quantities(sentence: str, published: str | None = None) -> list[Quantity]:
    """Every quantity claim in a sentence: durations, distances, money, percentages, counts and dates."""
    out = _find_dates(sentence, published)
    for m in _HALF_BEFORE_RE.finditer(sentence):
        base, factor = _UNITS[m.group(1).lower()]
        out.append(Quantity(0.5 * factor, 0.5 * factor, base, None, 0, m.group(0), m.start(), m.end()))
    taken = [(q.start, q.end) for q in out]
    for m in _NUMBER_RE.finditer(sentence):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        q = _read(sentence, m)
        if q is not None:
            out.append(q)
            taken.append((q.start, q.end))
    return _merge_compound(sorted(out, key=lambda q: q.start), sentence)


def _read(sentence: str, m: re.Match[str]) -> Quantity | None:
    raw_num = m.group("num")
    hedge = m.group("hedge")
    kind = _hedge_kind(hedge)
    unit, factor = _unit_of(m)
    if unit is None:
        return None
    if m.group("vague"):
        vague = m.group("vague").lower()
        if unit == "count" and not m.group("unit") and _count_noun(sentence, m.end()) is None:
            return None
        if vague in _DOZEN:
            low, high, level = _interval(_DOZEN[vague] * factor, "about")
        else:
            a, b = _VAGUE[vague]
            low, high, level = a * factor, b * factor, "vague"
        return _make(sentence, m, low, high, unit, hedge or vague, level, 0.0)
    if raw_num is None:
        return None
    value = number_value(raw_num)
    if value is None:
        return None
    if raw_num.lower() in ("a", "an") and not m.group("unit"):
        return None
    if _YEAR_RE.match(raw_num) and unit == "count" and not m.group("scale") and not m.group("num2"):
        return None  # a bare year is a date, read by _find_dates when it has a month
    before = sentence[max(0, m.start() - 1) : m.start()]
    after = sentence[m.end() : m.end() + 4].lower()
    if (
        (before and (before.isalpha() or before in "-/:"))
        or after[:1] in (":", "/")
        or after in ("-old", " old")
    ):
        return None  # part of a name or code ("G-7", "COVID-19") or a clock time
    noun = None
    if unit == "count" and not m.group("scale"):
        noun = _count_noun(sentence, m.end())
        if noun is None or (not hedge and _DEFINITE_RE.search(sentence[: m.start()])):
            return None  # "the two leaders" names a group, it does not report a figure
    half = _HALF_RE.match(sentence, m.end())
    if m.group("half") or (half and m.group("unit")):
        value += 0.5
    if m.group("num2") is not None:
        value2 = number_value(m.group("num2"))
        if value2 is None or value2 <= value:
            return None
        low, high, level = value * factor, value2 * factor, "range"
        return _make(sentence, m, low, high, unit, hedge or "range", level, 0.0, noun)
    if m.group("post"):
        kind = "about" if "so" in m.group("post") else "above"
    low, high, level = _interval(value * factor, kind)
    return _make(sentence, m, low, high, unit, hedge, level, rounding(raw_num) * factor, noun)


def _make(
    sentence: str,
    m: re.Match[str],
    low: float,
    high: float,
    unit: str,
    hedge: str | None,
    level: str,
    rounding_: float,
    noun: str | None = None,
) -> Quantity:
    end = m.end()
    surface = sentence[m.start() : end].strip()
    return Quantity(low, high, unit, hedge, VAGUENESS[level], surface, m.start(), end, noun, rounding_)


def _merge_compound(qs: list[Quantity], sentence: str) -> list[Quantity]:
    """Join "2 hours and 15 minutes" into one duration."""
    out: list[Quantity] = []
    for q in qs:
        prev = out[-1] if out else None
        gap = sentence[prev.end : q.start].strip().lower() if prev else "x"
        if prev and prev.unit == q.unit == "seconds" and gap in ("", "and") and q.high < prev.low:
            merged = Quantity(
                prev.low + q.low,
                prev.high + q.high,
                "seconds",
                prev.hedge,
                prev.vagueness,
                sentence[prev.start : q.end],
                prev.start,
                q.end,
            )
            out[-1] = replace(merged, rounding=q.rounding)
        else:
            out.append(q)
    return out


def _find_dates(sentence: str, published: str | None) -> list[Quantity]:
    """Calendar dates as day intervals (days since 1970-01-01); the year defaults to the article's."""
    default_year = int(published[:4]) if published and published[:4].isdigit() else 2000
    out = []
    for m in _DATE_RE.finditer(sentence):
        month_word = (m.group("m1") or m.group("m2") or m.group("m3")).lower()
        month = MONTHS[month_word]
        if month_word == "may" and m.group("m3") and not m.group("y3"):
            continue  # "in may" is more often the verb
        year = int(m.group("y1") or m.group("y2") or m.group("y3") or default_year)
        day_text = m.group("d1") or m.group("d2")
        try:
            if day_text:
                d = date(year, month, int(day_text)).toordinal() - _EPOCH
                q = Quantity(float(d), float(d), "date", None, 0, m.group(0), m.start(), m.end())
            else:
                first = date(year, month, 1).toordinal() - _EPOCH
                last = (date(year + month // 12, month % 12 + 1, 1).toordinal() - 1) - _EPOCH
                q = Quantity(float(first), float(last), "date", None, 2, m.group(0), m.start(), m.end())
        except ValueError:
            continue
        out.append(q)
    return out
