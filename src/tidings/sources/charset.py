"""Tell what an input is (sniff_kind) and which charset its bytes are in (detect_charset, decode)."""

from __future__ import annotations

import codecs
import re

import charset_normalizer

from tidings.errors import DecodeError, UnsupportedInput

# Byte-order marks, longest first so UTF-32 LE is not read as UTF-16 LE.
_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)

# Labels browsers read as a wider charset (WHATWG Encoding): pages labelled latin-1 use cp1252's 0x80-0x9F.
_LABEL_ALIASES = {
    "latin1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "iso8859-11": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
}

# How far into a document to look for <meta charset> or the XML declaration; HTML5 prescans 1,024 bytes,
# real pages put long <script> blocks first, so we look further.
META_SCAN_BYTES = 4096
# How much of the head sniff_kind reads; enough for a doctype, comments and the root element.
SNIFF_BYTES = 8192
# Share of C0 control bytes (other than tab, LF, CR, FF, ESC) above which a file is binary; text files have
# none, while 512 random bytes have ~11%.
BINARY_CONTROL_SHARE = 0.05

_META_CHARSET = re.compile(rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.()-]+)""", re.IGNORECASE)
_XML_ENCODING = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)["']""", re.IGNORECASE)

_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF", "PDF"),
    (b"\x89PNG\r\n\x1a\n", "PNG image"),
    (b"\xff\xd8\xff", "JPEG image"),
    (b"GIF87a", "GIF image"),
    (b"GIF89a", "GIF image"),
    (b"II*\x00", "TIFF image"),
    (b"MM\x00*", "TIFF image"),
    (b"PK\x03\x04", "zip archive or office document"),
    (b"\x1f\x8b", "gzip archive"),
    (b"BZh", "bzip2 archive"),
    (b"\xfd7zXZ\x00", "xz archive"),
    (b"7z\xbc\xaf\x27\x1c", "7z archive"),
    (b"\x7fELF", "executable"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old office document"),
    (b"{\\rtf", "RTF document"),
)
_TEXT_CONTROLS = frozenset(b"\t\n\r\f\x1b")


