"""The single writer: one thread owns the connection that stores reports, and commits them in
groups.

Request threads parse and check a report, then hand its write (a job: a function of the
database) to the writer and wait. The writer takes whatever jobs are queued (up to
`BATCH_CAP`), runs them in one `BEGIN IMMEDIATE` transaction, each under its own SAVEPOINT (a
job that raises is rolled back alone and its request gets the exception; the others go on),
COMMITs, and only then wakes the requests: a report is acknowledged only once it is
committed. One commit (one fsync with `synchronous=FULL`) then serves the whole group, and
no request thread waits on SQLite's write lock.

The writer only writes: what follows from the reports (the kept figures) is brought up to
date by the `keepers` (callables `f(db)`, each taking its own transaction), run by the same
thread between batches: once no report came for `KEEP_AFTER_IDLE`, and at least every
`KEEP_EVERY` while reports keep coming. A report is thus acknowledged without waiting for
them, and many reports are kept at once. A keeper does one step of its work and returns
True when more is left (a recount of every machine): the writer then runs it again right
away, after storing any reports waiting meanwhile, so a report waits for one step at most.
A keeper that fails is logged; what it left is found again next time (the marks of
counting/kept.py stay until kept).

The thread starts with the first job and ends after `IDLE_SECONDS` without one (so an app
that stores nothing, as most tests', holds no thread or connection); `close()` stores what
is queued, then stops it.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from concurrent.futures import Future

from collector.store.db import begin_immediate, open_db

BATCH_CAP = 64
IDLE_SECONDS = 5.0
KEEP_AFTER_IDLE = 0.05  # seconds without a report before the keepers run
KEEP_EVERY = 1.0  # under steady load, the keepers run at least this often (seconds)
# Every commit reaches the disk before its reports are acknowledged: a power cut loses
# none (with NORMAL, WAL mode loses no commit on a crash of the process, but may lose the
# last ones on a power cut). Grouped commits make the fsync affordable (README, ingest).
SYNCHRONOUS = "FULL"
STOP = object()  # queued by close(), behind the last job
KEEP = object()  # what _next_batch() returns when the keepers are due
log = logging.getLogger("avroll.writer")


class WriterClosed(RuntimeError):
    """The writer was closed: it takes no more jobs (the server is stopping)."""


class Writer:
    """The write thread of one database file."""

    def __init__(self, path, keepers=(), idle_seconds=IDLE_SECONDS, keep_every=KEEP_EVERY):
        self.path = path
        self.keepers = list(keepers)
        self.keep_every = keep_every
        self._keep_due = None  # when reports are stored that the keepers have not seen
        self._kept_last = False  # the last thing done was a keepers' step
        self.synchronous = SYNCHRONOUS  # read here, so a bench can compare NORMAL
        self.idle_seconds = idle_seconds
        self._jobs: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()  # guards _thread and _closed against the idle exit
        self._thread = None
        self._closed = False

    def run(self, job):
        """Run `job(db)` in the writer's transaction; its result once committed (or the
        exception it raised, its writes rolled back)."""
        return self.submit(job).result()

    def submit(self, job):
        """Queue `job`; a Future that completes after its batch commits."""
        future: Future = Future()
        with self._lock:
            if self._closed:
                raise WriterClosed("the collector is stopping")
            self._jobs.put((job, future))
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._serve, name="avroll-writer", daemon=True
                )
                self._thread.start()
        return future

    def close(self):
        """Take no more jobs, store the queued ones, and stop the thread."""
        with self._lock:
            self._closed = True
            thread = self._thread
            if thread is not None:
                self._jobs.put(STOP)  # after every job queued so far
        if thread is not None:
            thread.join()

    def _serve(self):
        db = open_db(self.path)
        try:
            db.execute(f"PRAGMA synchronous = {self.synchronous}")
            while (batch := self._next_batch()) is not None:
                if batch is KEEP:
                    self._keep(db)
                    continue
                self._kept_last = False
                self._store(db, batch)
                if self._keep_due is None and self.keepers:
                    self._keep_due = time.monotonic() + self.keep_every
        finally:
            db.close()
            self._release_waiters()

    def _next_batch(self):
        """The queued jobs (waiting for one); KEEP when the keepers are due; None when it is
        time to stop: closed, or idle with nothing queued (decided under the lock `submit`
        queues under)."""
        wait = self.idle_seconds
        if self._keep_due is not None:
            # Due, unless a keepers' step was the last thing done and reports are waiting.
            if time.monotonic() >= self._keep_due and not (
                self._kept_last and not self._jobs.empty()
            ):
                return KEEP
            wait = KEEP_AFTER_IDLE
        try:
            first = self._jobs.get(timeout=wait)
        except queue.Empty:
            if self._keep_due is not None:
                return KEEP
            with self._lock:
                if self._jobs.empty():
                    self._thread = None
                    return None
            first = self._jobs.get()
        batch = []
        while first is not STOP:
            batch.append(first)
            if len(batch) == BATCH_CAP:
                return batch
            try:
                first = self._jobs.get_nowait()
            except queue.Empty:
                return batch
        if batch:  # stop after storing these (nothing can be queued behind STOP)
            self._jobs.put(STOP)
            return batch
        with self._lock:
            self._thread = None
        return None

    def _release_waiters(self):
        """When the thread ends on an error (it could not open the database), the jobs
        still queued fail rather than wait forever."""
        with self._lock:
            if self._thread is not threading.current_thread():
                return  # a normal end: nothing is queued
            self._thread = None
            while True:
                try:
                    item = self._jobs.get_nowait()
                except queue.Empty:
                    return
                if item is not STOP:
                    item[1].set_exception(WriterClosed("the writer stopped"))

    def _keep(self, db):
        """Run the keepers, each in its own transaction; a failure is logged, not raised
        (the reports are stored; what was not kept is kept next time)."""
        self._keep_due, self._kept_last = None, True
        for keeper in self.keepers:
            try:
                more = keeper(db)
            except Exception:  # noqa: BLE001 - the writer must go on storing reports
                if db.conn.in_transaction:
                    db.conn.rollback()
                log.exception("keeping the figures failed; tried again after the next report")
                continue
            if more:
                self._keep_due = time.monotonic()

    def _store(self, db, batch):
        """One transaction for `batch`; when the transaction itself fails (the commit), each
        job is tried again alone so one cannot sink the rest."""
        try:
            outcomes = self._transaction(db, batch)
        except BaseException as exc:  # noqa: BLE001 - every waiting request must hear back
            if db.conn.in_transaction:
                db.conn.rollback()
            if len(batch) > 1:
                for job in batch:
                    self._store(db, [job])
                return
            outcomes = [(False, exc)]
        for (_job, future), (ok, value) in zip(batch, outcomes, strict=True):
            if ok:
                future.set_result(value)
            else:
                future.set_exception(value)

    def _transaction(self, db, batch):
        begin_immediate(db)  # waits out another writer, however long
        outcomes = []
        for job, _future in batch:
            db.execute("SAVEPOINT job")
            try:
                outcomes.append((True, job(db)))
            except Exception as exc:  # noqa: BLE001 - handed to the job's request
                db.execute("ROLLBACK TO job")
                outcomes.append((False, exc))
            db.execute("RELEASE job")
        db.conn.commit()
        return outcomes
