"""Bulk storing gives the same outcomes and rows as storing one article at a time."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

from tidings.intake import Entry, Intake, text_hash
from tidings.models import Article, RawDocument, Skipped, Stored
from tidings.outlets import Outlets
from tidings.store import open_store


def _entry(
    n: int,
    body: str,
    url: str | None = None,
    title: str = "A title",
    source: str | None = None,
    published: str | None = None,
) -> Entry:
    content = f"{n}|{url}|{title}|{body}".encode()
    raw = RawDocument(locator=f"item-{n}", content=content, kind="text", url=url)
    article = Article(
        title=title,
        body=body,
        url=url,
        source=source,
        language="en",
        locator=raw.locator,
        published=published,
    )
    return Entry(raw, article, hashlib.sha256(content).hexdigest())


WIRE = " ".join(
    f"Delegates from forty countries agreed on clause {i} of the water framework." for i in range(4)
)


def _mix() -> list[Entry]:
    """New pages, stored ones again, revisions and repeats within one batch, with and without URLs."""
    return [
        _entry(1, "Storm hits the coast.", "https://a.example/storm"),
        _entry(2, "Storm hits the coast.", "https://a.example/storm?utm_source=x"),  # same page, tracked
        _entry(3, "Storm hits the coast, two dead.", "https://a.example/storm"),  # revision in the batch
        _entry(4, "Markets fall."),  # no URL
        _entry(5, "markets   FALL."),  # same text under other case and spacing
        _entry(6, "Markets fall.", "https://b.example/markets"),  # same text, own URL: its own article
        _entry(7, "Election called.", "https://c.example/vote", source="Telemundo"),
        _entry(8, "Election called for May.", "https://c.example/vote", title="New title"),
        _entry(9, "A quiet day."),
        _entry(10, WIRE, "https://d.example/deal", source="Wire"),
        _entry(
            11, WIRE, "https://d.example/deal-updated", title="UPDATED: A title", source="Wire"
        ),  # retitled
        _entry(12, WIRE, "https://d.example/deal-again", title="UPDATED: A title", source="Wire"),  # again
        _entry(13, WIRE, "https://e.example/deal", source="Post"),  # another outlet: a copy, its own article
    ]


def _rows(db: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(db)
    rows = conn.execute(
        "SELECT a.id, a.canonical_url, a.text_hash, a.revision, a.source_id, r.content_hash "
        "FROM articles a JOIN raw_documents r ON r.id = a.raw_id ORDER BY a.id"
    ).fetchall()
    conn.close()
    return rows


def _intake(db: Path) -> Intake:
    return Intake(open_store(f"sqlite:///{db}"), Outlets.load(), set())


def test_bulk_matches_one_by_one(tmp_path: Path) -> None:
    one, bulk = _intake(tmp_path / "one.db"), _intake(tmp_path / "bulk.db")
    first, second = _mix()[:5], _mix()[5:]
    with one.store.batch():
        expected = [one.store_one(e) for e in first]
    with bulk.store.batch():
        got = bulk.store_many(first)
    assert got == expected
    # a second batch against what the first stored: stored pages again, more revisions, new ones
    again = [*first, *second]
    with one.store.batch():
        expected = [one.store_one(e) for e in again]
    with bulk.store.batch():
        got = bulk.store_many(again)
    assert got == expected
    assert _rows(tmp_path / "bulk.db") == _rows(tmp_path / "one.db")
    kinds = [type(o).__name__ + (o.reason if isinstance(o, Skipped) else "") for o in got]
    assert "Stored" in kinds and "Skippedduplicate" in kinds and "Skippedrevision" in kinds


def test_an_outlets_text_under_a_new_url_and_title_is_a_revision_that_keeps_its_date(tmp_path: Path) -> None:
    intake = _intake(tmp_path / "t.db")
    first = _entry(1, WIRE, "https://d.example/deal", source="Wire", published="2024-03-05T08:00:00+00:00")
    retitled = _entry(
        2,
        WIRE,
        "https://d.example/deal-2",
        "UPDATED: Deal signed",
        "Wire",
        published="2024-03-05T15:00:00+00:00",
    )
    short = [_entry(n, "Live updates follow.", f"https://d.example/live-{n}", source="Wire") for n in (3, 4)]
    with intake.store.batch():
        got = intake.store_many([first, retitled, *short])
    assert isinstance(got[0], Stored) and got[1] == Skipped("revision", "item-2", got[0].article_id)
    assert all(isinstance(o, Stored) for o in got[2:])  # too short to be sure it is one article
    conn = sqlite3.connect(tmp_path / "t.db")
    title, published, revision = conn.execute(
        "SELECT title, published, revision FROM articles WHERE id = ?", (got[0].article_id,)
    ).fetchone()
    assert (title, published, revision) == ("UPDATED: Deal signed", "2024-03-05T08:00:00+00:00", 2)


def test_a_clash_the_lookups_miss_falls_back_to_one_by_one(tmp_path: Path) -> None:
    intake = _intake(tmp_path / "t.db")
    old = _entry(1, "First version.", "https://a.example/p")
    with intake.store.batch():
        intake.store_many([old, _entry(2, "Second version.", "https://a.example/p")])
    # the first version's bytes are kept but no article points at them any more; a new page with exactly
    # those bytes would break the unique content hash in one multi-row insert
    clash = Entry(old.raw, Article(title="Other", body="Another page entirely."), old.content_hash)
    fresh = _entry(3, "Unrelated news.")
    with intake.store.batch():
        got = intake.store_many([fresh, clash])
    assert all(isinstance(o, Stored) for o in got)
    assert [o.locator for o in got] == [fresh.raw.locator, clash.raw.locator]
    assert len(_rows(tmp_path / "t.db")) == 3


def test_text_hash_ignores_case_and_spacing_only() -> None:
    assert text_hash("x", "Markets\n\n fall.") == text_hash("y", "markets fall.")
    assert text_hash("x", "Markets fall.") != text_hash("x", "Markets fell.")
    assert text_hash("Storm hits", "") != text_hash("Markets fall", "")  # headlines alone differ
