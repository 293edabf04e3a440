"""Apertium rule-based translation: one `apertium` process per batch, sentence boundaries kept."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Sequence
from functools import cache
from pathlib import Path

from tidings.errors import TranslationError
from tidings.translate import guards
from tidings.translate.base import TranslatedSentence

MODES_DIR = Path("/usr/share/apertium/modes")
# Apertium language codes (ISO 639-3 or -1) of the source side of X→English modes, as ISO 639-1.
_ISO1 = {
    "spa": ("es",), "es": ("es",), "cat": ("ca",), "ca": ("ca",), "glg": ("gl",), "gl": ("gl",),
    "epo": ("eo",), "eo": ("eo",), "eus": ("eu",), "eu": ("eu",), "isl": ("is",), "is": ("is",),
    "mkd": ("mk",), "mk": ("mk",), "hbs": ("hbs", "sh", "sr", "hr", "bs"),
}  # fmt: skip
_MODE_NAME = re.compile(r"^([a-z]{2,3})-(en|eng)$")
_PACKAGE_DIR = re.compile(r"/usr/share/apertium/(apertium-[a-z-]+)/")
# Sentences are joined by a blank line: Apertium's text deformatter turns it into a superblank that ends a
# sentence for the transfer rules, so no rule reorders words across it, and the reformatter restores it.
_SEPARATOR = "\n\n"
_BLANK_LINE = re.compile(r"\n[ \t]*\n")
_MARKUP = re.compile(r"</?[A-Za-z][^<>]*>|&[a-z]+;|&#\d+;")
_ERROR_MARK = re.compile(r"(?<![\w#@])[#@](\w+)")  # generation (#) and transfer (@) error marks
_CYRILLIC = re.compile(r"[\u0400-\u04ff]")
MAX_BATCH = 5000  # sentences per process; bounds memory of one call, far above any article
SECONDS_PER_CHAR = 0.002  # timeout budget: ~500 chars/s is 30x slower than measured (bench translate)


@cache
def _dpkg_version(package: str) -> str:
    """The installed Debian version of a package, or "" when dpkg does not know it."""
    try:
        done = subprocess.run(
            ["dpkg-query", "-W", "-f", "${Version}", package], capture_output=True, text=True, check=False
        )
    except OSError:
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def discover_modes(modes_dir: Path = MODES_DIR) -> dict[str, str]:
    """Map each ISO source language with an installed X→English Apertium mode to the mode's name."""
    found: dict[str, str] = {}
    if not modes_dir.is_dir():
        return found
    for path in sorted(modes_dir.glob("*.mode")):
        match = _MODE_NAME.match(path.stem)
        if match is None or match.group(1) not in _ISO1:
            continue
        for iso in _ISO1[match.group(1)]:
            # Prefer the three-letter mode (the newer package) when both exist.
            if iso not in found or len(match.group(1)) == 3:
                found[iso] = path.stem
    return found


class ApertiumTranslator:
    """Apertium, through the `apertium` command and the installed Debian language pairs."""

    name = "apertium"

    def __init__(self, modes_dir: Path = MODES_DIR, command: str = "apertium") -> None:
        self.modes_dir = modes_dir
        self.command = command
        self._modes = discover_modes(modes_dir) if shutil.which(command) else {}
        self.version = _dpkg_version("apertium") or "unknown"

    def pairs(self) -> set[tuple[str, str]]:
        """Every installed X→English pair."""
        return {(src, "en") for src in self._modes}

    def mode(self, src: str, tgt: str = "en") -> str:
        """The Apertium mode name for a pair; TranslationError when none is installed."""
        if tgt != "en" or src not in self._modes:
            raise TranslationError(f"no Apertium mode for {src}→{tgt}", where="apertium")
        return self._modes[src]

    def version_for(self, src: str, tgt: str = "en") -> str:
        """Engine and language-data versions, e.g. "apertium 3.8.3 / apertium-eng-spa 0.8.1-2"."""
        mode_file = self.modes_dir / f"{self.mode(src, tgt)}.mode"
        match = _PACKAGE_DIR.search(mode_file.read_text(encoding="utf-8", errors="replace"))
        package = match.group(1) if match else ""
        data = f" / {package} {_dpkg_version(package) or 'unknown'}" if package else ""
        return f"apertium {self.version}{data}"

    def translate(self, sentences: Sequence[str], src: str, tgt: str = "en") -> list[TranslatedSentence]:
        """Translate a batch: one process per MAX_BATCH sentences, results aligned with the input."""
        mode = self.mode(src, tgt)
        flat = [" ".join(s.split()) for s in sentences]
        outputs: list[str] = [""] * len(flat)
        todo = [i for i, s in enumerate(flat) if s]
        for start in range(0, len(todo), MAX_BATCH):
            chunk = todo[start : start + MAX_BATCH]
            for i, text in zip(chunk, self._aligned([flat[i] for i in chunk], mode, src), strict=True):
                outputs[i] = text
        return [self._result(source, out, src, tgt) for source, out in zip(sentences, outputs, strict=True)]

    def _result(self, source: str, output: str, src: str, tgt: str) -> TranslatedSentence:
        """Clean one output sentence and flag it."""
        if not source.strip():
            return TranslatedSentence(source, "", self.name, "none")
        # Keep a hashtag or handle the source had; drop the mark elsewhere.
        text = _ERROR_MARK.sub(lambda m: m.group(0) if m.group(0) in source else m.group(1), output)
        text = guards.localise_numbers(" ".join(text.split()), src)
        return TranslatedSentence(source, text, self.name, guards.check(source, text, src, tgt))

    def _aligned(self, batch: list[str], mode: str, src: str) -> list[str]:
        """Run a batch; if the output does not split back into as many sentences, bisect until it does."""
        if len(batch) == 1:
            return [" ".join(self._run(batch[0], mode, src, batch).split())]
        parts = _BLANK_LINE.split(self._run(_SEPARATOR.join(batch), mode, src, batch).strip())
        if len(parts) == len(batch):
            return parts
        half = len(batch) // 2
        return self._aligned(batch[:half], mode, src) + self._aligned(batch[half:], mode, src)

    def _run(self, text: str, mode: str, src: str, batch: list[str]) -> str:
        """One `apertium` process over `text`."""
        fmt = "html" if any(_MARKUP.search(s) for s in batch) else "txt"
        if src in ("sr", "hbs", "sh", "bs") and _CYRILLIC.search(text):
            text = self._call(["-f", fmt, "Cyrl-Latn"], text)  # hbs-eng reads Latin script only
        return self._call(["-u", "-f", fmt, mode], text)

    def _call(self, args: list[str], text: str) -> str:
        """Run `apertium ARGS` with `text` on stdin; TranslationError on failure."""
        timeout = 30 + SECONDS_PER_CHAR * len(text)
        try:
            done = subprocess.run(
                [self.command, *args],
                input=text,
                capture_output=True,
                text=True,
                timeout=timeout,
                check=False,
            )
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise TranslationError(f"apertium {' '.join(args)}: {exc}", where="apertium") from exc
        if done.returncode != 0:
            message = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
            raise TranslationError(f"apertium {' '.join(args)}: {message[0]}", where="apertium")
        return done.stdout
