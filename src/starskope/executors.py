"""Where work runs: one executor abstraction for this process, local processes and Dask.

Every part of starskope that runs one function over many jobs — the batch engine
(``starskope classify``), the web app's background jobs, the ensemble's member fits,
the star-type training set — asks for an :class:`Executor` and calls
:meth:`Executor.map`, which yields ``(index, result)`` as jobs finish, whatever runs
them:

============  ===========================================================================
``inline``    one job after another in the calling thread (no start-up cost; objects
              need not be picklable)
``threads``   a pool of threads in this process (the web app's ``--threads``)
``processes`` a pool of local worker processes (``spawn``: a fresh interpreter each, so
              no state leaks from the parent); a worker that dies is replaced and its
              jobs run again
``dask``      a ``dask.distributed`` cluster: a local one started on first use, or an
              existing scheduler (``tcp://host:8786``); Dask's nanny restarts killed
              workers and re-runs their tasks, and per-worker memory is limited
============  ===========================================================================

Executors are registered by name in :data:`EXECUTORS`; :func:`executor_for` picks one
from a worker count and an optional scheduler address. This module is part of the
ground floor of the package: it imports nothing from starskope but the error family and
the registry, so every stage may use it.

Jobs are submitted a window at a time (``window``, default twice the workers), so the
memory of the caller and of the cluster does not grow with the number of jobs.
"""

from __future__ import annotations

import threading
import uuid
from abc import ABC, abstractmethod
from collections.abc import Callable, Generator, Iterable
from typing import Any, ClassVar

from .errors import ParameterError, StarskopeError
from .registry import Registry

__all__ = [
    "EXECUTORS",
    "DaskExecutor",
    "Executor",
    "ExecutorClosedError",
    "InlineExecutor",
    "ProcessExecutor",
    "ThreadExecutor",
    "WorkerLostError",
    "executor_for",
]

#: ``on_error(index, exception) -> result``: what a failed job yields instead of raising.
ErrorHandler = Callable[[int, BaseException], Any]
#: ``progress(done, total)`` after each finished job.
ProgressCallback = Callable[[int, int], None]


class ExecutorClosedError(StarskopeError, RuntimeError):
    """The executor was closed (from another thread) while :meth:`Executor.map` ran;
    the jobs not yet yielded did not finish."""


class WorkerLostError(StarskopeError, RuntimeError):
    """A job's worker process died (killed, out of memory) more times than allowed."""


class _Starred:
    """``fn(*job)`` as a picklable callable of one argument."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        self.fn = fn

    def __call__(self, job: Any) -> Any:
        return self.fn(*job)


class Executor(ABC):
    """Runs one function over many jobs and yields the results as they finish.

    Subclasses implement :meth:`_map`; the public :meth:`map` checks its arguments.
    An executor starts its workers on first use and keeps them until :meth:`close`
    (or the end of a ``with`` block), so several maps share them — state a worker
    builds once (a loaded model) is reused.

    Attributes
    ----------
    name : str
        The registry name.
    workers : int
        Jobs run at once.
    in_process : bool
        True when jobs run in this process (results are the very objects the function
        returned; nothing is pickled).
    """

    name: ClassVar[str] = ""
    in_process: ClassVar[bool] = False

    def __init__(self, workers: int = 1) -> None:
        if int(workers) < 1:
            raise ParameterError(f"workers must be >= 1; got {workers}")
        self.workers = int(workers)
        self._closed = threading.Event()

    # ------------------------------------------------------------------ public
    def map(
        self,
        fn: Callable[[Any], Any],
        jobs: Iterable[Any],
        *,
        window: int | None = None,
        on_error: ErrorHandler | None = None,
        progress: ProgressCallback | None = None,
        star: bool = False,
    ) -> Generator[tuple[int, Any], None, None]:
        """Run ``fn(job)`` for every job; yield ``(index, result)`` in the order jobs finish.

        Parameters
        ----------
        fn : callable
            A module-level function (or a :func:`functools.partial` of one): executors
            of other processes pickle it.
        jobs : iterable
            The jobs (each pickled to its worker, except in-process).
        window : int, optional
            Most jobs submitted and not yet yielded at once (default: twice the workers
            of a pool, four times the workers of a Dask cluster). Bounds the memory held
            by pending jobs and results.
        on_error : callable, optional
            ``on_error(index, exception) -> result``: a job that raised, or whose worker
            died for good, yields ``(index, on_error(index, exc))`` and the others go on.
            Without it the first failure is raised (after cancelling the jobs in flight).
        progress : callable, optional
            ``progress(done, total)`` before each result is yielded.
        star : bool
            Call ``fn(*job)`` instead of ``fn(job)`` (jobs are argument tuples).

        Yields
        ------
        (int, object)
            The job's position in ``jobs`` and its result.

        Raises
        ------
        ExecutorClosedError
            :meth:`close` was called while the map ran.
        ParameterError
            ``window`` below 1, or the executor is already closed.
        KeyboardInterrupt
            Passed through (Ctrl-C); the jobs in flight are cancelled.
        """
        if window is not None and int(window) < 1:
            raise ParameterError(f"window must be >= 1; got {window}")
        if self._closed.is_set():
            raise ParameterError(f"the {self.name} executor is closed; start a new one")
        job_list = list(jobs)
        call = _Starred(fn) if star else fn
        return self._map(call, job_list, None if window is None else int(window), on_error, progress)

    def close(self) -> None:
        """Stop the workers; a :meth:`map` running in another thread stops with
        :class:`ExecutorClosedError`. Closing twice is harmless."""
        self._closed.set()
        self._shutdown()

    @property
    def closed(self) -> bool:
        return self._closed.is_set()

    def describe(self) -> str:
        """One line for logs and messages: ``"processes, 4 workers"``."""
        return f"{self.name}, {self.workers} worker{'s' if self.workers != 1 else ''}"

    def __enter__(self) -> Executor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.describe()}>"

    # ------------------------------------------------------------------ to implement
    @abstractmethod
    def _map(self, fn: Callable[[Any], Any], jobs: list[Any], window: int | None,
             on_error: ErrorHandler | None, progress: ProgressCallback | None) -> Generator[tuple[int, Any], None, None]:
        """Yield ``(index, result)`` as jobs finish; ``window`` None: the executor's default."""

    @abstractmethod
    def _shutdown(self) -> None:
        """Release the workers (called by :meth:`close`)."""


