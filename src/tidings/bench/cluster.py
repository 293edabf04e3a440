"""Speed of dedup + features + clustering on a generated stream (`tidings bench cluster`)."""

from __future__ import annotations

import json
import random
import resource
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from itertools import islice
from typing import Any

from tidings.cluster import ClusterDoc, EmbedPolicy, OnlineClusterer, default_embedder, fallback_embedder
from tidings.settings import load_settings

# Stream shape: a new event every few articles, reports spread over two days, a fifth of them wire copies,
# 15 % in a language without a translation engine (they get embeddings under the "untranslated" policy).
EVENT_EVERY = 6
COPY_SHARE = 0.2
UNTRANSLATED_SHARE = 0.15
BATCH = 16  # articles handed over together, as a feed poll or an ingest batch does
CHECKPOINTS = (10_000, 25_000, 50_000, 75_000)

_WORDS = [
    "government",
    "minister",
    "police",
    "court",
    "election",
    "protest",
    "market",
    "company",
    "bank",
    "storm",
    "flood",
    "fire",
    "attack",
    "talks",
    "agreement",
    "border",
    "school",
    "hospital",
    "union",
    "strike",
    "budget",
    "vote",
    "parliament",
    "river",
    "bridge",
    "village",
    "council",
    "investigation",
    "report",
    "officials",
    "residents",
    "damage",
    "prices",
    "exports",
    "energy",
    "summit",
    "treaty",
]
_FILLER = [
    "said on {day} that the situation remained under review",
    "Officials added that more details would follow later in the week",
    "The decision was criticised by opposition groups, who called for an inquiry",
    "Analysts said the move could have consequences for the region.",
]
_DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]


def _word(rng: random.Random) -> str:
    # consonant-vowel pseudo-words: a vocabulary of millions, like real names and rare terms
    return "".join(rng.choice("bdfgklmnprstvz") + rng.choice("aeiou") for _ in range(rng.randint(2, 4)))


def _name(rng: random.Random) -> str:
    return _word(rng).capitalize()


