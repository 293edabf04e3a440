"""A brief as plain text for the terminal (`tidings compare`, `tidings events show`)."""

from __future__ import annotations

from typing import Any

_VERDICT_ORDER = {"conflict": 0, "precision": 1, "agree": 2, "single-source": 3}


def _value(st: dict[str, Any]) -> str:
    if "unit" not in st:
        return ""
    low, high, unit = st.get("low"), st.get("high"), st["unit"]
    shown = f"{low}" if low == high else f"{low}..{high if high is not None else '∞'}"
    return f" = {shown} {unit} ({st.get('hedge') or 'exact'}: {st.get('as_written', '')})"


def _claims(brief: dict[str, Any]) -> list[str]:
    lines = ["CLAIMS (conflicts first; predictions are their own rows)"]
    groups = sorted(brief.get("claims", []), key=lambda g: (_VERDICT_ORDER.get(g["verdict"], 9), g["id"]))
    for group in groups:
        lines.append(f"  [{group['verdict']}] {group['id']} {group['about']}")
        for st in group["statements"]:
            who = st.get("source") or f"article {st['article_id']}"
            lines.append(f"      {who} ({st['modality']}){_value(st)}: {st['text'][:140]}")
    return lines


def render_text(brief: dict[str, Any]) -> str:
    """Claims table, quotes, entities, summary, timeline and coverage, in that order."""
    lines = _claims(brief)
    lines.append("QUOTES")
    for quote in brief.get("quotes", []):
        lines.append(f"  {quote['speaker'] or 'unknown speaker'}:")
        for r in quote["renderings"]:
            kind = "direct" if r.get("direct") else "reported"
            lines.append(
                f"      {r.get('source') or 'article ' + str(r['article_id'])} ({kind}): {r['text'][:140]}"
            )
    lines.append("ENTITIES")
    for entity in brief.get("entities", [])[:30]:
        spellings = ", ".join(s for s in entity.get("spellings", []) if s != entity["name"])
        lines.append(f"  {entity['name']} ({entity['kind']}){' — also ' + spellings if spellings else ''}")
    lines.append("SUMMARY")
    for sentence in brief.get("summary", []):
        lines.append(
            f"  {sentence['text']} [{sentence.get('source') or 'article ' + str(sentence['article_id'])}]"
        )
    lines.append("TIMELINE")
    for item in brief.get("timeline", []):
        if item["kind"] == "article":
            lines.append(f"  {item['time'] or '?'}  {item.get('source') or ''}: {item['text']}")
    coverage = brief.get("coverage", {})
    articles, independent = coverage.get("articles", 0), coverage.get("independent_sources", 0)
    lines.append(f"COVERAGE: {articles} articles, {independent} independent sources")
    for row in coverage.get("by_language", []):
        lines.append(f"  language {row['language']}: {row['articles']} articles, {row['sources']} sources")
    for row in coverage.get("by_country", []):
        lines.append(f"  country {row['country']}: {row['articles']} articles, {row['sources']} sources")
    if coverage.get("note"):
        lines.append(f"  {coverage['note']}")
    return "\n".join(lines)
