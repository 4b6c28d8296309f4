"""Spans: the records we send, and `span()` for grouping work into one trace."""
import contextvars
import functools
import inspect
import threading
import time
from typing import Any, Dict, Iterable, Optional

from . import _runtime
from ._clock import Instant, iso_utc, new_span_id, new_trace_id
from ._context import current_attributes
from ._serialize import to_jsonable

_current_span: contextvars.ContextVar = contextvars.ContextVar("zespan_current_span", default=None)


class SpanRecord:
    """One span in flight. Ends exactly once, whichever path gets there first."""

    __slots__ = ("id", "trace_id", "parent_id", "name", "kind", "sampled", "started", "ended_wall",
                 "user_id", "session_id", "tags", "metadata", "model", "provider", "usage",
                 "status", "error", "input", "output", "_ended", "_lock")

    def __init__(self, name: str, kind: str) -> None:
        parent = _current_span.get()
        attributes = current_attributes()
        self.id = new_span_id()
        if parent is not None:
            self.trace_id, self.parent_id, self.sampled = parent.trace_id, parent.id, parent.sampled
        else:
            self.trace_id, self.parent_id = new_trace_id(), None
            # One decision per root, keyed by session so a session is recorded whole or not at all.
            key = attributes.session_id if attributes.session_id is not None else self.trace_id
            self.sampled = _runtime.sample(str(key))
        self.name = name
        self.kind = kind
        self.started = Instant()
        self.user_id = attributes.user_id
        self.session_id = attributes.session_id
        self.tags = list(attributes.tags)
        self.metadata: Dict[str, Any] = dict(attributes.metadata)
        self.model = None
        self.provider = None
        self.usage = None
        self.status = "ok"
        self.error = None
        self.input = None
        self.output = None
        self.ended_wall = None
        self._ended = False
        self._lock = threading.Lock()

    # Public helpers for code inside `with zespan.span(...) as s:`
    def set_input(self, value: Any) -> None:
        self.input = to_jsonable(value)

    def set_output(self, value: Any) -> None:
        self.output = to_jsonable(value)

    def set_metadata(self, **values: Any) -> None:
        self.metadata.update(to_jsonable(values))

    def add_tags(self, *tags: str) -> None:
        self.tags.extend(str(t) for t in tags if str(t) not in self.tags)

    def record_error(self, error: BaseException) -> None:
        self.status = "error"
        self.error = str(error) or type(error).__name__
        self.metadata.setdefault("errorType", type(error).__name__)

    def end(self) -> bool:
        """Stamps the end time and queues the span; later calls do nothing."""
        ended_mono = time.perf_counter()
        with self._lock:
            if self._ended:
                return False
            self._ended = True
        self.ended_wall = self.started.wall_after(ended_mono)
        if not _runtime.captures_content():
            self.input = self.output = None
        if self.sampled:
            # The record itself is queued; the exporter thread formats it (to_payload),
            # which keeps timestamp formatting and dict building off the caller's thread.
            _runtime.submit(self)
        return True

    @property
    def ended(self) -> bool:
        return self._ended

    def to_payload(self) -> Dict[str, Any]:
        end_wall = self.ended_wall if self.ended_wall is not None else self.started.wall
        payload = {
            "id": self.id,
            "traceId": self.trace_id,
            "parentId": self.parent_id,
            "sessionId": self.session_id,
            "userId": self.user_id,
            "name": self.name,
            "kind": self.kind,
            "startTime": iso_utc(self.started.wall),
            "endTime": iso_utc(end_wall),
            "status": self.status,
            "error": self.error,
            "input": self.input,
            "output": self.output,
            "metadata": self.metadata,
            "tags": self.tags,
        }
        if self.kind == "llm" or self.model is not None:
            payload["model"] = self.model
            payload["provider"] = self.provider
            payload["usage"] = self.usage
        return payload


def activate(record: SpanRecord) -> contextvars.Token:
    return _current_span.set(record)


def deactivate(token: contextvars.Token) -> None:
    try:
        _current_span.reset(token)
    except ValueError:
        _current_span.set(token.old_value if token.old_value is not contextvars.Token.MISSING else None)


def current_span() -> Optional[SpanRecord]:
    return _current_span.get()


class span:  # noqa: N801 - lower-case name is the documented public API
    """Opens a `kind: "span"` span; LLM calls and spans inside it become its children.

    `with zespan.span("plan") as s:` / `async with` / `@zespan.span("plan")`.
    """

    def __init__(self, name: str, *, input: Any = None, metadata: Optional[Dict[str, Any]] = None,
                 tags: Optional[Iterable[str]] = None) -> None:
        self._name = name
        self._input = input
        self._metadata = metadata
        self._tags = list(tags) if tags else []
        self._open = []

    def _enter(self) -> SpanRecord:
        record = SpanRecord(self._name, "span")
        if self._input is not None:
            record.set_input(self._input)
        if self._metadata:
            record.set_metadata(**self._metadata)
        if self._tags:
            record.add_tags(*self._tags)
        self._open.append((record, activate(record)))
        return record

    def _exit(self, error: Optional[BaseException]) -> None:
        record, token = self._open.pop()
        deactivate(token)
        if error is not None:
            record.record_error(error)
        record.end()

    def __enter__(self) -> SpanRecord:
        return self._enter()

    def __exit__(self, exc_type, exc, tb) -> None:
        self._exit(exc)

    async def __aenter__(self) -> SpanRecord:
        return self._enter()

    async def __aexit__(self, exc_type, exc, tb) -> None:
        self._exit(exc)

    def _fresh(self) -> "span":
        return span(self._name, input=self._input, metadata=self._metadata, tags=self._tags)

    def __call__(self, func):
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def async_traced(*args, **kwargs):
                async with self._fresh():
                    return await func(*args, **kwargs)
            return async_traced

        @functools.wraps(func)
        def traced(*args, **kwargs):
            with self._fresh():
                return func(*args, **kwargs)
        return traced