#: Executors by name: ``factory(workers=..., **options) -> Executor``.
EXECUTORS: Registry[Callable[..., Executor]] = Registry("executor")


@EXECUTORS.register("inline")
class InlineExecutor(Executor):
    """Every job in the calling thread, one after another (no workers to start).

    A failing job is handled as by the other executors (``on_error``), and
    :meth:`close` from another thread stops the map before the next job.
    """

    name = "inline"
    in_process = True

    def __init__(self, workers: int = 1) -> None:
        super().__init__(1)
        if int(workers) < 1:
            raise ParameterError(f"workers must be >= 1; got {workers}")

    def _map(self, fn: Callable[[Any], Any], jobs: list[Any], window: int | None,
             on_error: ErrorHandler | None, progress: ProgressCallback | None) -> Generator[tuple[int, Any], None, None]:
        total = len(jobs)
        for index, job in enumerate(jobs):
            if self._closed.is_set():
                raise ExecutorClosedError(f"the inline executor was closed after {index} of {total} jobs")
            try:
                result = fn(job)
            except Exception as exc:
                if on_error is None:
                    raise
                result = on_error(index, exc)
            if progress is not None:
                progress(index + 1, total)
            yield index, result

    def _shutdown(self) -> None:
        """Nothing to release: the jobs ran in the calling thread."""


