"""The HTML pages over a real store built from the sample, through a real server on loopback."""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tidings.store import Store
from tidings.store import errors as error_rows
from tidings.store import events as event_rows
from tidings.web import create_app

from .live import serve
from .web_fixture import TOKEN, article_id, build_store, web_settings

OPML = """<?xml version="1.0"?><opml version="2.0"><body><outline text="World">
<outline text="Example" xmlUrl="https://feeds.example.org/world.xml"/></outline></body></opml>"""


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Store, Path]]:
    """The sample served over a real HTTP server, from a SQLite file and from a PostgreSQL database."""
    folder = tmp_path_factory.mktemp("pages")
    db = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else None
    settings = web_settings(folder, db=db)
    store = build_store(settings)
    with serve(create_app(settings, store)) as base:
        yield base, store, folder
    store.close()


def get(base: str, path: str, status: int = 200) -> str:
    r = httpx.get(base + path, follow_redirects=True)
    assert r.status_code == status, (path, r.status_code, r.text[:300])
    assert "default-src 'none'" in r.headers["content-security-policy"]
    assert "<script" not in r.text.lower() and "style=" not in r.text  # nothing the CSP would have to block
    return r.text


def test_front_page_ranks_events_with_counts(site: tuple[str, Store, Path]) -> None:
    base, store, _ = site
    with store.read() as conn:
        seeds = event_rows.event_of(conn, article_id(store, "Putin-Biden summit"))
    html = get(base, "/")
    assert f'href="/events/{seeds}"' in html
    assert re.search(r"\d+ independent reports?, \d+ languages?", html)
    assert 'title="Spanish">es</abbr>' in html


def test_event_page_puts_conflicts_first_and_predictions_apart(site: tuple[str, Store, Path]) -> None:
    base, store, _ = site
    with store.read() as conn:
        seeds = event_rows.event_of(conn, article_id(store, "Putin-Biden summit"))
    html = get(base, f"/events/{seeds}")
    shared = html[html.index('id="claims-shared"') : html.index("</table>", html.index('id="claims-shared"'))]
    bodies = re.findall(r'<tbody class="verdict-([a-z-]+)">', shared)
    assert bodies[0] == "conflict" and bodies == sorted(bodies, key=["conflict", "precision", "agree"].index)
    first = shared[: shared.index("</tbody>")]
    assert "duration" in first and "nearly 4 hours" in first and "5 hours" not in first
    predictions = html[html.index('id="claims-predictions"') :]
    assert "5 hours" in predictions[: predictions.index("</table>")]
    assert "<svg" in html and "<rect" in html  # coverage chart
    assert "Why grouped" in html and "entity: " in html  # each member says why it is there
    assert re.search(r'class="cite" href="/articles/\d+#s\d+"', html)  # summary sentences cite their source


def test_article_page_aligns_translation_and_names_the_engine(site: tuple[str, Store, Path]) -> None:
    base, store, _ = site
    html = get(base, f"/articles/{article_id(store, 'Biden y Putin celebran')}")
    assert "apertium" in html and "machine translation" in html
    pair = next(p for p in html.split('<div class="pair"') if "La reunión duró casi dos horas." in p)
    assert "The meeting lasted almost two hours." in pair  # the English beside its original sentence
    assert "Same event" in html and "Putin-Biden summit" in html  # similar news: the same event first


def test_gloss_is_labelled_as_such(site: tuple[str, Store, Path]) -> None:
    base, store, _ = site
    html = get(base, f"/articles/{article_id(store, 'Biden e Putin a Ginevra')}")
    assert (
        "gloss (word by word, not a translation)" in html and '<span class="tag gloss">gloss</span>' in html
    )


def test_a_glossed_sentence_shows_another_sources_english_beside_it(site: tuple[str, Store, Path]) -> None:
    base, store, _ = site
    italian = article_id(store, "Biden e Putin a Ginevra")
    page = get(base, f"/articles/{italian}")
    beside = re.findall(
        r'<span class="beside"><span class="tag evidence">another source</span> (.*?) '
        r'<span class="meta-inline">\((.*?)\)</span></span>',
        page,
    )
    with store.read() as conn:
        english = {
            (text, r["source"])
            for r in event_rows.brief_inputs(conn, event_rows.event_of(conn, italian))
            if r["translation_kind"] in ("translation", "original")
            for _, text, _ in r["sentences"]
        }
    assert beside and all((html.unescape(t), html.unescape(o)) in english for t, o in beside)


