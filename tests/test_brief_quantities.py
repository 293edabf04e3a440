"""Quantities: units to base units, hedges to intervals, number words, ranges, dates."""

from __future__ import annotations

import math

import pytest

from tidings.brief.claims import compare
from tidings.brief.quantities import NEAR_FRACTION, find_quantities

HOUR = 3600.0


def one(text: str) -> tuple[float, float, str]:
    found = find_quantities(text, "2021-06-17")
    assert len(found) == 1, found
    return found[0].low, found[0].high, found[0].unit


@pytest.mark.parametrize(
    ("text", "low", "high", "unit"),
    [
        ("The meeting lasted nearly 4 hours.", 4 * HOUR * (1 - NEAR_FRACTION), 4 * HOUR, "seconds"),
        ("The meeting lasted almost two hours.", 2 * HOUR * (1 - NEAR_FRACTION), 2 * HOUR, "seconds"),
        ("The talks lasted 90 minutes.", 1.5 * HOUR, 1.5 * HOUR, "seconds"),
        ("The talks lasted an hour and a half.", 1.5 * HOUR, 1.5 * HOUR, "seconds"),
        ("It took three and a half hours.", 3.5 * HOUR, 3.5 * HOUR, "seconds"),
        ("It took 2 hours and 15 minutes.", 2.25 * HOUR, 2.25 * HOUR, "seconds"),
        ("They met for several hours.", 2 * HOUR, 9 * HOUR, "seconds"),
        ("More than 300 people were killed.", 300, math.inf, "count"),
        ("Up to 10,000 troops took part.", 0, 10000, "count"),
        ("Between 3 and 5 people died.", 3, 5, "count"),
        ("Dozens of people were hurt.", 24, 99, "count"),
        ("Twenty-five people were rescued.", 25, 25, "count"),
        ("The race is 5 km long.", 5000, 5000, "metres"),
        ("Unemployment rose to 5.2%.", 5.2, 5.2, "percent"),
        ("A $1.2bn package was approved.", 1.2e9, 1.2e9, "USD"),
        ("The fine is 20 million pounds.", 2e7, 2e7, "GBP"),
        ("The EU pledged €3 billion.", 3e9, 3e9, "EUR"),
    ],
)
def test_interval(text: str, low: float, high: float, unit: str) -> None:
    got_low, got_high, got_unit = one(text)
    assert got_unit == unit
    assert got_low == pytest.approx(low)
    assert got_high == pytest.approx(high) if math.isfinite(high) else math.isinf(got_high)


def test_about_is_symmetric_and_miles_convert() -> None:
    low, high, _ = one("About 300 people were evacuated.")
    assert low < 300 < high and 300 - low == pytest.approx(high - 300)
    assert one("The route is 3.1 miles long.")[0] == pytest.approx(4988.97, abs=0.1)


@pytest.mark.parametrize(
    "text",
    [
        "the campaigns of 2016 and 2020",
        "his G-7 partners",
        "COVID-19 cases",
        "the two leaders met",
        "Tension rose",
    ],
)
def test_not_quantities(text: str) -> None:
    assert find_quantities(text) == []


def test_dates_use_the_articles_year() -> None:
    [q] = find_quantities("The treaty was extended on February 5.", "2021-06-17T08:33:00")
    [r] = find_quantities("The treaty was extended on 5 February 2021.")
    assert q.unit == "date" and q.low == r.low


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("nearly 4 hours", "almost 2 hours", "conflict"),
        ("5 km", "3.1 miles", "agree"),
        ("90 minutes", "1.5 hours", "agree"),
        ("several hours", "nearly 4 hours", "precision"),
        ("several hours", "almost 2 hours", "precision"),
        ("at least 30 people", "34 people", "precision"),
        ("300 people", "310 people", "conflict"),
    ],
)
def test_compare(a: str, b: str, expected: str) -> None:
    [qa], [qb] = find_quantities(a), find_quantities(b)
    assert compare(qa, qb) == expected
