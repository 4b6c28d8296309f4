from ..._resource import AsyncAPIResource, SyncAPIResource, body_of
from ..._types import NOT_GIVEN
from ...types import Response, ResponseStreamEvent


class Responses(SyncAPIResource):
    def create(self, *, input=NOT_GIVEN, model=NOT_GIVEN, instructions=NOT_GIVEN, stream=NOT_GIVEN,
               max_output_tokens=NOT_GIVEN, **extra):
        body = body_of({"input": input, "model": model, "instructions": instructions, "stream": stream,
                        "max_output_tokens": max_output_tokens, **extra})
        return self._request("/responses", body, Response, ResponseStreamEvent)


class AsyncResponses(AsyncAPIResource):
    async def create(self, *, input=NOT_GIVEN, model=NOT_GIVEN, instructions=NOT_GIVEN, stream=NOT_GIVEN,
                     max_output_tokens=NOT_GIVEN, **extra):
        body = body_of({"input": input, "model": model, "instructions": instructions, "stream": stream,
                        "max_output_tokens": max_output_tokens, **extra})
        return await self._request("/responses", body, Response, ResponseStreamEvent)
