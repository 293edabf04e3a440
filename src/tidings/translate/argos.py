"""Argos Translate (CTranslate2) from model packages installed from local files; optional."""

from __future__ import annotations

import importlib
import importlib.metadata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from tidings.errors import TranslationError
from tidings.translate import guards
from tidings.translate.base import TranslatedSentence


def _argos() -> Any | None:
    """The argostranslate.translate module, or None when Argos is not installed."""
    try:
        return importlib.import_module("argostranslate.translate")
    except ImportError:
        return None


def install_model(path: Path) -> None:
    """Install an .argosmodel file that the operator supplied (no download)."""
    try:
        package = importlib.import_module("argostranslate.package")
    except ImportError as exc:
        raise TranslationError("argostranslate is not installed", where=str(path)) from exc
    package.install_from_path(str(path))


class ArgosTranslator:
    """Argos Translate models installed on this machine; reports no pairs when Argos is absent."""

    name = "argos"

    def __init__(self) -> None:
        self._module = _argos()
        version = "absent"
        if self._module is not None:
            try:
                version = importlib.metadata.version("argostranslate")
            except importlib.metadata.PackageNotFoundError:
                version = "unknown"
        self.version = f"argostranslate {version}"

    def _languages(self) -> list[Any]:
        """Argos's installed languages (each with .code and .translations_from)."""
        if self._module is None:
            return []
        return list(self._module.get_installed_languages())

    def pairs(self) -> set[tuple[str, str]]:
        """Pairs of the installed Argos models; empty without Argos or models."""
        found: set[tuple[str, str]] = set()
        for lang in self._languages():
            for translation in getattr(lang, "translations_from", []):
                found.add((str(translation.from_lang.code), str(translation.to_lang.code)))
        return found

    def translate(self, sentences: Sequence[str], src: str, tgt: str = "en") -> list[TranslatedSentence]:
        """Translate sentence by sentence with the installed model (CTranslate2 batches internally)."""
        if (src, tgt) not in self.pairs() or self._module is None:
            raise TranslationError(f"no Argos model for {src}→{tgt}", where="argos")
        translation = self._module.get_translation_from_codes(src, tgt)
        out: list[TranslatedSentence] = []
        for source in sentences:
            try:
                text = str(translation.translate(source)) if source.strip() else ""
            except Exception as exc:  # a model failure of any kind fails the batch with a typed error
                raise TranslationError(f"argos {src}→{tgt}: {exc}", where="argos") from exc
            out.append(TranslatedSentence(source, text, self.name, guards.check(source, text, src, tgt)))
        return out