class _PoolExecutor(Executor):
    """Shared logic of the :mod:`concurrent.futures` pools (threads and processes)."""

    #: Times a job is tried when its worker process dies under it.
    max_attempts: int = 3

    def __init__(self, workers: int = 1) -> None:
        super().__init__(workers)
        self._pool: Any = None
        self._lock = threading.Lock()

    @abstractmethod
    def _new_pool(self) -> Any: ...

    def _get_pool(self) -> Any:
        with self._lock:
            if self._closed.is_set():
                raise ExecutorClosedError(f"the {self.name} executor was closed")
            if self._pool is None:
                self._pool = self._new_pool()
            return self._pool

    def _replace_pool(self, broken: Any) -> None:
        with self._lock:
            if self._pool is broken:
                self._pool = None
        if broken is not None:
            broken.shutdown(wait=False, cancel_futures=True)

    def _shutdown(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    def _submit(self, fn: Callable[[Any], Any], job: Any) -> tuple[Any, Any]:
        from concurrent.futures import BrokenExecutor

        pool = self._get_pool()
        try:
            return pool.submit(fn, job), pool
        except (BrokenExecutor, RuntimeError):
            if self._closed.is_set():
                raise ExecutorClosedError(f"the {self.name} executor was closed") from None
            self._replace_pool(pool)  # broken since the last submit: one fresh try
            pool = self._get_pool()
            return pool.submit(fn, job), pool

    def _map(self, fn: Callable[[Any], Any], jobs: list[Any], window: int | None,
             on_error: ErrorHandler | None, progress: ProgressCallback | None) -> Generator[tuple[int, Any], None, None]:
        import concurrent.futures as cf

        total = len(jobs)
        window = window or 2 * self.workers
        todo = iter(range(total))
        attempts = [0] * total
        in_flight: dict[cf.Future[Any], tuple[int, Any]] = {}  # future -> (index, the pool it ran on)
        retry: list[int] = []
        done = 0

        def fill() -> None:
            while len(in_flight) < window:
                index = retry.pop(0) if retry else next(todo, None)
                if index is None:
                    return
                fut, pool = self._submit(fn, jobs[index])
                in_flight[fut] = (index, pool)

        def failed(index: int, exc: BaseException) -> Any:
            if on_error is None:
                raise exc
            return on_error(index, exc)

        try:
            fill()
            while in_flight:
                finished, _ = cf.wait(list(in_flight), return_when=cf.FIRST_COMPLETED)
                ready: list[tuple[int, Any]] = []
                for fut in finished:
                    index, pool = in_flight.pop(fut)
                    try:
                        ready.append((index, fut.result()))
                    except cf.CancelledError:
                        if self._closed.is_set():
                            raise ExecutorClosedError(
                                f"the {self.name} executor was closed with {total - done} of {total} jobs "
                                "unfinished") from None
                        raise
                    except cf.BrokenExecutor as exc:
                        if self._closed.is_set():
                            raise ExecutorClosedError(
                                f"the {self.name} executor was closed with {total - done} of {total} jobs "
                                "unfinished") from None
                        # the pool lost a worker: every job on it failed with it, so the
                        # guilty one cannot be told apart; each is tried again, a few times
                        self._replace_pool(pool)
                        attempts[index] += 1
                        if attempts[index] >= self.max_attempts:
                            lost = WorkerLostError(
                                f"job {index}: its worker process died {attempts[index]} times "
                                f"({type(exc).__name__}); giving up on it")
                            ready.append((index, failed(index, lost)))
                        else:
                            retry.append(index)
                    except Exception as exc:
                        ready.append((index, failed(index, exc)))
                for index, result in ready:
                    done += 1
                    if progress is not None:
                        progress(done, total)
                    yield index, result
                fill()
        finally:
            for fut in in_flight:
                fut.cancel()


@EXECUTORS.register("threads")
class ThreadExecutor(_PoolExecutor):
    """A pool of threads in this process: no start-up cost and nothing pickled, but
    Python code shares one interpreter (NumPy and PyTorch release it while they work)."""

    name = "threads"
    in_process = True

    def _new_pool(self) -> Any:
        from concurrent.futures import ThreadPoolExecutor

        return ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="starskope-worker")


@EXECUTORS.register("processes")
class ProcessExecutor(_PoolExecutor):
    """A pool of local worker processes, started with ``spawn``.

    Each worker is a fresh interpreter (no locks or threads inherited from the parent,
    the same on Linux and macOS); functions and jobs are pickled. A worker process that
    dies (killed, out of memory) breaks the pool: a fresh pool takes over and the jobs
    that were in flight run again, each at most :attr:`max_attempts` times before it
    fails with :class:`WorkerLostError`.
    """

    name = "processes"

    def _new_pool(self) -> Any:
        import multiprocessing as mp
        from concurrent.futures import ProcessPoolExecutor

        return ProcessPoolExecutor(max_workers=self.workers, mp_context=mp.get_context("spawn"))


