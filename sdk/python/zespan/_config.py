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
    def __init__(self, api_key: Optional[str] = None, base_url: Optional[str] = None,
                 flush_at: int = 50, flush_interval: float = 1.0, max_queue_size: int = 10_000,
                 enabled: bool = True, debug: bool = False, sample_rate: float = 1.0,
                 request_timeout: float = 10.0, shutdown_timeout: float = 5.0,
                 max_retry_delay: float = 30.0) -> None:
        self.api_key = api_key or os.environ.get("ZESPAN_API_KEY") or None
        self.base_url = (base_url or os.environ.get("ZESPAN_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.debug = bool(debug) or _env_flag("ZESPAN_DEBUG", False)
        self.enabled = bool(enabled) and _env_flag("ZESPAN_ENABLED", True)
        self.flush_at = _number("flush_at", flush_at, 50, minimum=1, kind=int)
        self.flush_interval = _number("flush_interval", flush_interval, 1.0, minimum=0.01)
        self.max_queue_size = _number("max_queue_size", max_queue_size, 10_000, minimum=1, kind=int)
        self.sample_rate = _number("sample_rate", sample_rate, 1.0, minimum=0.0, maximum=1.0)
        self.request_timeout = _number("request_timeout", request_timeout, 10.0, minimum=0.1)
        self.shutdown_timeout = _number("shutdown_timeout", shutdown_timeout, 5.0, minimum=0.0)
        self.max_retry_delay = _number("max_retry_delay", max_retry_delay, 30.0, minimum=0.01)
        if self.enabled and not self.api_key:
            logger.warning("zespan: no API key (pass api_key= or set ZESPAN_API_KEY); spans will not be sent")
            self.enabled = False

    @property
    def ingest_url(self) -> str:
        return self.base_url + "/api/v1/ingest"


def _env_flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() not in ("0", "false", "no", "off")


def _number(name, value, default, minimum=None, maximum=None, kind=float):
    try:
        number = kind(value)
    except (TypeError, ValueError):
        logger.warning("zespan: %s=%r is not a number; using %r", name, value, default)
        return default
    if (minimum is not None and number < minimum) or (maximum is not None and number > maximum):
        logger.warning("zespan: %s=%r is out of range; using %r", name, value, default)
        return default
    return number
