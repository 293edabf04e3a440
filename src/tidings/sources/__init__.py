"""Sources: feeds, OPML, URLs, files and JSONL → RawDocument (fetching, SSRF guard, charset)."""

from tidings.sources.charset import decode, detect_charset, sniff_kind
from tidings.sources.feeds import FeedItem, OpmlOutline, ParsedFeed, feed_item_to_raw, parse_feed, parse_opml
from tidings.sources.fetch import (
    DEFAULT_POLICY,
    FetchPolicy,
    FetchResult,
    FetchStatusError,
    fetch,
    is_public_address,
    make_client,
)
from tidings.sources.files import FeedRef, canonical_url, read_paths
from tidings.sources.jsonl import read_json_records, read_jsonl, record_to_raw

__all__ = [
    "DEFAULT_POLICY",
    "FeedItem",
    "FeedRef",
    "FetchPolicy",
    "FetchResult",
    "FetchStatusError",
    "OpmlOutline",
    "ParsedFeed",
    "canonical_url",
    "decode",
    "detect_charset",
    "feed_item_to_raw",
    "fetch",
    "is_public_address",
    "make_client",
    "parse_feed",
    "parse_opml",
    "read_json_records",
    "read_jsonl",
    "read_paths",
    "record_to_raw",
    "sniff_kind",
]
