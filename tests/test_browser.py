"""End to end in Debian's Chromium (Playwright): the real server on loopback, a store from the sample."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tidings.store import Store
from tidings.store import events as event_rows
from tidings.web import create_app

from .conftest import REPO
from .live import serve
from .web_fixture import TOKEN, article_id, build_store, web_settings

pytestmark = pytest.mark.browser
CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = REPO / "test-artifacts"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Store]]:
    """The app over a freshly built sample store, served on loopback."""
    settings = web_settings(tmp_path_factory.mktemp("browser"))
    store = build_store(settings)
    with serve(create_app(settings, store)) as base:
        yield base, store
    store.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Headless system Chromium, background networking off."""
    if not CHROMIUM.exists():
        pytest.skip("Debian chromium is not installed")
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield b
        b.close()


class Watch:
    """Dialogs and console errors a page produced (injected code would show up here)."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.errors: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(str(e)))


def test_reader_journey(site: tuple[str, Store], browser: Any) -> None:
    base, store = site
    with store.read() as conn:
        seeds_event = event_rows.event_of(conn, article_id(store, "Putin-Biden summit"))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watch = Watch(page)

    page.goto(base + "/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"
    page.screenshot(path=ARTIFACTS / "front.png", full_page=True)
    page.click(f"article.event a[href='/events/{seeds_event}']")

    page.wait_for_url(f"**/events/{seeds_event}")
    conflict = page.locator("#claims-shared tbody.verdict-conflict").first
    assert "duration" in conflict.locator("th").first.inner_text()
    rows = conflict.inner_text()
    assert "nearly 4 hours" in rows and "almost" in rows and "conflict" in rows
    predictions = page.locator("#claims-predictions").inner_text()
    assert "5 hours" in predictions and "prediction" in predictions
    assert page.locator("svg[role=img]").count() >= 1  # coverage chart
    page.screenshot(path=ARTIFACTS / "event.png", full_page=True)

    page.click("table.members a:has-text('Ginebra')")
    page.wait_for_url("**/articles/*")
    assert "apertium" in page.locator("p.engine").inner_text()
    pair = page.locator(".pair").nth(1)
    english, original = pair.locator(".en"), pair.locator(".src")
    assert "hours" in english.inner_text() and "horas" in original.inner_text()
    left, right = english.bounding_box(), original.bounding_box()
    assert left["x"] + left["width"] <= right["x"] and abs(left["y"] - right["y"]) < 5  # side by side
    page.screenshot(path=ARTIFACTS / "article.png", full_page=True)

    page.fill("#site-q", "Navalny")
    page.press("#site-q", "Enter")
    page.wait_for_url("**/search?q=Navalny*")
    results = page.locator("ul.results > li > a")
    navalny = article_id(store, "Biden and Putin have")  # 004
    assert results.count() >= 1 and f"/articles/{navalny}" in results.first.get_attribute("href")
    page.screenshot(path=ARTIFACTS / "search.png", full_page=True)

    page.click("header nav >> text=Archive")
    page.wait_for_url("**/day/*")
    page.goto(base + "/day/2021-06-16")
    assert page.locator("h1").inner_text() == "All news articles on 2021-06-16"
    assert page.locator("ul.articles li").count() >= 1
    page.screenshot(path=ARTIFACTS / "day.png", full_page=True)
    assert not watch.dialogs and not watch.errors, (watch.dialogs, watch.errors)
    page.close()


def test_phone_layout_has_no_sideways_scroll(site: tuple[str, Store], browser: Any) -> None:
    base, store = site
    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
    spanish = article_id(store, "Biden y Putin celebran")
    for path, shot in ((f"/articles/{spanish}", "article-phone.png"), ("/", "front-phone.png")):
        page.goto(base + path)
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 391, f"{path} is {width}px wide on a 390px phone"
        page.screenshot(path=ARTIFACTS / shot, full_page=True)
    page.close()


def test_hostile_article_is_shown_as_text(site: tuple[str, Store], browser: Any) -> None:
    base, store = site
    text_id, record_id = article_id(store, "Mayor <img"), article_id(store, "Mayor <script")
    with store.read() as conn:
        xss_event = event_rows.event_of(conn, text_id)
    page = browser.new_page()
    watch = Watch(page)
    pages = (
        f"/articles/{text_id}",
        f"/articles/{record_id}",
        f"/events/{xss_event}",
        "/",
        "/search?q=bridge",
        "/sources",
        "/day/2021-06-16",
        "/feeds",
    )
    for path in pages:
        page.goto(base + path)
        assert page.locator("script").count() == 0, path
        assert page.locator("img[src='x'], svg[onload], [onerror], [onmouseover]").count() == 0, path
        assert page.locator("a[href^='javascript']").count() == 0, path
    page.goto(f"{base}/articles/{text_id}")
    shown = page.locator("main").inner_text()
    assert "<script>alert('title')</script>" in shown and "<script>alert('body')</script>" in shown
    assert "<a href=\"javascript:alert('link')\">click here</a>" in shown
    assert "<svg onload=\"alert('svg')\"></svg>" in shown
    page.goto(f"{base}/articles/{record_id}")
    assert "Example <b onmouseover=" in page.locator("main").inner_text()
    page.screenshot(path=ARTIFACTS / "xss.png", full_page=True)
    assert not watch.dialogs, watch.dialogs
    assert not watch.errors, watch.errors
    page.close()


def test_an_editor_splits_an_article_out_from_the_event_page(site: tuple[str, Store], browser: Any) -> None:
    base, store = site
    spanish = article_id(store, "Biden and Putin have")
    with store.read() as conn:
        seeds = event_rows.event_of(conn, spanish)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    watch = Watch(page)
    page.goto(f"{base}/events/{seeds}")
    page.check(f"table.members tr#a{spanish} input[type=checkbox]")  # in the table, of the form below it
    page.check("form#correct input[value=split]")
    page.fill("form#correct #token", TOKEN)
    page.screenshot(path=ARTIFACTS / "correct.png", full_page=True)
    page.click("form#correct button[type=submit]")
    page.wait_for_url("**/events/*?corrected=split")
    assert "now form this new event" in page.locator("[role=status]").inner_text()
    assert page.locator("table.members tbody tr").count() == 1
    assert f"/articles/{spanish}" in page.locator("table.members tbody a").first.get_attribute("href")
    new = int(page.url.split("/events/")[1].split("?")[0])
    # and back: the other event's number typed into the form of the event it joins
    page.goto(f"{base}/events/{seeds}")
    page.check("form#correct input[value=merge]")
    page.fill("form#correct #target", str(new))
    page.fill("form#correct #token", TOKEN)
    page.click("form#correct button[type=submit]")
    page.wait_for_url(f"**/events/{seeds}?corrected=merge")
    assert page.locator(f"table.members tr#a{spanish}").count() == 1
    assert not watch.dialogs and not watch.errors, (watch.dialogs, watch.errors)
    page.close()
