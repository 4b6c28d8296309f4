"""Wrappers that turn one OpenAI method call into one `llm` span.

Whatever happens inside the SDK, the caller gets exactly what the original method
returned or raised: our own failures are logged and swallowed, the app's
exceptions are re-raised untouched.
"""
import contextvars
import functools
import logging
from typing import Any, Callable, Dict, Optional

from .. import _runtime
from .._serialize import is_absent
from .._spans import SpanRecord
from .reading import request_params
from .stream_accumulators import ChatChunks, ResponseEvents
from .streams import StreamObserver, observe_async_stream, observe_sync_stream

logger = logging.getLogger("zespan")

# Set while an instrumented call runs, so a wrapped method that calls another
# wrapped method (e.g. a helper built on `create`) is recorded once, not twice.
_inside_call: contextvars.ContextVar = contextvars.ContextVar("zespan_inside_openai_call", default=False)

ORIGINAL_ATTRIBUTE = "__zespan_original__"


class Operation:
    """What one patched method is called in spans and how to read its payloads.

    `positional` names the method's positional parameters after `self` (openai passes most
    arguments by keyword; `retrieve(response_id, ...)` is the exception). `records` decides
    from the arguments whether this call is an LLM call at all.
    """

    def __init__(self, span_name: str, reader, stream_accumulator, positional=(), records=None) -> None:
        self.span_name = span_name
        self.reader = reader
        self.stream_accumulator = stream_accumulator
        self.positional = positional
        self.records = records or (lambda arguments: True)


def _arguments(operation: Operation, args, kwargs: Dict[str, Any]) -> Dict[str, Any]:
    if len(args) <= 1:
        return kwargs
    return {**dict(zip(operation.positional, args[1:])), **kwargs}


def _begin(operation: Operation, args, kwargs: Dict[str, Any]) -> Optional[SpanRecord]:
    if _inside_call.get() or not _runtime.is_recording():
        return None
    try:
        arguments = _arguments(operation, args, kwargs)
        if not operation.records(arguments):
            return None
        record = SpanRecord(operation.span_name, "llm")
        if not record.sampled:
            return None
        record.provider = "openai"
        model = arguments.get("model")
        record.model = None if is_absent(model) else str(model)
        record.input = operation.reader.input_of(arguments)
        record.metadata = {**request_params(arguments), **operation.reader.call_metadata(arguments),
                           **record.metadata}
        return record
    except Exception:
        logger.debug("zespan: could not start a span", exc_info=True)
        return None


def _fail(record: SpanRecord, error: BaseException) -> None:
    try:
        # openai's APIError carries the API's error object: its type and code say more than the class name.
        for key, value in (("errorType", getattr(error, "type", None)), ("errorCode", getattr(error, "code", None))):
            if isinstance(value, (str, int)) and not isinstance(value, bool):
                record.metadata[key] = value
        record.record_error(error)
        status_code = getattr(error, "status_code", None)
        if isinstance(status_code, int):
            record.metadata["httpStatus"] = status_code
            body = getattr(error, "body", None)
            message = body.get("message") if isinstance(body, dict) else None
            if isinstance(message, str) and message:
                record.error = "%d %s" % (status_code, message)   # as docs/sdk-spec.md words API errors
        record.end()
    except Exception:
        logger.debug("zespan: could not record an error", exc_info=True)


def _settle(record: SpanRecord, operation: Operation, kwargs: Dict[str, Any], result: Any, is_async: bool) -> Any:
    """Ends the span for a plain response; for a stream, hands back the observed stream."""
    try:
        if kwargs.get("stream") is True and operation.stream_accumulator is not None:
            observer = StreamObserver(record, operation.stream_accumulator())
            return (observe_async_stream if is_async else observe_sync_stream)(result, observer)
        operation.reader.complete(record, result)
    except Exception:
        logger.debug("zespan: could not read a response", exc_info=True)
    record.end()
    return result


def wrap_sync(original: Callable, operation: Operation) -> Callable:
    @functools.wraps(original)
    def zespan_observed(*args, **kwargs):
        record = _begin(operation, args, kwargs)
        if record is None:
            return original(*args, **kwargs)
        token = _inside_call.set(True)
        try:
            result = original(*args, **kwargs)
        except BaseException as error:
            _fail(record, error)
            raise
        finally:
            _inside_call.reset(token)
        return _settle(record, operation, kwargs, result, is_async=False)

    setattr(zespan_observed, ORIGINAL_ATTRIBUTE, original)
    return zespan_observed


def wrap_async(original: Callable, operation: Operation) -> Callable:
    @functools.wraps(original)
    async def zespan_observed(*args, **kwargs):
        record = _begin(operation, args, kwargs)
        if record is None:
            return await original(*args, **kwargs)
        token = _inside_call.set(True)
        try:
            result = await original(*args, **kwargs)
        except BaseException as error:
            _fail(record, error)
            raise
        finally:
            _inside_call.reset(token)
        return _settle(record, operation, kwargs, result, is_async=True)

    setattr(zespan_observed, ORIGINAL_ATTRIBUTE, original)
    return zespan_observed


def chat_operation(span_name: str) -> Operation:
    from .reading import Chat
    return Operation(span_name, Chat, ChatChunks)


def responses_operation(span_name: str) -> Operation:
    from .reading import Responses
    return Operation(span_name, Responses, ResponseEvents)


def resumed_responses_operation(span_name: str) -> Operation:
    from .reading import ResumedResponse
    return Operation(span_name, ResumedResponse, ResponseEvents, positional=("response_id",),
                     records=lambda arguments: arguments.get("stream") is True)


def embeddings_operation(span_name: str) -> Operation:
    from .reading import Embeddings
    return Operation(span_name, Embeddings, None)
