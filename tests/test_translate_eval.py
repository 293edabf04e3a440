"""The evaluation and benchmark commands on a small parallel sample."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tidings.errors import JsonlError
from tidings.evaluate import translate as evaluate
from tidings.translate.apertium import ApertiumTranslator
from tidings.translate.freedict import FreeDictGlosser
from tidings.translate.router import Router

DATA = Path(__file__).parent / "data" / "translate"


@pytest.mark.apertium
@pytest.mark.skipif(shutil.which("apertium") is None, reason="apertium is not installed")
def test_eval_json_has_scores_per_language(capsys: pytest.CaptureFixture[str]) -> None:
    router = Router([ApertiumTranslator(), FreeDictGlosser(DATA)])
    assert evaluate.run([str(DATA / "parallel.jsonl")], True, router=router) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"es", "ca", "de", "fr", "it", "pt"}
    assert report["es"]["engine"] == "apertium" and report["de"]["engine"] == "freedict"
    assert report["fr"]["engine"] == "none" and report["fr"]["chrf"] < 5
    assert report["es"]["chrf"] > 40
    assert report["es"]["numbers_preserved"] == 1.0
    # The tidings path must not lose chrF against the raw command on the same sentences.
    assert report["es"]["chrf"] >= report["es"]["baseline"]["chrf"] - 0.5


def test_bad_line_is_a_typed_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"src_lang": "es", "src": "Hola"}\n', encoding="utf-8")
    with pytest.raises(JsonlError, match=r"bad\.jsonl:1"):
        evaluate.read_pairs([str(bad)])


def test_evidence_is_measured_with_the_encoder_the_router_picks(capsys: pytest.CaptureFixture[str]) -> None:
    """USE reads the languages it was trained on (not Catalan, left to e5, which this router lacks); a
    language with one or two sentences still gets figures (it had no runner-up: an IndexError)."""
    from tidings.cluster import default_embedder

    router = Router([], reader=default_embedder("use-static"))
    assert evaluate.run([str(DATA / "parallel.jsonl")], True, evidence=True, router=router) == 0
    report = json.loads(capsys.readouterr().out)
    assert "evidence" not in report["ca"]
    for lang in ("de", "es", "fr", "it", "pt"):
        e = report[lang]["evidence"]
        assert (e["encoder"], e["threshold"], e["margin"]) == ("use-static", 0.6, 0.12)
        assert e["precision"] == 1.0 and e["false_accept"] == 0.0  # each its own reference, or nothing
    assert report["es"]["evidence"]["coverage"] >= 0.75  # four Spanish sentences, each against the others


@pytest.mark.apertium
@pytest.mark.skipif(shutil.which("apertium") is None, reason="apertium is not installed")
def test_evidence_with_two_english_answers_still_shows_one(capsys: pytest.CaptureFixture[str]) -> None:
    """Apertium's English of each Spanish source joins the references: each source then has two right
    answers in other words, which must not hide each other (as two outlets' English of one fact)."""
    from tidings.cluster import default_embedder

    router = Router([ApertiumTranslator(), FreeDictGlosser(DATA)], reader=default_embedder("use-static"))
    assert evaluate.run([str(DATA / "parallel.jsonl")], True, evidence=True, router=router) == 0
    report = json.loads(capsys.readouterr().out)
    assert "evidence_two_english" not in report["de"]  # a gloss is no second English
    two = report["es"]["evidence_two_english"]
    assert two["paraphrase"] == "use-static" and two["precision"] == 1.0 and two["false_accept"] == 0.0
    assert two["coverage"] >= report["es"]["evidence"]["coverage"] - 0.25
    assert two["coverage"] >= 0.5
