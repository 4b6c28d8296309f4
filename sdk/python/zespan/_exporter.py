"""Background export: a bounded queue drained in batches by one daemon thread.

The app's thread only appends to a deque under a lock; every network round trip,
retry and back-off happens on the worker, so a slow or absent server never slows
or breaks the calls being observed.
"""
import collections
import logging
import os
import random
import threading
import time
from typing import Any, Dict, List

from ._transport import DELIVERED, REJECTED, RETRY, TOO_LARGE

logger = logging.getLogger("zespan")

# docs/sdk-spec.md: equal jitter in [c/2, c], c = min(max_retry_delay, 250 ms x 2^n); Retry-After capped at 60 s.
_FIRST_RETRY_DELAY = 0.25
_LONGEST_RETRY_AFTER = 60.0


class ExportStats:
    """Counters a user can read through `zespan.stats()`."""

    __slots__ = ("queued", "sent", "dropped_queue_full", "dropped_after_shutdown", "rejected", "failed", "retries")

    def __init__(self) -> None:
        for name in self.__slots__:
            setattr(self, name, 0)

    def as_dict(self) -> Dict[str, int]:
        return {name: getattr(self, name) for name in self.__slots__}


def _as_payload(item: Any) -> Dict[str, Any]:
    to_payload = getattr(item, "to_payload", None)
    return to_payload() if to_payload is not None else item


