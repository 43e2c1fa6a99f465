"""The incremental state of dedup and story clustering as versioned JSON (kept in the store).

A saved state is one UTF-8 JSON document (the layout of each stage's ``state`` object is in
``docs/STATE.md``)::

    {"format": "marsad-state", "kind": "dedup" | "stories", "version": 2,
     "config": {...the stage's configuration...}, "state": {...}}

Why JSON, with numpy arrays inline as base64 of their little-endian bytes
(``{"dtype": "<u4", "shape": [n], "b64": "..."}``) and sparse term vectors as their terms plus
base64 float64 values, rather than pickles or JSON + npz:

* a store may be shared (a PostgreSQL database written by a team's servers and workers):
  reading a state must never run code, and ``json`` cannot (unpickling a crafted value can);
* a state is one value in the store's ``state`` table, written in one transaction with the
  sequence number it covers: one self-describing document, no second file (an npz) to keep in
  step, readable by any language and by hand when a state must be inspected or migrated;
* a pickle names private classes, so renaming one silently broke saved stores; here the fields
  are written out and any change to them is a new ``version``;
* every value reads back bit for bit (floats in JSON use the shortest round-trip form), so a
  resumed run places articles exactly as an uninterrupted one;
* the cost: base64 takes 4/3 of the array bytes, and the arrays (shingle hashes, MinHash
  signatures, embeddings) are most of a state. 2,000 ANT articles, both states: 24.4 MB against
  20.6 MB of pickles; saved in .33-.36 s CPU (pickles .25-.28), loaded in .41-.44 s (pickles
  .43-.47); figures in ``docs/STATE.md``.

The stage's configuration is recorded beside its state (``config``): a state built with
another configuration than the one a run is given is refused (``check_config``); with none
given, the stored one is used. A state of another ``version`` raises ``StateVersionError``
(the pipeline rebuilds it from the stored articles); bytes that are not such a document raise
``MarsadError``.
"""

from __future__ import annotations

import base64
import dataclasses
import functools
import gc
import json
from typing import Any, Callable, TypeVar

import numpy as np

from marsad.errors import MarsadError, StateVersionError

FORMAT = "marsad-state"

# Array element types a state may hold (little-endian): shingle hashes and MinHash signatures
# (uint32), embeddings (float32), and room for float64/int64.
_DTYPES = frozenset({"<u4", "<u8", "<i4", "<i8", "<f4", "<f8"})


F = TypeVar("F", bound=Callable[..., Any])


def gc_paused(fn: F) -> F:
    """Run ``fn`` with the cyclic garbage collector held off: the many small containers a state
    is built from (or read into) otherwise set off full collections over the whole heap.
    2,000 ANT articles with embeddings: the story state saved in .35 s CPU instead of .55 and
    loaded in .32 s instead of .51."""
    @functools.wraps(fn)
    def run(*args: Any, **kwargs: Any) -> Any:
        was = gc.isenabled()
        gc.disable()
        try:
            return fn(*args, **kwargs)
        finally:
            if was:
                gc.enable()
    return run  # type: ignore[return-value]


# --- arrays ----------------------------------------------------------------------------------

def pack_array(a: np.ndarray) -> dict[str, Any]:
    """A numpy array as ``{"dtype", "shape", "b64"}``: base64 of its little-endian bytes."""
    le = a.dtype.newbyteorder("<")
    if le.str not in _DTYPES:
        raise MarsadError(f"a state cannot hold arrays of {a.dtype}")
    return {"dtype": le.str, "shape": list(a.shape),
            "b64": base64.b64encode(np.ascontiguousarray(a, dtype=le).tobytes()).decode("ascii")}


def unpack_array(d: dict[str, Any]) -> np.ndarray:
    """The array ``pack_array`` wrote (writable, in native byte order)."""
    dtype = d["dtype"]
    if dtype not in _DTYPES:
        raise ValueError(f"array dtype {dtype!r} is not one a state holds")
    raw = base64.b64decode(d["b64"], validate=True)
    a = np.frombuffer(bytearray(raw), dtype=np.dtype(dtype)).reshape([int(n) for n in d["shape"]])
    return a.astype(a.dtype.newbyteorder("="), copy=False)


def pack_floats(d: dict[str, float]) -> list:
    """A sparse vector (term -> float) as ``[[terms...], base64 of little-endian float64]``:
    exact, about half the size of the floats written out, and faster to write and read."""
    values = np.fromiter(d.values(), dtype="<f8", count=len(d))
    return [list(d), base64.b64encode(values.tobytes()).decode("ascii")]


def unpack_floats(v: list) -> dict[str, float]:
    """The sparse vector ``pack_floats`` wrote, its terms in their order."""
    keys, b64 = v
    values = np.frombuffer(base64.b64decode(b64, validate=True), dtype="<f8").tolist()
    if len(values) != len(keys):
        raise ValueError("a sparse vector has not one value per term")
    return dict(zip(keys, values))


# --- configuration ---------------------------------------------------------------------------

