"""`responses.stream()` helpers as openai-python has them (lib/streaming/responses/_responses.py).

A new response streams through `create(stream=True)`; `stream(response_id=...)` resumes one through
`retrieve(stream=True)` and drops events up to `starting_after` itself. `close()` closes the HTTP
response (`self._response.close()`), not the raw Stream.
"""


def _field(event, name):
    return event.get(name) if isinstance(event, dict) else getattr(event, name, None)


class ResponseStream:
    def __init__(self, *, raw_stream, starting_after):
        self._raw_stream = raw_stream
        self._response = raw_stream.response
        self._starting_after = starting_after
        self._iterator = self.__stream__()
        self._completed = None

    def __next__(self):
        return self._iterator.__next__()

    def __iter__(self):
        for item in self._iterator:
            yield item

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()

    def close(self):
        self._response.close()

    def until_done(self):
        for _ in self:
            pass
        return self

    def get_final_response(self):
        self.until_done()
        return self._completed

    def __stream__(self):
        for event in self._raw_stream:
            if _field(event, "type") == "response.completed":
                self._completed = _field(event, "response")
            sequence = _field(event, "sequence_number")
            if self._starting_after is None or sequence > self._starting_after:
                yield event


class ResponseStreamManager:
    def __init__(self, api_request, *, starting_after):
        self.__api_request = api_request
        self.__starting_after = starting_after
        self.__stream = None

    def __enter__(self):
        self.__stream = ResponseStream(raw_stream=self.__api_request(), starting_after=self.__starting_after)
        return self.__stream

    def __exit__(self, exc_type, exc, tb):
        if self.__stream is not None:
            self.__stream.close()


class AsyncResponseStream:
    def __init__(self, *, raw_stream, starting_after):
        self._raw_stream = raw_stream
        self._response = raw_stream.response
        self._starting_after = starting_after
        self._iterator = self.__stream__()

    async def __anext__(self):
        return await self._iterator.__anext__()

    async def __aiter__(self):
        async for item in self._iterator:
            yield item

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        await self.close()

    async def close(self):
        await self._response.aclose()

    async def __stream__(self):
        async for event in self._raw_stream:
            sequence = _field(event, "sequence_number")
            if self._starting_after is None or sequence > self._starting_after:
                yield event


class AsyncResponseStreamManager:
    def __init__(self, api_request, *, starting_after):
        self.__api_request = api_request   # an awaitable: the create() / retrieve() coroutine
        self.__starting_after = starting_after
        self.__stream = None

    async def __aenter__(self):
        self.__stream = AsyncResponseStream(raw_stream=await self.__api_request,
                                            starting_after=self.__starting_after)
        return self.__stream

    async def __aexit__(self, exc_type, exc, tb):
        if self.__stream is not None:
            await self.__stream.close()
