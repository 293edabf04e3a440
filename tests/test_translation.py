"""The translation stage in the pipeline: real Apertium and FreeDict, stored sentence by sentence."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from tidings.cli import main
from tidings.pipeline import Pipeline
from tidings.settings import Settings
from tidings.store import Store
from tidings.store import translations as translation_rows

from .conftest import SAMPLE

pytestmark = pytest.mark.apertium


def _article_id(db: Path, title_part: str) -> int:
    row = (
        sqlite3.connect(db)
        .execute("SELECT id FROM articles WHERE title LIKE ?", (f"%{title_part}%",))
        .fetchone()
    )
    assert row, title_part
    return int(row[0])


def test_feed_articles_translated_glossed_or_untouched(
    store: Store, settings: Settings, db_path: Path
) -> None:
    report = Pipeline(store, settings).ingest([str(SAMPLE / "feeds"), str(SAMPLE / "pages")])
    assert report.failed == 0 and report.new >= 5
    with store.read() as conn:
        es = translation_rows.get(conn, _article_id(db_path, "Ginebra"))
        de = translation_rows.get(conn, _article_id(db_path, "Genf"))
        en = translation_rows.get(conn, _article_id(db_path, "Wildfire"))
    assert es is not None and de is not None and en is not None
    assert es["kind"] == "translation" and es["engine"] == "apertium"
    assert "apertium-eng-spa" in es["engine_version"]
    assert "summit" in es["title"] and "several hours" in es["title"]
    originals = [s["source"] for s in es["sentences"]]
    assert "La reunión duró casi dos horas." in originals
    lasted = next(s for s in es["sentences"] if s["source"] == "La reunión duró casi dos horas.")
    assert "two hours" in lasted["text"].lower() and lasted["engine"] == "apertium"
    assert de["kind"] == "gloss" and de["engine"] == "freedict"
    assert all(s["quality"] in {"gloss", "passthrough", "none"} for s in de["sentences"])
    assert en["kind"] == "original" and en["engine"] == "passthrough"
    assert all(s["text"] == s["source"] for s in en["sentences"])


def test_cache_means_nothing_is_translated_twice(store: Store, settings: Settings, db_path: Path) -> None:
    pipeline = Pipeline(store, settings)
    pipeline.ingest([str(SAMPLE / "feeds" / "noticias-es.rss")])
    conn = sqlite3.connect(db_path)
    cached = conn.execute("SELECT count(*) FROM translation_cache WHERE engine = 'apertium'").fetchone()[0]
    assert cached > 5
    conn.execute("DELETE FROM translations")
    conn.execute("DELETE FROM translation_sentences")
    conn.commit()
    calls: list[int] = []
    engine = pipeline.translation.router.engine_for("es")
    assert engine is not None
    original = engine.translate

    def counting(sentences, src, tgt="en"):  # type: ignore[no-untyped-def]
        calls.append(len(sentences))
        return original(sentences, src, tgt)

    engine.translate = counting  # type: ignore[method-assign]
    assert pipeline.translation.run().articles == 2
    assert calls == [], "every sentence came from the cache"


def test_translate_status_and_titles_only_mode(
    capsys: pytest.CaptureFixture[str], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIDINGS_CONFIG", "/nonexistent")
    # a new store: the languages the installed engines cover, no articles yet
    assert main(["--db", str(db_path), "translate", "--status", "--json"]) == 0
    empty = {r["language"]: r for r in json.loads(capsys.readouterr().out)}
    assert empty["es"]["engine"] == "apertium" and empty["de"]["coverage"] == "gloss"
    assert {r["articles"] for r in empty.values()} == {0}
    assert main(["--db", str(db_path), "translate", "--status"]) == 0
    assert "es   translation  apertium" in capsys.readouterr().out
    inputs = [str(SAMPLE / "feeds"), str(SAMPLE / "articles.jsonl")]
    assert main(["--db", str(db_path), "ingest", "--no-translate", *inputs, "--json"]) == 0
    capsys.readouterr()
    assert main(["--db", str(db_path), "translate", "--status", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    status = {r["language"]: r for r in listed}
    assert status["es"]["engine"] == "apertium" and status["es"]["waiting"] == 2
    assert status["de"]["coverage"] == "gloss"
    # stored languages first, then the rest an engine covers
    assert listed[0]["articles"] > 0 and status["sv"]["articles"] == 0 and listed[-1]["articles"] == 0
    # evidence says which sentence encoder reads the language: USE for Russian, e5 for Vietnamese
    assert (status["ru"]["coverage"], status["ru"]["engine"]) == ("evidence", "evidence (use-static)")
    assert (status["vi"]["coverage"], status["vi"]["engine"]) == ("evidence", "evidence (e5)")
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE feeds SET translate = 'titles'")  # no feeds here: articles came from files
    conn.execute("INSERT INTO sources (name, domains, translate) VALUES ('x', '[]', 'titles')")
    sid = conn.execute("SELECT id FROM sources WHERE name = 'x'").fetchone()[0]
    conn.execute("UPDATE articles SET source_id = ? WHERE language = 'es'", (sid,))
    conn.commit()
    assert main(["--db", str(db_path), "translate", "--json"]) == 0
    capsys.readouterr()
    rows = conn.execute(
        "SELECT t.mode, count(s.position), sum(s.text != '') FROM translations t "
        "JOIN articles a ON a.id = t.article_id "
        "LEFT JOIN translation_sentences s ON s.article_id = t.article_id "
        "WHERE a.language = 'es' GROUP BY t.article_id"
    ).fetchall()
    assert rows and all(mode == "titles" and filled == 0 for mode, _, filled in rows)
    assert main(["--db", str(db_path), "translate", "--status", "--json"]) == 0
    status = {r["language"]: r for r in json.loads(capsys.readouterr().out)}
    assert status["es"]["waiting"] == 0


def test_refresh_retranslates_what_an_engine_upgrade_outdated(
    capsys: pytest.CaptureFixture[str], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIDINGS_CONFIG", "/nonexistent")
    main(["--db", str(db_path), "ingest", str(SAMPLE / "feeds" / "noticias-es.rss"), "--json"])
    conn = sqlite3.connect(db_path)
    conn.execute("UPDATE translations SET engine_version = 'apertium 0.1 / apertium-eng-spa 0.0.1'")
    conn.execute("UPDATE translation_cache SET engine_version = 'apertium 0.1 / apertium-eng-spa 0.0.1'")
    conn.commit()
    capsys.readouterr()
    assert main(["--db", str(db_path), "translate", "--refresh", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["articles"] == 2
    versions = {v for (v,) in conn.execute("SELECT DISTINCT engine_version FROM translations")}
    assert len(versions) == 1 and "0.0.1" not in versions.pop()
    assert main(["--db", str(db_path), "translate", "--refresh", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["articles"] == 0


def test_feed_and_source_translate_modes_from_the_cli(
    capsys: pytest.CaptureFixture[str], db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIDINGS_CONFIG", "/nonexistent")
    assert main(["--db", str(db_path), "feeds", "add", "https://f.example/rss", "--translate", "never"]) == 0
    main(["--db", str(db_path), "ingest", "--no-translate", str(SAMPLE / "articles.jsonl")])
    capsys.readouterr()
    assert main(["--db", str(db_path), "sources", "translate", "Notizie Esempio", "titles"]) == 0
    assert main(["--db", str(db_path), "sources", "translate", "Nobody", "titles"]) == 2
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT translate FROM feeds").fetchone()[0] == "never"
    assert (
        conn.execute("SELECT translate FROM sources WHERE name = 'Notizie Esempio'").fetchone()[0] == "titles"
    )


def test_argos_models_folder_problems_are_reported(tmp_path: Path) -> None:
    from tidings.translation import install_argos_models

    (tmp_path / "en_de.argosmodel").write_bytes(b"not a model")
    notes = install_argos_models(str(tmp_path))
    assert len(notes) == 1 and "en_de.argosmodel" in notes[0]
    assert install_argos_models(str(tmp_path / "missing")) == [
        f"argos_models_dir {tmp_path / 'missing'}: no such folder"
    ]
    assert install_argos_models("") == []