def config_to_dict(config: Any) -> dict[str, Any]:
    """A frozen configuration dataclass as plain JSON values (nested dataclasses as objects,
    sets as sorted lists, tuples as lists)."""
    def plain(v: Any) -> Any:
        if dataclasses.is_dataclass(v):
            return {f.name: plain(getattr(v, f.name)) for f in dataclasses.fields(v)}
        if isinstance(v, (set, frozenset)):
            return sorted(plain(x) for x in v)
        if isinstance(v, (list, tuple)):
            return [plain(x) for x in v]
        return v

    return plain(config)


def config_from_dict(cls: type, d: dict[str, Any]) -> Any:
    """The configuration ``config_to_dict`` wrote, rebuilt as ``cls`` (field kinds read from
    ``cls``'s defaults). A field the stored one lacks takes its default (a setting added
    later defaults to the behaviour before it); an unknown field is a ValueError."""
    default = cls()

    def typed(like: Any, v: Any) -> Any:
        if dataclasses.is_dataclass(like):
            return config_from_dict(type(like), v)
        if isinstance(like, frozenset):
            return frozenset(typed(next(iter(like), None), x) for x in v)
        if isinstance(like, tuple):
            return tuple(typed(like[0] if like else None, x) for x in v)
        if isinstance(like, float) and isinstance(v, int) and not isinstance(v, bool):
            return float(v)
        return v

    names = {f.name for f in dataclasses.fields(cls)}
    if not isinstance(d, dict) or not set(d) <= names:
        raise ValueError(f"the stored {cls.__name__} has settings this marsad does not know: "
                         f"{sorted(set(d) - names) if isinstance(d, dict) else d!r}")
    return cls(**{f.name: typed(getattr(default, f.name), d[f.name]) for f in dataclasses.fields(cls)
                  if f.name in d})


def check_config(what: str, stored: dict[str, Any], given: Any) -> None:
    """Refuse a state built with another configuration than ``given``: the first field that
    differs is named with both values (a field the stored one lacks stands for its default).
    Fields marked ``metadata={"results": False}`` (speed only) are not compared."""
    mine = config_to_dict(given)
    stored = {**config_to_dict(type(given)()), **stored}
    skip = {f.name for f in dataclasses.fields(given) if f.metadata.get("results") is False}
    for name in sorted(set(stored) | set(mine)):
        if name in skip:
            continue
        if stored.get(name, "(absent)") != mine.get(name, "(absent)"):
            raise MarsadError(
                f"the {what} state was built with {name}={stored.get(name, '(absent)')!r}, this run "
                f"uses {name}={mine.get(name, '(absent)')!r}; re-run from scratch (a new store) or pass "
                f"the same configuration")


# --- documents -------------------------------------------------------------------------------

def dump_state(kind: str, version: int, config: Any, state: dict[str, Any]) -> bytes:
    """One stage's state and configuration as the versioned JSON document."""
    doc = {"format": FORMAT, "kind": kind, "version": version,
           "config": config_to_dict(config), "state": state}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode("utf-8")


def load_state(data: bytes, kind: str, version: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """(config, state) of a document ``dump_state`` wrote for ``kind``. ``StateVersionError``
    for another version (a state pickled by marsad before version 2 included); ``MarsadError``
    for bytes that are no such document."""
    what = _what(kind)
    data = bytes(data)
    if data[:1] == b"\x80" and data[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05") and data[-1:] == b".":
        raise StateVersionError(f"the {what} state is a pickle written by an older marsad (state "
                                f"version 1, this marsad reads {version}); it is not read")
    try:
        doc = json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise MarsadError(f"cannot read {what} state: not a marsad state document ({exc})") from exc
    if not isinstance(doc, dict) or doc.get("format") != FORMAT or doc.get("kind") != kind:
        raise MarsadError(f"cannot read {what} state: not a marsad {kind!r} state document")
    found = doc.get("version")
    if found != version:
        raise StateVersionError(f"the {what} state is of state version {found!r}, this marsad reads "
                                f"{version}; re-run from scratch (see docs/STATE.md)")
    if not isinstance(doc.get("config"), dict) or not isinstance(doc.get("state"), dict):
        raise MarsadError(f"cannot read {what} state: its config or state is missing")
    return doc["config"], doc["state"]


def load_stage_state(data: bytes, kind: str, version: int, config_cls: type,
                     config: Any = None) -> tuple[Any, dict[str, Any]]:
    """(the configuration to run with, the state) of a stage's document: the stored
    configuration when ``config`` is None, else ``config`` once it is checked against the
    stored one (``check_config``: another configuration is refused naming the setting)."""
    stored, body = load_state(data, kind, version)
    what = _what(kind)
    if config is not None:
        check_config(what, stored, config)
        return config, body
    try:
        return config_from_dict(config_cls, stored), body
    except (TypeError, ValueError) as exc:
        raise corrupt(what, exc) from exc


def _what(kind: str) -> str:
    return "deduplication" if kind == "dedup" else "story clustering" if kind == "stories" else kind


def corrupt(what: str, exc: BaseException) -> MarsadError:
    """The error for a document whose fields are not what its version says."""
    return MarsadError(f"cannot read {what} state: a field is missing or malformed "
                       f"({type(exc).__name__}: {exc})")
