"""Direct quotes with speakers resolved, aligned across articles; reported speech joins a matching quote."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from tidings.brief.entities import EntityIndex
from tidings.brief.model import BriefArticle, QuoteGroup, Rendering
from tidings.brief.words import content_lemmas

# Fewer words than this inside quote marks is a scare quote ("constructive"), not a quote.
QUOTE_MIN_WORDS = 3
# Two renderings are one quote at this rapidfuzz token_set_ratio (lowercased), or at QUOTE_LEMMA_OVERLAP of
# content lemmas: the two renderings of Putin's "desire to understand each other" in seed 004 score 96.
QUOTE_RATIO = 75
QUOTE_LEMMA_OVERLAP = 0.6
# Reported speech joins a quote group of the same speaker when it covers this share of the quote's content
# lemmas: "described the summit ... as constructive" covers "the conversation was rather constructive".
REPORTED_COVER = 0.6

_VERBS = (
    r"said|says|added|stressed|told|insisted|explained|noted|warned|declared|continued|asked|replied|argued"
    r"|affirmed|assured|acknowledged|admitted|wrote|tweeted|claimed|recalled|concluded|commented|considered"
    r"|described|called|assessed|announced|confirmed|appreciated|agreed|agrees|believes|thinks"
)
_QUOTE_RE = re.compile(r"“([^”]{3,}?)”|\"([^\"]{3,}?)\"|«([^»]{3,}?)»")
_WHO = (
    r"(?P<who{n}>(?:[Hh]e|[Ss]he)|(?:[Tt]he\s+(?:[A-Z][\w.]*\s+|[a-z]+\s+){0,3}?[a-z]+)"
    r"|(?:[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}))"
)
_WHO1 = _WHO.replace("{n}", "1")
_WHO2 = _WHO.replace("{n}", "2")
_AFTER_RE = re.compile(rf"^\s*,?\s*(?:(?:{_VERBS})\s+{_WHO1}|{_WHO2}\s+(?:also\s+)?(?:{_VERBS}))\b")
_BEFORE_RE = re.compile(rf"{_WHO1},?\s+(?:\w+\s+){{0,2}}?(?:{_VERBS})\b")
_REPORTED_RE = re.compile(rf"^(?:[\w ,]*?,\s+)?{_WHO1}\s+(?:\w+\s+){{0,2}}?(?:{_VERBS})\b(?P<rest>.+)$")


def _who(m: re.Match[str]) -> str | None:
    return m.group("who1") or (m.groupdict().get("who2"))


@dataclass(frozen=True)
class _Said:
    speaker: str | None
    rendering: Rendering
    lemmas: frozenset[str]


def _speaker(who: str | None, index: EntityIndex, last: str | None) -> str | None:
    if not who:
        return None
    if who.lower() in ("he", "she"):
        return last
    if who.lower().startswith("the "):
        return index.role(who)
    return index.canonical(who) or who


def _sentence_people(text: str, index: EntityIndex) -> str | None:
    """The first named person or resolvable role in a sentence."""
    for m in re.finditer(
        r"(?:[Tt]he\s+(?:[A-Z]\w+\s+|[a-z]+\s+){0,2}?[a-z]+)|[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)*", text
    ):
        name = (
            index.role(m.group(0)) if m.group(0).lower().startswith("the ") else index.canonical(m.group(0))
        )
        if name and any(e.name == name and e.kind == "person" for e in index.entities):
            return name
    return None


def _article_quotes(article: BriefArticle, index: EntityIndex) -> tuple[list[_Said], list[_Said]]:
    """Direct quotes and reported-speech sentences of one article, speakers resolved."""
    direct: list[_Said] = []
    reported: list[_Said] = []
    last: str | None = None
    for sentence in article.sentences:
        text = sentence.text
        quotes = list(_QUOTE_RE.finditer(text))
        who_here = None
        for m in quotes:
            body = next(g for g in m.groups() if g is not None).strip(" ,.")
            after = _AFTER_RE.match(text[m.end() :])
            before = _BEFORE_RE.search(text[: m.start()])
            who = _who(after) if after else _who(before) if before else None
            speaker = (
                _speaker(who, index, last) if who else (who_here or (last if len(quotes) == 1 else None))
            )
            who_here = speaker or who_here
            if len(body.split()) < QUOTE_MIN_WORDS:
                continue
            rendering = Rendering(article.id, article.source, sentence.index, body, True, sentence.original)
            direct.append(_Said(speaker, rendering, frozenset(content_lemmas(body))))
        if not quotes:
            rm = _REPORTED_RE.match(text)
            if rm:
                speaker = _speaker(_who(rm), index, last)
                if speaker:
                    rendering = Rendering(
                        article.id, article.source, sentence.index, text, False, sentence.original
                    )
                    reported.append(_Said(speaker, rendering, frozenset(content_lemmas(rm.group("rest")))))
        last = who_here or _sentence_people(text, index) or last
    return direct, reported


def _same_quote(a: _Said, b: _Said) -> bool:
    if a.speaker and b.speaker and a.speaker != b.speaker:
        return False
    if fuzz.token_set_ratio(a.rendering.text.lower(), b.rendering.text.lower()) >= QUOTE_RATIO:
        return True
    small = min(len(a.lemmas), len(b.lemmas))
    return small >= 2 and len(a.lemmas & b.lemmas) / small >= QUOTE_LEMMA_OVERLAP


def align_quotes(articles: Sequence[BriefArticle], index: EntityIndex) -> tuple[QuoteGroup, ...]:
    """Quote groups of an event: one per statement, with every article's rendering of it."""
    groups: list[list[_Said]] = []
    all_reported: list[_Said] = []
    for article in articles:
        direct, reported = _article_quotes(article, index)
        all_reported.extend(reported)
        for said in direct:
            home = next((g for g in groups if any(_same_quote(said, x) for x in g)), None)
            if home is None:
                groups.append([said])
            else:
                home.append(said)
    for said in all_reported:
        best, best_cover = None, REPORTED_COVER
        for g in groups:
            speaker = next((x.speaker for x in g if x.speaker), None)
            if speaker != said.speaker:
                continue
            for x in g:
                if len(x.lemmas) >= 2 and len(x.lemmas & said.lemmas) / len(x.lemmas) >= best_cover:
                    best, best_cover = g, len(x.lemmas & said.lemmas) / len(x.lemmas)
        if best is not None:
            best.append(said)
    groups.sort(key=lambda g: (-len({x.rendering.article_id for x in g}), -len(g)))
    return tuple(
        QuoteGroup(
            id=f"q{n}",
            speaker=next((x.speaker for x in g if x.speaker), None),
            renderings=tuple(x.rendering for x in g),
        )
        for n, g in enumerate(groups, 1)
    )
