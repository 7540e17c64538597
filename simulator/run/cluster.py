"""Blocks as dask tasks: the same numbers as a local run, on as many machines as a cluster has.

Each task simulates one fixed block of paths and returns its reduced stats
(:class:`simulator.run.reduce.BlockStats`, a few MB); the client merges them in block order.
Because a block's random numbers depend only on (seed, block), which worker runs it, and
when, never changes a result. Workers need taaksim installed in the same version (the
scenario itself travels with the tasks; see docs/scale.md).
"""

from __future__ import annotations

import copyreg
from collections.abc import Callable, Iterator
from types import MappingProxyType

from simulator.core.options import BlockEngine, RunOptions
from simulator.run.reduce import BlockStats, Merged, ReportSpec, simulate_stats
from simulator.scenario.model import Scenario


def _mappingproxy(d: dict) -> MappingProxyType:
    return MappingProxyType(d)


def _reduce_mappingproxy(m):
    return _mappingproxy, (dict(m),)


# the loader freezes tables as read-only mappings; they must travel to workers as well
copyreg.pickle(MappingProxyType, _reduce_mappingproxy)


def _task(scenario: Scenario, spec: ReportSpec, block: int, n: int, seed: int, active,
          overrides, sampling: str = "mc", engine: BlockEngine = "numpy") -> BlockStats:
    from simulator.run.blocks import tune_allocator

    tune_allocator()  # in the worker's process: see simulator.run.blocks
    return simulate_stats(scenario, spec, block, n, seed=seed,
                          options=RunOptions(active=active, overrides=overrides, sampling=sampling), engine=engine)


#: seconds to wait for an existing scheduler before giving up with a one-line error
CONNECT_TIMEOUT = 5.0


def connect(address: str, timeout: float = CONNECT_TIMEOUT):
    """A dask Client on the scheduler at ``address``, or :class:`~simulator.errors.SchedulerError`
    in one line: a refused port fails at once (a plain socket is tried first, since dask retries a
    refused connection until its timeout), an unanswered one after ``timeout`` seconds."""
    import socket
    from urllib.parse import urlsplit

    from dask.distributed import Client

    from simulator.errors import SchedulerError

    url = urlsplit(address if "://" in address else "tcp://" + address)
    try:
        host, port = url.hostname, url.port
    except ValueError:
        host, port = None, None
    if not host or port is None:
        raise SchedulerError(f"--scheduler {address!r}: write dask://HOST:PORT, e.g. dask://10.0.0.5:8786")
    if url.scheme in ("tcp", "dask"):
        try:
            socket.create_connection((host, port), timeout=timeout).close()
        except OSError as exc:
            why = "no answer" if isinstance(exc, TimeoutError) else (exc.strerror or str(exc)).lower()
            raise SchedulerError(f"cannot reach the dask scheduler at {host}:{port} ({why}); start it with "
                                 f"'dask scheduler' or use --scheduler dask for a local cluster") from None
        address = f"tcp://{host}:{port}"
    # a port that accepts but never speaks dask can hold Client() far beyond its own timeout: wait
    # in a daemon thread, which the process does not join at exit
    import threading

    box: dict = {}

    def attempt():
        try:
            box["client"] = Client(address, timeout=timeout)
        except Exception as exc:  # noqa: BLE001 - reported below in one line, whatever dask raised
            box["error"] = exc

    thread = threading.Thread(target=attempt, daemon=True)
    thread.start()
    thread.join(timeout + 2)
    if "client" in box:
        return box["client"]
    why = f"no dask answer within {timeout:g} s" if "error" not in box else type(box["error"]).__name__
    raise SchedulerError(f"cannot connect to the dask scheduler at {address} ({why}); is it a dask scheduler "
                         f"of the same version?")


def dask_stats(
    scenario: Scenario,
    spec: ReportSpec,
    plan: list[tuple[int, int]],
    *,
    seed: int,
    address: str | None = None,
    active=None,
    overrides=None,
    stop: Callable[[Merged], bool] | None = None,
    workers: int | None = None,
    sampling: str = "mc",
    engine: BlockEngine = "numpy",
) -> Iterator[BlockStats]:
    """Yield every block's stats as dask workers finish them (in any order).

    ``address``: an existing scheduler ("tcp://host:8786"); None starts a LocalCluster on
    this machine (one single-threaded worker process per core) and closes it afterwards.
    At most a few tasks per worker are queued, so a run that stops early (``--precision``)
    leaves little work to cancel.
    """
    from dask.distributed import Client, LocalCluster, as_completed

    cluster = None
    if address is None:
        from simulator.run.blocks import default_threads

        cluster = LocalCluster(n_workers=workers or default_threads(), threads_per_worker=1,
                               processes=True, dashboard_address=":0", silence_logs=40)
        client = Client(cluster)
    else:
        client = connect(address)
    futures = []
    try:
        slots = max(2 * sum(client.nthreads().values()), 2)
        [scattered] = client.scatter([scenario], broadcast=True)
        it = iter(plan)

        def submit(b, n):
            return client.submit(_task, scattered, spec, b, n, seed, active, overrides, sampling, engine,
                                 pure=False)

        for _ in range(slots):
            nxt = next(it, None)
            if nxt is None:
                break
            futures.append(submit(*nxt))
        queue = as_completed(futures)
        for f in queue:
            yield f.result()
            f.release()
            nxt = next(it, None)
            if nxt is not None:
                futures.append(submit(*nxt))
                queue.add(futures[-1])
    finally:
        client.cancel([f for f in futures if not f.done()])  # a --precision run stopped early
        client.close()
        if cluster is not None:
            cluster.close()
