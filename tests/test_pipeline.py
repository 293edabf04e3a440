"""End-to-end: files → store through every stage of issue 3, with the CLI as users run it."""

from __future__ import annotations

import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tidings.cli import main
from tidings.pipeline import Pipeline
from tidings.settings import Settings
from tidings.store import Store

from .conftest import DATA, SAMPLE

SEED_000 = SAMPLE / "000_ecd03e3bfaa32d93.txt"
SEED_004 = SAMPLE / "004_e98dca1c8e07cdf9.txt"


def _cli(capsys: pytest.CaptureFixture[str], db: Path, *args: str) -> tuple[int, str]:
    code = main(["--db", str(db), *args])
    return code, capsys.readouterr().out


def _show(capsys: pytest.CaptureFixture[str], db: Path, locator_end: str) -> dict[str, object]:
    _, out = _cli(capsys, db, "articles", "list", "--json", "--limit", "1000")
    rows = json.loads(out)
    conn = sqlite3.connect(db)
    ids = [r for (r,) in conn.execute("SELECT id FROM articles WHERE locator LIKE ?", (f"%{locator_end}",))]
    assert len(ids) == 1, f"{locator_end} stored {len(ids)} times"
    assert ids[0] in {r["id"] for r in rows}
    _, out = _cli(capsys, db, "articles", "show", str(ids[0]), "--json")
    return dict(json.loads(out))


