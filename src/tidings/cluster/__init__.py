"""Online cross-lingual event clustering: features, candidate index, scoring, online placement."""

from tidings.cluster.embed import (
    E5Embedder,
    EmbedPolicy,
    StaticUSEEmbedder,
    USEEmbedder,
    default_embedder,
    fallback_embedder,
)
from tidings.cluster.features import ClusterDoc, DocFeatures, Embedder, extract
from tidings.cluster.online import OnlineClusterer
from tidings.cluster.state import ClusterState, Constraint, Event, Membership, SharedFeature

__all__ = [
    "ClusterDoc",
    "ClusterState",
    "Constraint",
    "DocFeatures",
    "E5Embedder",
    "EmbedPolicy",
    "Embedder",
    "Event",
    "Membership",
    "OnlineClusterer",
    "SharedFeature",
    "StaticUSEEmbedder",
    "USEEmbedder",
    "default_embedder",
    "extract",
    "fallback_embedder",
]
