"""Accuracy of dedup and event clustering on labelled JSONL files (`tidings eval cluster|pairs|dedup`)."""

from __future__ import annotations

import json
import math
import os
import tempfile
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Generic, TypeVar

from sqlalchemy import Connection

from tidings.cluster import ClusterDoc, OnlineClusterer, default_embedder, fallback_embedder
from tidings.cluster.embed import EmbedPolicy, calibrated, reads
from tidings.cluster.score import Weights, profile_of_doc
from tidings.errors import InputError, JsonlError, TranslationError
from tidings.evaluate import read_objects
from tidings.events import cluster_doc
from tidings.models import Failed, RawDocument
from tidings.pipeline import Pipeline
from tidings.pipeline import Report as IngestReport
from tidings.settings import load_settings
from tidings.sources.jsonl import record_to_raw
from tidings.store import events as event_rows
from tidings.store import open_store
from tidings.translate.router import MemoryCache, Router
from tidings.translation import configured_router, warm

# Fields of an evaluation row that the pipeline must not see.
T = TypeVar("T")
GOLD_FIELDS = ("cluster", "topic", "copy_group", "origin")
# Gold "same story" in SemEval-2022 Task 8: mean overall score at most this (1 = same, 4 = unrelated).
SAME_STORY_MAX = 1.5


def read_jsonl(path: str | Path, need: Sequence[str] = ()) -> list[dict[str, Any]]:
    """Rows of a JSONL file; a bad line, a row without a field in `need`, or an article id given twice
    (its gold label and its text would be one row's or the other's, silently) raises JsonlError naming it."""
    rows = []
    first: dict[str, int] = {}  # article id -> line
    for n, row in read_objects(path):
        if "id" not in row and "id1" not in row:
            raise JsonlError("not an object with an id", where=f"{path}:{n}")
        missing = [name for name in need if row.get(name) is None]
        if missing:
            raise JsonlError(f"no {', '.join(missing)} (the gold label)", where=f"{path}:{n}")
        if "id" in row:
            if str(row["id"]) in first:
                raise JsonlError(
                    f"id {row['id']!r} is given twice (line {first[str(row['id'])]})", where=f"{path}:{n}"
                )
            first[str(row["id"])] = n
        rows.append(row)
    return rows