def test_seed_000_field_by_field(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    assert _cli(capsys, db_path, "ingest", str(SEED_000), "--json")[0] == 0
    a = _show(capsys, db_path, SEED_000.name)
    assert a["title"] == "Putin-Biden summit 'constructive'"
    assert a["byline"] == "Huy Hoang"
    assert str(a["published"]).startswith("2021-06-17T08:33")
    assert a["language"] == "en"
    assert a["original_language"] == "vi"
    captions = list(a["captions"])  # type: ignore[call-overload]
    assert len(captions) == 1
    assert "Tổng thống Mỹ Joe Biden" in captions[0] and "US President Joe Biden" in captions[0]
    body = str(a["body"])
    assert "Tổng thống" not in body
    assert not body.rstrip().endswith("/.") and not body.rstrip().endswith("Huy Hoang")
    assert "lasted nearly 4 hours, instead of the 5 hours previously predicted" in body
    assert body.rstrip().endswith("deep divisions between the two countries.")
    for field in ("id", "url", "source", "section"):
        assert field in a


def test_seed_004_field_by_field(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    assert _cli(capsys, db_path, "ingest", str(SEED_004), "--json")[0] == 0
    a = _show(capsys, db_path, SEED_004.name)
    assert a["title"] == 'Biden and Putin have a "constructive" meeting of several hours in Switzerland'
    assert a["source"] == "Telemundo"
    assert a["section"] == "News/Politics"
    assert str(a["published"]) == "2021-06-19"  # the day it is filed under, not its republication
    assert a["archive_date"] == "2021-06-19"
    assert a["language"] == "en"
    assert a["original_language"] == "es"
    body = str(a["body"])
    for chrome in (
        "The Limited Times",
        "Now you can see",
        "Similar news",
        "You may like",
        "Trends 24h",
        "Source: telemundo",
        "All news articles",
        "©",
        "202100: 44",
        "first tour of Europe begins",
        "A security expert explains",
        "Pool Photo via AP",
    ):
        assert chrome not in body, chrome
    assert (
        "The Russian president also rejected the accusations that linked him to the murder of several "
        "opposition leaders in his country." in body
    )
    assert "The meeting lasted for almost 2 hours." in body
    assert "Putin arrived on the same Wednesday." in body
    captions = " ".join(a["captions"])  # type: ignore[arg-type]
    assert "(Mikhail Metzel / Pool Photo via AP)" in captions


def test_sample_corpus_ingests_idempotently(capsys: pytest.CaptureFixture[str], db_path: Path) -> None:
    code, out = _cli(capsys, db_path, "ingest", str(SAMPLE), "--json")
    first = json.loads(out)
    assert code == 0, out
    assert first["failed"] == 0 and first["new"] >= 10
    code, out = _cli(capsys, db_path, "ingest", str(SAMPLE), "--json")
    again = json.loads(out)
    assert again["new"] == 0 and again["duplicate"] == first["new"]
    _, out = _cli(capsys, db_path, "stats", "--json")
    stats = json.loads(out)
    assert stats["articles"] == first["new"]
    assert {"en", "es", "de", "fr", "it", "pt", "ca"} <= set(stats["languages"])


def test_bad_inputs_fail_alone(capsys: pytest.CaptureFixture[str], db_path: Path, tmp_path: Path) -> None:
    corpus = tmp_path / "mixed"
    shutil.copytree(DATA / "sources" / "bad", corpus / "bad")
    shutil.copy(SEED_000, corpus / "good-000.txt")
    shutil.copy(SAMPLE / "pages" / "en-wildfire.html", corpus / "good.html")
    huge = corpus / "huge.txt"
    with huge.open("wb") as fh:
        fh.write(b"A very long line of text. " * 2_000_000)  # ~52 MB
    code, out = _cli(capsys, db_path, "ingest", str(corpus), "--json")
    report = json.loads(out)
    assert code == 1, "some items failed, the exit code must say so"
    assert report["failed"] >= 8
    _, out = _cli(capsys, db_path, "errors", "--json")
    errors = json.loads(out)
    where = " ".join(e["locator"] for e in errors)
    for name in ("huge.txt", "empty", ".pdf", "bomb", "broken"):
        assert name in where, f"{name} not reported in {where}"
    assert all(e["message"] for e in errors)
    conn = sqlite3.connect(db_path)
    titles = {t for (t,) in conn.execute("SELECT title FROM articles")}
    assert "Putin-Biden summit 'constructive'" in titles
    assert "Wildfire forces thousands to flee near Athens" in titles
    assert report["new"] == len(titles)


@pytest.mark.slow
def test_sigkill_mid_batch_then_rerun(db_path: Path, tmp_path: Path) -> None:
    from tidings.bench.corpus import text_pages

    corpus = tmp_path / "batch"
    corpus.mkdir()
    pages = text_pages(400)
    for i, page in enumerate(pages):
        (corpus / f"{i:04d}.txt").write_text(page, encoding="utf-8")
    cmd = [sys.executable, "-m", "tidings.cli", "--db", str(db_path), "ingest", str(corpus), "--json"]
    env = {**os.environ, "TIDINGS_CONFIG": "/nonexistent"}
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    stored = 0
    while time.monotonic() < deadline and stored < 40:
        time.sleep(0.05)
        if db_path.exists():
            try:
                stored = (
                    sqlite3.connect(db_path, timeout=1).execute("SELECT count(*) FROM articles").fetchone()[0]
                )
            except sqlite3.OperationalError:
                stored = 0
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert 0 < stored < len(pages), "the kill must land mid-batch"
    done = subprocess.run(cmd, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    conn = sqlite3.connect(db_path)
    total, distinct = conn.execute("SELECT count(*), count(DISTINCT text_hash) FROM articles").fetchone()
    assert total == distinct == len({p for p in pages})
    assert conn.execute("SELECT count(*) FROM articles WHERE body = '' OR title = ''").fetchone()[0] == 0
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"


@pytest.mark.both_stores
def test_pipeline_object_reports_outcomes(store: Store, settings: Settings) -> None:
    report = Pipeline(store, settings).ingest([str(SEED_000), str(SEED_000)])
    assert (report.new, report.duplicate, report.failed) == (1, 1, 0)


@pytest.mark.both_stores
def test_headline_only_records_are_kept_apart(store: Store, settings: Settings, tmp_path: Path) -> None:
    rows = [
        {"id": "a", "title": "Klitschko defends his heavyweight crown against Thompson", "text": ""},
        {"id": "b", "title": "Bomb kills two officers at a bank in Woodburn, Oregon", "text": ""},
        {"id": "c", "title": "", "text": ""},  # nothing at all: fails alone
    ]
    path = tmp_path / "headlines.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    report = Pipeline(store, settings, translate=False).ingest([str(path)])
    assert (report.new, report.duplicate, report.failed) == (2, 0, 1)
    with store.read() as conn:
        titles = {t for (t,) in conn.exec_driver_sql("SELECT title FROM articles WHERE body = ''")}
        events = {e for (e,) in conn.exec_driver_sql("SELECT event_id FROM memberships")}
    assert titles == {rows[0]["title"], rows[1]["title"]}
    assert len(events) == 2


def test_a_headlines_declared_language_outweighs_an_unsure_guess(
    store: Store, settings: Settings, tmp_path: Path
) -> None:
    title = "AMD snaps up server upstart SeaMicro"  # the detector's guess, alone: Ilocano at 0.15
    rows = [
        {"id": "a", "lang": "en", "title": title, "text": ""},
        {"id": "b", "title": title + "!", "text": ""},
    ]
    path = tmp_path / "headlines.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    Pipeline(store, settings, translate=False).ingest([str(path)])
    with store.read() as conn:
        found = dict(conn.exec_driver_sql("SELECT title, language FROM articles").fetchall())
    assert found[title] == "en" and found[title + "!"] != "en"  # undeclared, the guess stands


@pytest.mark.both_stores
def test_rows_one_store_would_refuse_go_in_alike(store: Store, settings: Settings, tmp_path: Path) -> None:
    """An address too long to index (PostgreSQL: 2,704 bytes a key) and an outlet name longer than its
    column (PostgreSQL refuses it; SQLite kept it) do not stop an article, or the rest of its batch; each
    had aborted the whole run on PostgreSQL."""
    noise = "".join(chr(ord("a") + (i * 7919) % 26) for i in range(6000))  # incompressible enough
    rows = [
        {"id": "u", "url": f"https://long.example/{noise}", "title": "A long address",
         "text": "An article whose address is a tracking blob of thousands of characters, kept all the same"},
        {"id": "s", "url": "https://long.example/s", "source": "Outlet " + "x" * 300, "title": "Long outlet",
         "text": "An article whose outlet has a name far longer than any outlet's, kept all the same, too."},
        {"id": "o", "url": "https://long.example/o", "title": "An ordinary article",
         "text": "An ordinary article after the two odd ones, which must go in with them, as it always did."},
    ]  # fmt: skip
    path = tmp_path / "odd.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    first = Pipeline(store, settings, translate=False, cluster=False).ingest([str(path)])
    assert (first.new, first.failed) == (3, 0)
    # the same text under another over-long address is found again by its text, as an article without one
    path.write_text(json.dumps({**rows[0], "url": rows[0]["url"] + "x"}) + "\n", encoding="utf-8")
    again = Pipeline(store, settings, translate=False, cluster=False).ingest([str(path)])
    assert (again.new, again.duplicate, again.failed) == (0, 1, 0)
