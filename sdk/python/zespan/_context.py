"""Who and what a span belongs to, carried in contextvars.

contextvars give each thread its own value and each asyncio task a copy taken at
creation, so concurrent conversations never see each other's user or session.
"""
import contextvars
import functools
import inspect
from typing import Any, Dict, Iterable, Mapping, Optional, Tuple


class Attributes:
    """Immutable user/session/session name/tags/metadata in force for the current code."""

    __slots__ = ("user_id", "session_id", "tags", "metadata", "session_name")

    def __init__(self, user_id: Optional[str] = None, session_id: Optional[str] = None,
                 tags: Tuple[str, ...] = (), metadata: Optional[Mapping[str, Any]] = None,
                 session_name: Optional[str] = None) -> None:
        self.user_id = user_id
        self.session_id = session_id
        self.tags = tags
        self.metadata = dict(metadata) if metadata else {}
        self.session_name = session_name

    def merged_with(self, user_id, session_id, tags, metadata, session_name=None) -> "Attributes":
        # Inner scopes override ids they name, add tags, and overlay metadata keys.
        merged_tags = self.tags
        if tags:
            merged_tags = self.tags + tuple(t for t in _as_tags(tags) if t not in self.tags)
        merged_metadata = self.metadata
        if metadata:
            merged_metadata = {**self.metadata, **dict(metadata)}
        return Attributes(
            user_id=str(user_id) if user_id is not None else self.user_id,
            session_id=str(session_id) if session_id is not None else self.session_id,
            tags=merged_tags,
            metadata=merged_metadata,
            session_name=str(session_name) if session_name is not None else self.session_name,
        )


def _as_tags(tags: Iterable[str]) -> Tuple[str, ...]:
    if isinstance(tags, str):
        return (tags,)
    seen = []
    for tag in tags:
        tag = str(tag)
        if tag not in seen:
            seen.append(tag)
    return tuple(seen)


_EMPTY = Attributes()
_attributes: contextvars.ContextVar = contextvars.ContextVar("zespan_attributes", default=_EMPTY)


def current_attributes() -> Attributes:
    return _attributes.get()


class with_zespan_context:  # noqa: N801 - lower-case name is the documented public API
    """Sets user, session, tags and metadata for every span recorded inside it.

    `session_name` gives the session a readable name (sent as `sessionName` on every span); without one the
    server names the session after its first user message.
    Use it as `with`, `async with`, or as a decorator on sync or async functions.
    Nested scopes merge with the enclosing one.
    """

    def __init__(self, user_id: Optional[str] = None, session_id: Optional[str] = None,
                 tags: Optional[Iterable[str]] = None, metadata: Optional[Dict[str, Any]] = None,
                 session_name: Optional[str] = None) -> None:
        self._user_id = user_id
        self._session_id = session_id
        self._session_name = session_name
        self._tags = _as_tags(tags) if tags else ()
        self._metadata = dict(metadata) if metadata else None
        self._tokens = []

    def _enter(self) -> None:
        merged = _attributes.get().merged_with(self._user_id, self._session_id, self._tags, self._metadata,
                                               self._session_name)
        self._tokens.append(_attributes.set(merged))

    def _exit(self) -> None:
        token = self._tokens.pop()
        try:
            _attributes.reset(token)
        except ValueError:
            # Token from another context (object shared across threads): restore by value.
            _attributes.set(token.old_value if token.old_value is not contextvars.Token.MISSING else _EMPTY)

    def __enter__(self) -> "with_zespan_context":
        self._enter()
        return self

    def __exit__(self, *exc_info) -> None:
        self._exit()

    async def __aenter__(self) -> "with_zespan_context":
        self._enter()
        return self

    async def __aexit__(self, *exc_info) -> None:
        self._exit()

    def _fresh(self) -> "with_zespan_context":
        # Each decorated call gets its own scope object, so concurrent calls never share tokens.
        return with_zespan_context(self._user_id, self._session_id, self._tags, self._metadata, self._session_name)

    def __call__(self, func):
        if inspect.iscoroutinefunction(func):
            @functools.wraps(func)
            async def async_scoped(*args, **kwargs):
                with self._fresh():
                    return await func(*args, **kwargs)
            return async_scoped

        @functools.wraps(func)
        def scoped(*args, **kwargs):
            with self._fresh():
                return func(*args, **kwargs)
        return scoped
