"""Where marsad keeps what it has read: SQLite by default, PostgreSQL for a shared server.

``open_store(url)`` opens either (see ``marsad.store.base``); ``AnyStore`` is the interface
both implement. ``Store`` is the SQLite backend, kept under its first name.
"""

from marsad.store.base import AnyStore, is_postgres, open_existing, open_store, store_exists
from marsad.store.sqlite import SCHEMA_VERSION, Store

__all__ = ["AnyStore", "Store", "SCHEMA_VERSION", "open_store", "open_existing", "store_exists",
           "is_postgres"]
