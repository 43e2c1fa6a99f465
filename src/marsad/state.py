"""Versioned pickles for the incremental state of dedup and story clustering (kept in the store).

Format: ``pickle`` (highest protocol) of the tuple ``(version, attrs)``, where ``attrs`` is the
saving object's attribute dict and ``version`` the state format version of its class (a
mismatch is refused with a clear error: re-run from scratch).

A store may be shared (a PostgreSQL database written by a team's servers and workers), so
state bytes are never loaded with plain ``pickle.loads``, which would run whatever a crafted
value names. ``load_state`` unpickles through an allow-list: the containers and numpy arrays
the state is made of, datasketch's MinHash/LSH classes, marsad's own classes and the few
marsad functions a state refers to. Anything else is refused as a corrupt state.
"""

from __future__ import annotations

import importlib
import io
import pickle
from typing import Any

from marsad.errors import MarsadError

# (module, name) pairs the state may name, beside any class defined in a marsad module.
# Found by listing the globals of the dedup and story states of the example corpus and of
# 2,000 ANT articles (numpy's array helpers live in numpy.core before numpy 2, numpy._core after).
ALLOWED: frozenset[tuple[str, str]] = frozenset({
    ("builtins", n) for n in ("set", "frozenset", "list", "dict", "tuple", "bytes", "bytearray",
                              "complex", "slice", "range", "getattr")
} | {
    ("collections", n) for n in ("Counter", "defaultdict", "OrderedDict", "deque")
} | {
    (m, n) for m in ("numpy.core.numeric", "numpy._core.numeric") for n in ("_frombuffer",)
} | {
    (m, n) for m in ("numpy.core.multiarray", "numpy._core.multiarray") for n in ("_reconstruct", "scalar")
} | {
    ("numpy", "dtype"), ("numpy", "ndarray"), ("copyreg", "_reconstructor"),
    ("datasketch.lsh", "MinHashLSH"), ("datasketch.minhash", "MinHash"),
    ("datasketch.storage", "DictSetStorage"), ("datasketch.storage", "DictListStorage"),
    ("marsad.dedup", "_identity"),
})


def dump_state(version: int, attrs: dict[str, Any]) -> bytes:
    """An object's attributes, tagged with the state format version."""
    return pickle.dumps((version, attrs), protocol=pickle.HIGHEST_PROTOCOL)


def _safe_getattr(obj: Any, name: str) -> Any:
    """``getattr`` as pickle uses it for bound methods, refusing special (dunder) names, the
    way out of an allow-list (``__globals__``, ``__subclasses__``, ...)."""
    if not isinstance(name, str) or (name.startswith("__") and name.endswith("__")):
        raise pickle.UnpicklingError(f"attribute {name!r} is not allowed in a state")
    return getattr(obj, name)


class _AllowListUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) == ("builtins", "getattr"):
            return _safe_getattr
        if (module, name) in ALLOWED:
            return super().find_class(module, name)
        if module == "marsad" or module.startswith("marsad."):
            obj = getattr(importlib.import_module(module), name, None)
            if isinstance(obj, type) and obj.__module__ == module:  # a class marsad defines
                return obj
        raise pickle.UnpicklingError(f"{module}.{name} is not allowed in a state")


def load_state(data: bytes, version: int, what: str) -> dict[str, Any]:
    """The attributes saved by ``dump_state``; a clear error for corrupt, foreign or unsafe
    bytes, or another version."""
    try:
        found, attrs = _AllowListUnpickler(io.BytesIO(bytes(data))).load()
    except Exception as exc:  # corrupt, foreign or refused bytes
        raise MarsadError(f"cannot read {what} state: {exc}") from exc
    if found != version:
        raise MarsadError(f"{what} state version {found} is not {version}; re-run from scratch")
    return attrs
