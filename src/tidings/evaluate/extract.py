"""Body accuracy and speed of tidings' HTML extraction beside trafilatura's modes (`tidings eval extract`).

Reads two public benchmark formats from a local copy (never shipped with tidings):

- trafilatura's ``tests/evaldata.json`` with pages under ``tests/eval`` and ``tests/cache``: each page lists
  snippets the body must contain ("with") and must not ("without"); scored as in trafilatura's
  ``tests/eval_common.py`` (whitespace-normalised substring matching, pooled counts).
- the ScrapingHub article-extraction-benchmark (``ground-truth.json`` and ``html/*.html.gz``): 4-gram shingle
  precision/recall of the body against the true ``articleBody``, averaged per page, as in its ``evaluate.py``.
"""

from __future__ import annotations

import gzip
import html
import json
import logging
import random
import re
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

import trafilatura
from trafilatura.utils import decode_file

from tidings.bench.corpus import sample_paragraphs
from tidings.errors import InputError
from tidings.extract import extract
from tidings.models import RawDocument

Extractor = Callable[[str, str | None], str]
TOKEN_RE = re.compile(r"\w+")
_SENTENCES = {
    "en": [
        "The council approved the new budget on Tuesday after a long debate about road repairs and schools"
    ],
    "vi": [
        "Hai bên đã thẳng thắn trao đổi về những bất đồng trong quan hệ song phương và nhiều vấn đề quốc tế",
        "Cuộc gặp trực tiếp giữa hai nhà lãnh đạo kéo dài gần 4 giờ thay vì 5 giờ như dự đoán trước đó",
        "Thủ tướng yêu cầu các bộ ngành khẩn trương hoàn thiện hồ sơ dự án đường sắt tốc độ cao Bắc Nam",
    ],
    "ar": [
        "افتتحت البلدية يوم الاثنين مكتبة عامة جديدة في وسط المدينة تضم أكثر من مئة ألف كتاب",
        "وقال رئيس البلدية في كلمة خلال حفل الافتتاح إن المشروع استغرق ثلاث سنوات من العمل",
        "وأضاف أن البلدية تخطط لإقامة ورش عمل للأطفال وندوات ثقافية شهرية بالتعاون مع الجامعات",
    ],
    "zh": [
        "本市地铁五号线于周六上午正式开通运营，全长三十二公里，共设二十四座车站。",
        "市交通部门负责人表示，新线路开通后，北部新区居民前往市中心的通勤时间将缩短约一半。",
        "据介绍，五号线全线采用全自动驾驶系统，高峰时段发车间隔为三分钟。",
    ],
    "fr": [
        "La fête annuelle du village a attiré des milliers de visiteurs ce week-end, un record.",
        "Les bénévoles ont servi plus de trois mille repas et le feu d’artifice a été très applaudi.",
        "Le maire a déjà annoncé que l’édition de l’an prochain durerait trois jours au lieu de deux.",
    ],
}
WARM_UP = 3  # pages run before timing each system
SHINGLE_N = 4  # the ScrapingHub benchmark's shingle length


def _tidings(page: str, url: str | None) -> str:
    try:
        return extract(RawDocument(locator=url or "page", content=b"", kind="html", url=url), page).body
    except InputError:
        return ""


def _trafilatura(**options: Any) -> Extractor:
    def run(page: str, url: str | None) -> str:
        return trafilatura.extract(page, url=url, **options) or ""

    return run


# "trafilatura" is the plain default call (the speed reference); the others use trafilatura's own benchmark
# settings (tests/eval_common.py EXTRACT_OPTS: no comments, tables kept) in its three modes.
SYSTEMS: dict[str, Extractor] = {
    "tidings": _tidings,
    "trafilatura": _trafilatura(),
    "trafilatura-nocomments": _trafilatura(include_comments=False),
    "trafilatura-precision": _trafilatura(include_comments=False, favor_precision=True),
    "trafilatura-recall": _trafilatura(include_comments=False, favor_recall=True),
}


