"""Headlines read against headlines: a feed item with a title and next to no text meets an event through its
members' titles, whose vectors say more about it than the sum of their leads (session 15: "Biden and Putin
hold constructive summit in Geneva" against the sample's summit event, USE cosine 0.53 to its leads' sum,
0.85 to its titles' sum)."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from tidings.cluster.features import DocFeatures, Embedder, uncapped

# Title vectors kept (2 KB each); the rest are read again when needed.
MAX_TITLES = 4096


class TitleReader:
    """Title vectors of documents and their sums over an event's newest members, read on demand."""

    def __init__(self, embedder: Embedder, reads: Callable[[str], bool]) -> None:
        self.embedder = embedder
        self.reads = reads  # whether the encoder reads a language
        self._vecs: OrderedDict[str, np.ndarray] = OrderedDict()
        self._sums: dict[int, tuple[tuple[str, ...], np.ndarray | None]] = {}
        self.embedded = 0  # titles sent to the encoder

    def vectors(self, docs: Sequence[DocFeatures]) -> list[np.ndarray | None]:
        """Each document's title vector (float64), None where it has no title the encoder reads; the
        missing ones are read in one call."""
        todo = [f for f in docs if f.doc_id not in self._vecs and f.title.strip() and self.reads(f.lang)]
        if todo:
            self.embedded += len(todo)
            for f, read in zip(todo, self.embedder.embed([uncapped(f.title) for f in todo]), strict=True):
                self._vecs[f.doc_id] = np.asarray(read, dtype=np.float64)
            while len(self._vecs) > MAX_TITLES:
                self._vecs.popitem(last=False)
        out: list[np.ndarray | None] = []
        for f in docs:
            vec = self._vecs.get(f.doc_id)
            if vec is not None:
                self._vecs.move_to_end(f.doc_id)
            out.append(vec)
        return out

    def of_event(
        self, event_id: int, members: Sequence[str], features: Mapping[str, DocFeatures]
    ) -> np.ndarray | None:
        """Sum of the title vectors of these members (an event's newest), kept until they change."""
        key = tuple(members)
        kept = self._sums.get(event_id)
        if kept is not None and kept[0] == key:
            return kept[1]
        vecs = [v for v in self.vectors([features[d] for d in members if d in features]) if v is not None]
        total = np.sum(vecs, axis=0) if vecs else None
        if len(self._sums) >= MAX_TITLES:  # events merged or split away leave sums nobody forgets
            self._sums.clear()
        self._sums[event_id] = (key, total)
        return total

    def forget(self, event_id: int) -> None:
        """Drop an event's kept sum (it retired)."""
        self._sums.pop(event_id, None)
