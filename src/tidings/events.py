"""The event stage of the pipeline: stored articles → online clusterer → events, memberships, briefs."""

from __future__ import annotations

import pickle
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection

from tidings.cluster import (
    ClusterDoc,
    ClusterState,
    EmbedPolicy,
    Event,
    Membership,
    OnlineClusterer,
    SharedFeature,
    default_embedder,
    fallback_embedder,
    passes,
)
from tidings.dedup import TRANSLATED_SENTENCES, SentenceVectors, is_translated_copy, sentence_vectors
from tidings.models import Failed
from tidings.settings import Settings
from tidings.store import Store
from tidings.store import events as event_rows
from tidings.translate.segment import segment, split_sentences
from tidings.translation import EventEnglish, Translation, event_english

if TYPE_CHECKING:
    from tidings.brief.model import BriefArticle

# Articles handed to the clusterer at once: embeddings are computed per batch, much faster than singly.
CLUSTER_BATCH = 256
# Reports the second encoder reads at the end of a run (and in the periodic pass), ~0.3-0.9 s each: a bulk
# import of 100,000 Vietnamese articles is placed by words and does not wait hours for e5; the rest stays
# queued for later runs.
CATCH_UP_PER_RUN = 500
# Briefs are rebuilt when an event changes, up to this many members; larger events are briefed from
# their newest members (the brief of 50 articles takes well under 2 s, docs/benchmarks.md).
BRIEF_MAX_ARTICLES = 60
# Members in other languages a new report is tested against for being their translated copy (its closest
# by the clustering score): each test reads up to 10 sentences a side, with USE (a few ms) where it reads
# both languages, else with e5 (~1.5 s of CPU). A feed poll stays far below the cap; a bulk import of
# multilingual events tests TRANSLATED_PER_RUN pairs a run, and the reports left over wait for the next
# runs (at most MAX_UNTESTED of them, the oldest dropped first).
# How many of the closest are tested: 2 where e5 reads the pair, 5 where USE does, as a test then costs a
# hundredth. With 2 for both, the sample's Russian report, which renders the German one, was found or not
# by a hair's difference in the German gloss (its German partners ranked French, Russian, Spanish ...).
TRANSLATED_PARTNERS = 2
TRANSLATED_PARTNERS_USE = 5
TRANSLATED_PER_RUN = 300
MAX_UNTESTED = 5_000


@dataclass
class EventReport:
    """What one clustering run did."""

    placed: int = 0
    new_events: int = 0
    copies: int = 0
    events_touched: set[int] = field(default_factory=set)

    def as_dict(self) -> dict[str, Any]:
        """Counts for --json output."""
        return {"placed": self.placed, "new_events": self.new_events, "copies": self.copies,
                "events_touched": len(self.events_touched)}  # fmt: skip


def _lang(row: dict[str, Any]) -> str:
    return str(row.get("language") or "").split("-")[0]


def _sentence_vectors(row: dict[str, Any], reader: tuple[str, Any]) -> SentenceVectors:
    """A stored article's first sentences as written (before translation), read by `reader`."""
    lang = _lang(row)
    sentences = [s.text for s in segment(row.get("body") or "", lang) if s.text.strip()]
    return sentence_vectors(sentences[:TRANSLATED_SENTENCES], lang, reader)


def cluster_doc(row: dict[str, Any]) -> ClusterDoc:
    """What the clusterer needs of a stored article: the English text where a translation exists."""
    translated = row.get("t_kind") == "translation"
    glossed = row.get("t_kind") == "gloss"
    published = row.get("published_utc")
    if isinstance(published, datetime) and published.tzinfo is None:
        published = published.replace(tzinfo=UTC)
    archived = row.get("archive_date")
    if archived:
        # A republished page is listed in the archive of the day the story ran; its own timestamp is the
        # republication's, often months later, which would keep it out of the story's event.
        day = datetime.fromisoformat(str(archived)).replace(tzinfo=UTC)
        published = day if not isinstance(published, datetime) or day < published else published
    return ClusterDoc(
        id=str(row["id"]),
        lang=row.get("original_language") or row.get("language") or "",
        written_in=row.get("language") or "",
        title=(row["t_title"] if translated else row["title"]) or "",
        text=(row["t_body"] if translated else row["body"]) or "",
        original_text=row["body"] if translated else None,
        gloss_title=(row["t_title"] or "") if glossed else "",
        gloss=(row["t_body"] or "") if glossed else "",
        published=published if isinstance(published, datetime) else None,
        source=row.get("source"),
        url=row.get("url"),
    )


