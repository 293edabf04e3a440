"""The periodic merge/split pass and user corrections (move, merge, split, links), which it never undoes."""

from __future__ import annotations

from collections.abc import Iterable

from tidings.cluster.online import OnlineClusterer
from tidings.cluster.score import profile_of_event, similarity
from tidings.cluster.state import Constraint, Event
from tidings.errors import InputError, NotFound

# Event-to-event similarity from which the pass merges two active events. Set above the join threshold so
# the pass only joins events that grew together (kept equal to the join threshold, as when both were 0.30
# on the old unramped scale).
MERGE_THRESHOLD = 0.70
# A member whose similarity to the rest of its event fell below this leaves it (drift after merges); a third
# of the merge threshold, the old ratio.
SPLIT_THRESHOLD = 0.25
# Events smaller than this are not split (a pair has no "rest" to drift from).
MIN_SPLIT_SIZE = 3


def _pinned(c: OnlineClusterer, ev: Event) -> bool:
    return any(c.state.memberships[d].pinned for d in ev.members)


def _linked(c: OnlineClusterer, kind: str, a: Iterable[str], b: Iterable[str]) -> bool:
    sa, sb = set(a), set(b)
    return any(
        k.kind == kind and k.b is not None and ((k.a in sa and k.b in sb) or (k.a in sb and k.b in sa))
        for k in c.state.constraints
    )


def may_merge(c: OnlineClusterer, a: Event, b: Event) -> bool:
    """Whether corrections allow two events to become one."""
    if _pinned(c, a) and _pinned(c, b):
        return False  # each holds documents a user placed there
    return not _linked(c, "cannot_link", a.members, b.members)


def _absorb(c: OnlineClusterer, into: Event, other: Event, pin: bool) -> None:
    for doc_id in list(other.members):
        m = c.state.memberships[doc_id]
        c.detach(doc_id)
        c.attach(doc_id, into.id, m.score, pinned=pin or m.pinned)


def recluster(c: OnlineClusterer, *, split_drifted: bool = False) -> tuple[int, int]:
    """Merge active events that grew together and (if asked) split off drifted members; (merges, splits).

    Splitting is off by default: in a multilingual event a member whose only common ground with the rest
    is names and the embedding scores low against it, and the pass pulled such members out (on the bundled
    sample it split the two seed reports of one summit apart).
    """
    merges = splits = 0
    for ev_id in sorted(c.state.events, key=lambda i: -len(c.state.events[i].members)):
        ev = c.state.events.get(ev_id)
        if ev is None:
            continue
        prof = profile_of_event(ev)
        keys = {k: v for k, v in (*ev.names.items(), *ev.terms.items())}
        for other_id in c.index.candidates(keys):
            other = c.state.events.get(other_id)
            if other is None or other_id == ev.id or not may_merge(c, ev, other):
                continue
            if similarity(prof, profile_of_event(other), c.weights).value >= MERGE_THRESHOLD:
                big, small = (ev, other) if len(ev.members) >= len(other.members) else (other, ev)
                _absorb(c, big, small, pin=False)
                merges += 1
                if small is ev:
                    break
    for ev in list(c.state.events.values()) if split_drifted else []:
        if len(ev.members) < MIN_SPLIT_SIZE:
            continue
        for doc_id in list(ev.members):
            if len(ev.members) < MIN_SPLIT_SIZE:
                break
            m = c.state.memberships[doc_id]
            if m.pinned or m.copy_of or _linked(c, "must_link", [doc_id], ev.members):
                continue
            c.detach(doc_id)
            s = c.score(c.state.features[doc_id], ev)
            c.attach(doc_id, ev.id if s.value >= SPLIT_THRESHOLD else None, s.value)
            splits += int(s.value < SPLIT_THRESHOLD)
    return merges, splits


def move(c: OnlineClusterer, doc_id: str, event_id: int) -> None:
    """User correction: put a document in an event and pin it there."""
    if event_id not in c.state.events:
        raise NotFound(f"no active event {event_id}")
    c.event_of(doc_id)
    c.detach(doc_id)
    c.attach(doc_id, event_id, 1.0, pinned=True)
    c.constrain(Constraint("pin", doc_id, event_id=event_id))


def merge(c: OnlineClusterer, into_id: int, other_id: int) -> None:
    """User correction: make two events one; every member is pinned to the result."""
    if into_id == other_id:
        raise InputError("cannot merge an event with itself", where=str(into_id))
    into, other = c.state.events.get(into_id), c.state.events.get(other_id)
    if into is None or other is None:
        raise NotFound(f"no active event {into_id if into is None else other_id}")
    members = list(other.members)
    _absorb(c, into, other, pin=True)
    for doc_id in [*into.members, *members]:
        c.state.memberships[doc_id].pinned = True
    for doc_id in members:
        c.constrain(Constraint("must_link", into.members[0], doc_id))


def split(c: OnlineClusterer, event_id: int, doc_ids: Iterable[str]) -> int:
    """User correction: move documents out into a new event; both sides are pinned and kept apart."""
    ev = c.state.events.get(event_id)
    if ev is None:
        raise NotFound(f"no active event {event_id}")
    out = [d for d in doc_ids if d in ev.members]
    if not out or len(out) == len(ev.members):
        raise InputError("a split needs some but not all members of the event", where=str(event_id))
    c.detach(out[0])
    new_id = c.attach(out[0], None, 1.0, pinned=True).event_id
    for doc_id in out[1:]:
        c.detach(doc_id)
        c.attach(doc_id, new_id, 1.0, pinned=True)
    for doc_id in ev.members:
        c.state.memberships[doc_id].pinned = True
    c.constrain(Constraint("cannot_link", ev.members[0], out[0]))
    return new_id


def link(c: OnlineClusterer, a: str, b: str, *, same: bool) -> None:
    """User correction: two documents are (or are not) about one event."""
    c.constrain(Constraint("must_link" if same else "cannot_link", a, b))