def test_an_evidence_page_keeps_its_title_and_marks_sentences_nothing_matched(
    site: tuple[str, Store, Path],
) -> None:
    """Vietnamese, which no engine translates: its title had no English match, and the page had shown an
    empty heading and an "evidence" label on each empty cell."""
    base, store, _ = site
    page = get(base, f"/articles/{article_id(store, 'Thượng đỉnh Nga')}")
    title = "Thượng đỉnh Nga - Mỹ tại Geneva mang tính xây dựng"
    assert f'<h1 lang="vi">{title}</h1>' in page and f"<title>{title} — tidings</title>" in page
    cells = re.findall(r'<p class="en" role="cell">(.*?)</p>', page, re.S)
    matched = [c for c in cells if '<span class="tag evidence">evidence</span>' in c]
    unmatched = [c for c in cells if "no English sentence of this event matches" in c]
    assert matched and unmatched and len(matched) + len(unmatched) == len(cells)
    assert all(re.sub(r"<[^>]+>", "", c).replace("evidence", "").strip() for c in matched)


def test_an_english_word_finds_reports_through_their_translation_or_gloss(
    site: tuple[str, Store, Path],
) -> None:
    """The Spanish summit report says "cumbre" (Apertium: "summit"); the Italian one "ambasciatori" (gloss:
    "ambassador"); each is found by the English word, and by its own."""
    base, store, _ = site
    spanish = article_id(store, "Biden y Putin celebran")
    italian = article_id(store, "Biden e Putin a Ginevra")
    assert f'href="/articles/{spanish}"' in get(base, "/search?q=summit")
    assert f'href="/articles/{spanish}"' in get(base, "/search?q=cumbre")
    assert f'href="/articles/{italian}"' in get(base, "/search?q=ambassador")
    assert f'href="/articles/{italian}"' in get(base, "/search?q=ambassador&language=it&sort=relevance")
    assert f'href="/articles/{italian}"' not in get(base, "/search?q=ambassador&language=es")


def test_archive_trends_search_sources_categories(site: tuple[str, Store, Path]) -> None:
    base, store, _ = site
    day = get(base, "/day/2021-06-16")
    assert "All news articles on 2021-06-16" in day and "Ginebra" in day
    assert httpx.get(base + "/day").headers["location"].startswith("/day/")
    assert "Trends 24h" in get(base, "/trends")
    navalny = article_id(store, "Biden and Putin have")
    found = get(base, "/search?q=Navalny")
    assert f'href="/articles/{navalny}"' in found and "/feeds/search.atom?q=Navalny" in found
    assert f'href="/articles/{navalny}"' not in get(base, "/search?q=Navalny&language=vi")
    assert f'href="/articles/{navalny}"' in get(
        base, "/search?q=Navalny&language=es&country=US&sort=relevance"
    )
    assert f'href="/articles/{navalny}"' not in get(base, "/search?q=Navalny&from=2021-10-22")
    by_date = get(base, "/search?q=Putin&sort=published")
    shown = [int(i) for i in re.findall(r'<li><a href="/articles/(\d+)"', by_date)]
    with store.read() as conn:
        when = dict(conn.exec_driver_sql("SELECT id, published_utc FROM articles").all())
    assert len(shown) >= 3 and '<option value="published" selected>' in by_date
    dates = [str(when[i]) for i in shown if when[i] is not None]  # ISO text sorts as time (one offset)
    assert dates == sorted(dates, reverse=True) and dates[0] != dates[-1]
    sources = get(base, "/sources")
    assert re.search(r"Telemundo</a></td><td>US</td><td>Spanish</td>", sources)
    assert "News/Politics" in get(base, "/categories")
    assert f'href="/articles/{navalny}"' in get(base, "/categories/News/Politics")


def test_missing_and_malformed_give_error_pages(site: tuple[str, Store, Path]) -> None:
    base, _, _ = site
    assert "no event 999999" in get(base, "/events/999999", 404)
    assert "no article 999999" in get(base, "/articles/999999", 404)
    get(base, "/day/2021-13", 422)
    get(base, "/no-such-page", 404)


