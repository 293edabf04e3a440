"""RawDocument → Article: main text, title, byline, date and source of HTML pages, plain text and records."""

from __future__ import annotations

import contextlib
import json
import re
import unicodedata
from collections.abc import Iterator, Mapping
from datetime import datetime
from email.utils import parsedate_to_datetime
from typing import Any

from htmldate import find_date
from lxml import etree, html
from trafilatura.core import bare_extraction
from trafilatura.json_metadata import normalize_authors
from trafilatura.metadata import examine_meta, extract_meta_json, extract_sitename, extract_title, extract_url
from trafilatura.settings import Document
from trafilatura.utils import load_html

from tidings.errors import EmptyDocument
from tidings.models import Article, RawDocument

# Extraction mode chosen on trafilatura's evaldata (990 pages) and the ScrapingHub set (docs/eval-extract.md).
TRAFILATURA_OPTIONS: dict[str, Any] = {"include_comments": False, "include_tables": True}
# trafilatura runs in fast mode (no fallback extractors) unless the text it finds is shorter than this;
# then it runs again with its fallbacks. Chosen on the two sets in docs/eval-extract.md: fast mode alone
# lost recall on short pages; the retry recovers it at a fraction of the cost of always comparing.
FALLBACK_BELOW_CHARS = 1500
# Figure captions go to Article.captions, never into the body.
PRUNE_XPATH = ["//figcaption"]
# Teaser lists under a "Related"/"Read more" heading are headlines: short and without a final full stop.
TEASER_MAX_CHARS = 150
# A "Photo: X" credit or a "Source: X" credit line is short; longer lines are prose that merely starts so.
CREDIT_MAX_CHARS = 120
# A whole page whose extracted text is shorter than this is chrome ("Home News"), not an article; the shortest
# real body in trafilatura's evaldata and the ScrapingHub set is far longer (docs/eval-extract.md).
MIN_HTML_BODY_CHARS = 25
# Dates outside these years are template junk (copyright 1970, far future countdowns).
MIN_YEAR, MAX_YEAR = 1995, 2100

