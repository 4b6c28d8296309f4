"""Reads model, usage and output from OpenAI responses, whatever their shape.

The real client returns pydantic models, other clients return dicts or plain
objects; `field` reads all three the same way.
"""
from typing import Any, Dict, Optional

from .._serialize import is_absent, to_jsonable

# Request parameters worth seeing next to a call (scalars only: cheap and readable).
_REQUEST_PARAMS = (
    "temperature", "top_p", "max_tokens", "max_completion_tokens", "max_output_tokens", "n", "seed",
    "presence_penalty", "frequency_penalty", "stream", "reasoning_effort", "service_tier", "user",
    "dimensions", "encoding_format", "tool_choice", "parallel_tool_calls", "store", "background",
)


def field(obj: Any, name: str, default: Any = None) -> Any:
    if obj is None:
        return default
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


def _first(*values: Any) -> Any:
    for value in values:
        if value is not None:
            return value
    return None


def _int(value: Any) -> int:
    try:
        return int(value or 0)
    except (TypeError, ValueError):
        return 0


def map_usage(usage: Any) -> Optional[Dict[str, int]]:
    """OpenAI usage (chat or responses naming) -> the contract's usage object."""
    if usage is None:
        return None
    input_tokens = _first(field(usage, "prompt_tokens"), field(usage, "input_tokens"))
    output_tokens = _first(field(usage, "completion_tokens"), field(usage, "output_tokens"))
    if input_tokens is None and output_tokens is None:
        return None
    input_details = _first(field(usage, "prompt_tokens_details"), field(usage, "input_tokens_details"))
    output_details = _first(field(usage, "completion_tokens_details"), field(usage, "output_tokens_details"))
    return {
        "inputTokens": _int(input_tokens),
        "outputTokens": _int(output_tokens),
        "cachedInputTokens": _int(field(input_details, "cached_tokens")),
        "reasoningTokens": _int(field(output_details, "reasoning_tokens")),
    }


def request_params(kwargs: Dict[str, Any]) -> Dict[str, Any]:
    params = {}
    for name in _REQUEST_PARAMS:
        value = kwargs.get(name)
        if not is_absent(value) and isinstance(value, (str, int, float, bool)):
            params[name] = value
    return params


class _Reader:
    @staticmethod
    def call_metadata(arguments: Dict[str, Any]) -> Dict[str, Any]:
        return {}


class Chat(_Reader):
    @staticmethod
    def input_of(kwargs: Dict[str, Any]) -> Any:
        return to_jsonable(kwargs.get("messages"))

    @staticmethod
    def complete(record, response: Any) -> None:
        record.model = field(response, "model") or record.model
        record.usage = map_usage(field(response, "usage"))
        choices = field(response, "choices")
        if choices:
            messages = [to_jsonable(field(choice, "message")) for choice in choices]
            record.output = messages[0] if len(messages) == 1 else messages
            finish_reason = field(choices[0], "finish_reason")
            if finish_reason:
                record.metadata["finishReason"] = finish_reason


class Responses(_Reader):
    @staticmethod
    def input_of(kwargs: Dict[str, Any]) -> Any:
        instructions = kwargs.get("instructions")
        if is_absent(instructions):
            return to_jsonable(kwargs.get("input"))
        return {"instructions": to_jsonable(instructions), "input": to_jsonable(kwargs.get("input"))}

    @staticmethod
    def complete(record, response: Any) -> None:
        record.model = field(response, "model") or record.model
        record.usage = map_usage(field(response, "usage"))
        output = field(response, "output")
        if output is not None:
            record.output = to_jsonable(output)
        error = field(response, "error")
        if field(response, "status") == "failed" or error:
            record.status = "error"
            record.error = str(field(error, "message") or "response failed")


class ResumedResponse(Responses):
    """retrieve(stream=True): the events of a response started earlier (e.g. with background=True)."""

    @staticmethod
    def input_of(arguments: Dict[str, Any]) -> Any:
        return None   # the prompt went with the call that started the response

    @staticmethod
    def call_metadata(arguments: Dict[str, Any]) -> Dict[str, Any]:
        metadata = {"resumedResponseId": str(arguments.get("response_id"))}
        starting_after = arguments.get("starting_after")
        if isinstance(starting_after, int) and not isinstance(starting_after, bool):
            metadata["startingAfter"] = starting_after
        return metadata


class Embeddings(_Reader):
    @staticmethod
    def input_of(kwargs: Dict[str, Any]) -> Any:
        return to_jsonable(kwargs.get("input"))

    @staticmethod
    def complete(record, response: Any) -> None:
        record.model = field(response, "model") or record.model
        record.usage = map_usage(field(response, "usage"))
        data = field(response, "data")
        if data is not None:
            # The vectors themselves are large and meaningless to read; keep their shape.
            summary = {"embeddings": len(data)}
            vector = field(data[0], "embedding") if len(data) else None
            if isinstance(vector, (list, tuple)):
                summary["dimensions"] = len(vector)
            record.output = summary
