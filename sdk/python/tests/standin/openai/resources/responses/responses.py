"""responses: create, parse (posts directly, not via create), stream (helper over create, or over
retrieve(stream=True) to resume a response) and retrieve, as in openai-python 3.x."""
import json

from ..._resource import AsyncAPIResource, SyncAPIResource, body_of
from ..._types import NOT_GIVEN, NotGiven
from ...lib.streaming.responses import AsyncResponseStreamManager, ResponseStreamManager
from ...types import Response, ResponseStreamEvent


def _create_body(input, model, instructions, stream, max_output_tokens, extra):
    return body_of({"input": input, "model": model, "instructions": instructions, "stream": stream,
                    "max_output_tokens": max_output_tokens, **extra})


def _retrieve_query(include, starting_after, stream):
    return body_of({"include": ",".join(include) if isinstance(include, list) else include,
                    "starting_after": starting_after, "stream": "true" if stream is True else stream})


def _attach_parsed(response):
    if isinstance(response, Response):
        try:
            object.__setattr__(response, "output_parsed", json.loads(response.output_text or "null"))
        except ValueError:
            object.__setattr__(response, "output_parsed", None)
    return response


def _check_stream_args(response_id, starting_after, new_response_args):
    given = [k for k, v in new_response_args.items() if not isinstance(v, NotGiven)]
    if (not isinstance(response_id, NotGiven) or not isinstance(starting_after, NotGiven)) and given:
        raise ValueError("Cannot provide both response_id/starting_after can't be provided together with "
                         + ", ".join(given))
    return given


class Responses(SyncAPIResource):
    def create(self, *, input=NOT_GIVEN, model=NOT_GIVEN, instructions=NOT_GIVEN, stream=NOT_GIVEN,
               max_output_tokens=NOT_GIVEN, **extra):
        body = _create_body(input, model, instructions, stream, max_output_tokens, extra)
        return self._request("/responses", body, Response, ResponseStreamEvent)

    def parse(self, *, input=NOT_GIVEN, model=NOT_GIVEN, text_format=NOT_GIVEN, stream=NOT_GIVEN, **extra):
        # Like openai's parse(): posts directly (does not go through create()).
        body = body_of({"input": input, "model": model, "stream": stream, **extra})
        if not isinstance(text_format, NotGiven):
            body["text"] = {"format": {"type": "json_object"}}
        return _attach_parsed(self._request("/responses", body, Response, ResponseStreamEvent))

    def retrieve(self, response_id, *, include=NOT_GIVEN, starting_after=NOT_GIVEN, stream=NOT_GIVEN, **extra):
        query = _retrieve_query(include, starting_after, stream)
        return self._request("/responses/" + response_id, {}, Response, ResponseStreamEvent, method="GET",
                             query=query)

    def stream(self, *, response_id=NOT_GIVEN, input=NOT_GIVEN, model=NOT_GIVEN, starting_after=NOT_GIVEN,
               instructions=NOT_GIVEN, text_format=NOT_GIVEN, **extra):
        given = _check_stream_args(response_id, starting_after,
                                   {"input": input, "model": model, "instructions": instructions, **extra})
        if given:
            return ResponseStreamManager(
                lambda: self.create(input=input, model=model, instructions=instructions, stream=True, **extra),
                starting_after=None)
        return ResponseStreamManager(
            lambda: self.retrieve(response_id=response_id, stream=True, include=[], starting_after=NOT_GIVEN),
            starting_after=None if isinstance(starting_after, NotGiven) else starting_after)


class AsyncResponses(AsyncAPIResource):
    async def create(self, *, input=NOT_GIVEN, model=NOT_GIVEN, instructions=NOT_GIVEN, stream=NOT_GIVEN,
                     max_output_tokens=NOT_GIVEN, **extra):
        body = _create_body(input, model, instructions, stream, max_output_tokens, extra)
        return await self._request("/responses", body, Response, ResponseStreamEvent)

    async def parse(self, *, input=NOT_GIVEN, model=NOT_GIVEN, text_format=NOT_GIVEN, stream=NOT_GIVEN,
                    **extra):
        body = body_of({"input": input, "model": model, "stream": stream, **extra})
        if not isinstance(text_format, NotGiven):
            body["text"] = {"format": {"type": "json_object"}}
        return _attach_parsed(await self._request("/responses", body, Response, ResponseStreamEvent))

    async def retrieve(self, response_id, *, include=NOT_GIVEN, starting_after=NOT_GIVEN, stream=NOT_GIVEN,
                       **extra):
        query = _retrieve_query(include, starting_after, stream)
        return await self._request("/responses/" + response_id, {}, Response, ResponseStreamEvent, method="GET",
                                   query=query)

    def stream(self, *, response_id=NOT_GIVEN, input=NOT_GIVEN, model=NOT_GIVEN, starting_after=NOT_GIVEN,
               instructions=NOT_GIVEN, text_format=NOT_GIVEN, **extra):
        given = _check_stream_args(response_id, starting_after,
                                   {"input": input, "model": model, "instructions": instructions, **extra})
        if given:
            return AsyncResponseStreamManager(
                self.create(input=input, model=model, instructions=instructions, stream=True, **extra),
                starting_after=None)
        return AsyncResponseStreamManager(
            self.retrieve(response_id=response_id, stream=True, include=[], starting_after=NOT_GIVEN),
            starting_after=None if isinstance(starting_after, NotGiven) else starting_after)