def _codec_name(label: str | None) -> str | None:
    """Normalise a charset label to a Python codec name, or None if Python does not know it."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("\"'")).name
    except LookupError:
        return None
    return _LABEL_ALIASES.get(name, name)


def _bom_charset(content: bytes) -> str | None:
    for bom, name in _BOMS:
        if content.startswith(bom):
            return name
    return None


def _fits(content: bytes, codec: str) -> bool:
    try:
        content.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return False
    return True


def _in_document(content: bytes) -> str | None:
    """The charset a page or XML document names for itself in its first bytes."""
    head = content[:META_SCAN_BYTES]
    found = _XML_ENCODING.search(head) or _META_CHARSET.search(head)
    if not found:
        return None
    name = _codec_name(found.group(1).decode("ascii", "replace"))
    # A document that could name itself in ASCII is not UTF-16; WHATWG reads such labels as UTF-8.
    if name and name.startswith("utf-16"):
        return "utf-8"
    return name


_BINARY_CONTROLS = bytes(b for b in range(0x20) if b not in _TEXT_CONTROLS)


def _looks_binary(content: bytes) -> bool:
    sample = content[:SNIFF_BYTES]
    if not sample:
        return False
    if b"\x00" in sample:
        return True
    # bytes.translate deletes at C speed; a per-byte generator cost a millisecond a document
    controls = len(sample) - len(sample.translate(None, _BINARY_CONTROLS))
    return controls / len(sample) > BINARY_CONTROL_SHARE


def detect_charset(content: bytes, declared: str | None = None, *, locator: str) -> str:
    """The codec to decode `content` with: BOM, valid UTF-8, declared, in-document label, then detection."""
    bom = _bom_charset(content)
    if bom:
        return bom
    if _looks_binary(content):
        raise DecodeError("binary data, not text in any charset", where=locator)
    # Valid UTF-8 with non-ASCII bytes is almost never another charset, while servers often label UTF-8
    # pages with a stale default such as ISO-8859-1; so it goes before the labels. (ASCII reads the same.)
    if _fits(content, "utf-8"):
        return "utf-8"
    # A label is trusted only if the bytes decode under it.
    for label in (_codec_name(declared), _in_document(content)):
        if label and _fits(content, label):
            return label
    best = charset_normalizer.from_bytes(content).best()
    if best is not None:
        name = _codec_name(best.encoding)
        if name and _fits(content, name):
            return name
    raise DecodeError("not text in any charset we can tell (binary data?)", where=locator)


def decode(content: bytes, declared: str | None = None, *, locator: str) -> str:
    """Decode bytes to text, detecting the charset when no reliable label says it."""
    return content.decode(detect_charset(content, declared, locator=locator))


def _binary_kind(head: bytes) -> str | None:
    for magic, what in _MAGIC:
        if head.startswith(magic):
            return what
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return "WebP image"
    if head[4:8] == b"ftyp":
        return "video or HEIF image"
    if _bom_charset(head) is None and _looks_binary(head):
        return "unknown format"
    return None


_XML_ROOT = re.compile(rb"<([A-Za-z_][\w.:-]*)")
_HTML_HINT = re.compile(rb"<(!doctype\s+html|html|head|body|meta|title|div|p|article|h1|script)[\s>/]", re.I)
_FEED_TYPES = ("application/rss+xml", "application/atom+xml", "application/rdf+xml", "application/feed+json")
_HTML_EXTENSIONS = frozenset({"html", "htm", "xhtml"})


def _xml_root(head: bytes) -> str | None:
    """Local name of the first element after the prolog, comments and doctype."""
    body = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>\[]*(\[.*?\])?\s*>", b"", head, flags=re.S | re.I)
    found = _XML_ROOT.search(body)
    return found.group(1).decode("ascii").rsplit(":", 1)[-1].lower() if found else None


def _json_kind(head: bytes, ext: str, ctype: str) -> str:
    if ext in ("jsonl", "ndjson") or "ndjson" in ctype or "jsonl" in ctype:
        return "jsonl"
    if "feed+json" in ctype or b"jsonfeed.org/version" in head:
        return "feed"
    lines = [line.strip() for line in head.splitlines() if line.strip()]
    # One object a line: the first line closes its object and the next opens another.
    if len(lines) > 1 and lines[0].startswith(b"{") and lines[0].endswith(b"}") and lines[1].startswith(b"{"):
        return "jsonl"
    return "json"


def sniff_kind(content: bytes, name: str | None, content_type: str | None) -> str:
    """Say what an input is: "html", "text", "feed", "opml", "jsonl" or "json"; refuse binary."""
    binary = _binary_kind(content[:SNIFF_BYTES])
    if binary:
        raise UnsupportedInput(f"binary file ({binary}), not a news document", where=name)
    ext = name.rsplit("?", 1)[0].rsplit(".", 1)[-1].lower() if name and "." in name else ""
    ctype = (content_type or "").split(";", 1)[0].strip().lower()
    bom = _bom_charset(content)
    head = content[:SNIFF_BYTES]
    if bom and bom != "utf-8-sig":
        head = content.decode(bom, "replace")[:SNIFF_BYTES].encode("utf-8")
    head = head.removeprefix(codecs.BOM_UTF8).lstrip()
    if head.startswith((b"{", b"[")):
        return _json_kind(head, ext, ctype)
    if head.startswith(b"<"):
        root = _xml_root(head)
        if root == "opml":
            return "opml"
        if root in ("rss", "feed", "rdf", "channel"):
            return "feed"
        if root == "html" or _HTML_HINT.search(head):
            return "html"
        if ctype in _FEED_TYPES or ext in ("rss", "atom", "xml"):
            raise UnsupportedInput(f"XML document with root <{root}>, not a feed or page", where=name)
        return "html"
    if ctype == "text/html" or ext in _HTML_EXTENSIONS:
        return "html"
    return "text"
