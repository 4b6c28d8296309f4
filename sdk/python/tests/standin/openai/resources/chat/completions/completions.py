import json

from ...._resource import AsyncAPIResource, SyncAPIResource, body_of, required_args
from ...._types import NOT_GIVEN
from ....lib.streaming.chat import AsyncChatCompletionStreamManager, ChatCompletionStreamManager
from ....types import ChatCompletion, ChatCompletionChunk, ParsedChatCompletion


def _params(messages, model, stream, stream_options, temperature, max_tokens, extra):
    return body_of({"messages": messages, "model": model, "stream": stream, "stream_options": stream_options,
                    "temperature": temperature, "max_tokens": max_tokens, **extra})


def _parse_body(response_format, params):
    params = dict(params)
    if response_format is not NOT_GIVEN:
        params["response_format"] = {"type": "json_object"}
    return params


def _attach_parsed(completion):
    for choice in completion.choices or []:
        try:
            object.__setattr__(choice.message, "parsed", json.loads(choice.message.content or "null"))
        except ValueError:
            object.__setattr__(choice.message, "parsed", None)
    return completion


class Completions(SyncAPIResource):
    @required_args("messages", "model")
    def create(self, *, messages, model, stream=NOT_GIVEN, stream_options=NOT_GIVEN, temperature=NOT_GIVEN,
               max_tokens=NOT_GIVEN, **extra):
        body = _params(messages, model, stream, stream_options, temperature, max_tokens, extra)
        return self._request("/chat/completions", body, ChatCompletion, ChatCompletionChunk)

    def parse(self, *, messages, model, response_format=NOT_GIVEN, **extra):
        # Like openai's parse(): posts directly (does not go through create()).
        body = _parse_body(response_format, body_of({"messages": messages, "model": model, **extra}))
        return _attach_parsed(self._request("/chat/completions", body, ParsedChatCompletion))

    def stream(self, *, messages, model, **extra):
        # Like openai's stream(): a manager that calls create(stream=True) when entered.
        return ChatCompletionStreamManager(
            lambda: self.create(messages=messages, model=model, stream=True, **extra))


class AsyncCompletions(AsyncAPIResource):
    @required_args("messages", "model")
    async def create(self, *, messages, model, stream=NOT_GIVEN, stream_options=NOT_GIVEN, temperature=NOT_GIVEN,
                     max_tokens=NOT_GIVEN, **extra):
        body = _params(messages, model, stream, stream_options, temperature, max_tokens, extra)
        return await self._request("/chat/completions", body, ChatCompletion, ChatCompletionChunk)

    async def parse(self, *, messages, model, response_format=NOT_GIVEN, **extra):
        body = _parse_body(response_format, body_of({"messages": messages, "model": model, **extra}))
        return _attach_parsed(await self._request("/chat/completions", body, ParsedChatCompletion))

    def stream(self, *, messages, model, **extra):
        return AsyncChatCompletionStreamManager(self.create(messages=messages, model=model, stream=True, **extra))
