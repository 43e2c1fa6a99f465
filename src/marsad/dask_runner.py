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
                ) -> Iterator[list[tuple] | InputError]:
    """``process_input`` over ``raws`` as Dask tasks (with the ``features`` spec: the
    articles' features for deduplication and stories computed in the task too), results in
    input order.

    At most ``window`` inputs (default 8 a worker thread) are in the cluster at once, so memory
    stays bounded however long the batch. A task that raises, or whose workers keep dying
    (Dask retries it on another worker, then gives up with ``KilledWorker``), comes back as an
    ``InputError`` for its input alone.
    """
    from marsad.pipeline import process_input

    threads = sum(client.nthreads().values()) or 1
    window = window or 8 * threads
    it = iter(raws)
    pending: deque = deque()
    try:
        while True:
            while len(pending) < window:
                raw = next(it, None)
                if raw is None:
                    break
                pending.append((raw, client.submit(process_input, raw, with_facts, time_limit, features,
                                                   pure=False)))
            if not pending:
                return
            raw, fut = pending.popleft()
            try:
                result = fut.result()
            except Exception as exc:  # noqa: BLE001 -- any task failure is this input's alone
                result = InputError(raw.origin, f"could not be analysed on the Dask cluster "
                                                f"({type(exc).__name__}: {exc})")
            finally:
                fut.release()
            yield result
    finally:
        for _, fut in pending:
            fut.cancel()
