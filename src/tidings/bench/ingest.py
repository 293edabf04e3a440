"""`tidings bench ingest`: documents/s per stage on a generated corpus, beside trafilatura alone."""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from typing import Any, TypeVar

import trafilatura

from tidings.bench.corpus import html_pages, text_pages
from tidings.extract import extract
from tidings.intake import Entry
from tidings.language import detect_article, get_detector
from tidings.models import Article, RawDocument
from tidings.outlets import Outlets
from tidings.pipeline import BATCH_SIZE, Pipeline
from tidings.settings import load_settings
from tidings.sources import decode, sniff_kind
from tidings.store import open_store

T = TypeVar("T")
R = TypeVar("R")


def _timed(items: list[T], fn: Callable[[T], R]) -> tuple[list[R], float]:
    start = time.perf_counter()
    out = [fn(x) for x in items]
    return out, time.perf_counter() - start


def _path(pages: list[str], kind: str, store_dir: str) -> dict[str, Any]:
    """Time each stage over the pages of one kind; stages run one after another on all pages."""
    raws = [
        RawDocument(
            locator=f"bench-{kind}-{i}", content=p.encode("utf-8"), kind="html" if kind == "html" else "text"
        )
        for i, p in enumerate(pages)
    ]
    outlets = Outlets.load()
    stage: dict[str, float] = {}
    texts, stage["parse"] = _timed(
        raws, lambda r: (sniff_kind(r.content, None, None), decode(r.content, None, locator=r.locator))[1]
    )
    pairs = list(zip(raws, texts, strict=True))
    extracted, stage["extract" if kind == "html" else "clean"] = _timed(
        pairs, lambda rt: extract(rt[0], rt[1])
    )

    def lang(a: Article) -> Article:
        g = detect_article(a.title, a.body, a.captions)
        outlets.lookup(a.source or "")
        return replace(a, language=g.code, language_confidence=g.confidence)

    get_detector()  # the model loads once per process, not once per document: not part of the rate
    done, stage["language"] = _timed(extracted, lang)
    settings = load_settings(
        {"db": os.path.join(store_dir, f"{kind}.db")}, env={"TIDINGS_CONFIG": "/nonexistent"}
    )
    pipeline = Pipeline(open_store(settings.database_url), settings)
    entries = [Entry(raw, article, f"{kind}{raw.locator}") for raw, article in zip(raws, done, strict=True)]
    start = time.perf_counter()
    for at in range(0, len(entries), BATCH_SIZE):  # as `tidings ingest` does: one commit per batch
        with pipeline.store.batch():
            pipeline.intake.store_many(entries[at : at + BATCH_SIZE])
    stage["store"] = time.perf_counter() - start
    n = len(pages)
    total = sum(stage.values())
    return {
        "documents": n,
        "stages_docs_per_s": {k: round(n / v, 1) for k, v in stage.items()},
        "all_stages_docs_per_s": round(n / total, 1),
    }


def _end_to_end(pages: list[str], suffix: str, tmp: str) -> float:
    """docs/s of `tidings ingest DIR` (translation and clustering off: they have their own benches)."""
    folder = os.path.join(tmp, suffix)
    os.makedirs(folder)
    for i, page in enumerate(pages):
        with open(os.path.join(folder, f"{i:05d}.{suffix}"), "w", encoding="utf-8") as fh:
            fh.write(page)
    settings = load_settings(
        {"db": os.path.join(tmp, f"e2e-{suffix}.db")},
        env={"TIDINGS_CONFIG": "/nonexistent"},
    )
    pipeline = Pipeline(open_store(settings.database_url), settings, translate=False, cluster=False)
    start = time.perf_counter()
    report = pipeline.ingest([folder])
    elapsed = time.perf_counter() - start
    assert report.new == len(set(pages)), report.as_dict()
    return round(len(pages) / elapsed, 1)


def run(as_json: bool = False, n: int = 400) -> int:
    """Print the figures; return 0."""
    texts, pages = text_pages(n), html_pages(n)
    with tempfile.TemporaryDirectory() as tmp:
        text_result = _path(texts, "text", tmp)
        html_result = _path(pages, "html", tmp)
        for result, docs, suffix in ((text_result, texts, "txt"), (html_result, pages, "html")):
            result["ingest_command_docs_per_s"] = _end_to_end(docs, suffix, tmp)
    _, t_default = _timed(pages, lambda p: trafilatura.extract(p))
    html_result["trafilatura_default_docs_per_s"] = round(n / t_default, 1)
    html_result["ratio_to_trafilatura"] = round(
        html_result["all_stages_docs_per_s"] / html_result["trafilatura_default_docs_per_s"], 3
    )
    result = {
        "machine": f"{platform.machine()} {os.cpu_count()} cores, Python {platform.python_version()}",
        "text_path": text_result,
        "html_path": html_result,
    }
    if as_json:
        print(json.dumps(result))
        return 0
    print(f"machine: {result['machine']}")
    for name, r in (("plain-text path", text_result), ("HTML path", html_result)):
        print(f"{name}: {r['documents']} docs, all stages {r['all_stages_docs_per_s']} docs/s")
        for stage, v in r["stages_docs_per_s"].items():
            print(f"  {stage:<9} {v:>9} docs/s")
        print(f"  `tidings ingest DIR` end to end: {r['ingest_command_docs_per_s']} docs/s")
    print(f"trafilatura.extract (default) alone: {html_result['trafilatura_default_docs_per_s']} docs/s")
    print(f"HTML path / trafilatura: {html_result['ratio_to_trafilatura']:.0%} (target >= 70%)")
    return 0
