"""Sentence segmentation across languages."""

from __future__ import annotations

import pytest

from tidings.translate.segment import Segment, segment, split_sentences


@pytest.mark.parametrize(
    ("lang", "text", "expected"),
    [
        (
            "es",
            "El Sr. García visitó EE.UU. el lunes. La inflación subió un 3,5% y 1.000 personas protestaron.",
            [
                "El Sr. García visitó EE.UU. el lunes.",
                "La inflación subió un 3,5% y 1.000 personas protestaron.",
            ],
        ),
        (
            "es",
            "¿Vienes? —preguntó él. «Me voy». Ella rió... Luego se fue.",
            ["¿Vienes? —preguntó él.", "«Me voy».", "Ella rió...", "Luego se fue."],
        ),
        (
            "en",
            "Dr. Smith met Gen. Jones in the U.S. Senate. It cost $3.5 million! "
            '"We left." J. K. Rowling agreed.',
            [
                "Dr. Smith met Gen. Jones in the U.S. Senate.",
                "It cost $3.5 million!",
                '"We left."',
                "J. K. Rowling agreed.",
            ],
        ),
        (
            "de",
            "Am 3. Oktober feiert Deutschland. Der Kanzler sprach z.B. über 1.000 Euro bzw. mehr. Gut.",
            [
                "Am 3. Oktober feiert Deutschland.",
                "Der Kanzler sprach z.B. über 1.000 Euro bzw. mehr.",
                "Gut.",
            ],
        ),
        ("en", "She said so... and then left.", ["She said so... and then left."]),
        (
            "zh",
            "北京有阵雨。最高气温为27℃！你好吗？「好。」",
            ["北京有阵雨。", "最高气温为27℃！", "你好吗？", "「好。」"],
        ),
        ("ja", "東京で地震がありました。被害は不明です。", ["東京で地震がありました。", "被害は不明です。"]),
        ("ar", "هل ستأتي؟ نعم سآتي. شكرا", ["هل ستأتي؟", "نعم سآتي.", "شكرا"]),
        (
            "vi",
            "TP. Hồ Chí Minh có 9,3 triệu dân. Ông Nguyễn nói vậy.",
            ["TP. Hồ Chí Minh có 9,3 triệu dân.", "Ông Nguyễn nói vậy."],
        ),
        ("fr", "M. Macron a parlé. Mme Dupont aussi.", ["M. Macron a parlé.", "Mme Dupont aussi."]),
    ],
)
def test_split_sentences(lang: str, text: str, expected: list[str]) -> None:
    assert split_sentences(text, lang) == expected


def test_split_keeps_every_character_but_collapses_whitespace() -> None:
    text = "Uno   dos.\nTres cuatro.  Cinco."
    assert " ".join(split_sentences(text, "es")) == " ".join(text.split())


def test_segment_numbers_paragraphs_and_sentences() -> None:
    body = "Primera frase. Segunda.\n\n   \nTercera\nsigue aquí. Cuarta.\n\n"
    assert segment(body, "es") == [
        Segment(0, 0, "Primera frase."),
        Segment(0, 1, "Segunda."),
        Segment(1, 2, "Tercera sigue aquí."),
        Segment(1, 3, "Cuarta."),
    ]


def test_empty_body_has_no_segments() -> None:
    assert segment("  \n\n ", "en") == []
