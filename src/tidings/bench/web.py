"""`tidings bench web`: page and search latency over a real server with a ≥ 100,000-article store.

The store is generated quickly: the bundled sample goes through the real pipeline once (translation,
events, briefs); its articles, translations and briefs, plus eval-data texts when present, are then
varied and bulk-inserted across many days, outlets, languages and events. A real uvicorn server in a
child process serves it on loopback; 8 client threads send a bounded number of requests per kind.
"""

from __future__ import annotations

import hashlib
import http.client
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from tidings.errors import ConfigError
from tidings.settings import load_settings
from tidings.store import Store, browse, open_store
from tidings.store import articles as article_rows
from tidings.store.bulk import insert_rows

# Issue 7: search p95 under 100 ms, pages p95 under 150 ms, with 8 concurrent connections.
TARGETS_MS = {"search": 100.0, "front": 150.0, "event": 150.0, "article": 150.0}
CONNECTIONS = 8
REQUESTS_PER_KIND = 400  # bounded: the run takes about a minute once the store is built
DAYS = 730  # two years of news
OUTLETS = 120
BATCH = 5000
# Server set-ups measured: one process (`tidings serve`, `tidings run`), and one worker per core.
WORKERS = (1, 2)
SAMPLE = Path(__file__).resolve().parents[3] / "sample"
EVAL_TEXTS = Path("/work/shared/evaldata/semeval2022_pairs_dev/articles.jsonl")  # read, never copied
COUNTRIES = ["US", "GB", "FR", "DE", "ES", "IT", "RU", "VN", "MX", "AR", "BR", "TR", "PL", "JP", "EG", "IN"]
LANGS = ["en", "es", "fr", "de", "it", "pt", "ru", "vi", "tr", "pl", "ar", "ca"]
SEARCH_WORDS = [
    "Putin",
    "Biden",
    "bank",
    "summit",
    "wildfire",
    "interest",
    "election",
    "Geneva",
    "police",
    "government",
    "ambassadors",
    "cybersecurity",
    "Navalny",
    "flood",
    "Trump",
    "minister",
]


def _seed_store(folder: Path) -> Store:
    """The sample through the real pipeline: articles, translations, events and briefs."""
    from tidings.pipeline import Pipeline

    settings = load_settings({"db": str(folder / "seed.db")}, env={"TIDINGS_CONFIG": "/nonexistent"})
    store = open_store(settings.database_url)
    Pipeline(store, settings).ingest([str(SAMPLE)])
    return store


