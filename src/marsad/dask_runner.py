"""The per-input work of the pipeline as Dask tasks.

``marsad analyze … --dask ADDRESS`` hands each input's reading, extraction, cleaning, metadata,
facts and the per-article features of deduplication and stories (MinHash signature, term
counts, lead embedding: ``marsad.pipeline.process_input``) to a Dask cluster and streams the
results back in input order, so the stateful stages (dedup, story placement, storing) see
exactly what a single-process run sees and the result is the same. ADDRESS is a scheduler address
(``tcp://host:8786``; its workers need marsad installed, the same version) or ``local:N`` for a
``LocalCluster`` of N single-threaded worker processes on this machine.

Dask is an optional dependency (``pip install 'marsad[dask]'``).
"""

from __future__ import annotations

from collections import deque
from contextlib import contextmanager
from typing import TYPE_CHECKING, Iterable, Iterator

from marsad.errors import InputError, MarsadError
from marsad.model import RawDoc

if TYPE_CHECKING:
    from marsad.pipeline import FeatureSpec


def parse_address(address: str) -> tuple[str, int]:
    """("local", N) for ``local:N``, ("remote", 0) for a scheduler address; MarsadError otherwise."""
    address = address.strip()
    if address.startswith("local"):
        n = address[len("local"):].lstrip(":") or "2"
        if not n.isdigit() or not 1 <= int(n) <= 256:
            raise MarsadError(f"--dask {address!r}: write local:N with N the number of worker "
                              "processes (1-256), e.g. local:4")
        return "local", int(n)
    if "://" not in address and ":" not in address:
        raise MarsadError(f"--dask {address!r}: expected a scheduler address such as "
                          "tcp://10.0.0.5:8786, or local:N")
    return "remote", 0


@contextmanager
def client_for(address: str):
    """A connected ``distributed.Client`` (and its LocalCluster for ``local:N``), closed after."""
    kind, n = parse_address(address)
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        raise MarsadError("--dask needs Dask: pip install 'marsad[dask]' "
                          "(or dask[distributed])") from None
    cluster = None
    try:
        if kind == "local":
            cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
            client = Client(cluster)
        else:
            client = Client(address, timeout="20s")
    except (OSError, TimeoutError) as exc:
        if cluster is not None:
            cluster.close()
        raise MarsadError(f"--dask {address}: cannot reach the scheduler ({exc})") from None
    try:
        yield client
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def run_on_dask(raws: Iterable[RawDoc], client, with_facts: bool = True,
                time_limit: float | None = None, window: int = 0, features: FeatureSpec | None = None,
                chunk: int = 0) -> Iterator[list[tuple] | InputError]:
    """``process_input`` over ``raws`` as Dask tasks (with the ``features`` spec: the
    articles' features for deduplication and stories computed in the task too), results in
    input order.

    Each task analyses up to ``chunk`` inputs together (default ``marsad.pipeline.CHUNK``;
    ``process_inputs``: the same results as one at a time). At most ``window`` inputs (default
    two tasks a worker thread) are in the cluster at once, so memory stays bounded however long
    the batch. A task that raises, or whose workers keep dying (Dask retries it on another
    worker, then gives up with ``KilledWorker``), is run again one input a task, so the input
    that kills its worker is named and comes back as an ``InputError`` for itself alone.
    """
    from marsad.pipeline import CHUNK, chunked, process_inputs

    threads = sum(client.nthreads().values()) or 1
    chunk = chunk or CHUNK
    chunk = max(1, min(chunk, window or chunk))
    # two tasks a worker thread: one running, one queued while the client takes the results
    tasks = max(1, window // chunk) if window else 2 * threads
    it = chunked(raws, chunk)
    pending: deque = deque()

    def submit(group: list[RawDoc]):
        return client.submit(process_inputs, group, with_facts, time_limit, features, pure=False)

    try:
        while True:
            while len(pending) < tasks:
                group = next(it, None)
                if group is None:
                    break
                pending.append((group, submit(group)))
            if not pending:
                return
            group, fut = pending.popleft()
            try:
                results = fut.result()
            except Exception:  # noqa: BLE001 -- any task failure: find whose it is
                results = list(_one_by_one(client, group, with_facts, time_limit, features))
            finally:
                fut.release()
            yield from results
    finally:
        for _, fut in pending:
            fut.cancel()


def _one_by_one(client, group: list[RawDoc], with_facts: bool,
                time_limit: float | None, features) -> Iterator[list[tuple] | InputError]:
    """The inputs of a failed task, each in a task of its own; the failure is named per input.
    A task also fails when it only shared a worker with one that killed it, so even a task of
    one input is tried once more alone before its input is reported."""
    from marsad.pipeline import process_input

    for raw in group:
        fut = client.submit(process_input, raw, with_facts, time_limit, features, pure=False)
        try:
            yield fut.result()
        except Exception as exc:  # noqa: BLE001 -- this input's alone
            yield _failure(raw, exc)
        finally:
            fut.release()


def _failure(raw: RawDoc, exc: Exception) -> InputError:
    return InputError(raw.origin, f"could not be analysed on the Dask cluster ({type(exc).__name__}: {exc})")
