"""The JSON API: schemathesis against its OpenAPI document over a real server, auth, cursors, errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from tidings.store import Store
from tidings.store import events as event_rows
from tidings.web import create_app

from .live import serve
from .web_fixture import TOKEN, article_id, build_store, web_settings

EXAMPLES = 10  # generated requests per operation: 15 operations in a few seconds
AUTH = {"Authorization": f"Bearer {TOKEN}"}
WRITES = [
    ("/api/v1/feeds", {"url": "https://feeds.example.org/a.xml"}),
    ("/api/v1/documents", {"content": "Title\n\nSome text of a story long enough to keep.", "kind": "text"}),
    ("/api/v1/events/1/split", {"articles": [1]}),
    ("/api/v1/events/1/merge", {"other": 2}),
    ("/api/v1/articles/1/move", {"event": 2}),
]


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[str, Store]]:
    """The sample served over a real HTTP server, from a SQLite file and from a PostgreSQL database."""
    db = request.getfixturevalue("postgres").new_database() if request.param == "postgresql" else None
    settings_ = web_settings(tmp_path_factory.mktemp("api"), db=db)
    store = build_store(settings_)
    with serve(create_app(settings_, store)) as base:
        yield base, store
    store.close()


def test_api_conforms_to_its_openapi_document(site: tuple[str, Store]) -> None:
    """Schemathesis: any request the document allows gets a documented status, content type and body
    shape, never a server error (checked per operation with Hypothesis-generated requests)."""
    base, _ = site
    schema = schemathesis.openapi.from_url(base + "/api/v1/openapi.json")
    labels, failures = [], []
    for result in schema.get_all_operations():
        operation = result.ok()
        labels.append(operation.label)

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), database=None
        )
        def check(case: Any) -> None:
            case.call_and_validate()

        try:
            check()
        except Exception as exc:  # collect every operation's failure, not just the first
            failures.append(f"{operation.label}: {exc}"[:2000])
    assert not failures, "\n\n".join(failures)
    for needed in (
        "GET /api/v1/articles",
        "GET /api/v1/events/{event_id}",
        "GET /api/v1/search",
        "GET /api/v1/days/{day}",
        "GET /api/v1/trends",
        "POST /api/v1/documents",
    ):
        assert needed in labels


@pytest.mark.parametrize(("path", "body"), WRITES)
def test_writes_need_the_token(site: tuple[str, Store], path: str, body: dict[str, Any]) -> None:
    base, _ = site
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"Authorization": f"Basic {TOKEN}"}):
        r = httpx.post(base + path, json=body, headers=headers)
        assert r.status_code == 401, (path, headers, r.text)
        assert r.json()["error"] == "Unauthorized" and r.json()["message"]


def test_cursor_walks_every_article_once(site: tuple[str, Store]) -> None:
    base, _ = site
    seen: list[int] = []
    cursor: int | None = None
    while True:
        params: dict[str, Any] = {"limit": 2, **({"cursor": cursor} if cursor else {})}
        page = httpx.get(base + "/api/v1/articles", params=params).json()
        seen += [a["id"] for a in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    total = len(httpx.get(base + "/api/v1/articles", params={"limit": 200}).json()["items"])
    assert len(seen) == len(set(seen)) == total and seen == sorted(seen, reverse=True)


def test_reads_give_events_with_briefs_search_days_and_errors(site: tuple[str, Store]) -> None:
    base, store = site
    with store.read() as conn:
        seeds = event_rows.event_of(conn, article_id(store, "Putin-Biden summit"))
    ev = httpx.get(f"{base}/api/v1/events/{seeds}").json()
    assert ev["brief"]["claims"][0]["verdict"] == "conflict" and ev["members"][0]["shared"] is not None
    listed = httpx.get(base + "/api/v1/events").json()["items"]
    assert seeds in [e["id"] for e in listed] and all("brief" not in e for e in listed)
    found = httpx.get(base + "/api/v1/search", params={"q": "Navalny"}).json()["items"]
    assert [a["id"] for a in found] == [article_id(store, "Biden and Putin have")]
    spanish = httpx.get(f"{base}/api/v1/articles/{article_id(store, 'Biden y Putin celebran')}").json()
    assert spanish["translation"]["engine"] == "apertium" and spanish["translation"]["sentences"][1]["source"]
    # a glossed report: beside some glosses, an English sentence another member of its event wrote
    italian = httpx.get(f"{base}/api/v1/articles/{article_id(store, 'Biden e Putin a Ginevra')}").json()
    with store.read() as conn:
        english = {
            text: r["source"]
            for r in event_rows.brief_inputs(conn, italian["event_id"])
            if r["translation_kind"] in ("translation", "original")
            for _, text, _ in r["sentences"]
        }
    beside = [s["evidence"] for s in italian["translation"]["sentences"] if s["evidence"]]
    assert italian["translation"]["kind"] == "gloss" and beside
    assert all(english[e["text"]] == e["origin"] and 0 < e["score"] <= 1 for e in beside)
    day = httpx.get(base + "/api/v1/days/2021-06-16").json()
    assert day["items"] and day["events"] and day["next_day"] == "2021-06-17"
    assert any(
        s["name"] == "Telemundo" and s["country"] == "US"
        for s in httpx.get(base + "/api/v1/sources").json()["items"]
    )
    missing = httpx.get(base + "/api/v1/events/999999")
    assert missing.status_code == 404 and missing.json() == {
        "error": "NotFound",
        "message": "no event 999999",
    }
    bad = httpx.get(base + "/api/v1/articles", params={"limit": 0})
    assert (
        bad.status_code == 422
        and bad.json()["error"] == "ValidationError"
        and "limit" in bad.json()["message"]
    )


def test_writes_with_the_token(site: tuple[str, Store]) -> None:
    base, store = site
    added = httpx.post(base + "/api/v1/feeds", json={"url": "https://feeds.example.org/b.xml"}, headers=AUTH)
    assert added.status_code == 201 and added.json() == {"created": 1, "existing": 0}
    assert any(f["url"].endswith("/b.xml") for f in httpx.get(base + "/api/v1/feeds").json()["items"])
    text = (
        "Harbour reopens after storm\n\nThe harbour of the town reopened on Tuesday after a storm closed it "
        "for three days, the port authority said. Fishing boats returned to the water in the morning."
    )
    doc = httpx.post(
        base + "/api/v1/documents", json={"content": text, "kind": "text"}, headers=AUTH, timeout=60
    )
    assert doc.status_code == 201, doc.text
    new_id = doc.json()["article_id"]
    assert httpx.get(f"{base}/api/v1/articles/{new_id}").json()["title"] == "Harbour reopens after storm"
    again = httpx.post(base + "/api/v1/documents", json={"content": text, "kind": "text"}, headers=AUTH)
    assert again.json()["outcome"] == "duplicate"
    with store.read() as conn:
        harbour, seeds = event_rows.event_of(conn, new_id), event_rows.event_of(conn, 1)
    moved = httpx.post(
        f"{base}/api/v1/articles/{new_id}/move", json={"event": seeds}, headers=AUTH, timeout=60
    )
    assert moved.status_code == 200, moved.text
    assert new_id in [m["id"] for m in httpx.get(f"{base}/api/v1/events/{seeds}").json()["members"]]
    split = httpx.post(
        f"{base}/api/v1/events/{seeds}/split", json={"articles": [new_id]}, headers=AUTH, timeout=60
    )
    assert split.status_code == 200, split.text
    new_event = split.json()["new_event_id"]
    assert [m["id"] for m in httpx.get(f"{base}/api/v1/events/{new_event}").json()["members"]] == [new_id]
    merged = httpx.post(
        f"{base}/api/v1/events/{seeds}/merge", json={"other": new_event}, headers=AUTH, timeout=60
    )
    assert merged.status_code == 200 and httpx.get(f"{base}/api/v1/events/{new_event}").status_code == 404
    assert harbour is not None


def test_nul_characters_and_ids_beyond_the_store_are_refused_clearly(site: tuple[str, Store]) -> None:
    """Over both stores alike: PostgreSQL can neither hold nor compare a string with NUL in it, nor an id
    beyond its integers; before, each of these was a server error there (and quietly worked on SQLite)."""
    base, _ = site
    paths = ["/api/v1/search?q=summit%00x", "/api/v1/articles?source=a%00b", "/search?q=a%00",
             "/categories/a%00b", "/feeds/search.rss?q=a%00b", "/api/v1/events?language=a%00"]  # fmt: skip
    for path in paths:
        r = httpx.get(base + path)
        assert r.status_code == 422, (path, r.status_code, r.text[:200])
        if path.startswith("/api/"):
            assert r.json()["error"] == "InputError" and "NUL" in r.json()["message"], path
    for body in (
        {"url": "https://a.example/x\u0000y"},
        {"url": "https://a.example/r.xml", "category": "a\u0000"},
    ):
        r = httpx.post(base + "/api/v1/feeds", json=body, headers=AUTH)
        assert r.status_code == 422 and r.json()["error"] == "ValidationError", (body, r.text[:200])
    for path in (f"/api/v1/articles/{2**31}", f"/api/v1/events/{2**40}", f"/events/{2**31}"):
        assert httpx.get(base + path).status_code == 422, path
    assert httpx.get(base + f"/api/v1/articles?cursor={2**31}").status_code == 422
    assert httpx.get(base + "/api/v1/search?q=summit").status_code == 200  # the guard lets the rest through
    # and the OpenAPI document says so, so that a client generated from it never sends what is refused
    doc = httpx.get(base + "/api/v1/openapi.json").json()
    (q,) = [p for p in doc["paths"]["/api/v1/search"]["get"]["parameters"] if p["name"] == "q"]
    assert q["schema"]["pattern"] == "^[^\\x00]*$"