@EXECUTORS.register("dask")
class DaskExecutor(Executor):
    """Jobs as tasks of a ``dask.distributed`` cluster.

    Parameters
    ----------
    workers : int
        Worker processes of the local cluster (one thread each). With ``scheduler``
        the cluster's own workers are used, and this only sizes nothing.
    scheduler : str, optional
        Address of an existing scheduler (``tcp://host:8786``); default: a local
        cluster started on first use, listening on the loopback interface only.
    memory_limit : str
        Memory limit of each local worker; the nanny restarts a worker above it.

    Dask re-runs the tasks of a worker that dies (the nanny starts a new one); a task
    that keeps killing its workers fails with ``KilledWorker``, handed to ``on_error``.
    """

    name = "dask"

    def __init__(self, workers: int = 1, scheduler: str | None = None, memory_limit: str = "4GiB") -> None:
        super().__init__(workers)
        self.scheduler = scheduler or None
        self.memory_limit = memory_limit
        self._client: Any = None
        self._cluster: Any = None
        self._lock = threading.Lock()

    def describe(self) -> str:
        if self.scheduler:
            return f"dask, scheduler {self.scheduler}"
        return f"dask, local cluster of {self.workers} worker{'s' if self.workers != 1 else ''}"

    def _connect(self) -> tuple[Any, int]:
        with self._lock:
            if self._closed.is_set():
                raise ExecutorClosedError("the dask executor was closed")
            if self._client is None:
                from distributed import Client, LocalCluster

                if self.scheduler:
                    self._client = Client(self.scheduler, timeout="20s")
                else:
                    self._cluster = LocalCluster(
                        n_workers=self.workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                        dashboard_address=None, memory_limit=self.memory_limit, silence_logs=40,
                    )
                    self._client = Client(self._cluster)
            n = self.workers
            if self.scheduler:
                n = max(len(self._client.scheduler_info().get("workers", {})), 1)
            return self._client, n

    def _shutdown(self) -> None:
        import logging

        with self._lock:
            client, cluster = self._client, self._cluster
            self._client = self._cluster = None
        if client is None:
            return
        # a worker's last heartbeat racing the shutdown logs a harmless CommClosedError
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
        client.close()
        if cluster is not None:
            cluster.close()

    def _map(self, fn: Callable[[Any], Any], jobs: list[Any], window: int | None,
             on_error: ErrorHandler | None, progress: ProgressCallback | None) -> Generator[tuple[int, Any], None, None]:
        total = len(jobs)
        if total == 0:
            return
        from distributed import as_completed
        from distributed.client import FutureCancelledError

        client, n_workers = self._connect()
        window = window or 4 * n_workers  # tasks queue on the workers: network latency never idles them
        todo = iter(range(total))
        by_future: dict[Any, int] = {}
        done = 0
        ac = as_completed()

        def submit(k: int) -> None:
            for _ in range(k):
                index = next(todo, None)
                if index is None:
                    return
                fut = client.submit(fn, jobs[index], key=f"starskope-{uuid.uuid4().hex}", pure=False)
                by_future[fut] = index
                ac.add(fut)

        try:
            submit(window)
            for fut in ac:
                index = by_future.pop(fut)
                try:
                    result = fut.result()
                except FutureCancelledError:
                    if self._closed.is_set():
                        raise ExecutorClosedError(
                            f"the dask executor was closed with {total - done} of {total} jobs unfinished") from None
                    raise KeyboardInterrupt from None  # Ctrl-C reached the cluster before this process
                except Exception as exc:  # the task raised, or KilledWorker: it kept killing its workers
                    if on_error is None:
                        raise
                    result = on_error(index, exc)
                fut.release()
                done += 1
                if progress is not None:
                    progress(done, total)
                yield index, result
                submit(1)
        finally:
            for fut in list(by_future):
                fut.cancel()


def executor_for(workers: int = 1, scheduler: str | None = None, kind: str | None = None,
                 **options: Any) -> Executor:
    """The executor for a worker count and an optional Dask scheduler.

    Parameters
    ----------
    workers : int
        Jobs at once (≥ 1).
    scheduler : str, optional
        Address of an existing ``dask.distributed`` scheduler: runs there.
    kind : str, optional
        A name in :data:`EXECUTORS` (``inline``, ``threads``, ``processes``, ``dask``).
        Default: ``dask`` with a scheduler, else ``inline`` for one worker and
        ``processes`` for more.
    **options
        Passed to the executor (``memory_limit`` for Dask).

    Returns
    -------
    Executor
        Not started yet: workers start on the first :meth:`Executor.map`.

    Raises
    ------
    UnknownNameError
        ``kind`` is not a registered executor (the message lists those that are).
    ParameterError
        ``workers`` below 1, or a scheduler given with an executor other than Dask.
    """
    if int(workers) < 1:
        raise ParameterError(f"workers must be >= 1; got {workers}")
    if kind is None:
        kind = "dask" if scheduler else ("inline" if int(workers) <= 1 else "processes")
    factory = EXECUTORS.get(kind)
    if scheduler:
        if factory is not DaskExecutor:
            raise ParameterError(f"a scheduler ({scheduler}) needs the dask executor; got executor {kind!r}")
        return DaskExecutor(workers, scheduler=scheduler, **options)
    return factory(workers, **options)
