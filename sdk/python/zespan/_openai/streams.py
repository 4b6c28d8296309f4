"""Observes a streamed call without changing what the caller receives.

openai's Stream/AsyncStream read every chunk through their `_iterator` attribute,
so we swap that iterator for one that watches the chunks and hand back the very
same object (isinstance checks, `.response`, the `.stream()` helpers keep working).
Objects without `_iterator` are wrapped in a transparent proxy instead.

The span ends once: on exhaustion, error, close(), context exit or garbage collection.
openai's `.stream()` helpers close the HTTP response (`stream.response.close()`), not the
Stream, so closing that response ends the span too: a helper left early ends its span when
its `with` block exits, not when the garbage collector gets to it.
"""
import logging
import threading
import time
import weakref
from typing import Any, Optional

logger = logging.getLogger("zespan")


class StreamObserver:
    def __init__(self, record, accumulator) -> None:
        self._record = record
        self._accumulator = accumulator
        self._first_chunk_at: Optional[float] = None
        self._first_token_at: Optional[float] = None
        self._chunks = 0
        self._finished = False
        self._lock = threading.Lock()

    def observe(self, chunk: Any) -> None:
        self._chunks += 1
        try:
            now = None
            if self._first_token_at is None:
                now = time.perf_counter()
                if self._first_chunk_at is None:
                    self._first_chunk_at = now
                if self._accumulator.carries_output(chunk):
                    self._first_token_at = now
            self._accumulator.add(chunk)
        except Exception:
            logger.debug("zespan: could not read a stream chunk", exc_info=True)

    def finish(self, exhausted: bool = False, error: Optional[BaseException] = None) -> None:
        with self._lock:
            if self._finished:
                return
            self._finished = True
        record = self._record
        try:
            self._accumulator.apply(record)
            first = self._first_token_at or self._first_chunk_at
            if first is not None:
                record.metadata["timeToFirstTokenMs"] = round((first - record.started.mono) * 1000, 1)
            record.metadata["chunks"] = self._chunks
            if error is not None:
                record.record_error(error)
            elif not (exhausted or self._accumulator.ended):
                # docs/sdk-spec.md: the caller left (break, close, context exit) before the stream's end.
                record.metadata["streamEndedEarly"] = True
        except Exception:
            logger.debug("zespan: could not summarise a stream", exc_info=True)
        record.end()


def observe_sync_stream(stream: Any, observer: StreamObserver) -> Any:
    inner = getattr(stream, "_iterator", None)
    if inner is not None and hasattr(inner, "__next__"):
        try:
            stream._iterator = _watch_sync(inner, observer)
            _hook_close(stream, observer, is_async=False)
            _hook_response_close(getattr(stream, "response", None), observer)
            weakref.finalize(stream, observer.finish)
            return stream
        except Exception:
            logger.debug("zespan: stream not patchable in place; proxying", exc_info=True)
    return ObservedStream(stream, observer)


def observe_async_stream(stream: Any, observer: StreamObserver) -> Any:
    inner = getattr(stream, "_iterator", None)
    if inner is not None and hasattr(inner, "__anext__"):
        try:
            stream._iterator = _watch_async(inner, observer)
            _hook_close(stream, observer, is_async=True)
            _hook_response_close(getattr(stream, "response", None), observer)
            weakref.finalize(stream, observer.finish)
            return stream
        except Exception:
            logger.debug("zespan: stream not patchable in place; proxying", exc_info=True)
    return ObservedAsyncStream(stream, observer)


def _watch_sync(inner, observer: StreamObserver):
    exhausted = False
    try:
        for chunk in inner:
            observer.observe(chunk)
            yield chunk
        exhausted = True
    except GeneratorExit:
        raise
    except BaseException as error:
        observer.finish(False, error)
        raise
    finally:
        observer.finish(exhausted)


