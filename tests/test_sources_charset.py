"""Charset detection and input sniffing on real odd bytes."""

from __future__ import annotations

import codecs
import gzip
import io
import zipfile

import pytest

from tests.sources_http import DATA
from tidings.errors import DecodeError, UnsupportedInput
from tidings.sources.charset import decode, detect_charset, sniff_kind
from tidings.sources.fetch import FetchPolicy
from tidings.sources.files import read_paths

BAD = DATA / "bad"
# The texts the committed cp1251.txt and latin1.txt files were written from.
RUSSIAN = (
    "Правительство России объявило в понедельник о новых мерах поддержки экономики.\n\n"
    "Министерство финансов сообщило, что бюджет на следующий год будет пересмотрен, "
    "а расходы на здравоохранение и образование вырастут.\n"
)
FRENCH = (
    "Le gouvernement a annoncé lundi de nouvelles mesures de soutien à l'économie.\n\n"
    "Le ministère des Finances a précisé que le budget de l'année prochaine serait révisé, "
    "et que les dépenses de santé et d'éducation augmenteraient. Ça coûtera très cher, "
    "a déclaré un député à côté de l'hôpital.\n"
)


def test_committed_samples_match_their_source_texts() -> None:
    assert (BAD / "cp1251.txt").read_bytes() == RUSSIAN.encode("cp1251")
    assert (BAD / "latin1.txt").read_bytes() == FRENCH.encode("latin-1")


def test_cp1251_without_declared_charset() -> None:
    assert decode((BAD / "cp1251.txt").read_bytes(), locator="cp1251.txt") == RUSSIAN


def test_latin1_without_declared_charset() -> None:
    assert decode((BAD / "latin1.txt").read_bytes(), locator="latin1.txt") == FRENCH


def test_utf8_is_kept() -> None:
    assert decode(RUSSIAN.encode("utf-8"), locator="x") == RUSSIAN
    assert decode(b"plain ascii", locator="x") == "plain ascii"


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-32"])
def test_byte_order_mark_wins(codec: str) -> None:
    # A wrong declared charset must not beat the BOM.
    assert decode(FRENCH.encode(codec), "iso-8859-1", locator="x") == FRENCH


def test_wrong_declared_charset_is_not_trusted() -> None:
    # Servers often send a default "utf-8" for legacy pages.
    assert decode(RUSSIAN.encode("cp1251"), "utf-8", locator="x") == RUSSIAN


def test_utf8_labelled_latin1_stays_utf8() -> None:
    assert decode(FRENCH.encode("utf-8"), "iso-8859-1", locator="x") == FRENCH


def test_declared_charset_is_used() -> None:
    text = "Съешь же ещё этих мягких французских булок"
    assert decode(text.encode("koi8-r"), "KOI8-R", locator="x") == text


def test_meta_charset_and_xml_declaration() -> None:
    page = '<html><head><meta charset="windows-1251"></head><body>Вести</body></html>'
    assert decode(page.encode("cp1251"), locator="x") == page
    equiv = '<meta http-equiv="Content-Type" content="text/html; charset=koi8-r"><p>Вести</p>'
    assert decode(equiv.encode("koi8-r"), locator="x") == equiv
    xml = '<?xml version="1.0" encoding="ISO-8859-1"?><rss><title>Café</title></rss>'
    assert detect_charset(xml.encode("latin-1"), locator="x") == "cp1252"
    assert decode(xml.encode("latin-1"), locator="x") == xml


def test_latin1_label_reads_cp1252_quotes() -> None:
    # Pages labelled ISO-8859-1 use cp1252's curly quotes at 0x93/0x94, as browsers assume.
    assert decode("“quoted” – text".encode("cp1252"), "iso-8859-1", locator="x") == "“quoted” – text"


def test_binary_garbage_is_a_decode_error() -> None:
    with pytest.raises(DecodeError, match="binary"):
        decode((BAD / "binary.bin").read_bytes(), locator="binary.bin")


@pytest.mark.parametrize(
    ("path", "what"),
    [("binary.bin", "unknown format"), ("tiny.pdf", "PDF")],
)
def test_sniff_refuses_committed_binaries(path: str, what: str) -> None:
    with pytest.raises(UnsupportedInput, match=f"binary file \\({what}\\), not a news document"):
        sniff_kind((BAD / path).read_bytes(), path, None)


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("a.txt", "hello")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "what"),
    [
        (b"\x89PNG\r\n\x1a\n" + b"\0" * 20, "PNG"),
        (b"\xff\xd8\xff\xe0" + b"\0" * 20, "JPEG"),
        (b"GIF89a\x01\x00", "GIF"),
        (gzip.compress(b"<html></html>"), "gzip"),
        (_zip_bytes(), "zip"),
        (b"plain text\0with a NUL", "unknown format"),
    ],
)
def test_sniff_refuses_binary(content: bytes, what: str) -> None:
    with pytest.raises(UnsupportedInput, match=what):
        sniff_kind(content, "upload", None)


@pytest.mark.parametrize(
    ("path", "kind"),
    [
        ("feeds/rss20.xml", "feed"),
        ("feeds/rss091.xml", "feed"),
        ("feeds/atom.xml", "feed"),
        ("feeds/jsonfeed.json", "feed"),
        ("feeds/subscriptions.opml", "opml"),
        ("pages/article.html", "html"),
        ("pages/note.txt", "text"),
        ("bad/nobody.html", "html"),
        ("bad/cp1251.txt", "text"),
        ("bad/broken.jsonl", "jsonl"),
    ],
)
def test_sniff_committed_inputs(path: str, kind: str) -> None:
    assert sniff_kind((DATA / path).read_bytes(), path, None) == kind


def test_sniff_by_content_not_name() -> None:
    atom = (DATA / "feeds" / "atom.xml").read_bytes()
    assert sniff_kind(atom, "download.txt", "text/plain") == "feed"
    assert sniff_kind(b'{"id": 1, "text": "a"}\n{"id": 2, "text": "b"}\n', None, None) == "jsonl"
    assert sniff_kind(b'[{"id": 1, "text": "a"}]', "dump.json", None) == "json"
    assert sniff_kind(b'{"id": 1, "text": "a"}', "one.jsonl", None) == "jsonl"
    assert sniff_kind(b"<p>fragment only</p>", None, None) == "html"
    assert sniff_kind(b"Just words.", None, "text/html; charset=utf-8") == "html"
    page = "<!DOCTYPE html><html><body>Привет</body></html>"
    assert sniff_kind(codecs.BOM_UTF16_LE + page.encode("utf-16-le"), None, None) == "html"


def test_unknown_xml_root_in_a_feed_slot_is_refused() -> None:
    with pytest.raises(UnsupportedInput, match="<svg>"):
        sniff_kind(b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "x.xml", None)


def test_read_paths_decodes_the_bad_corpus_texts() -> None:
    docs = list(read_paths([str(BAD / "cp1251.txt"), str(BAD / "latin1.txt")], FetchPolicy()))
    texts = [decode(d.content, d.declared_charset, locator=d.locator) for d in docs]  # type: ignore[union-attr]
    assert texts == [RUSSIAN, FRENCH]
