"""Rebuild a streamed call's model, usage and output from its chunks or events."""
from typing import Any, Dict, List

from .._serialize import to_jsonable
from .reading import Responses, field, map_usage


class ChatChunks:
    """Chat completion chunks: deltas per choice, usage on the final chunk (include_usage)."""

    def __init__(self) -> None:
        self.model = None
        self.usage = None
        self.choices: Dict[int, Dict[str, Any]] = {}
        self.ended = False

    def carries_output(self, chunk: Any) -> bool:
        for choice in field(chunk, "choices") or ():
            delta = field(choice, "delta")
            if field(delta, "content") or field(delta, "tool_calls") or field(delta, "refusal"):
                return True
        return False

    def add(self, chunk: Any) -> None:
        self.model = field(chunk, "model") or self.model
        usage = field(chunk, "usage")
        if usage is not None:
            self.usage = usage
            self.ended = True
        for choice in field(chunk, "choices") or ():
            state = self.choices.setdefault(field(choice, "index", 0) or 0, {
                "role": None, "content": [], "refusal": [], "tool_calls": {}, "finish_reason": None})
            delta = field(choice, "delta")
            if delta is not None:
                state["role"] = field(delta, "role") or state["role"]
                for key in ("content", "refusal"):
                    text = field(delta, key)
                    if text:
                        state[key].append(text)
                for call in field(delta, "tool_calls") or ():
                    _merge_tool_call(state["tool_calls"], call)
            finish_reason = field(choice, "finish_reason")
            if finish_reason:
                state["finish_reason"] = finish_reason

    def apply(self, record) -> None:
        record.model = self.model or record.model
        record.usage = map_usage(self.usage)
        messages: List[Dict[str, Any]] = []
        for index in sorted(self.choices):
            state = self.choices[index]
            message = {"role": state["role"] or "assistant", "content": "".join(state["content"]) or None}
            if state["refusal"]:
                message["refusal"] = "".join(state["refusal"])
            if state["tool_calls"]:
                message["tool_calls"] = [state["tool_calls"][i] for i in sorted(state["tool_calls"])]
            messages.append(message)
        if messages:
            record.output = messages[0] if len(messages) == 1 else messages
            finish_reason = self.choices[min(self.choices)]["finish_reason"]
            if finish_reason:
                record.metadata["finishReason"] = finish_reason


def _merge_tool_call(calls: Dict[int, Dict[str, Any]], delta: Any) -> None:
    index = field(delta, "index", 0) or 0
    call = calls.setdefault(index, {"id": None, "type": "function", "function": {"name": "", "arguments": ""}})
    call["id"] = field(delta, "id") or call["id"]
    call["type"] = field(delta, "type") or call["type"]
    function = field(delta, "function")
    if function is not None:
        call["function"]["name"] += field(function, "name") or ""
        call["function"]["arguments"] += field(function, "arguments") or ""


class ResponseEvents:
    """Responses API server-sent events: the terminal event carries the whole response."""

    _TERMINAL = ("response.completed", "response.incomplete", "response.failed")

    def __init__(self) -> None:
        self.model = None
        self.text: List[str] = []
        self.final = None
        self.error = None
        self.ended = False

    def carries_output(self, event: Any) -> bool:
        kind = field(event, "type") or ""
        return kind.endswith(".delta")

    def add(self, event: Any) -> None:
        kind = field(event, "type")
        if kind == "response.output_text.delta":
            self.text.append(field(event, "delta") or "")
        elif kind in self._TERMINAL:
            self.final = field(event, "response")
            self.ended = True
        elif kind == "error":
            self.error = field(event, "message") or "stream error"
            self.ended = True
        elif kind in ("response.created", "response.in_progress"):
            self.model = field(field(event, "response"), "model") or self.model

    def apply(self, record) -> None:
        if self.final is not None:
            Responses.complete(record, self.final)
        else:
            record.model = self.model or record.model
            if self.text:
                record.output = [{"type": "message", "role": "assistant",
                                  "content": [{"type": "output_text", "text": "".join(self.text)}]}]
        if self.error:
            record.status = "error"
            record.error = to_jsonable(self.error) if not isinstance(self.error, str) else self.error
