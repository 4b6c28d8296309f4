"""Zespan SDK for Python: traces, sessions and cost of your LLM calls.

    import zespan
    zespan.init(api_key="zsp_...")
    zespan.patch_openai()
"""
from typing import Dict, Optional

from . import _runtime
from ._config import Settings
from ._context import with_zespan_context
from ._guard import GuardState, guard
from ._openai.patching import is_patched as _is_openai_patched
from ._openai.patching import patch_openai, unpatch_openai
from ._spans import SpanRecord, current_span, span
from ._version import __version__

__all__ = [
    "init", "flush", "shutdown", "stats", "patch_openai", "unpatch_openai",
    "with_zespan_context", "span", "current_span", "SpanRecord", "__version__", "guard", "GuardState",
]


def init(api_key: Optional[str] = None, base_url: Optional[str] = None, flush_at: int = 20,
         flush_interval: float = 1.0, max_queue_size: int = 10_000, enabled: bool = True,
         debug: bool = False, sample_rate: Optional[float] = None, request_timeout: float = 10.0,
         shutdown_timeout: float = 5.0, max_retry_delay: float = 30.0, max_batch_size: int = 100,
         max_retries: int = 10, capture_content: Optional[bool] = None) -> None:
    """Configures the SDK. Calling it again replaces the previous configuration
    (spans already queued are flushed to the previous destination first).

    Options, defaults and environment variables are those of docs/sdk-spec.md: api_key
    defaults to $ZESPAN_API_KEY, base_url to $ZESPAN_BASE_URL, then http://localhost:5080;
    sample_rate to $ZESPAN_SAMPLE_RATE, then 1; capture_content to $ZESPAN_CAPTURE_CONTENT,
    then True. Never raises: bad values are logged and defaulted.
    """
    _runtime.configure(Settings(
        api_key=api_key, base_url=base_url, flush_at=flush_at, flush_interval=flush_interval,
        max_queue_size=max_queue_size, enabled=enabled, debug=debug, sample_rate=sample_rate,
        request_timeout=request_timeout, shutdown_timeout=shutdown_timeout,
        max_retry_delay=max_retry_delay, max_batch_size=max_batch_size, max_retries=max_retries,
        capture_content=capture_content))


def flush(timeout: float = 10.0) -> bool:
    """Blocks until every span recorded so far has been sent (or given up on).
    Returns False if `timeout` seconds passed first."""
    return _runtime.flush(timeout)


def shutdown(timeout: Optional[float] = None) -> bool:
    """Sends what is queued (up to `timeout`, default shutdown_timeout) and stops the
    exporter. Runs automatically at interpreter exit."""
    return _runtime.shutdown(timeout)


def stats() -> Dict[str, int]:
    """Exporter counters: queued, sent, dropped_queue_full, dropped_after_shutdown, rejected,
    failed (given up at shutdown), retries."""
    return _runtime.stats()