def stream(n: int, seed: int = 3) -> Iterator[ClusterDoc]:
    """A reproducible stream of `n` articles about many events, with copies and untranslated languages."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, tzinfo=UTC)
    events: list[dict[str, Any]] = []
    recent: list[ClusterDoc] = []
    common = [_word(rng) for _ in range(3000)]  # the shared vocabulary of background sentences
    for i in range(n):
        now = start + timedelta(seconds=40 * i)  # 50,000 articles span 23 days
        if i % EVENT_EVERY == 0 or not events:
            events.append(
                {
                    "names": [_name(rng) for _ in range(4)],
                    "words": [*rng.sample(_WORDS, 2), *(_word(rng) for _ in range(3))],
                    "number": str(rng.randint(10, 9999)),
                    "born": now,
                }
            )
            events = events[-400:]
        if recent and rng.random() < COPY_SHARE:
            orig = rng.choice(recent[-200:])
            yield ClusterDoc(
                id=f"d{i}",
                lang=orig.lang,
                title=orig.title,
                text="Advertisement\n" + orig.text + "\nRead more",
                published=now,
                source=f"outlet{rng.randint(0, 300)}",
                url=f"https://o{i}.example/a?utm_source=x",
            )
            continue
        ev = rng.choice(events[-60:])
        a, b, c, d = ev["names"]
        w = ev["words"]
        sentences = [
            f"{a} {b} and {c} met in {d} over the {w[0]} and the {w[1]}",
            f"The {w[2]} involving {a} affected {ev['number']} people near {d}",
            f"{b} said the {w[3]} would continue while the {w[4]} was discussed",
            rng.choice(_FILLER),
            *(" ".join(rng.choice(common) for _ in range(rng.randint(8, 16))).capitalize() for _ in range(4)),
        ]
        rng.shuffle(sentences)
        text = ". ".join(s.format(day=rng.choice(_DAYS)) for s in sentences) + "."
        lang = "de" if rng.random() < UNTRANSLATED_SHARE else "en"
        doc = ClusterDoc(
            id=f"d{i}",
            lang=lang,
            title=f"{a} and {c}: {w[0]} in {d}",
            text=text * 2,
            published=now,
            source=f"outlet{rng.randint(0, 300)}",
            url=f"https://o{i}.example/story/{i}",
        )
        recent.append(doc)
        recent = recent[-400:]
        yield doc


def _stretch(out: dict[str, float], key: int, done: int, last: tuple[int, float]) -> tuple[int, float]:
    """Record, under `key`, the speed of the articles since the `last` (count, CPU time) mark; the new
    mark."""
    now = time.process_time()
    out[str(key)] = round((done - last[0]) / max(now - last[1], 1e-9), 1)
    return done, now


def _rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # pragma: no cover


def measure(
    n: int = 50_000,
    policy: str = "always",
    settle: float | None = None,
    embedder_name: str = "use-static",
    docs: Iterable[ClusterDoc] | None = None,
    fallback_name: str = "e5",
) -> dict[str, Any]:
    """Throughput, latency and memory of the online clusterer over `n` generated articles, or over the
    first `n` of `docs`."""
    embedder = default_embedder(embedder_name) if policy != "never" else None
    fallback = fallback_embedder(fallback_name, embedder_name) if embedder is not None else None
    c = OnlineClusterer(embedder=embedder, policy=EmbedPolicy(policy), fallback=fallback)
    if embedder is not None:
        embedder.embed(["warm-up"])  # the model loads once per process, not per batch: not a placement's wait
    # the second encoder loads at its first read, as in the service: only where a report needs it
    if settle is not None:
        c.settle = settle
    cpu0, wall0 = time.process_time(), time.perf_counter()
    latencies: list[float] = []
    reads: list[float] = []  # the second encoder's reads after each batch, as the event stage runs them
    rss: dict[str, float] = {}
    # articles per CPU-second of each stretch up to a checkpoint: whether the speed holds as the stream grows
    stretches: dict[str, float] = {}
    last = (0, cpu0)
    batch: list[ClusterDoc] = []
    done = 0
    for doc in stream(n) if docs is None else islice(docs, n):
        batch.append(doc)
        if len(batch) < BATCH:
            continue
        t = time.perf_counter()
        c.add_batch(batch)
        latencies.append(time.perf_counter() - t)  # the last article of a batch waited this long
        t = time.perf_counter()
        if c.catch_up():
            reads.append(time.perf_counter() - t)
        done += len(batch)
        batch = []
        c.drain_retired()
        for mark in CHECKPOINTS:
            if done - BATCH < mark <= done:
                rss[str(mark)] = round(_rss_mb(), 1)
                last = _stretch(stretches, mark, done, last)
    if batch:
        c.add_batch(batch)
        done += len(batch)
        c.catch_up()
    rss[str(done)] = round(_rss_mb(), 1)
    if done > last[0]:
        _stretch(stretches, done, done, last)
    cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
    return {
        "articles": done,
        "policy": policy,
        "embedder": embedder_name if embedder is not None else None,
        "articles_per_second": round(done / wall, 1),
        "articles_per_cpu_second": round(done / cpu, 1),
        # share of articles whose lead went through the encoder (events embedded on demand, and titles read
        # to compare headlines with, count too)
        "embedded_share": round((c.embedded + (c.titles.embedded if c.titles else 0)) / max(done, 1), 3),
        "batch_size": BATCH,
        "p99_batch_latency_s": round(sorted(latencies)[int(len(latencies) * 0.99)], 3) if latencies else 0.0,
        "max_batch_latency_s": round(max(latencies, default=0.0), 3),
        # after a batch is placed (by words where e5 would read), e5 reads the reports of languages USE does
        # not read, and may move them: how long that took, in the batches that had any
        "batches_with_second_reads": len(reads),
        "p99_second_read_s": round(sorted(reads)[int(len(reads) * 0.99)], 3) if reads else 0.0,
        "active_events": len(c.state.events),
        "active_documents": len(c.state.features),
        "rss_mb": rss,
        "articles_per_cpu_second_by_stretch": stretches,  # keyed by the stretch's last article
    }


def run(as_json: bool, n: int = 50_000, policy: str | None = None, file: str | None = None) -> int:
    """`tidings bench cluster [--file F.jsonl]`: throughput, latency and memory under the cluster_embed
    setting's policy, on the generated stream or on the articles of a JSONL file (as `tidings eval
    cluster` reads them, in file order; nothing translated)."""
    settings = load_settings()
    docs = None
    if file:
        # here, not at the top: the evaluation module pulls in the whole pipeline (+34 MB of RSS)
        from tidings.evaluate.cluster import doc_of, read_jsonl

        docs = [doc_of(r) for r in read_jsonl(file)]
    report = measure(
        n,
        policy or settings.cluster_embed,
        embedder_name=settings.cluster_embedder,
        docs=docs,
        fallback_name=settings.cluster_fallback,
    )
    if as_json:
        print(json.dumps(report, indent=2))
    else:
        for key, value in report.items():
            print(f"{key}: {value}")
    return 0
