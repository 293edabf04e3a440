"""Typed errors of tidings.

Hierarchy::

    TidingsError                 base; carries a user-facing message and an HTTP-ish status
    ├── ConfigError              a setting is missing or invalid
    ├── InputError               one input item cannot be used (the batch goes on)
    │   ├── DecodeError          bytes are not text in any charset we can tell
    │   ├── UnsupportedInput     binary, PDF, image ... not a news document
    │   ├── EmptyDocument        no text, or no article body after extraction
    │   ├── TooLarge             over the configured size cap
    │   ├── FeedError            malformed RSS/Atom/JSON Feed/OPML
    │   └── JsonlError           a JSONL line that is not a valid article object
    ├── FetchError               a URL could not be fetched (network, HTTP status, redirects)
    │   └── BlockedAddress       the SSRF guard refused the address
    ├── TranslationError         an engine failed on a batch
    └── StoreError               the database refused an operation
        └── NotFound             no such row
"""

from __future__ import annotations


class TidingsError(Exception):
    """Base of every error tidings raises on purpose."""

    status = 500

    def __init__(self, message: str, *, where: str | None = None) -> None:
        self.message = message
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


class ConfigError(TidingsError):
    """A setting is missing or invalid."""

    status = 500


class InputError(TidingsError):
    """One input item cannot be used; the rest of the batch goes on."""

    status = 422


class DecodeError(InputError):
    """Bytes are not text in any charset we can tell."""


class UnsupportedInput(InputError):
    """Binary, PDF, image or other content that is not a news document."""

    status = 415


class EmptyDocument(InputError):
    """No text, or no article body left after extraction."""


class TooLarge(InputError):
    """Over the configured size cap."""

    status = 413


class FeedError(InputError):
    """A malformed RSS, Atom, JSON Feed or OPML document."""


class JsonlError(InputError):
    """A JSONL line that is not a valid article object."""


class FetchError(TidingsError):
    """A URL could not be fetched."""

    status = 502


class BlockedAddress(FetchError):
    """The SSRF guard refused to connect to this address."""

    status = 403


class TranslationError(TidingsError):
    """A translation engine failed on a batch."""


class StoreError(TidingsError):
    """The database refused an operation."""


class NotFound(StoreError):
    """No such row."""

    status = 404