def load_snippet_set(root: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(url, decoded page, annotation) for trafilatura's evaldata layout."""
    index = (
        root
        if root.is_file()
        else next(p for p in (root / "evaldata.json", root / "tests/evaldata.json") if p.exists())
    )
    base = index.parent
    items = []
    for url, item in sorted(json.loads(index.read_text(encoding="utf-8")).items()):
        path = next(
            (base / sub / item["file"] for sub in ("cache", "eval") if (base / sub / item["file"]).is_file()),
            None,
        )
        if path is not None:
            items.append((url, decode_file(path.read_bytes()), item))
    return items


def load_shingle_set(root: Path) -> list[tuple[str, str, dict[str, Any]]]:
    """(url, decoded page, ground truth) for the ScrapingHub benchmark layout."""
    truth = json.loads((root / "ground-truth.json").read_text(encoding="utf-8"))
    items = []
    for key, item in sorted(truth.items()):
        page = decode_file(gzip.decompress((root / "html" / f"{key}.html.gz").read_bytes()))
        items.append((item.get("url") or key, page, item))
    return items


def _norm(text: str) -> str:
    return " ".join(text.split())


def score_snippets(results: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, float]:
    """Pooled precision, recall and F1 of with/without snippets (trafilatura's eval_common scoring)."""
    tp = fp = fn = tn = 0
    for body, item in results:
        text = _norm(body)
        hits = sum(_norm(w) in text for w in item["with"])
        leaks = sum(_norm(w) in text for w in item["without"])
        tp, fn = tp + hits, fn + len(item["with"]) - hits
        fp, tn = fp + leaks, tn + len(item["without"]) - leaks
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "accuracy": (tp + tn) / max(1, tp + tn + fp + fn),
    }


def _shingles(text: str) -> Counter[tuple[str, ...]]:
    tokens = TOKEN_RE.findall(text)
    return Counter(
        tuple(tokens[i : i + SHINGLE_N]) for i in range(max(1, len(tokens) - SHINGLE_N + 1)) if tokens
    )


def score_shingles(results: Iterable[tuple[str, dict[str, Any]]]) -> dict[str, float]:
    """Per-page shingle precision and recall, averaged, and their F1 (the ScrapingHub benchmark's scoring)."""
    precisions, recalls = [], []
    for body, item in results:
        true, pred = _shingles(item.get("articleBody", "")), _shingles(body)
        tp = sum((true & pred).values())
        fp, fn = sum(pred.values()) - tp, sum(true.values()) - tp
        if fp == fn == 0:
            precisions.append(1.0)
            recalls.append(1.0)
            continue
        if tp + fp:
            precisions.append(tp / (tp + fp))
        if tp + fn:
            recalls.append(tp / (tp + fn))
    precision = sum(precisions) / max(1, len(precisions))
    recall = sum(recalls) / max(1, len(recalls))
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1}


def evaluate_set(root: Path, systems: dict[str, Extractor] | None = None) -> dict[str, dict[str, float]]:
    """Scores and docs/s of each system on one benchmark directory."""
    shingle = (root / "ground-truth.json").exists()
    items = load_shingle_set(root) if shingle else load_snippet_set(root)
    scorer = score_shingles if shingle else score_snippets
    report: dict[str, dict[str, float]] = {}
    for name, system in (systems or SYSTEMS).items():
        # one-time costs (justext stoplists, regex caches) are not per page
        for _, page, _ in items[:WARM_UP]:
            system(page, None)
        start = time.perf_counter()
        bodies = [system(page, url) for url, page, _ in items]
        elapsed = time.perf_counter() - start
        scores = scorer(zip(bodies, (item for _, _, item in items), strict=True))
        report[name] = {**scores, "docs_per_s": len(items) / elapsed if elapsed else 0.0, "pages": len(items)}
    return report