class EventStage:
    """Keeps one online clusterer over the store; its state is saved with the memberships it makes."""

    def __init__(
        self,
        store: Store,
        settings: Settings,
        *,
        embedder: Any = "default",
        translation: Translation | None = None,
    ) -> None:
        self.store = store
        self.settings = settings
        self.translation = translation  # given: evidence for languages no engine covers
        self._embedder = embedder
        self._clusterer: OnlineClusterer | None = None

    @property
    def clusterer(self) -> OnlineClusterer:
        """The clusterer, restored from the store's saved state the first time."""
        if self._clusterer is None:
            with self.store.read() as conn:
                data = event_rows.load_state(conn)
            state: ClusterState | None = pickle.loads(data) if data else None
            policy = EmbedPolicy(self.settings.cluster_embed)
            embedder = self._embedder
            if embedder == "default":
                embedder = default_embedder(self.settings.cluster_embedder)  # the model loads on first use
            fallback = None
            if policy.mode != "never" and self._embedder == "default":
                fallback = fallback_embedder(self.settings.cluster_fallback, self.settings.cluster_embedder)
            self._clusterer = OnlineClusterer(
                state,
                embedder=None if policy.mode == "never" else embedder,
                policy=policy,
                fallback=fallback,
            )
        return self._clusterer

    def run(self, *, limit: int = 1_000_000, briefs: bool = True) -> EventReport:
        """Place every article not yet in an event, oldest first; rebuild the briefs of touched events
        (or leave that to the caller, who may batch it: a brief costs up to a second or two)."""
        report = EventReport()
        while report.placed < limit:
            with self.store.read() as conn:
                rows = event_rows.unclustered(conn, limit=CLUSTER_BATCH)
            if not rows:
                break
            placed = self.clusterer.add_batch([cluster_doc(r) for r in rows])
            report.placed += len(placed)
            report.copies += sum(1 for m in placed if m.copy_of is not None)
            self._await_test(m.doc_id for m in placed if m.copy_of is None)
            report.events_touched |= self._sync_placed(placed, report)
        # reports placed by words while awaiting the second encoder, read now that every article is placed
        if self.clusterer.catch_up(CATCH_UP_PER_RUN):
            report.events_touched |= self._sync_placed([], report)
        # the events this run grew, merged with those they grew together with (the pass also runs every
        # MERGE_EVERY arrivals inside the clusterer)
        if report.placed and self.clusterer.tidy_grown():
            report.events_touched |= self._sync_placed([], report)
        # in the events the reports ended up in (a Vietnamese report joins its event when e5 reads it), and
        # what earlier runs and passes left untested
        if self.translation is not None and self.clusterer.state.untested:
            found = self.find_translated_copies()
            report.copies += len(found)
            report.events_touched |= self._sync_placed(found, report)
        if self.translation is not None:
            self.add_evidence(report.events_touched)
        if briefs:
            self.refresh_briefs(report.events_touched)
        return report

    def _sync_placed(self, placed: list[Membership], report: EventReport) -> set[int]:
        """Store new placements and the periodic pass's moves (tidings.cluster.refine); events touched."""
        c = self.clusterer
        moved, touched = self._drain_moved()
        docs = [m.doc_id for m in placed] + [d for d, _ in moved]
        current = {d: c.state.memberships[d] for d in docs if d in c.state.memberships}
        touched |= {m.event_id for m in current.values()}
        left = {e for _, e in moved}
        gone = left - set(c.state.events) - set(c.state.retired)  # emptied by a move, not retired
        with self.store.write() as conn:
            report.new_events += len(touched - event_rows.active_ids(conn))
            self._sync(conn, list(current.values()), touched)
            event_rows.delete_events(conn, sorted(gone))
        return touched

    def _drain_moved(self) -> tuple[list[tuple[str, int]], set[int]]:
        """The passes' moves since the last call, queued for the translated-copy test, and the events they
        touched: those the documents are in now, and those they left that are still active."""
        st = self.clusterer.state
        moved = self.clusterer.drain_moved()
        self._await_test(d for d, _ in moved)
        touched = {st.memberships[d].event_id for d, _ in moved if d in st.memberships}
        return moved, touched | ({e for _, e in moved} & set(st.events))

    def _await_test(self, docs: Iterable[str]) -> None:
        """Queue reports placed or moved for the translated-copy test (kept with the clusterer's state)."""
        st = self.clusterer.state
        st.untested = list(dict.fromkeys([*st.untested, *docs]))[-MAX_UNTESTED:]

    def find_translated_copies(self) -> list[Membership]:
        """Queued reports that render another member of their event in another language (a German copy
        of an English wire text, which shares no shingles with it): each is tested against its closest
        members in other languages (TRANSLATED_PARTNERS, more where USE reads the pair), sentence by
        sentence, up to TRANSLATED_PER_RUN tests; the reports the budget does not reach stay queued."""
        assert self.translation is not None
        c, router = self.clusterer, self.translation.router
        if router.reader is None and router.embedder is None:
            return []
        queue, c.state.untested = c.state.untested, []
        by_event: dict[int, list[str]] = {}
        for d in (d for d in queue if self._not_a_copy(d)):
            event_id = c.state.memberships[d].event_id
            if len(c.state.events[event_id].languages) > 1:  # as written: an engine's English hides a copy
                by_event.setdefault(event_id, []).append(d)
        found: list[Membership] = []
        budget = TRANSLATED_PER_RUN
        for event_id, new in sorted(by_event.items()):
            if budget <= 0:
                self._await_test(new)
                continue
            with self.store.read() as conn:
                members = event_rows.brief_inputs(conn, event_id, with_sentences=False)  # bodies as written
            rows = {str(r["id"]): r for r in members}
            read: dict[tuple[str, str], SentenceVectors] = {}  # (doc, encoder) -> its sentences
            for doc in (d for d in new if d in rows and self._not_a_copy(d)):
                partners = [
                    (other, reader)
                    for rank, (other, reader) in enumerate(self._partners(doc, rows))
                    if rank < (TRANSLATED_PARTNERS if reader[0] == "e5" else TRANSLATED_PARTNERS_USE)
                ]
                if len(partners) > budget:
                    self._await_test([doc])
                    continue
                for other, reader in partners:
                    budget -= 1
                    for d in (doc, other):
                        if (d, reader[0]) not in read:
                            read[d, reader[0]] = _sentence_vectors(rows[d], reader)
                    copy, matched, n = is_translated_copy(read[doc, reader[0]], read[other, reader[0]])
                    why = SharedFeature(
                        "translated copy", f"{matched} of {n} sentences match", matched / max(n, 1)
                    )
                    m = c.mark_translated(doc, other, why) if copy else None
                    if m is not None:
                        found.append(m)
                        break
        return found

    def _not_a_copy(self, doc: str) -> bool:
        """Whether a document is in an active event and is not a copy (yet)."""
        m = self.clusterer.state.memberships.get(doc)
        return m is not None and m.copy_of is None

    def _partners(self, doc: str, rows: dict[str, dict[str, Any]]) -> list[tuple[str, tuple[str, Any]]]:
        """Members of the event in another language that may render `doc` or be rendered by it, closest
        first by the clustering score, each with the encoder that reads the two languages."""
        c = self.clusterer
        assert self.translation is not None
        f, lang = c.state.features[doc], _lang(rows[doc])
        scored = []
        for o, r in rows.items():
            if o == doc or r["copy_of"] is not None or o not in c.state.features or _lang(r) == lang:
                continue
            reader = self.translation.router.reader_for({lang, _lang(r)})
            if reader is not None:
                scored.append((c.pair_score(f, c.state.features[o]).value, o, reader))
        scored.sort(key=lambda t: (t[0], t[1]), reverse=True)
        return [(o, reader) for _, o, reader in scored]

    def add_evidence(self, event_ids: Iterable[int]) -> None:
        """Members in a language no engine covers get the matching English sentences of their event; glossed
        members get them beside their gloss. Sought once, and again when the event's English doubles."""
        assert self.translation is not None
        for event_id in sorted(event_ids):
            with self.store.read() as conn:
                rows = event_rows.brief_inputs(conn, event_id)
            by_kind: dict[str, list[dict[str, Any]]] = {}
            for r in rows:
                by_kind.setdefault(str(r.get("translation_kind")), []).append(r)
            if not {"gloss", "none", "evidence"} & by_kind.keys():
                continue
            english = EventEnglish(self.translation.router, event_english(rows))
            self.translation.beside_gloss(by_kind.get("gloss", []), english)
            self.translation.with_evidence(by_kind.get("none", []) + by_kind.get("evidence", []), english)

    def _sync(self, conn: Connection, placed: Iterable[Membership], touched: set[int]) -> None:
        """Write memberships, the touched events' attributes, retirements and the clusterer's state."""
        c = self.clusterer
        live = [c.state.events[e] for e in sorted(touched) if e in c.state.events]
        event_rows.save_events(
            conn, [event_row(ev) for ev in live]
        )  # before the memberships that point at them
        event_rows.save_memberships(conn, [membership_row(m) for m in placed])
        countries = event_rows.countries_of(conn, [ev.id for ev in live])
        event_rows.save_events(
            conn, [{**event_row(ev), "countries": countries.get(ev.id, [])} for ev in live]
        )
        event_rows.deactivate(conn, c.drain_retired())
        event_rows.save_state(conn, pickle.dumps(c.export(), protocol=pickle.HIGHEST_PROTOCOL))

    def sync_all(self) -> None:
        """Rewrite every active event and its memberships (after merges, splits and moves)."""
        c = self.clusterer
        with self.store.write() as conn:
            gone = event_rows.active_ids(conn) - set(c.state.events)
            members = [c.state.memberships[d] for ev in c.state.events.values() for d in ev.members]
            self._sync(conn, members, set(c.state.events))
            event_rows.delete_events(conn, sorted(gone - set(c.state.retired)))

    def correct(self, kind: str, **payload: Any) -> int | None:
        """A user's correction (move, merge, split), applied, recorded, and respected from now on. A move
        takes one `article` or several (`articles`), each recorded as a move of its own; the new event's
        id for a split. Only the events it changed are briefed anew."""
        c = self.clusterer
        result: int | None = None
        records = [payload]
        if kind == "move":
            given = payload.get("articles") or [payload["article"]]
            event = int(payload["event"])
            touched = {event, *(c.event_of(str(a)).id for a in given)}  # joined and left
            for a in given:
                passes.move(c, str(a), event)
            records = [{"article": a, "event": payload["event"]} for a in given]
        elif kind == "merge":
            passes.merge(c, int(payload["into"]), int(payload["other"]))
            touched = {int(payload["into"])}
        elif kind == "split":
            result = passes.split(c, int(payload["event"]), [str(a) for a in payload["articles"]])
            touched = {int(payload["event"]), result}
        else:
            raise ValueError(kind)
        with self.store.write() as conn:
            for record in records:
                event_rows.add_correction(conn, kind, record)
        self.sync_all()
        self.refresh_briefs(touched & set(c.state.events))
        return result

    def recluster(self) -> tuple[int, int]:
        """The periodic pass: read what still awaits the second encoder, merge events that grew together,
        split ones that drifted; test what moved for translated copies; brief anew the events it changed."""
        c = self.clusterer
        c.catch_up(CATCH_UP_PER_RUN)
        merged, split = passes.recluster(c)
        _, touched = self._drain_moved()
        if self.translation is not None and c.state.untested:
            touched |= {m.event_id for m in self.find_translated_copies()}
        self.sync_all()
        c.drain_moved()  # stored by sync_all
        if self.translation is not None:
            self.add_evidence(touched)
        self.refresh_briefs(touched)
        c.collect_garbage()
        return merged, split

    def refresh_briefs(self, event_ids: Iterable[int]) -> None:
        """Rebuild and store the brief of each event."""
        from tidings.brief import brief_to_json, build_brief  # heavy (scikit-learn): only when briefing

        for event_id in sorted(event_ids):
            with self.store.read() as conn:
                rows = event_rows.brief_inputs(conn, event_id)
            if not rows:
                continue
            brief = brief_to_json(build_brief([brief_article(r) for r in rows[-BRIEF_MAX_ARTICLES:]]))
            with self.store.write() as conn:
                event_rows.save_brief(conn, event_id, brief)


