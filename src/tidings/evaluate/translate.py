"""Translation quality on parallel news (`tidings eval translate FILE... [--json] [--evidence]`).

Reads JSONL lines with ``src_lang``, ``src`` and ``ref`` (the layout of evaldata ``mt_dev/*.jsonl``), sends
each language's sentences through the router's engine for that language in one batch, and scores the output
with sacrebleu (corpus BLEU and chrF). For Spanish it also scores the raw ``apertium spa-eng`` command on the
same sentences, one per line in one process: tidings' path must not lose chrF against it.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import defaultdict
from pathlib import Path
from typing import Any

import numpy as np
from sacrebleu.metrics.bleu import BLEU
from sacrebleu.metrics.chrf import CHRF

from tidings.errors import JsonlError, TranslationError
from tidings.translate import guards
from tidings.translate.evidence import Candidate, EvidenceMatcher, accepted, best_matches, carrying
from tidings.translate.router import Router, default_router

RAW_BASELINE = {"es": "spa-eng"}  # languages compared against the raw Apertium command
# Engines whose English is no second English for the evidence test: none, and a word-by-word gloss
PARAPHRASE_SKIP = ("none", "freedict")


def read_pairs(files: list[str]) -> dict[str, list[tuple[str, str]]]:
    """(source, reference) pairs per source language, from JSONL files."""
    pairs: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name in files:
        with Path(name).open(encoding="utf-8") as lines:
            for number, line in enumerate(lines, 1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                    pairs[str(row["src_lang"])].append((str(row["src"]), str(row["ref"])))
                except (ValueError, KeyError, TypeError) as exc:
                    raise JsonlError(
                        f"not a src_lang/src/ref object: {exc}", where=f"{name}:{number}"
                    ) from exc
    return dict(pairs)


def score(hypotheses: list[str], refs: list[str]) -> tuple[float, float]:
    """Corpus BLEU and chrF."""
    bleu = BLEU().corpus_score(hypotheses, [refs]).score
    chrf = CHRF().corpus_score(hypotheses, [refs]).score
    return round(bleu, 2), round(chrf, 2)


def raw_apertium(sources: list[str], mode: str) -> list[str]:
    """The plain `apertium -u MODE` command, one sentence per line, all in one process."""
    text = "\n".join(" ".join(s.split()) for s in sources) + "\n"
    done = subprocess.run(["apertium", "-u", mode], input=text, capture_output=True, text=True, check=True)
    lines = done.stdout.rstrip("\n").split("\n")
    if len(lines) != len(sources):
        raise TranslationError(f"raw apertium {mode}: {len(lines)} lines for {len(sources)} sentences")
    return lines


def engine_outputs(router: Router, lang: str, sources: list[str]) -> tuple[str, list[str]]:
    """The router's engine for a language and its output for each source ("none" and blanks without one)."""
    engine = router.engine_for(lang)
    if engine is None:
        return "none", [""] * len(sources)
    return engine.name, [t.text for t in router.translate_sentences(engine, sources, lang, None)]


def evaluate_language(
    router: Router, lang: str, pairs: list[tuple[str, str]], made: tuple[str, list[str]] | None = None
) -> dict[str, Any]:
    """Scores of the router's engine for one language (`made`: its outputs, when already made)."""
    sources = [s for s, _ in pairs]
    refs = [r for _, r in pairs]
    name, outputs = made or engine_outputs(router, lang, sources)
    bleu, chrf = score(outputs, refs)
    kept = sum(guards.numbers_preserved(s, o, lang) for s, o in zip(sources, outputs, strict=True))
    result: dict[str, Any] = {
        "engine": name,
        "bleu": bleu,
        "chrf": chrf,
        "numbers_preserved": round(kept / len(sources), 3) if sources else 0.0,
        "sentences": len(sources),
    }
    if lang in RAW_BASELINE and name == "apertium":
        raw = raw_apertium(sources, RAW_BASELINE[lang])
        raw_bleu, raw_chrf = score(raw, refs)
        raw_kept = sum(guards.numbers_preserved(s, o, lang) for s, o in zip(sources, raw, strict=True))
        result["baseline"] = {
            "engine": f"apertium {RAW_BASELINE[lang]} (raw command)",
            "bleu": raw_bleu,
            "chrf": raw_chrf,
            "numbers_preserved": round(raw_kept / len(sources), 3),
        }
    return result