def generated_pages(n: int = 50, seed: int = 5) -> list[tuple[str, str]]:
    """(url, page) pairs of varied generated news pages: languages, layouts, date sources, chrome, lengths."""
    rng = random.Random(seed)
    sentences = [s for p in sample_paragraphs() for s in p.split(". ") if len(s) > 40] or _SENTENCES["en"]
    pages = []
    for i in range(n):
        lang = rng.choice(["en", "en", "vi", "ar", "zh", "fr"])
        pool = sentences if lang == "en" else _SENTENCES[lang]
        paras = [" ".join(rng.choices(pool, k=rng.randint(1, 4))) for _ in range(rng.randint(2, 25))]
        url = f"https://news{i % 7}.example/{2015 + i % 9}/{1 + i % 12:02d}/{1 + i % 28:02d}/story-{i}"
        date = f"{2015 + i % 9}-{1 + i % 12:02d}-{1 + i % 28:02d}T08:{i % 60:02d}:00+0{i % 10}:00"
        head = [
            f'<script type="application/ld+json">{{"@type":"NewsArticle","datePublished":"{date}"}}</script>',
            f'<meta property="article:published_time" content="{date}">',
            "",
            "",
        ][i % 4]
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paras)
        if i % 3 == 0:
            body += f"<figure><img src='x.jpg'><figcaption>{html.escape(pool[0])}</figcaption></figure>"
        if i % 5 == 0:
            body += "<table>" + "<tr><td>12</td><td>34</td><td>56</td></tr>" * rng.randint(2, 9) + "</table>"
        nav = "".join(f'<li><a href="/s{k}">Section {k}</a></li>' for k in range(rng.randint(5, 60)))
        related = "".join(
            f'<li><a href="/r{k}">{html.escape(rng.choice(pool)[:60])}</a></li>' for k in range(8)
        )
        comments = "".join(
            f"<div class='comment'><p>{html.escape(rng.choice(pool))}</p></div>" for _ in range(i % 6)
        )
        time_tag = f'<time datetime="{date}">{date[:10]}</time>' if i % 4 == 2 else ""
        wrapper = rng.choice(["article", "main", "div class='story-body'", "div id='content'"])
        pages.append(
            (
                url,
                f'<!doctype html><html lang="{lang}"><head><meta charset="utf-8">'
                f"<title>Story {i}</title>{head}"
                f"</head><body><header><nav><ul>{nav}</ul></nav></header><{wrapper}><h1>Story {i}</h1>"
                f"<p class='byline'>By Desk {i} {time_tag}</p>{body}</{wrapper.split()[0]}>"
                f"<aside><h3>Related</h3><ul>{related}</ul></aside>"
                f"<section id='comments'>{comments}</section>"
                "<footer><p>© Example News. All rights reserved.</p></footer></body></html>",
            )
        )
    return pages


def speed(n: int = 50, rounds: int = 3) -> dict[str, float]:
    """Docs/s of tidings' extract and of trafilatura.extract alone on generated pages, interleaved rounds."""
    pages = generated_pages(n)
    systems = {"tidings": SYSTEMS["tidings"], "trafilatura": SYSTEMS["trafilatura"]}
    elapsed = dict.fromkeys(systems, 0.0)
    for system in systems.values():
        for url, page in pages[:WARM_UP]:
            system(page, url)
    for _ in range(rounds):
        for name, system in systems.items():
            start = time.perf_counter()
            for url, page in pages:
                system(page, url)
            elapsed[name] += time.perf_counter() - start
    rates = {name: n * rounds / seconds for name, seconds in elapsed.items()}
    return {**rates, "ratio": rates["tidings"] / rates["trafilatura"]}


def run(paths_or_dir: str | Path | Iterable[str | Path], as_json: bool = False) -> int:
    """Evaluate every benchmark directory given and print a table (or JSON); returns an exit status."""
    roots = [Path(paths_or_dir)] if isinstance(paths_or_dir, str | Path) else [Path(p) for p in paths_or_dir]
    logging.getLogger("trafilatura").setLevel(logging.CRITICAL)
    logging.getLogger("htmldate").setLevel(logging.CRITICAL)
    results = {str(root): evaluate_set(root) for root in roots}
    if as_json:
        print(json.dumps(results, indent=2))
        return 0
    for root, report in results.items():
        print(root)
        print(f"  {'system':<24}{'precision':>10}{'recall':>10}{'f1':>10}{'docs/s':>10}")
        for name, scores in report.items():
            print(
                f"  {name:<24}{scores['precision']:>10.3f}{scores['recall']:>10.3f}"
                f"{scores['f1']:>10.3f}{scores['docs_per_s']:>10.1f}"
            )
    return 0
