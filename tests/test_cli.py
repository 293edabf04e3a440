"""The command line as users and outside checks call it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tidings.cli import main

from .conftest import DATA, SAMPLE


def test_extract_prints_one_object_per_input_without_a_store(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TIDINGS_DB", str(tmp_path / "never.db"))
    seed = SAMPLE / "004_e98dca1c8e07cdf9.txt"
    page = SAMPLE / "pages" / "en-wildfire.html"
    bad = DATA / "sources" / "bad"
    url = "https://example.com/news/summit"
    code = main(["extract", str(seed), str(page), str(bad), "--url-of", f"{seed}={url}", "--json"])
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert code == 1  # the bad inputs failed, each alone
    by_input = {o["input"]: o for o in lines}
    s = by_input[str(seed)]
    assert s["url"] == url and s["source"] == "Telemundo" and s["original_language"] == "es"
    assert {"title", "byline", "published", "section", "language", "body", "captions"} <= set(s)
    w = by_input[str(page)]
    assert w["published"] == "2023-07-18T14:05:00+03:00" and w["byline"] == "Maria Jones"
    assert w["captions"] and "Firefighters" in w["captions"][0] and "Firefighters" not in w["body"]
    assert any("error" in o for o in lines)
    assert not (tmp_path / "never.db").exists()


def test_console_script_runs_and_reports_usage_errors(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("tidings")
    done = subprocess.run(
        [str(exe), "--db", str(tmp_path / "x.db"), "articles", "show"], capture_output=True, text=True
    )
    assert done.returncode == 2 and "give an article ID" in done.stderr
    done = subprocess.run(
        [str(exe), "--db", str(tmp_path / "x.db"), "articles", "show", "42"], capture_output=True, text=True
    )
    assert done.returncode == 2 and "no article 42" in done.stderr


def test_a_reader_that_goes_away_stops_the_command_quietly(tmp_path: Path) -> None:
    exe = Path(sys.executable).with_name("tidings")
    # `tidings stats | head -0`: the pipe is closed before the command writes
    with subprocess.Popen(
        [str(exe), "--db", str(tmp_path / "x.db"), "stats"], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    ) as run:
        assert run.stdout is not None and run.stderr is not None
        run.stdout.close()
        err = run.stderr.read().decode()
        assert run.wait(timeout=60) == 141 and "Traceback" not in err and "Broken pipe" not in err


def test_bench_cluster_streams_a_jsonl_file_and_counts_what_it_embeds(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    events = DATA / "cluster" / "events.jsonl"
    rows = events.read_text(encoding="utf-8").splitlines()
    monkeypatch.setenv("TIDINGS_CLUSTER_EMBED", "always")
    assert main(["bench", "cluster", "--file", str(events), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["articles"] == len(rows) and report["active_documents"] == len(rows)
    assert 0 < report["embedded_share"] <= 1  # at least the first report of each story is embedded
    stretches = report["articles_per_cpu_second_by_stretch"]  # one stretch: no checkpoint in so few rows
    assert list(stretches) == [str(len(rows))] and stretches[str(len(rows))] > 0
    monkeypatch.setenv("TIDINGS_CLUSTER_EMBED", "never")
    assert main(["bench", "cluster", "--file", str(events), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["embedded_share"] == 0
    assert main(["bench", "translate", "--file", str(events)]) == 2
    assert "--file is for" in capsys.readouterr().err


@pytest.mark.both_stores
def test_bench_web_fills_the_empty_database_it_is_given_and_serves_it(
    db: str, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A small run (the real pipeline over the sample, bulk inserts, two real servers) over the database
    given, a SQLite file or PostgreSQL; a database that holds articles is refused, not filled."""
    from tidings.bench import web

    monkeypatch.setattr(web, "REQUESTS_PER_KIND", 16)
    assert main(["bench", "web", "-n", "300", "--store", db, "--json"]) in (0, 1)  # 1: a target missed
    report = json.loads(capsys.readouterr().out)
    assert report["store"]["articles"] == 300 and report["store"]["database"] in db.split(":")[0] + "sqlite"
    for by_kind in report["results"].values():  # every request answered 200, or the run had failed
        assert set(by_kind) == {"front", "event", "article", "search"}
        assert all(r["requests"] == 16 and r["p95_ms"] > 0 for r in by_kind.values())
    assert main(["bench", "web", "-n", "300", "--store", db]) == 2
    assert "give an empty database" in capsys.readouterr().err
    assert main(["bench", "cluster", "--store", db]) == 2
    assert "--store is for" in capsys.readouterr().err
