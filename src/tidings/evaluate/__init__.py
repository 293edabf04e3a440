"""Accuracy evaluations of tidings stages on labelled data sets."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tidings.errors import InputError, JsonlError


def read_objects(path: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """(line number, object) for each non-blank line of a JSONL file; a bad line raises JsonlError."""
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise InputError(f"cannot read: {exc.strerror}", where=str(path)) from exc
    for n, line in enumerate(lines, 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise JsonlError(f"not JSON: {exc.msg}", where=f"{path}:{n}") from exc
        if not isinstance(row, dict):
            raise JsonlError("not a JSON object", where=f"{path}:{n}")
        yield n, row
