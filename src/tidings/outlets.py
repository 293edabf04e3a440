"""The outlet registry: news outlets by name, alias and domain, bundled and extendable by the user.

Each entry of `data/outlets.json` (and of a user file in the same format) is an object::

    {"name": "El País", "aliases": ["El Pais"], "domains": ["elpais.com"], "country": "ES",
     "language": "es", "editions": {"english.elpais.com": "en"}}

`editions` maps a domain to the language of that edition, so an English edition is not taken for a
translation. A domain may carry a first path segment ("bbc.com/mundo") for editions that live under a path.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tidings.errors import ConfigError
from tidings.language import fold, normalize_code
from tidings.models import Source

_NON_WORD = re.compile(r"[\W_]+")
_HOST = re.compile(r"^[a-z0-9.-]+\.[a-z]{2,}(?::\d+)?(?:/.*)?$")


def name_key(name: str) -> str:
    """A name folded for matching: no case, diacritics, punctuation or leading "the"."""
    words = _NON_WORD.sub(" ", fold(name)).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join(words)


def _split_location(text: str) -> tuple[str, str] | None:
    """Host and first path segment of a URL or bare domain, or None if the text is neither."""
    text = text.strip().lower()
    if "://" in text:
        parts = urlsplit(text)
        host, path = parts.hostname or "", parts.path
    elif _HOST.match(text):
        host, _, path = text.partition("/")
        host = host.split(":", 1)[0]
    else:
        return None
    host = host.rstrip(".")
    if "." not in host:
        return None
    segment = path.strip("/").split("/", 1)[0]
    return host, segment


def _domain_keys(host: str, segment: str) -> Iterator[str]:
    """Keys to try for a host, most specific first: with the path segment, then each parent domain."""
    labels = host.split(".")
    for start in range(len(labels) - 1):
        suffix = ".".join(labels[start:])
        if segment:
            yield f"{suffix}/{segment}"
        yield suffix


class Outlets:
    """Outlets by folded name or alias and by domain."""

    def __init__(self, sources: Iterable[Source] = ()) -> None:
        self._by_name: dict[str, Source] = {}
        self._by_domain: dict[str, Source] = {}
        self._sources: dict[str, Source] = {}
        for source in sources:
            self.add(source)

    @classmethod
    def load(cls, extra_path: str | None = None) -> Outlets:
        """The bundled registry, extended (and overridden by name or domain) by a user file if given."""
        outlets = cls()
        bundled = resources.files("tidings").joinpath("data/outlets.json").read_text(encoding="utf-8")
        outlets.extend(bundled, where="tidings/data/outlets.json")
        if extra_path:
            path = Path(extra_path)
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                raise ConfigError(f"cannot read outlet file: {exc}", where=str(path)) from exc
            outlets.extend(text, where=str(path))
        return outlets

    def extend(self, text: str, *, where: str) -> None:
        """Add every outlet of a registry file's JSON text."""
        try:
            entries = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"not JSON at line {exc.lineno}: {exc.msg}", where=where) from exc
        if not isinstance(entries, list):
            raise ConfigError("expected a JSON list of outlets", where=where)
        for number, entry in enumerate(entries, 1):
            source, aliases, editions = _parse_entry(entry, where=f"{where}: outlet #{number}")
            self.add(source, aliases=aliases, editions=editions)

    def add(
        self, source: Source, *, aliases: Iterable[str] = (), editions: Mapping[str, str] | None = None
    ) -> None:
        """Register an outlet under its name, aliases and domains; a later outlet wins a shared key."""
        self._sources[source.name] = source
        for name in (source.name, *aliases):
            if key := name_key(name):
                self._by_name[key] = source
        for domain in source.domains:
            self._by_domain[domain.lower().removeprefix("www.")] = source
        for domain, language in (editions or {}).items():
            edition = replace(source, domains=(domain,), language=normalize_code(language))
            self._by_domain[domain.lower().removeprefix("www.")] = edition

    def lookup(self, name_or_domain: str) -> Source | None:
        """The outlet named, or owning the domain or URL given; None if unknown."""
        location = _split_location(name_or_domain)
        if location is not None:
            for key in _domain_keys(*location):
                if key in self._by_domain:
                    return self._by_domain[key]
        return self._by_name.get(name_key(name_or_domain))

    def __iter__(self) -> Iterator[Source]:
        return iter(self._sources.values())

    def __len__(self) -> int:
        return len(self._sources)


def _parse_entry(entry: Any, *, where: str) -> tuple[Source, tuple[str, ...], dict[str, str]]:
    """One registry entry as a Source, its aliases and its editions; ConfigError when malformed."""
    if not isinstance(entry, dict):
        raise ConfigError("expected an object", where=where)
    name = entry.get("name")
    if not isinstance(name, str) or not name_key(name):
        raise ConfigError("'name' must be a non-empty string", where=where)
    aliases = _strings(entry.get("aliases", []), "aliases", where)
    domains = _strings(entry.get("domains", []), "domains", where)
    editions = entry.get("editions", {})
    if not isinstance(editions, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in editions.items()
    ):
        raise ConfigError("'editions' must map domains to language codes", where=where)
    country = entry.get("country")
    if country is not None and not (isinstance(country, str) and re.fullmatch(r"[A-Za-z]{2}", country)):
        raise ConfigError(f"'country' must be an ISO 3166-1 alpha-2 code, not {country!r}", where=where)
    language = entry.get("language")
    if language is not None and not (isinstance(language, str) and normalize_code(language)):
        raise ConfigError(f"'language' must be a language code, not {language!r}", where=where)
    domains = domains + tuple(d for d in editions if d not in domains)
    source = Source(
        name=name,
        domains=tuple(d.lower() for d in domains),
        country=country.upper() if country else None,
        language=normalize_code(language) if language else None,
    )
    return source, aliases, dict(editions)


def _strings(value: Any, field: str, where: str) -> tuple[str, ...]:
    """A JSON list of strings as a tuple; ConfigError otherwise."""
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"'{field}' must be a list of strings", where=where)
    return tuple(value)
