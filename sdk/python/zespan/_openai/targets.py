"""Which openai methods are instrumented, under which span name, and in which openai versions.

Module paths are the public re-exports of openai-python (v1 to v3); when a release moves a class
(e.g. chat.completions became a package), the re-export keeps these paths valid. A target whose
module or method does not exist in the installed version is skipped, so each target names the
versions it exists in: tests/test_patch_targets.py fails when a target that should exist in the
version the test stand-in mirrors is missing from it.

Helpers need no target of their own when they call a patched method through `self`:
`chat.completions.stream()` and `responses.stream()` call `create(stream=True)`, and a resumed
`responses.stream(response_id=...)` calls `retrieve(stream=True)`.
"""
from typing import Optional, Tuple

from .calls import chat_operation, embeddings_operation, resumed_responses_operation, responses_operation

Version = Tuple[int, ...]


class Target:
    __slots__ = ("module", "class_name", "method", "is_async", "operation", "since", "until")

    def __init__(self, module: str, class_name: str, method: str, is_async: bool, operation,
                 since: Version, until: Optional[Version]) -> None:
        self.module = module
        self.class_name = class_name
        self.method = method
        self.is_async = is_async
        self.operation = operation
        self.since = since        # first openai version that has it
        self.until = until        # first version that no longer has it (None: still there)

    def exists_in(self, version: Version) -> bool:
        return self.since <= version and (self.until is None or version < self.until)

    def __repr__(self) -> str:
        return "%s.%s.%s" % (self.module, self.class_name, self.method)


def _pair(module: str, sync_class: str, method: str, operation_factory, span_name: str,
          since: Version = (1, 0), until: Optional[Version] = None):
    # `async def` methods in openai are wrapped by decorators that hide their
    # coroutine-ness from inspect, so sync/async is decided by class, not sniffed.
    return [
        Target(module, sync_class, method, False, operation_factory(span_name), since, until),
        Target(module, "Async" + sync_class, method, True, operation_factory(span_name), since, until),
    ]


TARGETS = (
    _pair("openai.resources.chat.completions", "Completions", "create", chat_operation, "chat.completions.create")
    + _pair("openai.resources.chat.completions", "Completions", "parse", chat_operation, "chat.completions.parse",
            since=(1, 92))
    # Structured outputs lived under beta until 1.92 removed the module (beta.chat is now plain chat).
    + _pair("openai.resources.beta.chat.completions", "Completions", "parse", chat_operation,
            "chat.completions.parse", since=(1, 40), until=(1, 92))
    + _pair("openai.resources.responses", "Responses", "create", responses_operation, "responses.create",
            since=(1, 66))
    + _pair("openai.resources.responses", "Responses", "parse", responses_operation, "responses.parse",
            since=(1, 66))
    # A resumed stream (retrieve(stream=True), also under responses.stream(response_id=...)) carries the
    # response's output and usage; a plain retrieve only reads a stored response and is not a call.
    + _pair("openai.resources.responses", "Responses", "retrieve", resumed_responses_operation,
            "responses.retrieve", since=(1, 66))
    + _pair("openai.resources.beta.responses", "Responses", "create", responses_operation, "responses.create",
            since=(2, 45))
    + _pair("openai.resources.embeddings", "Embeddings", "create", embeddings_operation, "embeddings.create")
)


def parse_version(text: str) -> Version:
    """'3.3.1' -> (3, 3, 1); stops at the first non-numeric part ('1.99.0-rc1' -> (1, 99))."""
    parts = []
    for piece in str(text).split("."):
        if not piece.isdigit():
            break
        parts.append(int(piece))
    return tuple(parts)