ARTICLE_TYPES = {
    "Article", "NewsArticle", "ReportageNewsArticle", "AnalysisNewsArticle", "OpinionNewsArticle",
    "BackgroundNewsArticle", "ReviewNewsArticle", "BlogPosting", "LiveBlogPosting", "Report",
    "ScholarlyArticle", "TechArticle", "SocialMediaPosting", "Blog",
}  # fmt: skip
# meta names/properties/itemprops that carry the publication date, best first.
META_DATE_KEYS = (
    "article:published_time", "og:article:published_time", "og:published_time", "datepublished",
    "article.published", "published_time", "publish-date", "publish_date", "publishdate", "pubdate",
    "parsely-pub-date", "sailthru.date", "dc.date.issued", "dcterms.issued", "dc.date", "dcterms.date",
    "dcterms.created", "dc.date.created", "date", "originalpublicationdate", "cxenseparse:recs:publishtime",
    "og:updated_time", "article:modified_time",
)  # fmt: skip
URL_DATE_RE = re.compile(r"/((?:19|20)\d{2})[/-](0?[1-9]|1[0-2])[/-](0?[1-9]|[12]\d|3[01])(?:/|-|_|\.|$)")
RELATED_RE = re.compile(
    r"^(related( articles?| stories| news| content| coverage)?|read more|more on this( story| topic)?|"
    r"see also|also read|you may also like|recommended|more stories|most read|lire aussi|à lire aussi|"
    r"leer más|lea también|te puede interesar|lesen sie auch|mehr zum thema|leggi anche|leia também|đọc thêm|"
    r"tin liên quan|xem thêm|اقرأ أيضا|اقرأ أيضاً|مواضيع ذات صلة|相关阅读|相关新闻|延伸阅读|"
    r"читайте также)\s*[:：]?$",
    re.IGNORECASE,
)
INLINE_TEASER_RE = re.compile(
    r"^(read more|read also|also read|see also|related|lire aussi|leer más|lea también|lesen sie auch|"
    r"đọc thêm|xem thêm|اقرأ أيضا|اقرأ أيضاً|相关阅读|延伸阅读)\s*[:：>»-]", re.IGNORECASE,
)  # fmt: skip
SHARE_WORDS = {
    "share", "shares", "tweet", "facebook", "twitter", "x", "whatsapp", "telegram", "linkedin", "email",
    "e-mail", "mail", "print", "copy", "link", "reddit", "pinterest", "messenger", "zalo", "comments",
    "comment", "save", "this", "article", "on", "via", "copied", "url", "flipboard", "sms",
}  # fmt: skip
CREDIT_RE = re.compile(
    r"^\(?(photo|photos|image|picture|foto|fotos|ảnh|credit|photograph|illustration|video|graphic|صورة|图片|图)"
    r"(\s+credit)?\s*[:：/]",
    re.IGNORECASE,
)
SOURCE_RE = re.compile(
    r"^\(?(source|sources|fuente|fuentes|nguồn|quelle|fonte|المصدر|来源|источник)\s*[:：]\s*(.{2,80}?)\)?\.?$",
    re.IGNORECASE,
)
# A line that is only a dateline: "Published 17 June 2021, 08:33", "23.10.2018", "Cập nhật: 17/06/2021".
DATE_WORDS_RE = re.compile(
    r"\b(published|updated|posted|last|modified|on|at|am|pm|gmt|utc|publié|le|mis à jour|veröffentlicht|"
    r"aktualisiert|am|um|uhr|publicado|actualizado|cập nhật|ngày|"
    r"jan(uary)?|feb(ruary)?|mar(ch)?|apr(il)?|may|june?|july?|aug(ust)?|sep(t|tember)?|oct(ober)?|"
    r"nov(ember)?|dec(ember)?|mon(day)?|tue(sday)?|wed(nesday)?|thu(rsday)?|fri(day)?|sat(urday)?|sun(day)?)\b",
    re.IGNORECASE,
)
DATE_LINE_MAX_CHARS = 60  # the longest dateline form above, with weekday and time, is about 45 characters
YEAR_RE = re.compile(r"\b(19|20)\d{2}\b")
SPACE_RE = re.compile(r"\s+")
WORD_RE = re.compile(r"\w")
# YYYY-MM-DD, optionally a time after "T" or a space
ISO_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}.*))?$")
BLOCK_TAGS = {
    "p", "div", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "section", "article",
    "header", "footer", "table", "tr", "td", "th", "ul", "ol", "dl", "dt", "dd", "figure", "br", "hr",
}  # fmt: skip
HTML_HINT_RE = re.compile(
    r"<(p|div|br|span|a|img|ul|ol|li|h[1-6]|blockquote|figure|table|em|strong|b|i)\b", re.I
)


def extract(raw: RawDocument, text: str) -> Article:
    """Extract the article from a decoded document, dispatching on its kind."""
    if raw.kind == "html":
        article = _extract_html(raw, text)
    elif raw.kind == "text":
        article = _extract_text(raw, text)
    else:
        article = _extract_record(raw, text)
    # a record may be a headline alone (a wire flash, a title-only corpus row); a page needs a body
    if not article.body.strip() and not (raw.kind == "record" and article.title.strip()):
        raise EmptyDocument("no article text found", where=raw.locator)
    return article


def article_to_json(article: Article) -> dict[str, Any]:
    """A JSON-ready dict of an article, captions and categories as lists."""
    return {
        "url": article.url,
        "title": article.title,
        "byline": article.byline,
        "published": article.published,
        "date_method": article.date_method,
        "source": article.source,
        "site_name": article.site_name,
        "section": article.section,
        "categories": list(article.categories),
        "language": article.language,
        "original_language": article.original_language,
        "archive_date": article.archive_date,
        "body": article.body,
        "captions": list(article.captions),
    }


