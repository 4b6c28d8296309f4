"""Reads a session's guard state (GET /api/v1/sessions/{id}/guard), so an application can
stop a runaway agent itself when the session crossed one of the project's rules."""
import json
import logging
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Dict, List, Optional

from . import _runtime
from ._version import __version__

logger = logging.getLogger("zespan")


@dataclass(frozen=True)
class GuardState:
    """`stop` is True when the session (or its user, within the current window) crossed any rule.
    `crossed` lists them: ruleId, ruleName, kind, subject ("session" or "user"), figure, firedAt, window.
    `error` is set when the state could not be read; `stop` is then False."""
    session_id: str
    stop: bool = False
    user_id: Optional[str] = None
    crossed: List[Dict[str, Any]] = field(default_factory=list)
    error: Optional[str] = None


def guard(session_id: str, timeout: Optional[float] = None) -> GuardState:
    """The session's guard state. A session the server does not know yet has crossed nothing.
    Never raises: failures answer stop=False with `error` set."""
    client = _runtime.current()
    settings = client.settings if client is not None else None
    if settings is None or not settings.api_key:
        return GuardState(session_id, error="no API key: call zespan.init(api_key=...) or set ZESPAN_API_KEY")
    url = "%s/api/v1/sessions/%s/guard" % (settings.base_url, urllib.parse.quote(session_id, safe=""))
    request = urllib.request.Request(url, headers={
        "Authorization": "Bearer " + settings.api_key, "Accept": "application/json",
        "User-Agent": "zespan-sdk-python/" + __version__})
    try:
        with urllib.request.urlopen(request, timeout=timeout or settings.request_timeout) as response:
            body = json.loads(response.read().decode("utf-8"))
    except urllib.error.HTTPError as error:
        if error.code == 404:
            return GuardState(session_id)
        return GuardState(session_id, error="guard state: HTTP %d" % error.code)
    except Exception as error:  # network, timeout, unreadable answer: never into the application
        logger.debug("zespan: could not read the guard state", exc_info=True)
        return GuardState(session_id, error="guard state: %s" % error)
    return GuardState(session_id=body.get("sessionId", session_id), stop=body.get("stop") is True,
                      user_id=body.get("userId"), crossed=list(body.get("crossed") or []))