async def _watch_async(inner, observer: StreamObserver):
    exhausted = False
    try:
        async for chunk in inner:
            observer.observe(chunk)
            yield chunk
        exhausted = True
    except GeneratorExit:
        raise
    except BaseException as error:
        observer.finish(False, error)
        raise
    finally:
        observer.finish(exhausted)


def _hook_close(stream: Any, observer: StreamObserver, is_async: bool) -> None:
    # Instance attribute shadows the class method; __exit__/__aexit__/aclose call
    # self.close(), so they are covered too. A weak reference keeps GC possible.
    class_close = getattr(type(stream), "close", None)
    if class_close is None:
        return
    stream_ref = weakref.ref(stream)

    if is_async:
        async def close(*args, **kwargs):
            observer.finish()
            target = stream_ref()
            if target is not None:
                return await class_close(target, *args, **kwargs)
    else:
        def close(*args, **kwargs):
            observer.finish()
            target = stream_ref()
            if target is not None:
                return class_close(target, *args, **kwargs)
    stream.close = close


def _hook_response_close(response: Any, observer: StreamObserver) -> None:
    # httpx.Response: close() for sync clients, aclose() for async ones; shadowed per instance.
    if response is None:
        return
    response_ref = weakref.ref(response)
    class_close = getattr(type(response), "close", None)
    class_aclose = getattr(type(response), "aclose", None)
    try:
        if class_close is not None:
            def close(*args, **kwargs):
                observer.finish()
                target = response_ref()
                if target is not None:
                    return class_close(target, *args, **kwargs)
            response.close = close
        if class_aclose is not None:
            async def aclose(*args, **kwargs):
                observer.finish()
                target = response_ref()
                if target is not None:
                    return await class_aclose(target, *args, **kwargs)
            response.aclose = aclose
    except Exception:
        logger.debug("zespan: could not observe the stream's response", exc_info=True)


class ObservedStream:
    """Proxy for sync streams that do not expose `_iterator`."""

    def __init__(self, stream: Any, observer: StreamObserver) -> None:
        self._zespan_stream = stream
        self._zespan_observer = observer
        self._zespan_chunks = _watch_sync(iter(stream), observer)

    def __iter__(self):
        return self._zespan_chunks

    def __next__(self):
        return next(self._zespan_chunks)

    def __enter__(self):
        enter = getattr(self._zespan_stream, "__enter__", None)
        if enter is not None:
            enter()
        return self

    def __exit__(self, *exc_info):
        self._zespan_observer.finish()
        exit_ = getattr(self._zespan_stream, "__exit__", None)
        return exit_(*exc_info) if exit_ is not None else None

    def close(self):
        self._zespan_observer.finish()
        close = getattr(self._zespan_stream, "close", None)
        return close() if close is not None else None

    def __getattr__(self, name):
        return getattr(self._zespan_stream, name)

    def __del__(self):
        try:
            self._zespan_observer.finish()
        except Exception:
            pass


class ObservedAsyncStream:
    """Proxy for async streams that do not expose `_iterator`."""

    def __init__(self, stream: Any, observer: StreamObserver) -> None:
        self._zespan_stream = stream
        self._zespan_observer = observer
        self._zespan_chunks = _watch_async(stream.__aiter__(), observer)

    def __aiter__(self):
        return self._zespan_chunks

    async def __anext__(self):
        return await self._zespan_chunks.__anext__()

    async def __aenter__(self):
        enter = getattr(self._zespan_stream, "__aenter__", None)
        if enter is not None:
            await enter()
        return self

    async def __aexit__(self, *exc_info):
        self._zespan_observer.finish()
        exit_ = getattr(self._zespan_stream, "__aexit__", None)
        return (await exit_(*exc_info)) if exit_ is not None else None

    async def close(self):
        self._zespan_observer.finish()
        close = getattr(self._zespan_stream, "close", None)
        return (await close()) if close is not None else None

    async def aclose(self):
        return await self.close()

    def __getattr__(self, name):
        return getattr(self._zespan_stream, name)

    def __del__(self):
        try:
            self._zespan_observer.finish()
        except Exception:
            pass
