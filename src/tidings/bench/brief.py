"""`tidings bench brief`: time to build the brief of a generated n-article event (target: 50 in < 2 s)."""

from __future__ import annotations

import json
import platform
import random
import time
from typing import Any

from tidings.brief import BriefArticle, BriefSentence, brief_to_json, build_brief

# Issue 6: a 50-article brief in under 2 s on this machine.
TARGET_SECONDS = 2.0
_OUTLETS = [
    ("Telemundo", "US", "es"),
    ("VnExpress", "VN", "vi"),
    ("Le Monde", "FR", "fr"),
    ("Der Spiegel", "DE", "de"),
    ("RIA", "RU", "ru"),
    ("El País", "ES", "es"),
    ("Reuters", "GB", "en"),
    ("NHK", "JP", "ja"),
    ("Al Jazeera", "QA", "ar"),
    ("ANSA", "IT", "it"),
]
_TEMPLATES = [
    "President {a} and Russian President {b} met for {hedge} {h} hours in {city} on Wednesday.",
    "The meeting lasted {hedge} {h} hours, instead of the {p} hours previously predicted by officials.",
    "{b} described the summit with his US counterpart as constructive.",
    '"The conversation was rather constructive," said the Russian president.',
    "The two countries agreed to return their ambassadors to Washington and Moscow.",
    "{b} said the two countries will start consultations on cybersecurity.",
    "At least {k} protesters were detained outside the venue, police said.",
    "The talks were attended by {n} advisers and {n2} interpreters.",
    "Foreign Minister {c} and Secretary of State {d} joined the first session.",
    "After a {m}-minute break, the leaders resumed the talks in an expanded format.",
    "The United States accuses Russia of cyberattacks on the {target}.",
    "{b} categorically denied these allegations in an interview.",
    "The treaty was extended on February {day}, officials said.",
    "Security cost the city about {money} million Swiss francs.",
    "The delegations stayed in a hotel {km} km from the villa.",
    "Analysts expect relations to remain tense for {y} years.",
    "{a} said he wants a stable and predictable relationship.",
    '"We will respond to harmful actions," {a} told reporters after the meeting.',
    "Opposition leader {e} remains in prison, his supporters said.",
    "Turnout at the rally was about {pct}% lower than last year.",
    "Both sides said the atmosphere of the talks was businesslike.",
    "The next round of strategic stability talks is planned for {month}.",
    "Several groups protested near the lake, according to local media.",
    "{b} said he had not received an invitation to visit the White House.",
    "The summit took place at Villa La Grange, a mansion in a park by the lake.",
]
_NAMES = {
    "a": ["Joe Biden", "Biden"],
    "b": ["Vladimir Putin", "Vladimir V. Putin", "Putin"],
    "c": ["Sergei Lavrov", "Sergey Lavrov"],
    "d": ["Antony Blinken"],
    "e": ["Alexei Navalny", "Alexey Navalny"],
}


def event(n: int = 50, seed: int = 7) -> list[BriefArticle]:
    """A generated event of n articles from 10 outlets, with paraphrased, hedged and conflicting figures."""
    rng = random.Random(seed)
    articles = []
    for i in range(n):
        outlet, country, language = _OUTLETS[i % len(_OUTLETS)]
        slots: dict[str, Any] = {k: rng.choice(v) for k, v in _NAMES.items()}
        slots.update(
            hedge=rng.choice(["", "nearly", "almost", "about", "more than"]),
            h=rng.choice([2, 3, 4]),
            p=5,
            city="Geneva",
            k=rng.choice([20, 25, 40]),
            n=rng.choice([2, 4]),
            n2=2,
            m=rng.choice([30, 45]),
            target=rng.choice(["pipeline", "meat producer"]),
            day=rng.choice([3, 5]),
            money=rng.choice([7, 8]),
            km=rng.choice([2, 3]),
            y=rng.choice([2, 5]),
            pct=rng.choice([10, 20]),
            month=rng.choice(["July", "September"]),
        )
        picked = rng.sample(_TEMPLATES, k=20)
        sentences = tuple(BriefSentence(j, " ".join(t.format(**slots).split())) for j, t in enumerate(picked))
        articles.append(
            BriefArticle(
                i + 1,
                outlet if i < 40 else f"{outlet} regional",
                country,
                "en",
                language,
                f"2021-06-{16 + i % 3:02d}T{8 + i % 12:02d}:00:00+00:00",
                f"Summit in Geneva ({i + 1})",
                sentences,
                copy_of=(i - 5) if i % 9 == 8 else None,
            )
        )
    return articles


def run(as_json: bool = False, n: int = 50) -> int:
    """Time build_brief on a generated n-article event: first (cold) run and the median of 3 warm runs."""
    articles = event(n)
    start = time.perf_counter()
    brief = build_brief(articles)
    cold = time.perf_counter() - start
    warm = []
    for _ in range(3):
        start = time.perf_counter()
        brief = build_brief(articles)
        warm.append(time.perf_counter() - start)
    doc = brief_to_json(brief)
    result = {
        "articles": n,
        "sentences": sum(len(a.sentences) for a in articles),
        "cold_seconds": round(cold, 3),
        "warm_seconds": round(sorted(warm)[1], 3),
        "claim_groups": len(doc["claims"]),
        "quote_groups": len(doc["quotes"]),
        "entities": len(doc["entities"]),
        "target_seconds": TARGET_SECONDS,
        "machine": f"{platform.machine()} {platform.python_implementation()} {platform.python_version()}",
    }
    if as_json:
        print(json.dumps(result, indent=2))
    else:
        print(
            f"brief of {n} articles ({result['sentences']} sentences): cold {cold:.3f} s,"
            f" warm {result['warm_seconds']:.3f} s"
            f" (target < 2 s); {result['claim_groups']} claim groups, {result['quote_groups']} quote groups,"
            f" {result['entities']} entities"
        )
    return 0 if cold < TARGET_SECONDS else 1
