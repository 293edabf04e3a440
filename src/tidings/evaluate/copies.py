"""Translated copies found sentence by sentence (`tidings eval copies MT_DIR SEMEVAL_DIR [--json]`).

Copies: windows of WINDOW consecutive mt_dev source sentences against their English references, whole and
shortened on either side to SHORT sentences. Not copies: the references of a window three windows on, and
SemEval dev pairs of one story or close (overall <= 2.5), less the same-language pairs dedup's shingles
already call copies. Each side is split into a tune half and a report half (mt_dev: alternate windows;
SemEval: md5 of "id1|id2" even or odd); the constants in `tidings.dedup` were chosen on the tune half.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from pathlib import Path
from typing import Any

from tidings.dedup import (
    COPY_JACCARD,
    TRANSLATED_SENTENCES,
    SentenceVectors,
    is_translated_copy,
    normalise_text,
    sentence_vectors,
    shingles,
)
from tidings.errors import InputError
from tidings.evaluate import read_objects
from tidings.translate.router import Router
from tidings.translate.segment import segment

WINDOW = 6
SHORT = 4
RELATED = 2.5  # SemEval overall_1to4 at or below which a pair is the same story or close to it
HALVES = ("tune", "report")


def _half(i: int) -> str:
    return HALVES[i % 2]


def _pair_half(id1: object, id2: object) -> str:
    return HALVES[int(hashlib.md5(f"{id1}|{id2}".encode()).hexdigest(), 16) % 2]


def _jaccard(a: str, b: str) -> float:
    sa, sb = set(shingles(normalise_text(a))), set(shingles(normalise_text(b)))
    return len(sa & sb) / len(sa | sb) if sa | sb else 0.0


def _counts() -> dict[str, list[int]]:
    return defaultdict(lambda: [0, 0])  # key -> [found, of]


def _window(side: SentenceVectors, start: int, size: int) -> SentenceVectors:
    end = start + size
    return SentenceVectors(side.sentences[start:end], side.lang, side.vectors[start:end], side.encoder)


def mt_windows(mt_dir: Path, router: Router) -> dict[str, dict[str, dict[str, list[int]]]]:
    """Per half and language: copies found whole / shortened copy / shortened original, and false copies
    among unrelated windows (languages no encoder of the test reads are left out, as in production)."""
    out: dict[str, dict[str, dict[str, list[int]]]] = {h: defaultdict(_counts) for h in HALVES}
    files = sorted(mt_dir.glob("*.jsonl"))
    if not files:
        raise InputError("no <lang>.jsonl files", where=str(mt_dir))
    for path in files:
        rows = [row for _, row in read_objects(path)]
        lang = str(rows[0]["src_lang"]) if rows else path.stem
        reader = router.reader_for({lang, "en"})
        if reader is None:
            continue
        texts_src = [str(r["src"]) for r in rows]
        texts_ref = [str(r["ref"]) for r in rows]
        src = sentence_vectors(texts_src, lang, reader)
        ref = sentence_vectors(texts_ref, "en", reader)
        starts = list(range(0, len(rows) - WINDOW + 1, WINDOW))
        for n, k in enumerate(starts):
            j = starts[(n + 3) % len(starts)]
            a, a_short = _window(src, k, WINDOW), _window(src, k, SHORT)
            b, b_short, other = _window(ref, k, WINDOW), _window(ref, k, SHORT), _window(ref, j, WINDOW)
            counts = out[_half(n)][lang]
            for key, x, y in (
                ("whole", a, b),
                ("shortened copy", a_short, b),
                ("shortened original", a, b_short),
                ("unrelated", a, other),
            ):
                counts[key][0] += is_translated_copy(x, y)[0]
                counts[key][1] += 1
    return out


def semeval_pairs(semeval_dir: Path, router: Router) -> dict[str, dict[str, list[int]]]:
    """Per half: false copies among related pairs across languages and within one language."""
    pairs = [
        p for _, p in read_objects(semeval_dir / "pairs.jsonl") if float(p.get("overall_1to4", 4)) <= RELATED
    ]
    wanted = {str(p[k]) for p in pairs for k in ("id1", "id2")}
    articles = {
        str(a["id"]): a for _, a in read_objects(semeval_dir / "articles.jsonl") if str(a["id"]) in wanted
    }
    read: dict[tuple[str, str], SentenceVectors] = {}  # (article, encoder) -> its sentences
    out: dict[str, dict[str, list[int]]] = {h: _counts() for h in HALVES}
    for p in pairs:
        a, b = articles.get(str(p["id1"])), articles.get(str(p["id2"]))
        if a is None or b is None:
            continue
        same = a["lang"] == b["lang"]
        if same and _jaccard(str(a["text"]), str(b["text"])) >= COPY_JACCARD:
            continue  # a copy in one language, which dedup finds by shingles
        # within one language (never tested in production) by the encoder that would read it against English
        reader = router.reader_for({str(a["lang"]), str(b["lang"]) if not same else "en"})
        if reader is None:
            continue
        for art in (a, b):
            if (str(art["id"]), reader[0]) not in read:
                lang = str(art["lang"])
                sentences = [s.text for s in segment(str(art["text"]), lang)][:TRANSLATED_SENTENCES]
                read[str(art["id"]), reader[0]] = sentence_vectors(sentences, lang, reader)
        key = "same language" if same else "across languages"
        counts = out[_pair_half(p["id1"], p["id2"])][key]
        counts[0] += is_translated_copy(read[str(a["id"]), reader[0]], read[str(b["id"]), reader[0]])[0]
        counts[1] += 1
    return out


def copies_report(mt_dir: Path, semeval_dir: Path, router: Router) -> dict[str, Any]:
    """Recall on translated windows and false copies on related reports, per half."""
    mt, se = mt_windows(mt_dir, router), semeval_pairs(semeval_dir, router)
    report: dict[str, Any] = {}
    for half in HALVES:
        total = _counts()
        for counts in mt[half].values():
            for key, (found, of) in counts.items():
                total[key][0] += found
                total[key][1] += of
        report[half] = {
            "copies_found": {k: _share(v) for k, v in total.items() if k != "unrelated"},
            "copies_found_by_language": {lang: _share(c["whole"]) for lang, c in sorted(mt[half].items())},
            "false_copies": {
                "unrelated windows": _share(total["unrelated"]),
                **{f"related pairs, {k}": _share(v) for k, v in se[half].items()},
            },
        }
    return report


def _share(counts: list[int]) -> dict[str, float]:
    found, of = counts
    return {"found": found, "of": of, "share": round(found / of, 4) if of else 0.0}


def run(files: list[str], as_json: bool) -> int:
    """Print the report; 0 on success."""
    if len(files) != 2:
        raise InputError("give the mt_dev directory and the SemEval pairs directory", where="eval copies")
    from tidings.settings import load_settings
    from tidings.translate.router import default_router
    from tidings.translation import evidence_reader

    # the user's encoders, as the event stage reads with them
    router = default_router(reader=evidence_reader(load_settings()))
    report = copies_report(Path(files[0]), Path(files[1]), router)
    if as_json:
        print(json.dumps(report, indent=2, ensure_ascii=False))
        return 0
    for half, figures in report.items():
        print(f"{half} half:")
        for group, values in figures.items():
            print(f"  {group}:")
            for key, v in values.items():
                print(f"    {key}: {v['found']}/{v['of']} ({v['share']:.2f})")
    return 0
