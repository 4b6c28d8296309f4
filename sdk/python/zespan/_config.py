"""Settings for `zespan.init`, with environment defaults and forgiving validation.

A bad setting is logged and replaced by its default: observability must never
stop an application from starting.
"""
import logging
import os
from typing import Optional

logger = logging.getLogger("zespan")

DEFAULT_BASE_URL = "http://localhost:5080"


class Settings:
    """The options of docs/sdk-spec.md, with its defaults, ranges and environment variables."""

    def __init__(self, api_key: Optional[str] = None, base_url: Optional[str] = None,
                 flush_at: int = 20, flush_interval: float = 1.0, max_queue_size: int = 10_000,
                 enabled: bool = True, debug: bool = False, sample_rate: Optional[float] = None,
                 request_timeout: float = 10.0, shutdown_timeout: float = 5.0,
                 max_retry_delay: float = 30.0, max_batch_size: int = 100, max_retries: int = 10,
                 capture_content: Optional[bool] = None) -> None:
        self.api_key = api_key or os.environ.get("ZESPAN_API_KEY") or None
        self.base_url = (base_url or os.environ.get("ZESPAN_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        # The environment's switches are an operator's: they turn recording off and logging on whatever the code says.
        self.debug = bool(debug) or _env_flag("ZESPAN_DEBUG", False)
        self.enabled = bool(enabled) and _env_flag("ZESPAN_ENABLED", True)
        self.flush_at = _number("flush_at", flush_at, 20, minimum=1, kind=int)
        self.flush_interval = _number("flush_interval", flush_interval, 1.0, minimum=0.01)
        self.max_queue_size = _number("max_queue_size", max_queue_size, 10_000, minimum=1, kind=int)
        self.max_batch_size = _number("max_batch_size", max_batch_size, 100, minimum=1, kind=int)
        self.max_retries = _number("max_retries", max_retries, 10, minimum=0, kind=int)
        if sample_rate is None and _env_text("ZESPAN_SAMPLE_RATE") is not None:
            sample_rate = _env_text("ZESPAN_SAMPLE_RATE")
        self.sample_rate = _number("sample_rate", 1.0 if sample_rate is None else sample_rate, 1.0,
                                   minimum=0.0, maximum=1.0)
        self.capture_content = (bool(capture_content) if capture_content is not None
                                else _env_flag("ZESPAN_CAPTURE_CONTENT", True))
        self.request_timeout = _number("request_timeout", request_timeout, 10.0, minimum=0.1)
        self.shutdown_timeout = _number("shutdown_timeout", shutdown_timeout, 5.0, minimum=0.0)
        # Not in the spec (which fixes 30 s): lets tests retry quickly.
        self.max_retry_delay = _number("max_retry_delay", max_retry_delay, 30.0, minimum=0.01)
        if self.enabled and not self.api_key:
            logger.warning("zespan: no API key (pass api_key= or set ZESPAN_API_KEY); spans will not be sent")
            self.enabled = False

    @property
    def ingest_url(self) -> str:
        return self.base_url + "/api/v1/ingest"


def _env_text(name: str) -> Optional[str]:
    """The variable's value; unset or empty (only spaces) counts as unset."""
    raw = os.environ.get(name)
    return None if raw is None or raw.strip() == "" else raw.strip()


def _env_flag(name: str, default: bool) -> bool:
    """`0`, `false`, `no`, `off` (any case) are false, anything else non-empty true."""
    raw = _env_text(name)
    if raw is None:
        return default
    return raw.lower() not in ("0", "false", "no", "off")


def _number(name, value, default, minimum=None, maximum=None, kind=float):
    try:
        number = kind(value)
        if number != number:   # NaN passes every range check
            raise ValueError("not a number")
    except (TypeError, ValueError):
        logger.warning("zespan: %s=%r is not a number; using %r", name, value, default)
        return default
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        logger.warning("zespan: %s=%r is out of range; using %r", name, value, default)
        return default
    return number
