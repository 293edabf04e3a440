"""Multi-document extractive summary: central sentences that several independent sources support."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from tidings.brief.model import BriefArticle, SummarySentence
from tidings.brief.words import content_lemmas

# A sentence from another source "supports" a candidate at this TF-IDF cosine (seed pairs on the ambassadors
# and cybersecurity score 0.3-0.5; unrelated sentences about the same leaders stay under 0.25).
SUPPORT_SIM = 0.25
# A candidate this close to a chosen sentence says the same thing and is skipped.
REDUNDANT_SIM = 0.4
# Sentences shorter than this (in words) are headings or chrome, longer ones run-ons.
MIN_WORDS, MAX_WORDS = 8, 70
# Lead sentences carry the story: score bonus LEAD_BONUS / (1 + position).
LEAD_BONUS = 0.5


def summarize(
    articles: Sequence[BriefArticle], keys: dict[int, str], n: int = 5
) -> tuple[SummarySentence, ...]:
    """The n most central sentences across sources, no two saying the same thing, each cited."""
    rows = [
        (a, s)
        for a in articles
        for s in a.sentences
        if MIN_WORDS <= len(s.text.split()) <= MAX_WORDS and not s.text.lstrip().startswith(('"', "“"))
    ]
    if not rows or n <= 0:
        return ()
    matrix = TfidfVectorizer(analyzer=content_lemmas, sublinear_tf=True).fit_transform(
        [s.text for _, s in rows]
    )
    sims = (matrix @ matrix.T).toarray()
    source = np.array([keys[a.id] for a, _ in rows])
    centroid = np.asarray(matrix.mean(axis=0)).ravel()
    centrality = matrix @ centroid
    names, column = np.unique(source, return_inverse=True)
    onehot = np.zeros((len(rows), len(names)))
    onehot[np.arange(len(rows)), column] = 1.0
    reach = ((sims >= SUPPORT_SIM).astype(float) @ onehot) > 0  # sentence i is echoed by source k
    reach[np.arange(len(rows)), column] = False
    support = [1 + int(n) for n in reach.sum(axis=1)]
    scores = [
        support[i] + float(centrality[i]) / (float(centrality.max()) or 1.0) + LEAD_BONUS / (1 + s.index)
        for i, (_, s) in enumerate(rows)
    ]
    chosen: list[int] = []
    for i in sorted(range(len(rows)), key=lambda k: -scores[k]):
        if any(sims[i, j] >= REDUNDANT_SIM for j in chosen):
            continue
        chosen.append(i)
        if len(chosen) == n:
            break
    return tuple(
        SummarySentence(rows[i][0].id, rows[i][0].source, rows[i][1].index, rows[i][1].text, support[i])
        for i in chosen
    )
