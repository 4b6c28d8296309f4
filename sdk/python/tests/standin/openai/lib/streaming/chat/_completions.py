"""`chat.completions.stream()` helpers as openai-python has them (lib/streaming/chat/_completions.py).

What matters to zespan: the manager calls `create(stream=True)` on entry, and `close()` (also on
leaving the `with` block) closes the HTTP response (`self._response.close()`), not the raw Stream.
"""


class ChatCompletionStream:
    def __init__(self, *, raw_stream):
        self._raw_stream = raw_stream
        self._response = raw_stream.response
        self._iterator = self.__stream__()
        self._chunks = []

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

    def get_final_completion(self):
        self.until_done()
        return self._chunks[-1] if self._chunks else None

    def __stream__(self):
        for chunk in self._raw_stream:
            self._chunks.append(chunk)
            yield {"type": "chunk", "chunk": chunk}


class ChatCompletionStreamManager:
    def __init__(self, api_request):
        self.__api_request = api_request
        self.__stream = None

    def __enter__(self):
        self.__stream = ChatCompletionStream(raw_stream=self.__api_request())
        return self.__stream

    def __exit__(self, exc_type, exc, tb):
        if self.__stream is not None:
            self.__stream.close()


class AsyncChatCompletionStream:
    def __init__(self, *, raw_stream):
        self._raw_stream = raw_stream
        self._response = raw_stream.response
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
        async for chunk in self._raw_stream:
            yield {"type": "chunk", "chunk": chunk}


class AsyncChatCompletionStreamManager:
    def __init__(self, api_request):
        self.__api_request = api_request   # an awaitable: the create() coroutine
        self.__stream = None

    async def __aenter__(self):
        self.__stream = AsyncChatCompletionStream(raw_stream=await self.__api_request)
        return self.__stream

    async def __aexit__(self, exc_type, exc, tb):
        if self.__stream is not None:
            await self.__stream.close()
