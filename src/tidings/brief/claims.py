"""Comparable claims across the articles of an event: quantities and propositions, grouped, with verdicts."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sklearn.feature_extraction.text import TfidfVectorizer

from tidings.brief.modality import clause_at, modality
from tidings.brief.model import BriefArticle, ClaimGroup, Quantity, Statement
from tidings.brief.quantities import find_quantities
from tidings.brief.words import WORD_RE, content_lemmas, lemma

# Two quantities measure the same thing when their proximity-weighted words overlap this much (overlap
# coefficient); 0.4 separates "meeting lasted" from "two months since Biden invited" on the seeds and keeps
# paraphrases together on the dev claim pairs (docs/eval-brief.md).
QUANTITY_SIM = 0.4
# Word weight falls with token distance from the number: 1 / (1 + d / PROXIMITY_SCALE).
PROXIMITY_SCALE = 4.0
# Intervals that miss each other by less than this share of the larger value still overlap: covers unit
# conversions rounded in print (5 km = 3.107 miles, 10 miles = 16.09 km) on the dev pairs.
RELATIVE_TOLERANCE = 0.02
# Paraphrased propositions from two articles have at least this TF-IDF cosine (ambassadors/readmit, seeds and
# dev proposition pairs); unrelated clauses about the same people stay under it.
PROPOSITION_SIM = 0.25
# Two proposition clusters join through a pair over the threshold only if their average pair similarity
# reaches this share of it: lets "consultations on cybersecurity" join a sentence that also limits
# proliferation (seeds). Quantity clusters need the full threshold on average, which stops "two months since
# Biden invited Putin to meet" chaining into the meeting's duration through "met for several hours".
AVERAGE_SHARE = 0.5
# A proposition needs this many content words to be worth comparing.
PROPOSITION_MIN_WORDS = 3
# Predicates that must match for two counts to be one claim: "12 killed" is not "40 injured".
PREDICATES = (
    "kill",
    "injure",
    "miss",
    "arrest",
    "evacuate",
    "rescue",
    "infect",
    "vote",
    "seat",
    "increase",
    "decrease",
)
# Modalities that assert what happened; predictions and denials are shown but never compared.
ASSERTED = ("fact", "attributed")

DIMENSIONS = {
    "seconds": "duration",
    "metres": "distance",
    "percent": "percentage",
    "count": "number",
    "date": "date",
}

_PROPOSITION_BREAK_RE = re.compile(
    r",?\s+and that\s+|;\s+|,\s+(?:in which|saying that|while|whereas|but|from where|where|and when)\s+"
    r"|\s+but\s+(?=\w+\s+\w+)",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Candidate:
    statement: Statement
    weights: dict[str, float]
    predicate: str | None


def _statement(
    article: BriefArticle,
    key: str,
    index: int,
    text: str,
    original: str | None,
    clause: str,
    mode: str,
    quantity: Quantity | None = None,
) -> Statement:
    return Statement(
        article_id=article.id,
        source=article.source,
        source_key=key,
        published=article.published,
        sentence_index=index,
        text=text,
        original=original,
        modality=mode,
        clause=clause,
        quantity=quantity,
    )


def _weighted_words(sentence: str, q: Quantity, spans: list[tuple[int, int]]) -> dict[str, float]:
    """Content lemmas of the given spans, weighted by token distance from the quantity."""
    weights: dict[str, float] = {}
    for cs, ce in spans:
        for m in WORD_RE.finditer(sentence, cs, ce):
            if q.start <= m.start() < q.end:
                continue
            for lem in content_lemmas(m.group(0)):
                gap = sentence[min(m.end(), q.end) : max(m.start(), q.start)]
                distance = len(WORD_RE.findall(gap))
                w = 1.0 / (1.0 + distance / PROXIMITY_SCALE)
                weights[lem] = max(weights.get(lem, 0.0), w)
    if q.noun:
        for lem in content_lemmas(q.noun):
            weights[lem] = 1.0
    return weights


def quantity_candidates(article: BriefArticle, key: str) -> list[_Candidate]:
    """One candidate per quantity in the article, with its measured-thing words and modality."""
    out = []
    for sentence in article.sentences:
        text = sentence.text
        for q in find_quantities(text, article.published):
            cs, ce, compared = clause_at(text, q.start, q.end)
            spans = [(cs, ce)]
            if compared is not None:
                spans.append((compared, cs))
            weights = _weighted_words(text, q, spans)
            if not weights:
                weights = _weighted_words(text, q, [(0, len(text))])
            mode = modality(text, cs, ce)
            predicate = next((p for p in PREDICATES if p in weights), None)
            st = _statement(
                article, key, sentence.index, text, sentence.original, text[cs:ce].strip(), mode, q
            )
            out.append(_Candidate(st, weights, predicate))
    return out


def _similarity(a: dict[str, float], b: dict[str, float]) -> float:
    shared = sum(min(a[w], b[w]) for w in a.keys() & b.keys())
    smaller = min(sum(a.values()), sum(b.values()))
    return shared / smaller if smaller else 0.0


def _comparable(a: _Candidate, b: _Candidate) -> bool:
    qa, qb = a.statement.quantity, b.statement.quantity
    assert qa is not None and qb is not None
    if qa.unit != qb.unit or a.predicate != b.predicate:
        return False
    if qa.noun and qb.noun:
        return lemma(qa.noun.split()[-1]) == lemma(qb.noun.split()[-1])
    return True


def _widened(q: Quantity) -> tuple[float, float]:
    scale = max(abs(q.low), abs(q.high) if math.isfinite(q.high) else abs(q.low))
    slack = q.rounding + RELATIVE_TOLERANCE * scale if q.unit != "date" else 0.0
    return q.low - slack, q.high + slack


def compare(a: Quantity, b: Quantity) -> str:
    """agree, precision or conflict for two quantities in the same unit."""
    a_low, a_high = _widened(a)
    b_low, b_high = _widened(b)
    if a_high < b_low or b_high < a_low:
        return "conflict"
    if a.vagueness == 0 and b.vagueness == 0:
        a_in_b = b_low <= a.low <= b_high
        b_in_a = a_low <= b.low <= a_high
        return "agree" if a_in_b and b_in_a else "precision" if a_in_b or b_in_a else "conflict"
    if (a.vagueness <= 1 and b.vagueness <= 1) or a.vagueness == b.vagueness:
        return "agree"
    return "precision"


def verdict(statements: Sequence[Statement]) -> tuple[str, tuple[tuple[int, int], ...]]:
    """Verdict of a quantity group over asserted statements from different independent sources."""
    worst = "single-source"
    rank = {"single-source": 0, "agree": 1, "precision": 2, "conflict": 3}
    conflicts = []
    for i, a in enumerate(statements):
        for j in range(i + 1, len(statements)):
            b = statements[j]
            if a.source_key == b.source_key or a.modality not in ASSERTED or b.modality not in ASSERTED:
                continue
            assert a.quantity is not None and b.quantity is not None
            result = compare(a.quantity, b.quantity)
            if result == "conflict":
                conflicts.append((i, j))
            if rank[result] > rank[worst]:
                worst = result
    return worst, tuple(conflicts)


def average_link(
    n: int, sims: dict[tuple[int, int], float], threshold: float, share: float = 1.0
) -> list[list[int]]:
    """Clusters joined by a pair over threshold whose average pair similarity reaches share × threshold."""
    cluster_of = list(range(n))
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    # total similarity between clusters, kept up to date on each merge
    links: dict[int, dict[int, float]] = {i: {} for i in range(n)}
    for (i, j), value in sims.items():
        links[i][j] = links[i].get(j, 0.0) + value
        links[j][i] = links[j].get(i, 0.0) + value
    for (i, j), value in sorted(sims.items(), key=lambda kv: -kv[1]):
        if value < threshold:
            break
        ci, cj = cluster_of[i], cluster_of[j]
        if ci == cj:
            continue
        if links[ci].get(cj, 0.0) / (len(members[ci]) * len(members[cj])) < share * threshold:
            continue
        if len(members[ci]) < len(members[cj]):
            ci, cj = cj, ci
        for x in members[cj]:
            cluster_of[x] = ci
        members[ci].extend(members.pop(cj))
        for k, total in links.pop(cj).items():
            if k == ci:
                continue
            links[ci][k] = links[ci].get(k, 0.0) + total
            links[k][ci] = links[k].get(ci, 0.0) + total
            del links[k][cj]
        links[ci].pop(cj, None)
    return [sorted(m) for m in members.values()]


def _about_quantity(cands: list[_Candidate]) -> str:
    q = cands[0].statement.quantity
    assert q is not None
    counts: Counter[str] = Counter()
    for c in cands:
        counts.update({w: wt for w, wt in c.weights.items()})
    words = [w for w, _ in counts.most_common(3)]
    dimension = DIMENSIONS.get(q.unit, "amount")
    if q.unit == "count" and q.noun:
        dimension = f"number of {q.noun}"
    return f"{dimension}: {' '.join(words)}" if words else dimension


def group_quantities(
    cands: list[_Candidate],
) -> list[tuple[str, list[Statement], str, tuple[tuple[int, int], ...]]]:
    """Quantity candidates grouped by measured thing: (about, statements, verdict, conflicts) per group."""
    # identical clauses (wire copies, repeated leads) are clustered once
    copies: dict[tuple[str, str, int], list[int]] = {}
    for i, c in enumerate(cands):
        assert c.statement.quantity is not None
        copies.setdefault(
            (c.statement.clause.lower(), c.statement.text, c.statement.quantity.start), []
        ).append(i)
    unique = [v[0] for v in copies.values()]
    sims = {}
    for i, a in enumerate(unique):
        for j in range(i + 1, len(unique)):
            b = unique[j]
            if _comparable(cands[a], cands[b]):
                sims[(i, j)] = _similarity(cands[a].weights, cands[b].weights)
    members_of = list(copies.values())
    out = []
    for clustered in average_link(len(unique), sims, QUANTITY_SIM):
        group = [cands[i] for u in clustered for i in members_of[u]]
        statements = [c.statement for c in group]
        v, conflicts = verdict(statements)
        out.append((_about_quantity(group), statements, v, conflicts))
    return out


def proposition_statements(article: BriefArticle, key: str) -> list[Statement]:
    """Clause-level statements of an article that can be compared with other articles."""
    out = []
    for sentence in article.sentences:
        text = sentence.text
        begin = 0
        pieces = []
        for m in _PROPOSITION_BREAK_RE.finditer(text):
            pieces.append((begin, m.start()))
            begin = m.end()
        pieces.append((begin, len(text)))
        for ps, pe in pieces:
            clause = text[ps:pe].strip(" ,.;")
            if len(set(content_lemmas(clause))) < PROPOSITION_MIN_WORDS or find_quantities(clause):
                continue
            mode = modality(text, ps, pe)
            out.append(_statement(article, key, sentence.index, text, sentence.original, clause, mode))
    return out


def group_propositions(statements: list[Statement]) -> list[tuple[str, list[Statement], str]]:
    """Paraphrase groups of propositions: (about, statements, verdict) per group."""
    if not statements:
        return []
    copies: dict[str, list[int]] = {}
    for i, st in enumerate(statements):
        copies.setdefault(" ".join(st.clause.lower().split()), []).append(i)
    members_of = list(copies.values())
    vectorizer = TfidfVectorizer(analyzer=content_lemmas, sublinear_tf=True)
    matrix = vectorizer.fit_transform(list(copies))
    product = (matrix @ matrix.T).tocoo()
    floor = (
        AVERAGE_SHARE * PROPOSITION_SIM / 2
    )  # pairs this weak barely move an average; dropping them is fast
    sims = {
        (int(i), int(j)): float(v)
        for i, j, v in zip(product.row, product.col, product.data, strict=True)
        if i < j and v >= floor
    }
    out = []
    for clustered in average_link(len(members_of), sims, PROPOSITION_SIM, AVERAGE_SHARE):
        group = [statements[i] for i in sorted(i for u in clustered for i in members_of[u])]
        keys = {s.source_key for s in group}
        if len(keys) < 2:
            v = "single-source"
        else:
            denied = {s.source_key for s in group if s.modality == "denial"}
            asserted = {s.source_key for s in group if s.modality != "denial"}
            v = "conflict" if denied and asserted and denied != asserted else "agree"
        about = min((s.clause for s in group), key=len)
        out.append((about, group, v))
    return out


def build_claims(articles: Sequence[BriefArticle], keys: dict[int, str]) -> tuple[ClaimGroup, ...]:
    """Claim groups of an event: quantity groups first, then propositions, multi-source groups first."""
    cands = [c for a in articles for c in quantity_candidates(a, keys[a.id])]
    props = [s for a in articles for s in proposition_statements(a, keys[a.id])]
    rows: list[tuple[str, str, list[Statement], str, tuple[tuple[int, int], ...]]] = []
    for about, statements, v, conflicts in group_quantities(cands):
        rows.append(("quantity", about, statements, v, conflicts))
    for about, statements, v in group_propositions(props):
        rows.append(("proposition", about, statements, v, ()))
    order = {"conflict": 0, "precision": 1, "agree": 2, "single-source": 3}
    rows.sort(key=lambda r: (r[0] != "quantity", order[r[3]], -len({s.source_key for s in r[2]})))
    return tuple(
        ClaimGroup(id=f"c{n}", kind=kind, about=about, verdict=v, statements=tuple(st), conflicts=conflicts)
        for n, (kind, about, st, v, conflicts) in enumerate(rows, 1)
    )
