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