def _extract_html(raw: RawDocument, text: str) -> Article:
    """Extract a whole HTML page; trafilatura runs once on the tree parsed here."""
    tree = load_html(text)
    if tree is None:
        raise EmptyDocument("no article text found (not HTML)", where=raw.locator)
    meta = _trafilatura_meta(tree)
    ld = list(_json_ld_nodes(tree))
    url = raw.url or extract_url(tree)
    published, date_method = _find_date(tree, ld, url)
    captions = _captions(tree)
    lines = _main_text(tree, url)
    if sum(len(line) for line in lines) < FALLBACK_BELOW_CHARS:
        # Short result: let trafilatura compare with its fallback extractors, on a fresh tree (the
        # first pass pruned this one).
        fresh = load_html(text)
        if fresh is not None:
            lines = _main_text(fresh, url, fast=False) or lines
    title = _norm(meta.title or "")
    paragraphs, credited = _clean_lines(lines, title, captions)
    if sum(len(p) for p in paragraphs) < MIN_HTML_BODY_CHARS:
        paragraphs = []
    site_name = _og_site_name(tree) or meta.sitename or None
    return Article(
        title=title,
        body="\n\n".join(paragraphs),
        url=url,
        byline=meta.author or _rel_author(tree),
        published=published,
        date_method=date_method,
        source=credited or _ld_publisher(ld) or site_name,
        site_name=site_name,
        section=_section(tree, ld, title),
        categories=tuple(dict.fromkeys(c for c in [*(meta.categories or []), *(meta.tags or [])] if c)),
        captions=captions,
        locator=raw.locator,
    )


def _main_text(tree: html.HtmlElement, url: str | None, *, fast: bool = True) -> list[str]:
    """trafilatura's main-text lines; fast mode skips its fallback extractors."""
    doc = bare_extraction(tree, url=url, prune_xpath=PRUNE_XPATH, fast=fast, **TRAFILATURA_OPTIONS)
    return (doc.text or "").splitlines() if isinstance(doc, Document) else []


def _trafilatura_meta(tree: html.HtmlElement) -> Document:
    """Title, author, site name and tags from meta tags and JSON-LD, via trafilatura's cheap helpers."""
    meta = examine_meta(tree)
    if meta.author and " " not in meta.author:
        meta.author = None  # one-word "authors" are site handles, as trafilatura judges
    # trafilatura's JSON-LD helper has known crashes on odd schemas; the meta tags remain
    with contextlib.suppress(Exception):
        meta = extract_meta_json(tree, meta)
    meta.title = meta.title or extract_title(tree)
    meta.sitename = (meta.sitename or extract_sitename(tree) or "").lstrip("@") or None
    return meta


def _og_site_name(tree: html.HtmlElement) -> str | None:
    """og:site_name, which trafilatura lets a JSON-LD publisher override."""
    for elem in tree.iterfind('.//meta[@property="og:site_name"]'):
        if (elem.get("content") or "").strip():
            return _norm(elem.get("content", ""))
    return None


def _json_ld_nodes(tree: html.HtmlElement) -> Iterator[Mapping[str, Any]]:
    """Every JSON-LD object on the page, @graph members and list items flattened."""
    for script in tree.iterfind('.//script[@type="application/ld+json"]'):
        try:
            data = json.loads(script.text or "", strict=False)
        except ValueError:
            continue
        stack = [data]
        while stack:
            item = stack.pop()
            if isinstance(item, list):
                stack.extend(reversed(item))
            elif isinstance(item, dict):
                yield item
                if isinstance(item.get("@graph"), list):
                    stack.extend(reversed(item["@graph"]))


def _types(node: Mapping[str, Any]) -> set[str]:
    kind = node.get("@type")
    return {str(k) for k in kind} if isinstance(kind, list) else {str(kind)}


def _find_date(
    tree: html.HtmlElement, ld: list[Mapping[str, Any]], url: str | None
) -> tuple[str | None, str | None]:
    """The publication date and how it was found: json-ld, meta, time, url, then htmldate."""
    ranked = sorted(ld, key=lambda n: not (_types(n) & ARTICLE_TYPES))
    for node in ranked:
        for key in ("datePublished", "dateCreated"):
            found = _iso(node.get(key))
            if found:
                return found, "json-ld"
    candidates: dict[str, str] = {}
    for elem in tree.iterfind(".//meta[@content]"):
        key = (elem.get("property") or elem.get("name") or elem.get("itemprop") or "").lower()
        if key in META_DATE_KEYS and key not in candidates:
            candidates[key] = elem.get("content", "")
    for elem in tree.xpath('//*[@itemprop="datePublished"][@datetime or @content]'):
        candidates.setdefault("datepublished", elem.get("datetime") or elem.get("content") or "")
    for key in META_DATE_KEYS:
        found = _iso(candidates.get(key))
        if found:
            return found, "meta"
    times = tree.xpath("//time[@datetime]")
    times.sort(key=lambda t: not (t.get("pubdate") is not None or "publish" in (t.get("class") or "")))
    for elem in times:
        found = _iso(elem.get("datetime"))
        if found:
            return found, "time"
    match = URL_DATE_RE.search(url or "")
    if match:
        found = _iso("{}-{:0>2}-{:0>2}".format(*match.groups()))
        if found:
            return found, "url"
    # htmldate's fast mode: its extensive text search costs as much as the extraction (docs/eval-extract.md)
    guessed = find_date(tree, url=url, extensive_search=False, original_date=True)
    return (guessed, "htmldate") if guessed else (None, None)


