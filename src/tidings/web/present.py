"""Shapes stored rows and briefs for the pages: wording, ordering, chart geometry. No I/O."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from tidings.models import feature_text

LANGUAGES = {
    "ar": "Arabic",
    "ca": "Catalan",
    "de": "German",
    "en": "English",
    "es": "Spanish",
    "fr": "French",
    "it": "Italian",
    "ja": "Japanese",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "ru": "Russian",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "vi": "Vietnamese",
    "zh": "Chinese",
    "ko": "Korean",
    "sv": "Swedish",
    "el": "Greek",
    "ro": "Romanian",
    "cs": "Czech",
    "fa": "Persian",
    "he": "Hebrew",
    "hi": "Hindi",
}
# Claim groups shown first: disagreement is the news no single outlet shows.
VERDICT_ORDER = {"conflict": 0, "precision": 1, "agree": 2, "single-source": 3}
VERDICT_LABEL = {
    "conflict": "conflict",
    "precision": "differ in precision",
    "agree": "agree",
    "single-source": "single source",
}
APART = ("prediction", "denial")  # modalities listed apart: never counted towards a verdict
# Coverage chart geometry (SVG user units).
BAR_H, BAR_GAP, LABEL_W, BAR_W = 18, 6, 110, 220


def language_name(code: str | None) -> str:
    """English name of a language code ("es" → Spanish); the code itself when unknown."""
    if not code:
        return "unknown"
    return LANGUAGES.get(code, code)


def web_url(url: str | None) -> str:
    """The URL if it is http(s), else "" (a `javascript:` link never reaches a page)."""
    value = (url or "").strip()
    return value if value.lower().startswith(("http://", "https://")) else ""


def when(value: Any) -> str:
    """A stored time as `YYYY-MM-DD HH:MM` (ISO strings keep their offset's local time)."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M")
    return str(value)[:16].replace("T", " ")


def plural(n: int, word: str) -> str:
    """`1 copy`, `2 copies`, `3 languages`."""
    if n == 1:
        return f"1 {word}"
    return f"{n} {word[:-1] + 'ies' if word.endswith('y') else word + 's'}"


def counts_line(ev: dict[str, Any]) -> str:
    """ "3 independent reports, 12 copies, 4 languages"."""
    parts = [plural(int(ev.get("independent_count") or 0), "independent report")]
    if ev.get("copy_count"):
        parts.append(plural(int(ev["copy_count"]), "copy"))
    parts.append(plural(len(ev.get("languages") or []), "language"))
    return ", ".join(parts)


def _duration(seconds: float) -> str:
    if seconds >= 3600:
        return f"{seconds / 3600:.3g} h"
    if seconds >= 60:
        return f"{seconds / 60:.3g} min"
    return f"{seconds:.3g} s"


def _amount(value: Any, unit: str) -> str:
    if value is None:
        return "∞"
    if unit == "date":
        return str(value)
    number = float(value)
    if unit == "seconds":
        return _duration(number)
    if unit == "metres":
        return f"{number / 1000:.3g} km" if number >= 1000 else f"{number:.3g} m"
    if unit == "percent":
        return f"{number:.3g} %"
    if unit == "count":
        return f"{number:,.0f}"
    return f"{number:,.4g} {unit}"


def interval(statement: dict[str, Any]) -> str:
    """A statement's normalised value: `3.4–4 h`, `≥ 300`, `4.5 %`."""
    unit = statement.get("unit")
    if not unit:
        return ""
    low, high = statement.get("low"), statement.get("high")
    if high is None:
        return f"≥ {_amount(low, unit)}"
    if low == high:
        return _amount(low, unit)
    return f"{_amount(low, unit)} – {_amount(high, unit)}"


@dataclass(frozen=True)
class ClaimView:
    """A claim group as the claims table shows it: verdict rows, and predictions/denials apart."""

    id: str
    kind: str
    about: str
    verdict: str
    label: str
    rows: list[dict[str, Any]]
    apart: list[dict[str, Any]]
    conflicting: frozenset[int]


def claim_views(brief: dict[str, Any]) -> tuple[list[ClaimView], list[ClaimView], list[ClaimView]]:
    """(groups several sources share — conflicts first —, single-source groups, groups with predictions)."""
    views = []
    for g in brief.get("claims") or []:
        statements = list(g.get("statements") or [])
        flagged = {i for pair in g.get("conflicts") or [] for i in pair}
        rows = [
            {**s, "conflict": i in flagged}
            for i, s in enumerate(statements)
            if s.get("modality") not in APART
        ]
        apart = [s for s in statements if s.get("modality") in APART]
        verdict = str(g.get("verdict") or "single-source")
        views.append(
            ClaimView(
                str(g.get("id")),
                str(g.get("kind")),
                str(g.get("about") or ""),
                verdict,
                VERDICT_LABEL.get(verdict, verdict),
                rows,
                apart,
                frozenset(i for i, s in enumerate(rows) if s["conflict"]),
            )
        )
    views.sort(key=lambda v: (VERDICT_ORDER.get(v.verdict, 9), v.kind != "quantity"))
    shared = [v for v in views if v.verdict != "single-source" and v.rows]
    single = [v for v in views if v.verdict == "single-source" and v.rows]
    predicted = [v for v in views if v.apart]
    return shared, single, predicted


@dataclass(frozen=True)
class Bar:
    """One bar of the coverage chart."""

    label: str
    articles: int
    sources: int
    y: int
    width: int


def coverage_bars(rows: list[dict[str, Any]], key: str) -> tuple[list[Bar], int]:
    """Bars (scaled to the largest count) and the chart's height, for by_language or by_country rows."""
    most = max((int(r.get("articles") or 0) for r in rows), default=0) or 1
    bars = []
    for i, r in enumerate(rows):
        name = str(r.get(key) or "unknown")
        label = language_name(name) if key == "language" else name
        n = int(r.get("articles") or 0)
        bars.append(
            Bar(
                label,
                n,
                int(r.get("sources") or 0),
                i * (BAR_H + BAR_GAP),
                max(2, math.floor(BAR_W * n / most)),
            )
        )
    return bars, max(BAR_H, len(bars) * (BAR_H + BAR_GAP))


def shared_features(shared: Any, limit: int = 6) -> str:
    """ "entity: putin, entity: biden, number: 45" — what a member shares with its event."""
    items = [feature_text(f) for f in (shared or [])[:limit] if isinstance(f, dict)]
    return ", ".join(items)


def paragraphs(body: str | None) -> list[str]:
    """A stored body's paragraphs (blank-line separated)."""
    return [p for p in (body or "").split("\n\n") if p.strip()]


def sentence_rows(translation: dict[str, Any] | None) -> list[list[dict[str, Any]]]:
    """A translation's aligned sentences grouped by paragraph, each labelled by how it was made."""
    if not translation or translation.get("kind") in (None, "none", "original"):
        return []
    out: dict[int, list[dict[str, Any]]] = {}
    for s in translation.get("sentences") or []:
        quality = str(s.get("quality") or "")
        unmatched = s.get("engine") == "evidence" and not s.get("text")
        if quality == "gloss" or s.get("engine") == "freedict":
            label = "gloss"
        elif unmatched:
            label = ""  # no English sentence says it: the page says so, with no label on an empty cell
        elif quality == "evidence" or s.get("engine") == "evidence":
            label = "evidence"
        elif quality == "passthrough":
            label = "as written"
        else:
            label = "numbers differ" if quality == "numbers-differ" else ""
        out.setdefault(int(s.get("paragraph") or 0), []).append({**s, "label": label, "unmatched": unmatched})
    return [out[k] for k in sorted(out)]


def kind_label(kind: str | None) -> str:
    """How the English text was made, as the article page names it."""
    return {
        "translation": "machine translation",
        "gloss": "gloss (word by word, not a translation)",
        "evidence": "evidence (matched English reporting, not a translation)",
    }.get(kind or "", "")
