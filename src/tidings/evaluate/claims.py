"""Verdict accuracy of the brief's claim comparison on labelled claim pairs (`tidings eval claims [FILE]`).

Each JSONL line is one pair: `{"id", "a", "b", "verdict", "split"?, "note"?}` where `a` and `b` are the texts
two independent sources printed and `verdict` is agree, conflict, precision or single-source (single-source:
the pair must not be compared, e.g. a prediction against a fact, or two different measured things).
`text_a`/`text_b` and `label` are accepted as synonyms.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from tidings.brief.claims import build_claims
from tidings.brief.model import VERDICTS, BriefArticle, BriefSentence, ClaimGroup, source_keys
from tidings.errors import JsonlError
from tidings.evaluate import read_objects
from tidings.translate.segment import split_sentences

DEFAULT_CORPUS = Path(__file__).resolve().parents[3] / "tests" / "data" / "brief" / "claim_pairs.jsonl"
_SEVERITY = {"conflict": 3, "precision": 2, "agree": 1, "single-source": 0}


def read_pairs(path: str | Path) -> list[dict[str, Any]]:
    """Labelled pairs of a JSONL file; a bad line raises JsonlError naming it."""
    rows = []
    for n, row in read_objects(path):
        a = row.get("a", row.get("text_a"))
        b = row.get("b", row.get("text_b"))
        label = row.get("verdict", row.get("label"))
        if not isinstance(a, str) or not isinstance(b, str) or label not in VERDICTS:
            raise JsonlError(
                f"needs text fields a, b and a verdict in {', '.join(VERDICTS)}", where=f"{path}:{n}"
            )
        rows.append(
            {
                "id": str(row.get("id", n)),
                "a": a,
                "b": b,
                "verdict": label,
                "split": str(row.get("split", "all")),
            }
        )
    return rows


def _article(article_id: int, source: str, text: str) -> BriefArticle:
    sentences = tuple(BriefSentence(i, s) for i, s in enumerate(split_sentences(text, "en")))
    return BriefArticle(article_id, source, None, "en", "en", None, "", sentences)


def predict(a: str, b: str) -> str:
    """The verdict the brief gives a pair: the most severe verdict of a quantity group both sources are in,
    else of a proposition group they share, else single-source."""
    articles = [_article(1, "source A", a), _article(2, "source B", b)]
    claims = build_claims(articles, source_keys(articles))

    def shared(group: ClaimGroup) -> bool:
        return len({s.article_id for s in group.statements}) == 2

    for kind in ("quantity", "proposition"):
        verdicts = [g.verdict for g in claims if g.kind == kind and shared(g)]
        if verdicts:
            return max(verdicts, key=lambda v: _SEVERITY[v])
    return "single-source"


def score(pairs: list[dict[str, Any]]) -> dict[str, Any]:
    """Precision, recall and F1 per verdict, accuracy overall, and the misses."""
    confusion: Counter[tuple[str, str]] = Counter()
    misses = []
    for p in pairs:
        got = predict(p["a"], p["b"])
        confusion[(p["verdict"], got)] += 1
        if got != p["verdict"]:
            misses.append({"id": p["id"], "expected": p["verdict"], "got": got})
    per: dict[str, dict[str, float]] = {}
    for v in VERDICTS:
        tp = confusion[(v, v)]
        predicted = sum(n for (_, g), n in confusion.items() if g == v)
        actual = sum(n for (e, _), n in confusion.items() if e == v)
        precision = tp / predicted if predicted else 0.0
        recall = tp / actual if actual else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per[v] = {
            "precision": round(precision, 3),
            "recall": round(recall, 3),
            "f1": round(f1, 3),
            "support": actual,
        }
    correct = sum(n for (e, g), n in confusion.items() if e == g)
    conflicts_wrong = sum(n for (e, g), n in confusion.items() if g == "conflict" and e != "conflict")
    return {
        "pairs": len(pairs),
        "accuracy": round(correct / len(pairs), 3) if pairs else 0.0,
        "macro_f1": round(sum(p["f1"] for p in per.values()) / len(per), 3),
        "false_conflicts": conflicts_wrong,
        "per_verdict": per,
        "misses": misses,
    }


def run(files: list[str], as_json: bool = False) -> int:
    """Score the claim pairs of each file (default: the repo's corpus), per split."""
    paths = [Path(f) for f in files] or [DEFAULT_CORPUS]
    report: dict[str, Any] = {}
    for path in paths:
        by_split: dict[str, list[dict[str, Any]]] = defaultdict(list)
        for row in read_pairs(path):
            by_split[row["split"]].append(row)
            if row["split"] != "all":
                by_split["all"].append(row)
        report[str(path)] = {split: score(rows) for split, rows in sorted(by_split.items())}
    if as_json:
        print(json.dumps(report, indent=2))
        return 0
    for name, splits in report.items():
        print(name)
        for split, r in splits.items():
            print(
                f"  split {split}: {r['pairs']} pairs, accuracy {r['accuracy']:.3f},"
                f" macro F1 {r['macro_f1']:.3f},"
                f" false conflicts {r['false_conflicts']}"
            )
            for v, m in r["per_verdict"].items():
                print(
                    f"    {v:<14} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}"
                    f"  (n={m['support']})"
                )
            for miss in r["misses"]:
                print(f"    miss {miss['id']}: expected {miss['expected']}, got {miss['got']}")
    return 0