def test_hostile_text_is_escaped(site: tuple[str, Store, Path]) -> None:
    base, store, _ = site
    html = get(base, f"/articles/{article_id(store, 'Mayor <img')}")
    assert "&lt;script&gt;alert(&#39;body&#39;)&lt;/script&gt;" in html
    record = get(base, f"/articles/{article_id(store, 'Mayor <script')}")
    assert "javascript:" not in record.split("<main")[1].split('href="')[1]  # the URL is not linked


def test_feeds_page_needs_the_token(site: tuple[str, Store, Path]) -> None:
    base, store, folder = site
    with store.write() as conn:
        error_rows.record(conn, "https://broken.example.org/feed.xml", "FeedError", "not XML at line 3")
    page = get(base, "/feeds")
    assert "not XML at line 3" in page and 'name="token"' in page
    wrong = httpx.post(base + "/feeds", data={"url": "https://a.example.org/f.xml", "token": "nope"})
    assert wrong.status_code == 401 and "wrong API token" in wrong.text
    ok = httpx.post(base + "/feeds", data={"opml": OPML, "token": TOKEN, "url": ""}, follow_redirects=True)
    assert ok.status_code == 200 and "1 feed(s) added" in ok.text and "feeds.example.org/world.xml" in ok.text
    bad = httpx.post(base + "/feeds", data={"url": "file:///etc/passwd", "token": TOKEN})
    assert bad.status_code == 422 and "not an http(s) feed URL" in bad.text
    closed = web_settings(folder / "closed", token="")
    with serve(create_app(closed)) as other:
        assert "disabled" in get(other, "/feeds") and 'name="token"' not in get(other, "/feeds")
        refused = httpx.post(other + "/feeds", data={"url": "https://a.example.org/f.xml", "token": ""})
        assert refused.status_code == 401 and "no api_token" in refused.text


def test_lists_never_show_a_gloss_as_an_english_title(tmp_path: Path) -> None:
    from tidings.pipeline import Pipeline
    from tidings.settings import load_settings
    from tidings.store import open_store

    from .conftest import SAMPLE

    settings = load_settings({"db": str(tmp_path / "g.db")}, env={"TIDINGS_CONFIG": "/nonexistent"})
    store = open_store(settings.database_url)
    report = Pipeline(store, settings, cluster=False).ingest([str(SAMPLE / "feeds" / "nachrichten-de.atom")])
    ids = [o.article_id for o in report.outcomes]  # type: ignore[union-attr]
    with store.read() as conn:
        kinds = {k for (k,) in conn.exec_driver_sql("SELECT kind FROM translations")}
        members = event_rows.brief_inputs(conn, article_ids=ids)
    assert kinds == {"gloss"} and len(members) == 2
    assert all(m["title_en"] is None for m in members), (
        "a gloss is labelled on its page, never listed as a title"
    )


def test_an_event_read_only_through_a_gloss_has_a_labelled_english_headline(tmp_path: Path) -> None:
    from tidings.pipeline import Pipeline
    from tidings.store import open_store

    from .conftest import SAMPLE

    settings = web_settings(tmp_path)
    store = open_store(settings.database_url)
    Pipeline(store, settings).ingest([str(SAMPLE / "feeds" / "nachrichten-de.atom")])  # German: glossed
    with store.read() as conn:
        floods = next(e for e in event_rows.list_events(conn) if "Bavaria" in e["headline"])
    assert floods["headline_kind"] == "gloss" and floods["headline"].isascii()
    with serve(create_app(settings, store)) as base:
        front, page = get(base, "/"), get(base, f"/events/{floods['id']}")
        feed = httpx.get(base + "/feeds/front.atom").text
    label = '<span class="tag gloss" title="word by word, not a translation">gloss</span>'
    assert f"{floods['headline']} {label}</a></h2>" in front
    assert f"<h1>{floods['headline']} {label}</h1>" in page and f"{floods['headline']} (gloss)" in page
    assert f"{floods['headline']} (gloss)" in feed
    store.close()


