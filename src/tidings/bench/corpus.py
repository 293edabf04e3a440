"""Generated benchmark corpora: varied pages built from the bundled sample, no downloads."""

from __future__ import annotations

import html
import random
from pathlib import Path

SAMPLE = Path(__file__).resolve().parents[3] / "sample"

_NAMES = ["Geneva", "Lisbon", "Nairobi", "Hanoi", "Quito", "Oslo", "Manila", "Tunis", "Lima", "Riga"]
_SECTIONS = ["News/Politics", "News/World", "Business/Economy", "News/Science", "Sport/Football"]


def sample_paragraphs() -> list[str]:
    """Body paragraphs of the bundled plain-text seeds (long enough to look like prose)."""
    paragraphs: list[str] = []
    for path in sorted(SAMPLE.glob("*.txt")):
        for block in path.read_text(encoding="utf-8").split("\n\n"):
            if "\n" in block.strip():
                continue  # a caption pair (a line and its translation) is no body paragraph
            block = " ".join(block.split())
            if len(block) > 120:
                paragraphs.append(block)
    return paragraphs


def text_pages(n: int, seed: int = 7) -> list[str]:
    """Plain-text pages in the shape of a republishing site: header, title, body, caption, chrome."""
    rng = random.Random(seed)
    paras = sample_paragraphs()
    pages = []
    for i in range(n):
        city = rng.choice(_NAMES)
        body = [p.replace("Geneva", city) for p in rng.sample(paras, k=min(len(paras), rng.randint(5, 10)))]
        body.insert(1, f"Round {i} of the talks opened in {city} on Wednesday morning, officials said.")
        pages.append(
            "The Limited Times\n\nNow you can see non-English news...\n\n"
            f"Leaders meet in {city} for talks number {i}\n\n\n"
            + "\n\n".join(body)
            + f"\n\nThe leaders in {city} on Wednesday. (Jane Doe / Pool Photo via AP) AP\n\n"
            + "\n\n".join(rng.sample(paras, k=2))
            + f"\n\nSource: telemundo\n\nAll news articles on 2021-06-{10 + i % 19:02d}\n\nSimilar news:\n\n"
            + f"You may like\n\nTrends 24h\n\n{rng.choice(_SECTIONS)} 2021-10-21T21:22:48.263Z\n\n"
            + "© Communities 2019 - Privacy\n"
        )
    return pages


def _chrome(rng: random.Random) -> tuple[str, str, str]:
    """Header, aside and footer markup of the size real news sites carry (menus, teasers, scripts)."""
    words = ["World", "Politics", "Business", "Tech", "Science", "Health", "Sport", "Culture", "Opinion"]
    menu = "".join(
        f'<li class="menu-item"><a href="/{w.lower()}/{k}" data-track="nav-{k}">{w} {k}</a></li>'
        for k in range(12)
        for w in words
    )
    script = "<script>window.__CONFIG__ = " + repr({f"k{k}": "x" * 40 for k in range(60)}) + ";</script>"
    teasers = "".join(
        f'<div class="teaser"><a href="/story/{rng.randint(1, 99999)}"><img src="/i/{k}.jpg" alt="">'
        f"<h4>Related headline number {k} about {rng.choice(_NAMES)}</h4></a><p>Short teaser text.</p></div>"
        for k in range(20)
    )
    share = "".join(f'<a class="share" href="/share/{n}">Share on {n}</a>' for n in ("X", "Facebook", "Mail"))
    links = "".join(f"<li><a href=/f/{j}>Footer link {j}</a></li>" for j in range(15))
    footer = f"<ul>{links}</ul>" * 6
    cookie = '<div class="cookie">We use cookies. <button>Accept</button></div>'
    header = f"<header>{cookie}<nav><ul>{menu}</ul></nav></header>"
    return (
        header + script + share,
        f"<aside><h3>Read more</h3>{teasers}</aside>",
        f"<footer>{footer}© Example Herald</footer>",
    )


def html_pages(n: int, seed: int = 11) -> list[str]:
    """News pages of realistic size (about 20 KB): menus, scripts, JSON-LD, a figure, teasers, footer."""
    rng = random.Random(seed)
    paras = sample_paragraphs()
    pages = []
    for i in range(n):
        city = rng.choice(_NAMES)
        title = f"Leaders meet in {city} for talks number {i}"
        body = "".join(
            f"<p>{html.escape(p.replace('Geneva', city))}</p>\n"
            for p in rng.sample(paras, k=min(len(paras), rng.randint(8, 16)))
        )
        header, aside, footer = _chrome(rng)
        pages.append(
            f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title} | Herald</title>'
            f'<meta property="og:site_name" content="Example Herald">'
            f'<meta property="article:section" content="{rng.choice(_SECTIONS)}">'
            '<script type="application/ld+json">{"@type":"NewsArticle","datePublished":'
            f'"2021-06-{10 + i % 19:02d}T08:33:00+07:00","author":{{"name":"Jane Doe"}}}}</script>'
            f"</head><body>{header}<main><article><h1>{title}</h1>"
            f'<p class="byline">By Jane Doe</p>{body}'
            f'<figure><img src="a.jpg"><figcaption>The leaders in {city}. (AP)</figcaption></figure>'
            f"</article></main>{aside}{footer}</body></html>"
        )
    return pages
