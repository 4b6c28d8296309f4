"""Which openai v1 methods are instrumented, and under which span name.

Module paths are the public re-exports of openai v1.x; when a layout moves a class
(e.g. chat.completions became a package), the re-export keeps these paths valid.
A target whose module or method does not exist in the installed version is skipped.
"""
from .calls import chat_operation, embeddings_operation, responses_operation


class Target:
    __slots__ = ("module", "class_name", "method", "is_async", "operation")

    def __init__(self, module: str, class_name: str, method: str, is_async: bool, operation) -> None:
        self.module = module
        self.class_name = class_name
        self.method = method
        self.is_async = is_async
        self.operation = operation


def _pair(module: str, sync_class: str, method: str, operation_factory, span_name: str):
    # `async def` methods in openai are wrapped by decorators that hide their
    # coroutine-ness from inspect, so sync/async is decided by class, not sniffed.
    return [
        Target(module, sync_class, method, False, operation_factory(span_name)),
        Target(module, "Async" + sync_class, method, True, operation_factory(span_name)),
    ]


TARGETS = (
    _pair("openai.resources.chat.completions", "Completions", "create", chat_operation, "chat.completions.create")
    + _pair("openai.resources.chat.completions", "Completions", "parse", chat_operation, "chat.completions.parse")
    + _pair("openai.resources.beta.chat.completions", "Completions", "parse", chat_operation,
            "chat.completions.parse")
    + _pair("openai.resources.responses", "Responses", "create", responses_operation, "responses.create")
    + _pair("openai.resources.responses", "Responses", "parse", responses_operation, "responses.parse")
    + _pair("openai.resources.embeddings", "Embeddings", "create", embeddings_operation, "embeddings.create")
)
