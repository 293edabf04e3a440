"""Clauses of a sentence and the modality of what a clause asserts: fact, prediction, denial or attributed."""

from __future__ import annotations

import re

# Clause breaks: punctuation, and connectives that introduce a compared or contrasted figure.
_BREAK_RE = re.compile(
    r"\s*[,;:()\[\]—–]\s*|\s+-\s+"
    r"|\s+(?=(?:instead of|rather than|compared (?:with|to)|up from|down from|versus|as against|while|whereas"
    r"|but|although|though)\b)",
    re.IGNORECASE,
)
# A clause that begins with one of these measures the same thing as the clause before it.
_COMPARATIVE_RE = re.compile(
    r"^(?:instead of|rather than|compared (?:with|to)|up from|down from|versus|as against|not|than|from)\b",
    re.IGNORECASE,
)
_DENIAL_RE = re.compile(
    r"\b(?:den(?:y|ied|ies|ying)|reject(?:ed|s|ing)?|dismiss(?:ed|es|ing)?|refut(?:ed|es|ing)|disput(?:ed|es|ing)"
    r"|not true|falsely|no evidence|never)\b",
    re.IGNORECASE,
)
_PREDICTION_RE = re.compile(
    r"\b(?:predict\w*|expect\w*|forecast\w*|projected|projection|planned|plans? to|scheduled|due to"
    r"|will|would|could|might|may(?!\s+\d)|is to|are to|set to|likely|anticipat\w*|originally|initially"
    r"|targets?|targeted|aims? to|aimed|hopes? to|goal|intend\w*|should|proposed|budgeted|poised)\b",
    re.IGNORECASE,
)
_ATTRIBUTION_RE = re.compile(
    r"\b(?:said|says|told|claimed|claims|announced|stated|reported|according to|cited|quoted|insisted"
    r"|confirmed|added|affirmed|estimated|acknowledged|noted|explained|assured|warned|tweeted|wrote|stressed"
    r"|described|considered|assessed|called|argued|admitted|revealed|indicated|suggested|maintained)\b",
    re.IGNORECASE,
)
# "expected" in "longer than expected" compares with a plan; it does not make the figure a prediction.
_THAN_EXPECTED_RE = re.compile(r"\bthan (?:originally |initially )?(?:expected|planned|predicted|forecast)\b")


def clauses(sentence: str) -> list[tuple[int, int]]:
    """Character spans of the clauses of a sentence."""
    spans = []
    begin = 0
    for m in _BREAK_RE.finditer(sentence):
        if m.start() > begin:
            spans.append((begin, m.start()))
        begin = m.end()
    if begin < len(sentence):
        spans.append((begin, len(sentence)))
    return spans or [(0, len(sentence))]


def clause_at(sentence: str, start: int, end: int) -> tuple[int, int, int | None]:
    """The clause holding [start, end), and the clause it compares with (for "instead of the 5 hours")."""
    spans = clauses(sentence)
    for i, (cs, ce) in enumerate(spans):
        if cs <= start < ce or (cs < end <= ce):
            compared = None
            if i > 0 and _COMPARATIVE_RE.match(sentence[cs:ce]):
                compared = i - 1
            return cs, max(ce, end), (spans[compared][0] if compared is not None else None)
    return 0, len(sentence), None


def modality(sentence: str, clause_start: int, clause_end: int) -> str:
    """Modality of a clause in its sentence: denial and prediction cues in the clause, else attribution."""
    clause = sentence[clause_start:clause_end]
    if _DENIAL_RE.search(clause):
        return "denial"
    if _PREDICTION_RE.search(_THAN_EXPECTED_RE.sub(" ", clause.lower())):
        return "prediction"
    prefix = sentence[:clause_start]
    # a denial or forecast verb heading the sentence governs the clause after "that"
    if re.search(r"\bthat\s*$", prefix) or clause.lower().startswith("that "):
        if _DENIAL_RE.search(prefix):
            return "denial"
        if _PREDICTION_RE.search(_THAN_EXPECTED_RE.sub(" ", prefix.lower())):
            return "prediction"
    if _ATTRIBUTION_RE.search(sentence):
        return "attributed"
    return "fact"
