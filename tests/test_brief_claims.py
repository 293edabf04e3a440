"""Claims on the two seeds of issue 6, and verdict accuracy on the claim-pair corpus."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.brief_seeds import seeds
from tidings.brief import brief_to_json, build_brief
from tidings.errors import JsonlError
from tidings.evaluate.claims import DEFAULT_CORPUS, read_pairs, run, score

HOUR = 3600.0


@pytest.fixture(scope="module")
def claims() -> list[dict]:
    return brief_to_json(build_brief(seeds()))["claims"]


def _duration_group(claims: list[dict]) -> dict:
    groups = [
        g
        for g in claims
        if any(s.get("unit") == "seconds" and "2 hours" in s["clause"] for s in g["statements"])
    ]
    assert len(groups) == 1
    return groups[0]


def test_duration_is_a_conflict_between_four_and_two_hours(claims: list[dict]) -> None:
    group = _duration_group(claims)
    assert group["verdict"] == "conflict"
    stmts = group["statements"]
    clashing = {(stmts[i]["article_id"], stmts[j]["article_id"]) for i, j in group["conflicts"]}
    assert clashing == {(0, 4)}
    four = [s for s in stmts if s["article_id"] == 0 and s["modality"] == "fact" and s["high"] == 4 * HOUR]
    two = [s for s in stmts if s["article_id"] == 4 and s["high"] == 2 * HOUR]
    assert four and two and four[0]["low"] < 4 * HOUR and two[0]["low"] < 2 * HOUR


def test_predicted_five_hours_is_a_prediction_never_in_conflict(claims: list[dict]) -> None:
    group = _duration_group(claims)
    [predicted] = [i for i, s in enumerate(group["statements"]) if s["low"] == 5 * HOUR]
    assert group["statements"][predicted]["modality"] == "prediction"
    assert all(predicted not in pair for pair in group["conflicts"])


def test_several_hours_conflicts_with_neither(claims: list[dict]) -> None:
    group = _duration_group(claims)
    [several] = [i for i, s in enumerate(group["statements"]) if s["hedge"] == "several"]
    assert all(several not in pair for pair in group["conflicts"])


def _reporters(claims: list[dict], words: tuple[str, ...]) -> set[int]:
    groups = [
        g
        for g in claims
        if g["kind"] == "proposition" and any(all(w in s["clause"] for w in words) for s in g["statements"])
    ]
    assert groups, words
    return {s["article_id"] for g in groups for s in g["statements"]} if len(groups) == 1 else set()


@pytest.mark.parametrize("words", [("ambassadors",), ("consultations", "cybersecurity")])
def test_reported_by_both(claims: list[dict], words: tuple[str, ...]) -> None:
    assert _reporters(claims, words) == {0, 4}


@pytest.mark.parametrize(("words", "only"), [(("Navalny", "arrested"), 4), (("White House",), 0)])
def test_single_source_facts(claims: list[dict], words: tuple[str, ...], only: int) -> None:
    [group] = [
        g
        for g in claims
        if any(all(w in s["clause"] for w in words) for s in g["statements"]) and g["kind"] == "proposition"
    ]
    assert group["verdict"] == "single-source"
    assert {s["article_id"] for s in group["statements"]} == {only}


def test_claim_pair_corpus_dev_split_is_accurate() -> None:
    pairs = [p for p in read_pairs(DEFAULT_CORPUS) if p["split"] == "dev"]
    assert len(pairs) >= 20
    result = score(pairs)
    assert result["accuracy"] >= 0.9
    assert result["false_conflicts"] == 0


def test_eval_command_prints_per_verdict(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    path = tmp_path / "pairs.jsonl"
    path.write_text(
        '{"id": "x", "a": "The talks lasted 90 minutes.", "b": "The talks lasted 1.5 hours.",'
        ' "verdict": "agree"}\n'
        '{"id": "y", "a": "The storm killed 14 people.", "b": "The storm killed 21 people.",'
        ' "verdict": "conflict"}\n',
        encoding="utf-8",
    )
    assert run([str(path)]) == 0
    out = capsys.readouterr().out
    assert "accuracy 1.000" in out and "conflict" in out and "precision" in out


def test_bad_pair_line_is_a_typed_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text('{"id": 1, "a": "x", "verdict": "agree"}\n', encoding="utf-8")
    with pytest.raises(JsonlError, match=r"bad\.jsonl:1"):
        read_pairs(path)
