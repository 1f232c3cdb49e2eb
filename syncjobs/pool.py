"""A small bounded thread pool for syncing one page of workers in parallel.

Why threads and not one queue task per page: a sync spends its time waiting on HTTP, the ORM broker on
SQLite runs a single queue worker (so fanned-out tasks would not run in parallel there anyway), and one
process keeps the checkpoint, the progress and the resume logic simple and exact. Each thread opens its
own database connection (Django's are per thread) and closes it when the pool stops.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable
from types import TracebackType

from django.db import connection as db_connection

Job = Callable[[], object]


class SyncPool:
    """`with SyncPool(4) as pool: pool.run_all(jobs)` — run_all blocks until every job is done.

    With size 1 the jobs run inline in the caller's thread (and its database transaction).
    Raises the first exception a job raised, after the whole batch finished.
    """

    def __init__(self, size: int) -> None:
        self.size = max(1, size)
        self._queue: queue.Queue[Job | None] = queue.Queue()
        self._errors: list[BaseException] = []
        self._threads: list[threading.Thread] = []
        if self.size > 1:
            self._threads = [threading.Thread(target=self._loop, name=f"sync-pool-{i}", daemon=True)
                             for i in range(self.size)]
            for thread in self._threads:
                thread.start()

    def __enter__(self) -> SyncPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.close()

    def run_all(self, jobs: list[Job]) -> None:
        if not self._threads:
            for job in jobs:
                job()
            return
        for job in jobs:
            self._queue.put(job)
        self._queue.join()
        if self._errors:
            error, self._errors = self._errors[0], []
            raise error

    def close(self) -> None:
        for _ in self._threads:
            self._queue.put(None)
        for thread in self._threads:
            thread.join()
        self._threads = []

    def _loop(self) -> None:
        try:
            while True:
                job = self._queue.get()
                try:
                    if job is None:
                        return
                    job()
                except BaseException as exc:  # handed to run_all's caller; the thread keeps serving
                    self._errors.append(exc)
                finally:
                    self._queue.task_done()
        finally:
            db_connection.close()
