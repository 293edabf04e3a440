"""Entities: one canonical name across spellings, transliterations and titles; labelled-set accuracy."""

from __future__ import annotations

from tests.brief_seeds import seeds
from tidings.brief.entities import build_index, drop_initials, name_key
from tidings.evaluate.entities import DEFAULT_CORPUS, read_rows, score


def test_seed_spellings_share_one_entity() -> None:
    index = build_index(seeds())
    assert index.canonical("Vladimir V. Putin") == index.canonical("Putin") == "Vladimir Putin"
    assert index.canonical("Sergey Lavrov") == index.canonical("Sergei Lavrov") == "Sergei Lavrov"
    assert index.role("the Russian president") == "Vladimir Putin"
    assert index.role("the US president") == "Joe Biden"
    kinds = {e.name: e.kind for e in index.entities}
    assert kinds["Geneva"] == "place" and kinds["Joe Biden"] == "person"
    assert kinds["North Atlantic Treaty Organization"] == "organisation"


def test_name_helpers() -> None:
    assert drop_initials("Vladimir V. Putin") == "Vladimir Putin"
    assert name_key("Sergey") == name_key("Sergei")
    assert name_key("Aleksei") == name_key("Alexei")


def test_accuracy_on_the_labelled_set() -> None:
    result = score(read_rows(DEFAULT_CORPUS))
    assert result["entities"] >= 25
    assert result["spelling_accuracy"] >= 0.85
    assert result["kind_accuracy"] >= 0.9
