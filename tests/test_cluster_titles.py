"""Headlines compared with headlines: title vectors read on demand, their sums per event, and when."""

from __future__ import annotations

import numpy as np

from tidings.cluster import ClusterDoc, extract
from tidings.cluster.features import SHORT_CHARS, lead_of, uncapped
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


def test_lines_in_capitals_reach_the_encoder_capitalised() -> None:
    assert uncapped("REPORT: RED SOX MAKE HUGE OFFER") == "Report: Red Sox Make Huge Offer"
    assert (
        uncapped("FIRED IN PHILLY!!\nThe Sixers fired O'Brien.")
        == "Fired In Philly!!\nThe Sixers fired O'Brien."
    )
    for kept in ("NATO meets in Vilnius", "NATO", "Talks in the US and EU.", "北京 NATO 峰会", ""):
        assert uncapped(kept) == kept
    enc = CountingEmbedder()
    doc = _doc("a", "REPORT: RED SOX MAKE HUGE OFFER TO TEIXEIRA")
    ours, plain = (
        np.asarray(v) for v in enc.embed([lead_of(doc), "Report: Red Sox make huge offer to Teixeira"])
    )
    assert float(ours @ plain) > 0.8 and enc.texts[0].startswith("Report: Red Sox")