def _templates(seed: Store) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Article templates (with translations and sentences) and briefs from the seed store and eval texts."""
    from tidings.store import articles as article_rows
    from tidings.store import translations as translation_rows

    out: list[dict[str, Any]] = []
    with seed.read() as conn:
        for a in article_rows.list_articles(conn, limit=1000):
            out.append({**a, "translation": translation_rows.get(conn, int(a["id"]))})
        briefs = [browse.event(conn, int(e["id"]))["brief"] for e in browse.events_page(conn, limit=100)]
    if EVAL_TEXTS.exists():
        for line in EVAL_TEXTS.read_text(encoding="utf-8").splitlines()[:600]:
            r = json.loads(line)
            if r.get("text") and r.get("title"):
                out.append(
                    {
                        "title": r["title"],
                        "body": r["text"],
                        "language": r["lang"],
                        "original_language": r["lang"],
                        "section": None,
                        "captions": [],
                        "byline": None,
                        "translation": _pseudo_translation(r["title"], r["text"], r["lang"]),
                    }
                )
    return out, [b for b in briefs if b]


def _pseudo_translation(title: str, body: str, lang: str) -> dict[str, Any] | None:
    """A stand-in aligned translation of a non-English eval text (the shape and size of a real one)."""
    if lang == "en":
        return None
    sentences = [
        {
            "position": i,
            "paragraph": p,
            "source": s,
            "text": s,
            "engine": "bench",
            "quality": "ok",
            "score": None,
            "origin": None,
        }
        for i, (p, s) in enumerate(
            (p, s.strip() + ".")
            for p, para in enumerate(body.split("\n\n"))
            for s in para.split(". ")
            if s.strip()
        )
    ]
    return {
        "kind": "translation",
        "engine": "bench",
        "engine_version": "0",
        "mode": "all",
        "title": title,
        "title_quality": "ok",
        "body": body,
        "numbers_flagged": 0,
        "sentences": sentences,
    }


_HEAD_KEYS = ("kind", "engine", "engine_version", "mode", "title", "title_quality", "body", "numbers_flagged")
_SENTENCE_KEYS = ("position", "paragraph", "source", "text", "engine", "quality", "score", "origin")


def _translation_rows(
    article_id: int, t: dict[str, Any] | None, lang: str
) -> tuple[dict[str, Any] | None, list[dict[str, Any]]]:
    if t is None or t.get("kind") in (None, "original", "none"):
        return None, []
    head = {k: t[k] for k in _HEAD_KEYS}
    head.update(article_id=article_id, source_lang=lang, created_at=datetime.now(UTC))
    sentences = [{**{k: x[k] for k in _SENTENCE_KEYS}, "article_id": article_id} for x in t["sentences"]]
    return head, sentences


def generate(store: Store, n: int, seed_store: Store, rng: random.Random) -> dict[str, int]:
    """Bulk-insert n varied articles grouped in events; return counts."""
    templates, briefs = _templates(seed_store)
    outlets: list[dict[str, Any]] = [
        {
            "id": i + 1,
            "name": f"Outlet {i + 1} ({LANGS[i % len(LANGS)]})",
            "domains": [f"o{i + 1}.example"],
            "country": COUNTRIES[i % len(COUNTRIES)],
            "language": LANGS[i % len(LANGS)],
            "translate": "all",
        }
        for i in range(OUTLETS)
    ]
    now = datetime.now(UTC).replace(microsecond=0)
    start = now - timedelta(days=DAYS)
    with store.write() as conn:
        insert_rows(conn, "sources", outlets)
    article_id, event_id = 0, 0
    counts = {"articles": 0, "events": 0, "translated": 0}
    while article_id < n:
        rows: list[dict[str, Any]] = []
        trans: list[dict[str, Any]] = []
        sents: list[dict[str, Any]] = []
        events: list[dict[str, Any]] = []
        members: list[dict[str, Any]] = []
        while len(rows) < BATCH and article_id < n:
            event_id += 1
            size = min(n - article_id, max(1, int(rng.paretovariate(1.3))), 60)
            t0 = start + timedelta(seconds=rng.randrange(DAYS * 86400))
            tpl = rng.choice(templates)
            ev_outlets: set[str] = set()
            ev_langs: set[str] = set()
            for k in range(size):
                article_id += 1
                outlet = rng.choice(outlets)
                when = t0 + timedelta(minutes=rng.randrange(0, 72 * 60))
                lang = str(tpl.get("original_language") or outlet["language"])
                variant = f" ({outlet['name']}, {when:%d %b})" if k else ""
                rows.append(
                    {
                        "id": article_id,
                        "title": f"{tpl['title']}{variant}",
                        "body": tpl["body"],
                        "text_hash": hashlib.sha1(str(article_id).encode()).hexdigest(),
                        "url": f"https://{outlet['domains'][0]}/{article_id}",
                        "byline": tpl.get("byline"),
                        "published": when.isoformat(),
                        "published_utc": when,
                        "published_day": when.date().isoformat(),
                        "source_id": outlet["id"],
                        "source": outlet["name"],
                        "section": tpl.get("section")
                        or rng.choice(["World", "Politics", "Business", "Sport", None]),
                        "categories": [],
                        "captions": tpl.get("captions") or [],
                        "language": tpl.get("language"),
                        "original_language": lang,
                        "revision": 1,
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                head, ss = _translation_rows(article_id, tpl.get("translation"), lang)
                if head:
                    trans.append(head)
                    sents.extend(ss)
                members.append(
                    {
                        "article_id": article_id,
                        "event_id": event_id,
                        "score": 1.0 if k == 0 else round(rng.uniform(0.3, 0.9), 4),
                        "shared": []
                        if k == 0
                        else [
                            {"kind": "entity", "value": w, "weight": 0.05}
                            for w in tpl["title"].lower().split()[:4]
                        ],
                        "time_gap_hours": None,
                        "copy_of": None,
                        "pinned": 0,
                    }
                )
                ev_outlets.add(outlet["name"])
                ev_langs.add(lang)
            events.append(
                {
                    "id": event_id,
                    "headline": tpl["title"],
                    "first_seen": t0,
                    "last_seen": t0 + timedelta(hours=rng.randrange(0, 72)),
                    "languages": sorted(ev_langs),
                    "countries": [],
                    "sources": sorted(ev_outlets),
                    "article_count": size,
                    "independent_count": len(ev_outlets),
                    "copy_count": 0,
                    "growth_24h": 0,
                    "active": 1,
                    "updated_at": now,
                    "brief": _brief_for(size, briefs, rng),
                    "brief_at": now,
                }
            )
        with store.write() as conn:
            insert_rows(conn, "articles", rows)
            insert_rows(conn, "translations", trans)
            insert_rows(conn, "translation_sentences", sents)
            insert_rows(conn, "events", events)
            insert_rows(conn, "memberships", members)
        counts["articles"] += len(rows)
        counts["events"] += len(events)
        counts["translated"] += len(trans)
    return counts


def _brief_for(size: int, briefs: list[dict[str, Any]], rng: random.Random) -> dict[str, Any] | None:
    """A real brief of a similar event: the seeds' large one for events of several articles."""
    if not briefs:
        return None
    by_size = sorted(briefs, key=lambda b: len(json.dumps(b)))
    return by_size[-1] if size >= 3 else rng.choice(by_size[:-1] or by_size)


