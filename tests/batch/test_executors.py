"""The executors the batch engine and the web app run on (starskope.executors): the same
results everywhere, bounded windows, failures, dead workers, closing, lookup by name."""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from starskope.errors import ParameterError, UnknownNameError
from starskope.executors import (
    EXECUTORS,
    DaskExecutor,
    ExecutorClosedError,
    InlineExecutor,
    ProcessExecutor,
    ThreadExecutor,
    WorkerLostError,
    executor_for,
)


def square_and_pid(x: int) -> tuple[int, int]:
    return x * x, os.getpid()


def fail_on_three(x: int) -> int:
    if x == 3:
        raise ValueError(f"three is bad: {x}")
    return -x


def add(a: int, b: int) -> int:
    return a + b


def die_once(marker: str) -> str:
    """Kill this worker process the first time (a marker file remembers), succeed after."""
    path = Path(marker)
    if not path.exists():
        path.write_text("died")
        os._exit(1)
    return "survived"


def always_die(_: int) -> None:
    os._exit(1)


@pytest.mark.parametrize("kind", ["inline", "threads", "processes", "dask"])
def test_every_executor_gives_the_same_results(kind):
    jobs = list(range(7))
    with executor_for(2, kind=kind) as ex:
        assert ex.name == kind
        got = dict(ex.map(square_and_pid, jobs))
        assert sorted(got) == jobs
        assert [got[i][0] for i in jobs] == [x * x for x in jobs]
        pids = {pid for _, pid in got.values()}
        if ex.in_process:
            assert pids == {os.getpid()}
        else:
            assert os.getpid() not in pids
        # a second map reuses the same workers
        assert dict(ex.map(add, [(1, 2), (3, 4)], star=True)) == {0: 3, 1: 7}
        # a failure is handed to on_error, and the other jobs finish
        errors = dict(ex.map(fail_on_three, [1, 3, 5], on_error=lambda i, exc: f"{i}: {exc}"))
        assert errors == {0: -1, 1: "1: three is bad: 3", 2: -5}
        with pytest.raises(ValueError, match="three is bad"):
            list(ex.map(fail_on_three, [1, 3, 5]))
    assert ex.closed


def test_unknown_executor_names_the_known_ones():
    with pytest.raises(UnknownNameError, match=r"unknown executor 'cluster'; known executors: dask, inline, "
                                               r"processes, threads"):
        executor_for(2, kind="cluster")
    assert EXECUTORS.names() == ["dask", "inline", "processes", "threads"]


def test_executor_for_picks_by_workers_and_scheduler():
    assert isinstance(executor_for(1), InlineExecutor)
    assert isinstance(executor_for(3), ProcessExecutor) and executor_for(3).workers == 3
    assert isinstance(executor_for(2, kind="threads"), ThreadExecutor)
    dask = executor_for(1, "tcp://127.0.0.1:1")  # nothing connects before the first map
    assert isinstance(dask, DaskExecutor) and dask.describe() == "dask, scheduler tcp://127.0.0.1:1"
    with pytest.raises(ParameterError, match="workers must be >= 1; got 0"):
        executor_for(0)
    with pytest.raises(ParameterError, match="needs the dask executor; got executor 'processes'"):
        executor_for(2, "tcp://127.0.0.1:1", kind="processes")
    with pytest.raises(ParameterError, match="window must be >= 1; got 0"):
        executor_for(1).map(abs, [1], window=0)


def test_the_window_bounds_the_jobs_in_flight():
    started = []
    release = threading.Event()
    lock = threading.Lock()

    def job(x):
        with lock:
            started.append(x)
        release.wait(30)
        return x

    with ThreadExecutor(4) as ex:
        results = ex.map(job, range(6), window=2)
        box = {}
        first = threading.Thread(target=lambda: box.setdefault("first", next(results)))
        first.start()
        for _ in range(500):  # until the two jobs of the window have started
            if len(started) == 2:
                break
            threading.Event().wait(0.01)
        threading.Event().wait(0.1)  # room for a third to start, were the window not kept
        assert sorted(started) == [0, 1]  # four threads, but only two jobs handed out
        release.set()
        first.join(30)
        rest = list(results)
    assert sorted([box["first"][0], *(i for i, _ in rest)]) == list(range(6))


def test_progress_counts_every_job():
    seen = []
    out = list(InlineExecutor().map(abs, [-1, -2, -3], progress=lambda done, total: seen.append((done, total))))
    assert out == [(0, 1), (1, 2), (2, 3)] and seen == [(1, 3), (2, 3), (3, 3)]


def test_a_killed_worker_process_is_replaced_and_its_job_runs_again(tmp_path):
    with ProcessExecutor(2) as ex:
        got = dict(ex.map(die_once, [str(tmp_path / "a"), str(tmp_path / "b")]))
        assert got == {0: "survived", 1: "survived"}
        # the pool that replaced the broken one keeps working
        assert dict(ex.map(square_and_pid, [3]))[0][0] == 9


def test_a_job_that_keeps_killing_its_worker_fails_alone(tmp_path):
    with ProcessExecutor(1) as ex:
        got = dict(ex.map(always_die, [1], on_error=lambda i, exc: exc))
        assert isinstance(got[0], WorkerLostError) and "died 3 times" in str(got[0])
        assert dict(ex.map(square_and_pid, [4]))[0][0] == 16


def test_closing_from_another_thread_stops_a_running_map():
    gate = threading.Event()

    def job(x):
        gate.wait(30)
        return x

    ex = ThreadExecutor(1)
    results = ex.map(job, range(5), window=1)
    outcome = {}

    def consume():
        try:
            outcome["got"] = list(results)
        except ExecutorClosedError as exc:
            outcome["error"] = str(exc)

    t = threading.Thread(target=consume)
    t.start()
    threading.Event().wait(0.2)
    ex.close()
    gate.set()
    t.join(30)
    assert "closed" in outcome.get("error", ""), outcome
    with pytest.raises(ParameterError, match="executor is closed"):
        ex.map(job, [1])
