"""Translation to English: segmentation, engines behind one interface, guards, routing."""

from tidings.translate.base import ArticleTranslation, TranslatedSentence, Translator
from tidings.translate.router import MemoryCache, Router, TranslationCache, default_router
from tidings.translate.segment import Segment, segment, split_sentences

__all__ = [
    "ArticleTranslation",
    "MemoryCache",
    "Router",
    "Segment",
    "TranslatedSentence",
    "TranslationCache",
    "Translator",
    "default_router",
    "segment",
    "split_sentences",
]