def _iso(value: object) -> str | None:
    """An ISO 8601 form of a date string, kept as written (with its UTC offset) when it already is ISO."""
    if isinstance(value, list) and value:
        value = value[0]
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    match = ISO_RE.match(value)
    written = (f"{match[1]}T{match[2]}" if match[2] else match[1]) if match else value
    try:
        parsed = datetime.fromisoformat(written)
    except ValueError:
        try:
            parsed = parsedate_to_datetime(value)  # RFC 2822, as in feeds and some meta tags
        except (TypeError, ValueError, IndexError):
            return None
        written = parsed.isoformat()
    if not MIN_YEAR <= parsed.year <= MAX_YEAR:
        return None
    if not ISO_RE.match(written):  # compact forms such as 20210617
        written = parsed.isoformat() if "T" in written else parsed.date().isoformat()
    return written


def _captions(tree: html.HtmlElement) -> tuple[str, ...]:
    """Text of every figcaption, in page order, without repeats."""
    found = (_norm(elem.text_content()) for elem in tree.iter("figcaption"))
    return tuple(dict.fromkeys(c for c in found if c))


def _rel_author(tree: html.HtmlElement) -> str | None:
    """A byline from rel=author links or an itemprop=author name, when meta tags had none."""
    for elem in tree.xpath(
        '//a[@rel="author"]|//*[@itemprop="author"]//*[@itemprop="name"]|//*[@itemprop="author"]'
    ):
        name = _norm(elem.get("content") or elem.text_content())
        if name and len(name) < CREDIT_MAX_CHARS:
            return normalize_authors(None, name)
    return None


def _ld_publisher(ld: list[Mapping[str, Any]]) -> str | None:
    """The publisher named by the page's article JSON-LD."""
    for node in ld:
        publisher = node.get("publisher") if _types(node) & ARTICLE_TYPES else None
        if isinstance(publisher, list) and publisher:
            publisher = publisher[0]
        name = publisher.get("name") if isinstance(publisher, dict) else publisher
        if isinstance(name, str) and name.strip():
            return name.strip()
    return None


def _section(tree: html.HtmlElement, ld: list[Mapping[str, Any]], title: str) -> str | None:
    """Section from article:section, JSON-LD articleSection, or the last breadcrumb that is not the title."""
    for elem in tree.iterfind('.//meta[@property="article:section"]'):
        if (elem.get("content") or "").strip():
            return _norm(elem.get("content", ""))
    for node in ld:
        section = node.get("articleSection")
        section = section[0] if isinstance(section, list) and section else section
        if isinstance(section, str) and section.strip():
            return section.strip()
    crumbs: list[str] = []
    for node in ld:
        if "BreadcrumbList" in _types(node) and isinstance(node.get("itemListElement"), list):
            for item in node["itemListElement"]:
                inner = item.get("item") if isinstance(item, dict) else None  # a URL string or a Thing
                name = item.get("name") if isinstance(item, dict) else None
                name = name or (inner.get("name") if isinstance(inner, dict) else None)
                if isinstance(name, str):
                    crumbs.append(name.strip())
    if not crumbs:
        crumbs = [_norm(a.text_content()) for a in tree.xpath('//*[contains(@class, "breadcrumb")]//a')]
    crumbs = [c for c in crumbs if c and _norm(c).lower() not in (_norm(title).lower(), "home")]
    return crumbs[-1] if crumbs else None


def _norm(text: str) -> str:
    """Whitespace collapsed and Unicode NFC, as in trafilatura.extract's output (benchmarks are NFC)."""
    return unicodedata.normalize("NFC", SPACE_RE.sub(" ", text).strip())


