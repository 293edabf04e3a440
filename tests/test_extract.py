"""Tests of tidings.extract on small hand-written pages under tests/data/extract/."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from tidings.errors import EmptyDocument
from tidings.extract import article_to_json, extract
from tidings.models import Article, RawDocument

DATA = Path(__file__).parent / "data" / "extract"


def html_article(name: str, url: str | None = None, encoding: str = "utf-8") -> Article:
    path = DATA / name
    raw = RawDocument(locator=str(path), content=path.read_bytes(), kind="html", url=url)
    return extract(raw, path.read_bytes().decode(encoding))


def test_json_ld_date_wins_over_meta_and_keeps_offset() -> None:
    article = html_article("jsonld_date.html")
    assert article.published == "2021-06-17T08:33:00+07:00"
    assert article.date_method == "json-ld"
    assert article.url == "https://herald.example/local/harbour-bridge-reopens"
    assert article.byline == "Maria Lindqvist"
    assert article.section == "Local"
    assert article.site_name == "Coastal Herald"
    assert article.source == "Nordic Wire Service"  # the JSON-LD publisher is the credited outlet


def test_body_paragraphs_without_captions_share_bars_teasers_or_title() -> None:
    article = html_article("jsonld_date.html")
    paragraphs = article.body.split("\n\n")
    assert len(paragraphs) == 3
    assert paragraphs[0].startswith("The harbour bridge reopened")
    assert article.captions == ("Cars cross the repaired harbour bridge on Thursday.",)
    for chrome in (
        "Cars cross",
        "Facebook",
        "City approves",
        "Ferry timetable",
        "Related",
        "©",
        "Harbour bridge",
    ):
        assert chrome not in article.body


def test_meta_date_and_source_credit_line() -> None:
    article = html_article("meta_date.html")
    assert article.published == "2022-03-05T14:20:00-05:00"
    assert article.date_method == "meta"
    assert article.source == "Valley Public Radio"
    assert article.site_name == "Valley Times"
    assert "Source:" not in article.body
    assert article.url is None or article.url.startswith("https://valley.example/")


def test_time_element_date_and_rel_author() -> None:
    article = html_article("time_date.html")
    assert article.published == "2023-11-02T19:05:00+01:00"
    assert article.date_method == "time"
    assert article.byline == "Sam Okafor"
    assert "Read more" not in article.body
    assert article.body.count("\n\n") == 2


def test_url_date_when_the_page_has_none() -> None:
    url = "https://farm.example/2021/06/17/farmers-welcome-rain"
    article = html_article("url_date.html", url=url)
    assert (article.published, article.date_method, article.url) == ("2021-06-17", "url", url)


def test_no_body_raises_empty_document_with_locator() -> None:
    with pytest.raises(EmptyDocument) as caught:
        html_article("empty.html")
    assert caught.value.where == str(DATA / "empty.html")
    assert "no article text" in caught.value.message


def test_chinese_page_decoded_from_gbk() -> None:
    article = html_article("zh_gbk.html", encoding="gbk")
    assert article.title == "城市地铁新线路正式开通运营"
    assert "五号线全线采用全自动驾驶系统" in article.body
    assert article.captions == ("乘客在五号线首班列车上合影。",)
    assert "合影" not in article.body
    assert article.source == "示例日报"
    assert article.published == "2023-07-01T09:30:00"


def test_french_page_decoded_from_cp1252() -> None:
    article = html_article("fr_cp1252.html", encoding="cp1252")
    assert "La fête annuelle du village" in article.body
    assert (article.published, article.date_method) == ("2019-08-15", "meta")


def test_vietnamese_page() -> None:
    article = html_article("vi_page.html")
    assert article.title == "Hội nghị thượng đỉnh Nga - Mỹ 'mang tính xây dựng'"
    assert article.section == "Thế giới"
    assert article.source == "TTXVN"
    assert article.published == "2021-06-17T08:33:00+07:00"
    assert "Thị trường chứng khoán" not in article.body  # teaser list under "Đọc thêm:"
    assert "Joe Biden và người đồng cấp" not in article.body  # the figure caption
    assert len(article.body.split("\n\n")) == 3


def test_arabic_rtl_page() -> None:
    article = html_article("ar_page.html")
    assert article.byline == "ليلى حسن"
    assert article.section == "ثقافة"
    assert article.published == "2022-09-12T10:15:00+03:00"
    assert article.body.startswith("افتتحت البلدية")
    assert article.captions == ("قاعة المطالعة الرئيسية في المكتبة الجديدة.",)


def test_language_fields_left_for_the_language_stage() -> None:
    article = html_article("ar_page.html")
    assert article.language is None and article.original_language is None


def test_record_with_short_html_content_and_meta_winning() -> None:
    meta = {"title": "Quake hits coast", "date": "Thu, 17 Jun 2021 08:33:00 +0700", "author": "Wire Desk"}
    content = "<p>A strong quake hit the coast.</p><figure><figcaption>Damaged road.</figcaption></figure>"
    raw = RawDocument(locator="feed.xml#3", content=content.encode(), kind="record", meta=meta)
    article = extract(raw, content)
    assert article.body == "A strong quake hit the coast."
    assert article.title == "Quake hits coast"
    assert article.published == "2021-06-17T08:33:00+07:00"
    assert article.date_method == "feed"
    assert article.byline == "Wire Desk"
    assert article.captions == ("Damaged road.",)


def test_record_with_plain_text_paragraphs() -> None:
    text = "First paragraph of the item.\n\nSecond paragraph,\nwrapped over two lines."
    raw = RawDocument(locator="a.jsonl:2", content=text.encode(), kind="record", meta={"source": "Wire"})
    article = extract(raw, text)
    assert article.body == "First paragraph of the item.\n\nSecond paragraph, wrapped over two lines."
    assert article.source == "Wire"


def test_headline_record_is_kept_and_empty_record_raises() -> None:
    raw = RawDocument(locator="a.jsonl:5", content=b"", kind="record", meta={"title": "Only a title"})
    article = extract(raw, "  \n ")
    assert (article.title, article.body) == ("Only a title", "")
    with pytest.raises(EmptyDocument):
        extract(RawDocument(locator="a.jsonl:6", content=b"", kind="record", meta={"id": "6"}), "  \n ")


@pytest.mark.skipif(importlib.util.find_spec("tidings.clean") is None, reason="tidings.clean not written yet")
def test_plain_text_page_goes_through_clean() -> None:
    text = (DATA / "plain_page.txt").read_text(encoding="utf-8")
    raw = RawDocument(locator="plain_page.txt", content=text.encode(), kind="text")
    article = extract(raw, text)
    assert article.title == "Harbour bridge reopens after repairs"
    assert "eight months of repairs" in article.body
    assert "\n\n" in article.body


def test_article_to_json_fields() -> None:
    data = article_to_json(html_article("jsonld_date.html"))
    for key in ("url", "title", "byline", "published", "source", "section", "language", "original_language"):
        assert key in data
    assert isinstance(data["captions"], list) and isinstance(data["categories"], list)
    assert data["date_method"] == "json-ld" and data["site_name"] == "Coastal Herald"
    assert data["body"].startswith("The harbour bridge")


def test_htmldate_fallback_reads_a_date_in_the_page() -> None:
    article = html_article("htmldate_date.html", url="https://farm.example/news/farmers-welcome-rain")
    assert (article.published, article.date_method) == ("2021-06-17", "htmldate")
    assert "Published 17 June" not in article.body


def test_section_from_json_ld_breadcrumb_skips_home_and_url_items() -> None:
    crumbs = (
        '<script type="application/ld+json">{"@type": "BreadcrumbList", "itemListElement": ['
        '{"position": 1, "item": "https://farm.example/", "name": "Home"},'
        '{"position": 2, "item": {"@id": "https://farm.example/farming", "name": "Farming"}},'
        '{"position": 3, "item": "https://farm.example/farming/rain"}]}</script><title>'
    )
    page = (DATA / "url_date.html").read_text(encoding="utf-8").replace("<title>", crumbs)
    article = extract(RawDocument(locator="crumbs", content=page.encode(), kind="html"), page)
    assert article.section == "Farming"
