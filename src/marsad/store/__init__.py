"""Where marsad keeps what it has read: SQLite by default."""

from marsad.store.sqlite import SCHEMA_VERSION, Store

__all__ = ["Store", "SCHEMA_VERSION", "open_store"]


def open_store(path: str = ":memory:") -> Store:
    """Open (creating or migrating) the store at ``path``."""
    return Store(path)