def evidence_accuracy(
    matcher: EvidenceMatcher, pairs: list[tuple[str, str]], lang: str, also: list[str] | None = None
) -> dict[str, Any]:
    """Each source against all the file's refs, by the matcher the router picks for the language (its
    encoder and numbers): coverage, precision, and false accepts without its own ref. With `also` (a second
    English for each source: an engine's translation), those join the candidates, so that each source has
    two right answers in other words, as in an event with two English reports of a fact."""
    n = len(pairs)
    texts = [r for _, r in pairs] + (also or [])
    sources = matcher.vectors([s for s, _ in pairs])
    candidates = matcher.vectors(texts)
    allowed = carrying([s for s, _ in pairs], texts, lang)
    alike = matcher.alike(texts, candidates)
    best, top, second = best_matches(sources, candidates, allowed, alike)
    shown = accepted(top, second, matcher.threshold, matcher.margin)
    right = best % n == np.arange(n)
    # the source's own answers are not among the candidates: anything shown is wrong; two blank
    # candidates (cosine -1), so that a file with one or two sentences of a language still has a runner-up
    blank = np.zeros((2, candidates.shape[1]), dtype=np.float32)
    mask = np.hstack([allowed, np.zeros((n, 2), dtype=np.bool_)])
    for k in range(len(texts) // n):
        mask[np.arange(n), np.arange(n) + k * n] = False
    padded = None if alike is None else np.pad(alike, ((0, 2), (0, 2)))
    _, wrong_top, wrong_second = best_matches(sources, np.vstack([candidates, blank]), mask, padded)
    wrong = accepted(wrong_top, wrong_second, matcher.threshold, matcher.margin)
    return {
        "encoder": matcher.version,
        "threshold": matcher.threshold,
        "margin": matcher.margin,
        "paraphrase": None if matcher.paraphrase is None else matcher.paraphrase.name,
        "coverage": round(float(shown.mean()), 3),
        "precision": round(float((right & shown).sum() / max(1, shown.sum())), 3),
        "false_accept": round(float(wrong.mean()), 3),
    }


def run(files: list[str], as_json: bool, *, evidence: bool = False, router: Router | None = None) -> int:
    """Print BLEU, chrF and numbers kept per language (and evidence matching accuracy); 0 on success."""
    if router is None:
        from tidings.settings import load_settings
        from tidings.translation import evidence_reader  # the user's encoder, as the pipeline reads with it

        router = default_router(reader=evidence_reader(load_settings()) if evidence else None)
    report: dict[str, dict[str, Any]] = {}
    for lang, pairs in sorted(read_pairs(files).items()):
        made = engine_outputs(router, lang, [s for s, _ in pairs])
        report[lang] = evaluate_language(router, lang, pairs, made)
        matcher = router.evidence(lang, [Candidate("", "")]) if evidence else None
        if matcher is not None:
            report[lang]["evidence"] = evidence_accuracy(matcher, pairs, lang)
            if made[0] not in PARAPHRASE_SKIP:
                report[lang]["evidence_two_english"] = evidence_accuracy(matcher, pairs, lang, made[1])
    if as_json:
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
        print()
        return 0
    print(f"{'lang':5} {'engine':28} {'n':>4} {'BLEU':>6} {'chrF':>6} {'numbers':>8}")
    for lang, row in report.items():
        for r in (row, row.get("baseline")):
            if r:
                n = row["sentences"]
                print(
                    f"{lang:5} {r['engine']:28} {n:4} {r['bleu']:6.2f} {r['chrf']:6.2f}"
                    f" {r['numbers_preserved']:8.3f}"
                )
    if evidence:
        print("\nevidence (each source against its file's refs; the encoder and numbers the router picks;")
        print("two English: the engine's English of each source joins the refs, a second right answer)")
        print(
            f"{'lang':5} {'pool':11} {'encoder':32} {'cosine':>6} {'margin':>6} {'paraphrase':>10}"
            f" {'coverage':>9} {'precision':>10} {'false accept':>13}"
        )
        for lang, row in report.items():
            for pool, key in (("refs", "evidence"), ("two English", "evidence_two_english")):
                if e := row.get(key):
                    numbers = f"{e['threshold']:6.2f} {e['margin']:6.2f} {e['paraphrase'] or '-':>10}"
                    print(
                        f"{lang:5} {pool:11} {e['encoder']:32} {numbers} {e['coverage']:9.3f}"
                        f" {e['precision']:10.3f} {e['false_accept']:13.3f}"
                    )
    return 0


if __name__ == "__main__":
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    raise SystemExit(run(args, "--json" in sys.argv, evidence="--evidence" in sys.argv))
