"""One HTTP POST of a batch to /api/v1/ingest, classified into what to do next."""
import email.utils
import json
import logging
import time
import urllib.error
import urllib.request
from typing import Any, Dict, List, Optional

from ._version import __version__

logger = logging.getLogger("zespan")

DELIVERED = "delivered"    # 2xx: the accepted items are durable
RETRY = "retry"            # 429, 5xx, network trouble: same batch again later
TOO_LARGE = "too_large"    # 413: split the batch
REJECTED = "rejected"      # other 4xx: retrying cannot help


class Outcome:
    __slots__ = ("kind", "status", "retry_after", "rejected_ids", "detail")

    def __init__(self, kind: str, status: Optional[int] = None, retry_after: Optional[float] = None,
                 rejected_ids: Optional[List[str]] = None, detail: str = "") -> None:
        self.kind = kind
        self.status = status
        self.retry_after = retry_after
        self.rejected_ids = rejected_ids or []
        self.detail = detail


class IngestTransport:
    def __init__(self, url: str, api_key: str, timeout: float) -> None:
        self._url = url
        self._headers = {
            "Authorization": "Bearer " + api_key,
            "Content-Type": "application/json",
            "User-Agent": "zespan-python/" + __version__,
        }
        self._timeout = timeout

    def send(self, batch: List[Dict[str, Any]]) -> Outcome:
        body = json.dumps({"batch": batch}, separators=(",", ":"), default=str).encode("utf-8")
        request = urllib.request.Request(self._url, data=body, headers=self._headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self._timeout) as response:
                return _delivered(response.status, response.read())
        except urllib.error.HTTPError as error:
            return _classify_error(error)
        except Exception as error:  # URLError, timeouts, resets: the server may come back
            return Outcome(RETRY, detail="%s: %s" % (type(error).__name__, error))


def _delivered(status: int, body: bytes) -> Outcome:
    rejected = []
    if status == 207:
        try:
            errors = json.loads(body.decode("utf-8")).get("errors") or []
            rejected = [str(e.get("id")) for e in errors]
            for e in errors:
                logger.debug("zespan: server rejected span %s: %s", e.get("id"), e.get("message"))
        except Exception:
            logger.debug("zespan: unreadable 207 body: %r", body[:500])
    return Outcome(DELIVERED, status=status, rejected_ids=rejected)


def _classify_error(error: urllib.error.HTTPError) -> Outcome:
    status = error.code
    try:
        detail = error.read()[:1000].decode("utf-8", "replace")
    except Exception:
        detail = ""
    finally:
        error.close()
    if status == 413:
        return Outcome(TOO_LARGE, status=status, detail=detail)
    if status in (408, 425, 429) or status >= 500:
        return Outcome(RETRY, status=status, retry_after=parse_retry_after(error.headers.get("Retry-After")),
                       detail=detail)
    return Outcome(REJECTED, status=status, detail=detail)


def parse_retry_after(value: Optional[str]) -> Optional[float]:
    """Retry-After is either delta-seconds or an HTTP date (RFC 9110 §10.2.3)."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
        return max(0.0, when.timestamp() - time.time())
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
