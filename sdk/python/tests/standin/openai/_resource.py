"""Shared plumbing of resources: drop NOT_GIVEN params, post, build models or streams."""
import functools

from ._streaming import AsyncStream, Stream
from ._types import NotGiven


def body_of(params):
    return {k: v for k, v in params.items() if not isinstance(v, NotGiven)}


def required_args(*names):
    """Like openai's decorator: checks keyword args and hides the function's async-ness
    from inspect (the wrapper is a plain def), exactly the trap real openai sets."""
    def decorate(func):
        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            missing = [n for n in names if n not in kwargs]
            if missing:
                raise TypeError("Missing required arguments: %s" % ", ".join(repr(n) for n in missing))
            return func(*args, **kwargs)
        return wrapper
    return decorate


class SyncAPIResource:
    def __init__(self, client):
        self._client = client

    def _request(self, path, body, cast_to, stream_cls=None, method="POST", query=None):
        stream = bool(body.get("stream")) or (query or {}).get("stream") == "true"
        response, data = self._client._post(path, body, stream, method, query)
        if stream:
            return Stream(cast_to=stream_cls, response=response, lines=data)
        return cast_to.construct(data)


class AsyncAPIResource:
    def __init__(self, client):
        self._client = client

    async def _request(self, path, body, cast_to, stream_cls=None, method="POST", query=None):
        stream = bool(body.get("stream")) or (query or {}).get("stream") == "true"
        response, data = await self._client._post(path, body, stream, method, query)
        if stream:
            return AsyncStream(cast_to=stream_cls, response=response, lines=data)
        return cast_to.construct(data)
