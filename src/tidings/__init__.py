"""tidings: a self-hosted news desk that reads the world's news in English, grouped by event."""

__version__ = "0.1.0"