def _serve(db: Path | str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """A uvicorn server over the store in a child process (`tidings serve`, or uvicorn's workers)."""
    env = {**os.environ, "TIDINGS_CONFIG": "/nonexistent/config.toml", "TIDINGS_DB": str(db)}
    cmd = [
        sys.executable,
        "-m",
        "uvicorn",
        "--factory",
        "tidings.web:app_from_env",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/openapi.json", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.terminate()
    raise RuntimeError("the server did not start")


def measure_store(db: Path | str, counts: dict[str, int], workers: int, rng: random.Random) -> dict[str, Any]:
    """p50/p95 per kind of request against a server with `workers` processes."""
    port = _free_port()
    proc = _serve(db, port, workers)
    try:
        base = f"http://127.0.0.1:{port}"
        kinds = {
            "front": ["/"] * REQUESTS_PER_KIND,
            "event": [f"/events/{rng.randint(1, counts['events'])}" for _ in range(REQUESTS_PER_KIND)],
            "article": [f"/articles/{rng.randint(1, counts['articles'])}" for _ in range(REQUESTS_PER_KIND)],
            "search": [
                f"/search?q={rng.choice(SEARCH_WORDS)}" + ("&language=es" if i % 4 == 0 else "")
                for i in range(REQUESTS_PER_KIND)
            ],
        }
        measure(base, [p for paths in kinds.values() for p in paths[:40]])  # warm up every worker
        results = {}
        for kind, paths in kinds.items():
            t = time.perf_counter()
            lat = measure(base, paths)
            wall = time.perf_counter() - t
            results[kind] = {
                "p50_ms": _pct(lat, 50),
                "p95_ms": _pct(lat, 95),
                "requests": len(lat),
                "per_second": round(len(lat) / wall, 1),
                "target_p95_ms": TARGETS_MS[kind],
                "met": _pct(lat, 95) < TARGETS_MS[kind],
            }
        return results
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def measure(base: str, paths: list[str]) -> list[float]:
    """Latencies (ms) of GETting every path, spread over CONNECTIONS client threads."""
    latencies: list[float] = []
    lock = threading.Lock()
    failures: list[str] = []

    def worker(part: list[str]) -> None:
        # http.client, not httpx: a keep-alive connection with little client CPU, which on a 2-core machine
        # would otherwise be taken from the server being measured.
        host, port = base.removeprefix("http://").split(":")
        conn = http.client.HTTPConnection(host, int(port), timeout=30)
        for p in part:
            t = time.perf_counter()
            try:
                conn.request("GET", p)
                response = conn.getresponse()
                response.read()
            except (OSError, http.client.HTTPException) as exc:  # a timeout: said, not a thread's traceback
                with lock:
                    failures.append(f"{p}: {type(exc).__name__} {exc}")
                break
            ms = (time.perf_counter() - t) * 1000
            with lock:
                latencies.append(ms)
                if response.status != 200:
                    failures.append(f"{p}: {response.status}")
        conn.close()

    threads = [threading.Thread(target=worker, args=(paths[i::CONNECTIONS],)) for i in range(CONNECTIONS)]
    for th in threads:
        th.start()
    for th in threads:
        th.join()
    if failures:
        raise RuntimeError(f"{len(failures)} failed requests, e.g. {failures[:3]}")
    return latencies


def _pct(values: list[float], q: float) -> float:
    return round(statistics.quantiles(values, n=100)[int(q) - 1], 1) if len(values) > 1 else values[0]


def _empty_store(url: str) -> Store:
    """The store at `url` (a PostgreSQL database, say), which must hold no article: the bench fills it."""
    store = open_store(load_settings({"db": url}, env={"TIDINGS_CONFIG": "/nonexistent"}).database_url)
    with store.read() as conn:
        filled = article_rows.count(conn)
    if filled:
        store.close()
        raise ConfigError("bench web fills the store it is given: give an empty database", where=url)
    return store


def run(as_json: bool, n: int = 100_000, store_url: str | None = None) -> int:
    """Build the store (a temporary SQLite file, or the empty database at `store_url`), serve it, measure;
    print the figures. Exit 0 when every target is met."""
    rng = random.Random(7)
    with tempfile.TemporaryDirectory(prefix="tidings-bench-web-") as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        db: Path | str = store_url or folder / "bench.db"
        store = _empty_store(store_url) if store_url else open_store(f"sqlite:///{db}")
        seed = _seed_store(folder)
        counts = generate(store, n, seed, rng)
        with store.write() as conn:
            conn.exec_driver_sql("ANALYZE")
        backend = store.engine.dialect.name
        store.close()
        seed.close()
        build_s = time.perf_counter() - t0
        results = {f"workers={w}": measure_store(db, counts, w, rng) for w in WORKERS}
    report = {
        "store": {**counts, "build_seconds": round(build_s, 1), "database": backend},
        "connections": CONNECTIONS,
        "results": results,
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, "
        f"Python {platform.python_version()}, {platform.system()}",
    }
    if as_json:
        print(json.dumps(report))
    else:
        print(
            f"store: {counts['articles']:,} articles, {counts['events']:,} events, "
            f"{counts['translated']:,} translated, {backend}; built in {build_s:.0f} s; {report['machine']}"
        )
        for setup, by_kind in results.items():
            print(setup)
            for kind, r in by_kind.items():
                print(
                    f"  {kind:8} p50 {r['p50_ms']:7.1f} ms  p95 {r['p95_ms']:7.1f} ms  "
                    f"{r['per_second']:6.1f} req/s "
                    f"(target p95 < {r['target_p95_ms']:.0f} ms: {'met' if r['met'] else 'MISSED'})"
                )
    return 0 if all(r["met"] for r in results[f"workers={WORKERS[-1]}"].values()) else 1


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])