def _clean_lines(lines: list[str], title: str, captions: tuple[str, ...]) -> tuple[list[str], str | None]:
    """Drop title repeats, captions, credits, share bars and teasers; return paragraphs, credited source."""
    caption_set = {c.lower() for c in captions}
    paragraphs: list[str] = []
    credits: list[tuple[int, str, str]] = []  # (position, line, outlet) of "Source: X" lines
    in_teasers = False
    for line in (_norm(x) for x in lines):
        if not line:
            continue
        low = line.lower()
        credit = SOURCE_RE.match(line) if len(line) < CREDIT_MAX_CHARS else None
        if credit:
            credits.append((len(paragraphs), line, credit.group(2).strip()))
            in_teasers = False
            continue
        if RELATED_RE.match(line):
            in_teasers = True
            continue
        if in_teasers and len(line) < TEASER_MAX_CHARS and not line.endswith((".", "。", "!", "?", "؟")):
            continue
        in_teasers = False
        if not paragraphs and title and low == _norm(title).lower():
            continue
        if low in caption_set or _is_share_bar(low) or _is_dateline(low):
            continue
        if not WORD_RE.search(line):  # bullets and dashes left of emptied list items
            continue
        if len(line) < CREDIT_MAX_CHARS and (CREDIT_RE.match(line) or INLINE_TEASER_RE.match(line)):
            continue
        paragraphs.append(line)
    credited = None
    # only a credit after the last paragraph names the outlet; a mid-text "Source:" (of a chart) stays in
    if credits and credits[-1][0] == len(paragraphs):
        credited = credits.pop()[2]
    for position, line, _ in reversed(credits):
        paragraphs.insert(position, line)
    return paragraphs, credited


def _is_dateline(low: str) -> bool:
    if len(low) > DATE_LINE_MAX_CHARS or not YEAR_RE.search(low):
        return False
    if _iso(low.upper()):
        return True
    return not re.sub(r"[\W\d_]+", "", DATE_WORDS_RE.sub("", low))


def _is_share_bar(low: str) -> bool:
    words = [w for w in re.split(r"[\s|·•/,]+", low) if w]
    return bool(words) and len(words) <= 12 and all(w in SHARE_WORDS for w in words)


def _extract_text(raw: RawDocument, text: str) -> Article:
    """A plain-text page, cleaned by tidings.clean."""
    from tidings.clean import clean_page  # another stage; imported when used

    page = clean_page(text)
    published = _iso(page.published) or page.published
    return Article(
        title=page.title or "",
        body="\n\n".join(page.paragraphs),
        url=raw.url,
        byline=page.byline,
        published=published,
        date_method="text" if published else None,
        source=page.source,
        section=page.section,
        captions=tuple(page.captions),
        archive_date=page.archive_date,
        locator=raw.locator,
    )


def _extract_record(raw: RawDocument, text: str) -> Article:
    """A feed or JSONL item: fields from raw.meta, paragraphs from its HTML or plain-text content."""
    meta = raw.meta
    captions: tuple[str, ...] = ()
    if HTML_HINT_RE.search(text):
        root = html.fragment_fromstring(text, create_parent="div") if text.strip() else None
        captions = _captions(root) if root is not None else ()
        lines = _fragment_lines(root) if root is not None else []
    else:
        blocks = re.split(r"\n\s*\n", text)
        lines = [_norm(b) for b in blocks] if len(blocks) > 1 else text.splitlines()
    title = meta.get("title") or ""
    paragraphs, credited = _clean_lines(lines, title, captions)
    published = _iso(meta.get("date"))
    return Article(
        title=title,
        body="\n\n".join(paragraphs),
        url=meta.get("url") or raw.url,
        byline=meta.get("author") or None,
        published=published,
        date_method="feed" if published else None,
        source=meta.get("source") or credited,
        captions=captions,
        locator=raw.locator,
    )


def _fragment_lines(root: html.HtmlElement) -> list[str]:
    """Text of an HTML fragment split at block elements; nothing is judged too short to keep."""
    for elem in root.xpath("//script|//style|//figcaption|//noscript"):
        elem.drop_tree()
    parts: list[str] = []

    def walk(elem: etree._Element) -> None:
        block = isinstance(elem.tag, str) and elem.tag.lower() in BLOCK_TAGS
        if block:
            parts.append("\n")
        if elem.text and isinstance(elem.tag, str):
            parts.append(elem.text)
        for child in elem:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if block:
            parts.append("\n")

    walk(root)
    return "".join(parts).split("\n")
