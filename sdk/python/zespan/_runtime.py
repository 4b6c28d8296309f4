"""The process-wide SDK state that `zespan.init` configures.

Everything the instrumentation asks of it is cheap and never raises: before
`init` (or with `enabled=False`) wrapped calls pass straight through.
"""
import atexit
import logging
import os
import threading
from typing import Any, Dict, Optional

from ._config import Settings
from ._exporter import BatchExporter
from ._transport import IngestTransport
from ._sampling import is_sampled

logger = logging.getLogger("zespan")


class ZespanClient:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.exporter: Optional[BatchExporter] = None
        if settings.enabled:
            transport = IngestTransport(settings.ingest_url, settings.api_key, settings.request_timeout)
            self.exporter = BatchExporter(transport, settings.flush_at, settings.flush_interval,
                                          settings.max_queue_size, settings.shutdown_timeout,
                                          settings.max_retry_delay, max_batch_size=settings.max_batch_size,
                                          max_retries=settings.max_retries)


_client: Optional[ZespanClient] = None
_lock = threading.Lock()
_hooks_installed = False


def configure(settings: Settings) -> ZespanClient:
    global _client
    _configure_logging(settings.debug)
    client = ZespanClient(settings)
    with _lock:
        previous, _client = _client, client
        _install_process_hooks()
    if previous is not None and previous.exporter is not None:
        previous.exporter.shutdown()
    logger.debug("zespan: initialised (base_url=%s, enabled=%s)", settings.base_url, settings.enabled)
    return client


def current() -> Optional[ZespanClient]:
    return _client


def is_recording() -> bool:
    client = _client
    return client is not None and client.exporter is not None


def captures_content() -> bool:
    """False when `capture_content` (or ZESPAN_CAPTURE_CONTENT) is off: spans carry no input/output."""
    client = _client
    return client is None or client.settings.capture_content


def sample(key: str) -> bool:
    """The shared sampling rule (see _sampling); `key` is the session id, else the trace id."""
    client = _client
    if client is None or client.exporter is None:
        return False
    return is_sampled(key, client.settings.sample_rate)


def submit(span: Any) -> None:
    client = _client
    if client is not None and client.exporter is not None:
        try:
            client.exporter.submit(span)
        except Exception:   # e.g. no new threads during interpreter shutdown
            logger.debug("zespan: could not queue a span", exc_info=True)


def flush(timeout: float = 10.0) -> bool:
    client = _client
    if client is None or client.exporter is None:
        return True
    return client.exporter.flush(timeout)


def shutdown(timeout: Optional[float] = None) -> bool:
    client = _client
    if client is None or client.exporter is None:
        return True
    return client.exporter.shutdown(timeout)


def stats() -> Dict[str, int]:
    client = _client
    if client is None or client.exporter is None:
        return {}
    return client.exporter.stats.as_dict()


def _install_process_hooks() -> None:
    global _hooks_installed
    if _hooks_installed:
        return
    _hooks_installed = True
    # atexit runs after non-daemon threads have finished, while our daemon worker is
    # still alive, so the last spans of a script that simply ends are delivered.
    atexit.register(_shutdown_at_exit)
    if hasattr(os, "register_at_fork"):
        os.register_at_fork(after_in_child=_after_fork_in_child)


def _shutdown_at_exit() -> None:
    try:
        shutdown()
    except Exception:
        logger.debug("zespan: shutdown at exit failed", exc_info=True)


def _after_fork_in_child() -> None:
    client = _client
    if client is not None and client.exporter is not None:
        client.exporter.reset_after_fork()


def _configure_logging(debug: bool) -> None:
    if not debug:
        return
    logger.setLevel(logging.DEBUG)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(name)s %(levelname)s %(message)s"))
        logger.addHandler(handler)
