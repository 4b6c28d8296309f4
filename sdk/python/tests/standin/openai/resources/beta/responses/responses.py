"""beta.responses: the Responses API with beta features (`?beta=true`), a class of its own."""
from ...._resource import AsyncAPIResource, SyncAPIResource, body_of
from ...._types import NOT_GIVEN
from ....types import Response, ResponseStreamEvent


class Responses(SyncAPIResource):
    def create(self, *, input=NOT_GIVEN, model=NOT_GIVEN, instructions=NOT_GIVEN, stream=NOT_GIVEN, **extra):
        body = body_of({"input": input, "model": model, "instructions": instructions, "stream": stream, **extra})
        return self._request("/responses", body, Response, ResponseStreamEvent, query={"beta": "true"})


class AsyncResponses(AsyncAPIResource):
    async def create(self, *, input=NOT_GIVEN, model=NOT_GIVEN, instructions=NOT_GIVEN, stream=NOT_GIVEN,
                     **extra):
        body = body_of({"input": input, "model": model, "instructions": instructions, "stream": stream, **extra})
        return await self._request("/responses", body, Response, ResponseStreamEvent, query={"beta": "true"})
