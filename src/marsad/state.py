"""Versioned pickles for the incremental state of dedup and story clustering (kept in the store)."""

from __future__ import annotations

import pickle
from typing import Any

from marsad.errors import MarsadError


def dump_state(version: int, attrs: dict[str, Any]) -> bytes:
    """An object's attributes, tagged with the state format version."""
    return pickle.dumps((version, attrs), protocol=pickle.HIGHEST_PROTOCOL)


def load_state(data: bytes, version: int, what: str) -> dict[str, Any]:
    """The attributes saved by ``dump_state``; a clear error for corrupt bytes or another version."""
    try:
        found, attrs = pickle.loads(data)
    except Exception as exc:  # corrupt or foreign bytes
        raise MarsadError(f"cannot read {what} state: {exc}") from exc
    if found != version:
        raise MarsadError(f"{what} state version {found} is not {version}; re-run from scratch")
    return attrs
