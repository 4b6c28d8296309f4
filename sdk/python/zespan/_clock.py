"""Span ids and timestamps in the shapes the ingest contract asks for."""
import os
import time
from datetime import datetime, timezone


def new_span_id() -> str:
    # 16 hex chars; os.urandom is cheaper than secrets/uuid and never blocks.
    return os.urandom(8).hex()


def new_trace_id() -> str:
    return os.urandom(16).hex()


class Instant:
    """A point in time: wall clock for the record, monotonic clock for durations.

    The wall clock can jump (NTP); deriving end times from the monotonic clock keeps
    endTime >= startTime and latencies honest.
    """

    __slots__ = ("wall", "mono")

    def __init__(self) -> None:
        self.wall = time.time()
        self.mono = time.perf_counter()

    def wall_after(self, later_mono: float) -> float:
        return self.wall + max(0.0, later_mono - self.mono)


def iso_utc(epoch_seconds: float) -> str:
    stamp = datetime.fromtimestamp(epoch_seconds, timezone.utc)
    return stamp.strftime("%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (stamp.microsecond // 1000)
