"""Client for a LibreTranslate server (self-hosted neural MT), configured by URL."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from tidings.errors import TranslationError
from tidings.translate import guards
from tidings.translate.base import TranslatedSentence

TIMEOUT_SECONDS = 60.0  # a CPU LibreTranslate needs ~1 s a sentence; a 50-sentence batch fits
MAX_BATCH = 50  # sentences per request; LibreTranslate's default char limit is per request


class LibreTranslateClient:
    """POST /translate with `q` as a list (one request per batch); GET /languages for the pairs."""

    name = "libretranslate"

    def __init__(self, url: str, api_key: str | None = None, *, client: httpx.Client | None = None) -> None:
        self.url = url.rstrip("/")
        self.api_key = api_key
        self._client = client or httpx.Client(timeout=TIMEOUT_SECONDS)
        self._pairs: set[tuple[str, str]] | None = None
        self.version = f"libretranslate {self.url}"

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        """One HTTP call; TranslationError on network, status or JSON failure."""
        try:
            response = self._client.request(method, self.url + path, **kwargs)
            response.raise_for_status()
            return response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise TranslationError(f"{method} {path}: {exc}", where=self.url) from exc

    def pairs(self) -> set[tuple[str, str]]:
        """The server's (source, target) pairs from GET /languages; empty when it cannot be reached."""
        if self._pairs is None:
            try:
                languages = self._request("GET", "/languages")
            except TranslationError:
                return set()  # not cached: the server may come up later
            self._pairs = {
                (str(lang["code"]), str(tgt))
                for lang in languages
                if isinstance(lang, dict) and "code" in lang
                for tgt in lang.get("targets", [])
            }
        return self._pairs

    def translate(self, sentences: Sequence[str], src: str, tgt: str = "en") -> list[TranslatedSentence]:
        """Translate in batches of MAX_BATCH sentences; results aligned with the input."""
        out: list[TranslatedSentence] = []
        for start in range(0, len(sentences), MAX_BATCH):
            batch = list(sentences[start : start + MAX_BATCH])
            payload: dict[str, Any] = {"q": batch, "source": src, "target": tgt, "format": "text"}
            if self.api_key:
                payload["api_key"] = self.api_key
            answer = self._request("POST", "/translate", json=payload)
            texts = answer.get("translatedText") if isinstance(answer, dict) else None
            if isinstance(texts, str) and len(batch) == 1:
                texts = [texts]
            if not isinstance(texts, list) or len(texts) != len(batch):
                raise TranslationError(f"answer does not align with {len(batch)} sentences", where=self.url)
            for source, text in zip(batch, texts, strict=True):
                text = str(text)
                out.append(TranslatedSentence(source, text, self.name, guards.check(source, text, src, tgt)))
        return out

    def close(self) -> None:
        """Close the HTTP connection pool."""
        self._client.close()