class BatchExporter:
    def __init__(self, transport, flush_at: int, flush_interval: float, max_queue_size: int,
                 shutdown_timeout: float, max_retry_delay: float, max_batch_size: int = 100,
                 max_retries: int = 10) -> None:
        self._transport = transport
        self._flush_at = flush_at
        self._max_batch_size = max_batch_size
        self._max_retries = max_retries
        self._flush_interval = flush_interval
        self._max_queue_size = max_queue_size
        self._shutdown_timeout = shutdown_timeout
        self._max_retry_delay = max_retry_delay
        self.stats = ExportStats()
        self._queue = collections.deque()
        self._submitted = 0   # spans accepted into the queue, ever
        self._completed = 0   # spans that left the queue for good (sent, refused or given up)
        self._flush_waiters = 0
        self._closing = False
        self._closed = False
        self._deadline = 0.0
        self.reset_after_fork()

    def reset_after_fork(self) -> None:
        # After fork() the child has no worker thread and maybe a lock held by a thread
        # that no longer exists: fresh primitives, and a worker starts on next submit.
        # Spans queued before the fork are the parent's to send, so the child drops its copy.
        self._cond = threading.Condition()
        self._stop_backoff = threading.Event()
        self._worker = None
        self._worker_pid = None
        self._queue.clear()
        self._completed = self._submitted
        self._flush_waiters = 0

    # --- app side -----------------------------------------------------------------
    def submit(self, payload: Any) -> bool:
        """Queues a span (a dict, or an object with to_payload()); never blocks on I/O."""
        with self._cond:
            if self._closing:
                self.stats.dropped_after_shutdown += 1
                return False
            if len(self._queue) >= self._max_queue_size:
                self.stats.dropped_queue_full += 1
                return False
            self._queue.append(payload)
            self._submitted += 1
            self.stats.queued = len(self._queue)
            size = len(self._queue)
            if size == 1 or size >= self._flush_at:
                self._cond.notify()
        if self._worker_pid != os.getpid():
            self._start_worker()
        return True

    def flush(self, timeout: float = 10.0) -> bool:
        """Waits until everything submitted so far has been sent or given up on."""
        with self._cond:
            target = self._submitted
            self._flush_waiters += 1
            self._cond.notify_all()
            try:
                return self._cond.wait_for(lambda: self._completed >= target, timeout)
            finally:
                self._flush_waiters -= 1

    def shutdown(self, timeout: float = None) -> bool:
        """Sends what is queued until `timeout`; True if everything got through."""
        timeout = self._shutdown_timeout if timeout is None else timeout
        with self._cond:
            if self._closed:
                return True
            self._closing = True
            failed_before = self.stats.failed
            self._deadline = time.monotonic() + timeout
            self._cond.notify_all()
            worker = self._worker if self._worker_pid == os.getpid() else None
        self._stop_backoff.set()
        if worker is not None:
            worker.join(max(0.0, self._deadline - time.monotonic()) + 0.05)
        with self._cond:
            self._closed = True
            leftover = len(self._queue)
        if leftover:
            logger.warning("zespan: %d spans not sent before shutdown", leftover)
        gave_up = self.stats.failed > failed_before
        return leftover == 0 and not gave_up and (worker is None or not worker.is_alive())

    def _start_worker(self) -> None:
        with self._cond:
            if self._worker_pid == os.getpid():
                return
            self._worker_pid = os.getpid()
            self._worker = threading.Thread(target=self._run, name="zespan-exporter", daemon=True)
            self._worker.start()

    # --- worker side --------------------------------------------------------------
    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            try:
                # Formatting happens here, outside the lock and off the callers' threads.
                self._deliver([_as_payload(item) for item in batch])
            except Exception:  # never let one bad batch kill the worker
                logger.exception("zespan: exporting a batch failed")
                self.stats.failed += len(batch)
            with self._cond:
                self._completed += len(batch)
                self.stats.queued = len(self._queue)
                self._cond.notify_all()

    def _next_batch(self):
        with self._cond:
            while not self._queue:
                if self._closing:
                    return None
                self._cond.wait()
            send_by = time.monotonic() + self._flush_interval
            while len(self._queue) < self._flush_at and not self._flush_waiters and not self._closing:
                remaining = send_by - time.monotonic()
                if remaining <= 0:
                    break
                self._cond.wait(remaining)
            if self._closing and time.monotonic() > self._deadline:
                given_up = len(self._queue)
                self.stats.failed += given_up
                self._completed += given_up
                self._queue.clear()
                self._cond.notify_all()
                return None
            count = min(self._max_batch_size, len(self._queue))
            return [self._queue.popleft() for _ in range(count)]

    def _deliver(self, batch: List[Dict[str, Any]]) -> None:
        parts = [batch]
        while parts:
            part = parts.pop()
            attempt = 0
            while True:
                outcome = self._transport.send(part)
                if outcome.kind == DELIVERED:
                    self.stats.sent += len(part) - len(outcome.rejected_ids)
                    self.stats.rejected += len(outcome.rejected_ids)
                    logger.debug("zespan: sent %d spans (HTTP %s)", len(part), outcome.status)
                    break
                if outcome.kind == TOO_LARGE and len(part) > 1:
                    middle = len(part) // 2
                    parts.extend([part[middle:], part[:middle]])
                    break
                if outcome.kind in (REJECTED, TOO_LARGE):
                    self.stats.rejected += len(part)
                    logger.debug("zespan: server refused %d spans (HTTP %s): %s",
                                 len(part), outcome.status, outcome.detail)
                    if outcome.status == 401:
                        logger.warning("zespan: the API key was refused (HTTP 401); check ZESPAN_API_KEY")
                    break
                if attempt >= self._max_retries:
                    self.stats.failed += len(part)
                    logger.warning("zespan: gave up on %d spans after %d retries (%s)", len(part), attempt,
                                   outcome.detail or outcome.status)
                    break
                delay = self._retry_delay(attempt, outcome.retry_after)
                if not self._wait_before_retry(delay, outcome.retry_after is not None):
                    self.stats.failed += len(part)
                    logger.warning("zespan: gave up on %d spans at shutdown (%s)", len(part),
                                   outcome.detail or outcome.status)
                    break
                attempt += 1
                self.stats.retries += 1
                logger.debug("zespan: retry %d after %.2fs (%s)", attempt, delay,
                             outcome.status or outcome.detail)

    def _retry_delay(self, attempt: int, retry_after) -> float:
        if retry_after is not None:
            return min(retry_after, _LONGEST_RETRY_AFTER)
        ceiling = min(self._max_retry_delay, _FIRST_RETRY_DELAY * (2 ** min(attempt, 16)))
        return random.uniform(ceiling / 2, ceiling)  # jitter spreads out many clients

    def _wait_before_retry(self, delay: float, server_asked: bool) -> bool:
        """Sleeps before the next attempt; False once shutdown's deadline leaves no room.

        While running, a batch is retried up to max_retries times (the queue keeps filling,
        bounded by max_queue_size, meanwhile). At shutdown, retry quickly until the deadline, except that a
        server's explicit Retry-After is never cut short.
        """
        if not self._closing:
            self._stop_backoff.wait(delay)
            if not self._closing:
                return True
        remaining = self._deadline - time.monotonic()
        if remaining <= 0 or (server_asked and delay > remaining):
            return False
        time.sleep(delay if server_asked else min(delay, remaining, 0.25))
        return True