def _date(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def translated(rows: Sequence[Mapping[str, Any]], router: Router) -> dict[str, ClusterDoc]:
    """Each row as the event stage sees it after the translation stage (events.cluster_doc's rules): English
    text where an engine translates its language, a gloss beside the original where a dictionary does.
    Each language's sentences go to its engine in one call, as the stage sends a batch."""
    docs = [doc_of(r) for r in rows]
    cache = MemoryCache()
    warm(router, [(d.title, d.text, d.lang, "all") for d in docs], cache)
    out: dict[str, ClusterDoc] = {}
    for d in docs:
        try:
            t = router.translate_article(d.title, d.text, d.lang, cache=cache)
        except TranslationError:
            out[d.id] = d  # left untranslated, as the stage leaves an article it could not translate
            continue
        row = {"id": d.id, "language": d.lang, "title": d.title, "body": d.text, "published_utc": d.published}
        row |= {"t_kind": t.kind, "t_title": t.title.text, "t_body": t.text, "source": d.source, "url": d.url}
        out[d.id] = cluster_doc(row)
    return out


def doc_of(row: Mapping[str, Any]) -> ClusterDoc:
    """A ClusterDoc from an evaluation row (`id, lang, title, text`, optional `date, source, url`)."""
    return ClusterDoc(
        id=str(row["id"]),
        lang=str(row.get("lang") or "en"),
        title=str(row.get("title") or ""),
        text=str(row.get("text") or ""),
        original_text=row.get("original_text"),
        published=_date(row.get("date")),
        source=row.get("source"),
        url=row.get("url"),
    )


def bcubed(gold: Mapping[str, str], pred: Mapping[str, Any]) -> tuple[float, float, float]:
    """BCubed precision, recall and F1 of a predicted clustering against gold labels."""
    gold_sets: defaultdict[str, set[str]] = defaultdict(set)
    pred_sets: defaultdict[Any, set[str]] = defaultdict(set)
    for item, label in gold.items():
        gold_sets[label].add(item)
        pred_sets[pred[item]].add(item)
    p = r = 0.0
    for item in gold:
        g, q = gold_sets[gold[item]], pred_sets[pred[item]]
        both = len(g & q)
        p += both / len(q)
        r += both / len(g)
    n = len(gold) or 1
    p, r = p / n, r / n
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def _items(rows: Sequence[Mapping[str, Any]], path: str | Path) -> list[RawDocument | Failed]:
    """Each row as the JSONL reader would hand it to the pipeline, without its gold labels."""
    items: list[RawDocument | Failed] = []
    for row in rows:
        record = {k: v for k, v in row.items() if k not in GOLD_FIELDS}
        locator = f"{path}#{row['id']}"
        try:
            items.append(record_to_raw(record, locator=locator))
        except InputError as exc:
            items.append(Failed(locator, type(exc).__name__, exc.message))
    return items


def _tune(
    clusterer: OnlineClusterer, weights: Weights | None, threshold: float | None, settle: float | None
) -> None:
    """Ablation settings on the pipeline's fresh clusterer (the defaults are production's)."""
    if settle is not None:
        clusterer.settle = settle
    if weights is not None:
        clusterer.weights = calibrated(weights, clusterer.embedder, clusterer.fallback)
    if threshold is not None:
        clusterer.threshold = threshold


def cluster_file(
    path: str | Path,
    *,
    weights: Weights | None = None,
    embed: str | None = None,
    threshold: float | None = None,
    settle: float | None = None,
    embedder: str | None = None,
) -> dict[str, Any]:
    """Run the production pipeline online over a labelled file, into a temporary store, and score it.
    The embedding policy and encoder are the user's settings unless given."""
    rows = read_jsonl(path, need=("cluster",))
    if all(_date(r.get("date")) for r in rows):
        rows.sort(key=lambda r: _date(r["date"]) or datetime.min)  # date order, else file order
    run = _run_pipeline(
        rows, path, event_rows.events_of, embed=embed, embedder=embedder,
        tune=lambda c: _tune(c, weights, threshold, settle),
    )  # fmt: skip
    article_ids, event_of, report, elapsed = run.article_ids, run.found, run.report, run.elapsed
    # an item that failed, or that never reached an event, stands alone
    pred: dict[str, Any] = {}
    for row, article_id in zip(rows, article_ids, strict=True):
        rid = str(row["id"])
        pred[rid] = event_of.get(article_id, f"alone:{rid}") if article_id is not None else f"alone:{rid}"
    gold = {str(r["id"]): str(r["cluster"]) for r in rows}
    p, r, f = bcubed(gold, pred)
    return {
        "articles": len(rows),
        "gold_clusters": len(set(gold.values())),
        "predicted_clusters": len(set(pred.values())),
        "bcubed_precision": round(p, 4),
        "bcubed_recall": round(r, 4),
        "bcubed_f1": round(f, 4),
        "articles_per_second": round(len(rows) / elapsed, 1) if elapsed else 0.0,
        "failed": report.failed,
    }


@dataclass
class PipelineRun(Generic[T]):
    """What a run of the production pipeline over labelled rows left: each row's article (None when it
    failed), what `read` found in the store for them, the ingest report and the seconds it took."""

    article_ids: list[int | None]
    found: T
    report: IngestReport
    elapsed: float


def _run_pipeline(
    rows: Sequence[Mapping[str, Any]],
    path: str | Path,
    read: Callable[[Connection, list[int]], T],
    *,
    embed: str | None = None,
    embedder: str | None = None,
    tune: Callable[[OnlineClusterer], None] = lambda c: None,
) -> PipelineRun[T]:
    """Ingest the rows (gold labels withheld) into a temporary store with the user's settings, unless
    given, and read what they became."""
    items = _items(rows, path)
    with tempfile.TemporaryDirectory(prefix="tidings-eval-") as tmp:
        user = load_settings()
        chosen = {
            "db": os.path.join(tmp, "eval.db"),
            "cluster_embed": embed or user.cluster_embed,
            "cluster_embedder": embedder or user.cluster_embedder,
            "cluster_fallback": user.cluster_fallback,
        }
        settings = load_settings(chosen, env={"TIDINGS_CONFIG": "/nonexistent"})
        store = open_store(settings.database_url)
        try:
            pipeline = Pipeline(store, settings, briefs=False)
            tune(pipeline.events.clusterer)
            start = time.perf_counter()
            report = pipeline.ingest_items(items)
            elapsed = time.perf_counter() - start
            article_ids = [getattr(o, "article_id", None) for o in report.outcomes]
            with store.read() as conn:
                found = read(conn, [a for a in article_ids if a is not None])
        finally:
            store.close()
    return PipelineRun(article_ids, found, report, elapsed)


def pearson(xs: list[float], ys: list[float]) -> float | None:
    """Pearson correlation; None when undefined (under two pairs, or one side constant: a language pair
    whose pairs all share one gold score), which a 0 would pass off as no correlation."""
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sx = math.sqrt(sum((x - mx) ** 2 for x in xs))
    sy = math.sqrt(sum((y - my) ** 2 for y in ys))
    return sxy / (sx * sy) if sx and sy else None


def f1(gold: list[bool], pred: list[bool]) -> float | None:
    """F1 of the positive class; None when neither side holds a positive (nothing to find, none found)."""
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    fp = sum(p and not g for g, p in zip(gold, pred, strict=True))
    fn = sum(g and not p for g, p in zip(gold, pred, strict=True))
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None


def _rounded(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def read_pairs(path: str | Path) -> list[dict[str, Any]]:
    """Labelled pairs (`id1, id2, score` in [0, 1], optional `overall_1to4`, `lang1, lang2`); a row missing
    an id or with a score out of range raises JsonlError naming its line. Without `overall_1to4` it is
    taken from the score on SemEval's scale (score = (4 - overall) / 3)."""
    rows = []
    for n, row in read_objects(path):
        where = f"{path}:{n}"
        if "id1" not in row or "id2" not in row:
            raise JsonlError("a pair needs id1 and id2", where=where)
        score = _number(row.get("score"), "score", 0.0, 1.0, where)
        overall = row.get("overall_1to4")
        overall = 4.0 - 3.0 * score if overall is None else _number(overall, "overall_1to4", 1.0, 4.0, where)
        rows.append({**row, "score": score, "overall_1to4": overall})
    return rows


def _number(value: Any, name: str, low: float, high: float, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not low <= value <= high:
        raise JsonlError(f"{name} must be a number from {low:g} to {high:g}, not {value!r}", where=where)
    return float(value)


def pair_scores(
    pairs: Sequence[Mapping[str, Any]],
    articles_path: str | Path,
    *,
    weights: Weights | None = None,
    embed: str | None = None,
    settle: float | None = None,
    embedder: str | None = None,
    fallback: str | None = None,
) -> list[tuple[dict[str, Any], float, bool]]:
    """For each pair (rows from `read_pairs`) whose articles the file holds: the row, the clusterer's
    similarity and its same-event decision (the user's embedding policy and encoders unless given), on the
    articles as the translation stage leaves them."""
    user = load_settings()
    arts = translated(read_jsonl(articles_path), configured_router(user))
    policy = EmbedPolicy(embed or user.cluster_embed)
    name = embedder or user.cluster_embedder
    model = default_embedder(name) if policy.mode != "never" else None
    second = fallback_embedder(fallback or user.cluster_fallback, name) if model is not None else None
    clusterer = OnlineClusterer(embedder=model, policy=policy, fallback=second)
    if settle is not None:
        clusterer.settle = settle
    if weights is not None:
        clusterer.weights = calibrated(weights, clusterer.embedder, clusterer.fallback)
    feats = {}
    for aid, doc in arts.items():
        feats[aid] = clusterer.features(doc)
        f = feats[aid]
        clusterer.df.add([*f.terms, *f.names, *f.numbers, *f.grams])  # background frequencies
    out = []
    for row in pairs:
        a, b = feats.get(str(row["id1"])), feats.get(str(row["id2"]))
        if a is None or b is None:
            continue  # counted by `pairs_report` as skipped
        # a pair's languages, where the row does not give them: its articles' own
        row = {"lang1": arts[a.doc_id].lang, "lang2": arts[b.doc_id].lang, **row}
        if (a.fallback is None) != (b.fallback is None) and second is not None:
            # one side only the second encoder reads: the other is read by it too, as an event is on demand
            bare = a if a.fallback is None else b
            if reads(second, bare.lang):
                feats[bare.doc_id] = bare = clusterer.with_fallback(arts[bare.doc_id], bare)
                a, b = feats[str(row["id1"])], feats[str(row["id2"])]
        s = clusterer.pair_score(a, b).value
        joins = s >= clusterer.threshold_for(profile_of_doc(a, clusterer.df), profile_of_doc(b, clusterer.df))
        out.append((row, s, joins))
    return out


def _pair_figures(items: Iterable[tuple[dict[str, Any], float, bool]]) -> dict[str, Any]:
    items = list(items)
    gold = [float(r["score"]) for r, _, _ in items]
    sims = [s for _, s, _ in items]
    same = [float(r["overall_1to4"]) <= SAME_STORY_MAX for r, _, _ in items]
    return {
        "pairs": len(items),
        "pearson": _rounded(pearson(sims, gold)),
        "same_story_f1": _rounded(f1(same, [d for _, _, d in items])),
    }


def pairs_report(pairs_path: str | Path, articles_path: str | Path, **kw: Any) -> dict[str, Any]:
    """Overall and per-language-pair figures."""
    pairs = read_pairs(pairs_path)  # first: a bad row stops the run before the articles are read
    items = pair_scores(pairs, articles_path, **kw)
    by: defaultdict[str, list[tuple[dict[str, Any], float, bool]]] = defaultdict(list)
    for it in items:
        by["-".join(sorted((str(it[0]["lang1"]), str(it[0]["lang2"]))))].append(it)
    report = _pair_figures(items)
    # pairs whose articles are not in the articles file: said, not silently left out of the figures
    report["pairs_skipped"] = len(pairs) - len(items)
    report["by_lang_pair"] = {k: _pair_figures(v) for k, v in sorted(by.items())}
    return report


def dedup_report(path: str | Path) -> dict[str, Any]:
    """Precision and recall of copy groups (pairs in one group) against gold `copy_group`, through the
    production pipeline: a revision is the article it revises, a copy is in its origin's group, and a
    translated copy is found as the event stage finds it (the translation stage's English for languages an
    engine covers, sentence by sentence for all)."""
    rows = read_jsonl(path)
    run = _run_pipeline(rows, path, event_rows.copies_of)
    kinds: Counter[str] = Counter()
    group: dict[str, str] = {}  # row id -> its group's origin (an article id), or itself when it failed
    for row, outcome, article in zip(rows, run.report.outcomes, run.article_ids, strict=True):
        rid = str(row["id"])
        if article is None:
            kinds["failed"] += 1
            group[rid] = f"failed:{rid}"
            continue
        origin = run.found.get(article, article)
        kinds[getattr(outcome, "reason", "copy" if origin != article else "original")] += 1
        group[rid] = str(origin)
    gold = {str(r["id"]): str(r.get("copy_group") or r["id"]) for r in rows}
    ids = list(gold)
    tp = fp = 0
    missed: list[list[str]] = []  # pairs of one gold group found apart
    for i, a in enumerate(ids):
        for b in ids[i + 1 :]:
            g, p = gold[a] == gold[b], group[a] == group[b]
            tp += g and p
            fp += p and not g
            if g and not p:
                missed.append([a, b])
    prec = tp / (tp + fp) if tp + fp else 1.0
    rec = tp / (tp + len(missed)) if tp + len(missed) else 1.0
    article_of = {str(r["id"]): a for r, a in zip(rows, run.article_ids, strict=True)}
    origins_ok = sum(
        1 for r in rows if r.get("origin") and group[str(r["id"])] == str(article_of.get(str(r["origin"])))
    )
    return {
        "articles": len(rows),
        "gold_groups": len(set(gold.values())),
        "predicted_groups": len(set(group.values())),
        "pair_precision": round(prec, 4),
        "pair_recall": round(rec, 4),
        "pair_f1": round(2 * prec * rec / (prec + rec), 4) if prec + rec else 0.0,
        "origins_correct": origins_ok,
        "origins_labelled": sum(1 for r in rows if r.get("origin")),
        "kinds": dict(kinds),
        "missed_pairs": [" ~ ".join(pair) for pair in missed],
    }


def _print(report: Mapping[str, Any], as_json: bool) -> None:
    if as_json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return
    for key, value in report.items():
        if isinstance(value, dict):
            print(f"{key}:")
            for k, v in value.items():
                print(f"  {k}: {v}")
        else:
            print(f"{key}: {value}")


def run_cluster(path: str, as_json: bool) -> int:
    """`tidings eval cluster FILE.jsonl`."""
    _print(cluster_file(path), as_json)
    return 0


def run_pairs(pairs_path: str, articles_path: str, as_json: bool) -> int:
    """`tidings eval pairs PAIRS.jsonl ARTICLES.jsonl`."""
    _print(pairs_report(pairs_path, articles_path), as_json)
    return 0


def run_dedup(path: str, as_json: bool) -> int:
    """`tidings eval dedup FILE.jsonl` (default: the corpus in tests/data/dedup)."""
    _print(dedup_report(path), as_json)
    return 0
