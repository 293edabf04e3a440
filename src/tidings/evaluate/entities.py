"""Accuracy of the brief's entity names on hand-labelled events (`python -m tidings.evaluate.entities`).

Each JSONL line: `{"id", "articles": [[sentence, ...], ...], "entities": [{"name", "kind", "spellings"}]}`.
A gold spelling is right when it resolves to the predicted entity most of its gold entity's spellings resolve
to, and that predicted entity belongs to no other gold entity.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from tidings.brief.entities import build_index
from tidings.brief.model import BriefArticle, BriefSentence
from tidings.errors import JsonlError
from tidings.evaluate import read_objects

DEFAULT_CORPUS = Path(__file__).resolve().parents[3] / "tests" / "data" / "brief" / "entities.jsonl"


def _articles(row: dict[str, Any]) -> list[BriefArticle]:
    return [
        BriefArticle(
            i,
            f"source {i}",
            None,
            "en",
            "en",
            None,
            "",
            tuple(BriefSentence(j, s) for j, s in enumerate(sentences)),
        )
        for i, sentences in enumerate(row["articles"])
    ]


def score(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Spelling accuracy, canonical-name accuracy and kind accuracy over all gold entities."""
    spellings = right = names = kinds = entities = 0
    misses = []
    for row in rows:
        index = build_index(_articles(row))
        kind_of = {e.name: e.kind for e in index.entities}
        owners: Counter[str] = Counter()
        picked = []
        for gold in row["entities"]:
            got = [index.canonical(s) for s in gold["spellings"]]
            top = Counter(g for g in got if g).most_common(1)
            choice = top[0][0] if top else None
            picked.append((gold, got, choice))
            if choice:
                owners[choice] += 1
        for gold, got, choice in picked:
            entities += 1
            spellings += len(got)
            ok = [g == choice and choice is not None and owners[choice] == 1 for g in got]
            right += sum(ok)
            names += choice == gold["name"] or (choice is not None and choice in gold["spellings"][:1])
            kinds += choice is not None and kind_of.get(choice) == gold["kind"]
            if not all(ok) or choice != gold["name"] or kind_of.get(choice or "") != gold["kind"]:
                misses.append(
                    {"id": row["id"], "gold": gold["name"], "got": got, "kind": kind_of.get(choice or "")}
                )
    return {
        "entities": entities,
        "spellings": spellings,
        "spelling_accuracy": round(right / spellings, 3) if spellings else 0.0,
        "canonical_name_accuracy": round(names / entities, 3) if entities else 0.0,
        "kind_accuracy": round(kinds / entities, 3) if entities else 0.0,
        "misses": misses,
    }


def read_rows(path: Path) -> list[dict[str, Any]]:
    """Labelled rows of an entities JSONL file."""
    rows = []
    for n, row in read_objects(path):
        if "articles" not in row or "entities" not in row:
            raise JsonlError("needs articles and entities", where=f"{path}:{n}")
        rows.append(row)
    return rows


def run(files: list[str], as_json: bool = False) -> int:
    """Print entity accuracy for each file (default: the repo's hand-labelled set)."""
    for path in [Path(f) for f in files] or [DEFAULT_CORPUS]:
        result = score(read_rows(path))
        if as_json:
            print(json.dumps({str(path): result}, indent=2))
            continue
        print(f"{path}: {result['entities']} entities, {result['spellings']} spellings")
        print(
            f"  spelling accuracy {result['spelling_accuracy']:.3f}, canonical name accuracy "
            f"{result['canonical_name_accuracy']:.3f}, kind accuracy {result['kind_accuracy']:.3f}"
        )
        for miss in result["misses"]:
            print(f"  miss {miss['id']} {miss['gold']}: {miss['got']} kind={miss['kind']}")
    return 0


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:], as_json="--json" in sys.argv))