def event_row(ev: Event) -> dict[str, Any]:
    """An event's attributes as the store keeps them."""
    return {
        "id": ev.id,
        "headline": ev.headline,
        "headline_kind": ev.headline_kind,
        "first_seen": ev.first_seen,
        "last_seen": ev.last_seen,
        "languages": sorted(set(ev.languages)),
        "countries": [],
        "sources": sorted(set(ev.sources)),
        "article_count": len(ev.members),
        "independent_count": ev.independent,
        "copy_count": ev.copies,
        "growth_24h": ev.growth(24.0, datetime.now(UTC)),
        "active": 1,
    }


def membership_row(m: Membership) -> dict[str, Any]:
    """Where an article is and why, as the store keeps it."""
    return {
        "article_id": int(m.doc_id),
        "event_id": m.event_id,
        "score": round(m.score, 4),
        "shared": [{"kind": f.kind, "value": f.value, "weight": round(f.weight, 4)} for f in m.shared],
        "time_gap_hours": m.time_gap_hours,
        "copy_of": int(m.copy_of) if m.copy_of is not None else None,
        "pinned": int(m.pinned),
    }


def brief_article(row: dict[str, Any]) -> BriefArticle:
    """A member as the brief reads it: English sentences, each with its original where translated."""
    from tidings.brief.model import BriefArticle, BriefSentence  # the brief package loads scikit-learn

    kind = row.get("translation_kind")
    if kind in ("translation", "original") and row["sentences"]:
        sentences = tuple(
            BriefSentence(i, text, source if kind == "translation" else None)
            for i, (_, text, source) in enumerate(row["sentences"])
            if text
        )
    elif kind in (None, "original") and (row.get("language") or "en") == "en":
        sentences = tuple(BriefSentence(i, s) for i, s in enumerate(split_sentences(row["body"] or "", "en")))
    else:
        sentences = ()  # a gloss or nothing: no English sentences to compare claims on
    published = row.get("published")
    return BriefArticle(
        id=int(row["id"]),
        source=row.get("source"),
        country=row.get("country"),
        language=row.get("language"),
        original_language=row.get("original_language"),
        published=str(published) if published else None,
        title=row.get("title_en") or row.get("title") or "",
        sentences=sentences,
        copy_of=row.get("copy_of"),
    )


def compare_inputs(inputs: list[str], settings: Settings, db_path: str) -> tuple[dict[str, Any], list[str]]:
    """Ingest documents into a scratch store, translate them, and brief them as one event."""
    from dataclasses import replace

    from tidings.brief import brief_to_json, build_brief
    from tidings.pipeline import Pipeline
    from tidings.store import articles as article_rows
    from tidings.store import open_store

    scratch = replace(settings, db=db_path)
    store = open_store(scratch.database_url)
    report = Pipeline(store, scratch, cluster=False).ingest(inputs)
    failures = [f"{o.locator}: {o.message}" for o in report.outcomes if isinstance(o, Failed)]
    with store.read() as conn:
        ids = list(article_rows.ids(conn))
        rows = event_rows.brief_inputs(conn, article_ids=ids)
    brief = brief_to_json(build_brief([brief_article(r) for r in rows]))
    store.close()
    return brief, failures