def test_a_headline_only_item_says_so_and_links_its_page(tmp_path: Path) -> None:
    import json

    from tidings.pipeline import Pipeline
    from tidings.store import open_store

    settings = web_settings(tmp_path)
    store = open_store(settings.database_url)
    row = {"id": "h", "lang": "en", "title": "Putin says talks were constructive", "text": "",
           "url": "https://wire.example/h"}  # fmt: skip
    (tmp_path / "h.jsonl").write_text(json.dumps(row) + "\n", encoding="utf-8")
    Pipeline(store, settings, translate=False).ingest([str(tmp_path / "h.jsonl")])
    try:
        with serve(create_app(settings, store)) as base:
            page = get(base, f"/articles/{article_id(store, 'Putin says')}")
    finally:
        store.close()
    note = page[page.index('class="headline-only"') :]
    assert "no text" in note[: note.index("</p>")] and 'href="https://wire.example/h"' in note


def _correct(base: str, event_id: int, **form: Any) -> httpx.Response:
    return httpx.post(f"{base}/events/{event_id}/correct", data=form, timeout=60)


def _members(base: str, event_id: int) -> list[int]:
    return [m["id"] for m in httpx.get(f"{base}/api/v1/events/{event_id}").json()["members"]]


def _shown(response: httpx.Response, kind: str) -> int:
    """The event a correction's redirect shows."""
    assert response.status_code == 303, response.text[:300]
    found = re.fullmatch(rf"/events/(\d+)\?corrected={kind}", response.headers["location"])
    assert found, response.headers["location"]
    return int(found.group(1))


def test_an_event_is_corrected_from_its_page(site: tuple[str, Store, Path]) -> None:
    base, store, _ = site
    spanish = article_id(store, "Biden and Putin have")
    with store.read() as conn:
        seeds = event_rows.event_of(conn, spanish)
    page = get(base, f"/events/{seeds}")
    assert f'value="{spanish}" form="correct"' in page and 'name="token"' in page
    # refused: a wrong token, nothing ticked, an article of another event, this event as the other one
    wrong = _correct(base, seeds, action="split", article=spanish, token="nope")
    assert wrong.status_code == 401 and "wrong API token" in wrong.text and spanish in _members(base, seeds)
    assert "tick the articles" in _correct(base, seeds, action="split", token=TOKEN).text
    assert "is not in this event" in _correct(base, seeds, action="split", article=10**6, token=TOKEN).text
    same = _correct(base, seeds, action="merge", target=seeds, token=TOKEN)
    assert same.status_code == 422 and "the other event is this one" in same.text
    # split out, merged back; split out again, moved back
    split = _correct(base, seeds, action="split", article=spanish, token=TOKEN)
    new = _shown(split, "split")
    shown = get(base, split.headers["location"])
    assert "now form this new event" in shown and "pinned by a correction" in shown
    assert _members(base, new) == [spanish] and spanish not in _members(base, seeds)
    assert _shown(_correct(base, seeds, action="merge", target=new, token=TOKEN), "merge") == seeds
    assert spanish in _members(base, seeds) and httpx.get(f"{base}/events/{new}").status_code == 404
    again = _shown(_correct(base, seeds, action="split", article=spanish, token=TOKEN), "split")
    moved = _correct(base, again, action="move", article=spanish, target=seeds, token=TOKEN)
    assert _shown(moved, "move") == seeds and "were moved to this event" in get(
        base, f"/events/{seeds}?corrected=move"
    )
    assert spanish in _members(base, seeds) and httpx.get(f"{base}/events/{again}").status_code == 404
    with store.read() as conn:
        kinds = [k for (k,) in conn.exec_driver_sql("SELECT kind FROM corrections ORDER BY id")]
    assert kinds[-4:] == ["split", "merge", "split", "move"]


def test_an_event_page_offers_no_correction_form_without_a_token(tmp_path: Path) -> None:
    from tidings.pipeline import Pipeline
    from tidings.store import open_store

    from .web_fixture import SEEDS

    settings = web_settings(tmp_path, token="")
    store = open_store(settings.database_url)
    Pipeline(store, settings, translate=False).ingest([str(p) for p in SEEDS])
    try:
        with store.read() as conn:
            event_id = event_rows.event_of(conn, article_id(store, "Putin-Biden summit"))
        with serve(create_app(settings, store)) as base:
            page = get(base, f"/events/{event_id}")
            refused = _correct(base, event_id, action="merge", target=event_id, token="")
    finally:
        store.close()
    assert "Putin" in page and 'form="correct"' not in page and 'name="token"' not in page
    assert refused.status_code == 401 and "no api_token" in refused.text
