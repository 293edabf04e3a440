"""Headlines compared with headlines: title vectors read on demand, their sums per event, and when."""

from __future__ import annotations

import numpy as np

from tidings.cluster import ClusterDoc, extract
from tidings.cluster.features import SHORT_CHARS
from tidings.cluster.titles import TitleReader

from .test_cluster import CountingEmbedder


def _doc(i: str, title: str, text: str = "", lang: str = "en") -> ClusterDoc:
    return ClusterDoc(id=i, lang=lang, title=title, text=text)


def test_a_title_with_next_to_no_text_is_short() -> None:
    assert extract(_doc("a", "Biden and Putin meet in Geneva")).short
    assert extract(_doc("b", "Biden and Putin meet", "They met in Geneva on Wednesday.")).short
    assert not extract(_doc("c", "Biden and Putin meet", "x" * SHORT_CHARS)).short
    assert not extract(_doc("d", "", "A text without a title, however short.")).short


def test_titles_are_read_once_and_their_sum_follows_the_members() -> None:
    enc = CountingEmbedder()
    reader = TitleReader(enc, lambda lang: lang != "vi")
    feats = {
        f.doc_id: f
        for f in (
            extract(_doc("a", "Summit in Geneva")),
            extract(_doc("b", "Leaders meet in Geneva")),
            extract(_doc("c", "Thượng đỉnh tại Geneva", lang="vi")),
        )
    }
    one = reader.of_event(1, ["a", "c"], feats)
    assert one is not None and enc.texts == ["Summit in Geneva"]  # Vietnamese is not read by this encoder
    assert reader.of_event(1, ["a", "c"], feats) is one and enc.texts == ["Summit in Geneva"]
    two = reader.of_event(1, ["a", "b"], feats)
    assert two is not None and enc.texts == ["Summit in Geneva", "Leaders meet in Geneva"]
    vecs = reader.vectors([feats["a"], feats["b"]])
    assert np.allclose(two, vecs[0] + vecs[1])  # type: ignore[operator]
    assert reader.of_event(2, ["c"], feats) is None
