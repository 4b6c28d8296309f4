"""Stream / AsyncStream shaped like openai v1: chunks flow through `self._iterator`,
SSE is decoded the same way, `data: [DONE]` ends it, an `error` payload raises APIError."""
import json

from ._exceptions import APIError


def _events(lines):
    event, data = None, []
    for line in lines:
        if line == "":
            if data or event:
                yield event, "\n".join(data)
            event, data = None, []
        elif line.startswith(":"):
            continue
        else:
            name, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if name == "event":
                event = value
            elif name == "data":
                data.append(value)
    if data:
        yield event, "\n".join(data)


def _decode(event, data, cast_to):
    if data.startswith("[DONE]"):
        return None
    payload = json.loads(data)
    if isinstance(payload, dict) and payload.get("error"):
        error = payload["error"]
        message = error.get("message") if isinstance(error, dict) else None
        raise APIError(message or "An error occurred during streaming", None, body=error)
    return cast_to.construct(payload)


class Stream:
    def __init__(self, *, cast_to, response, lines):
        self.response = response
        self._cast_to = cast_to
        self._lines = lines
        self._iterator = self.__stream__()

    def __next__(self):
        return self._iterator.__next__()

    def __iter__(self):
        for item in self._iterator:
            yield item

    def __stream__(self):
        try:
            for event, data in _events(self._lines):
                item = _decode(event, data, self._cast_to)
                if item is None:
                    break
                yield item
        finally:
            self._lines.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, exc, tb):
        self.close()

    def close(self):
        self._lines.close()


class AsyncStream:
    def __init__(self, *, cast_to, response, lines):
        self.response = response
        self._cast_to = cast_to
        self._lines = lines
        self._iterator = self.__stream__()

    async def __anext__(self):
        return await self._iterator.__anext__()

    async def __aiter__(self):
        async for item in self._iterator:
            yield item

    async def __stream__(self):
        try:
            lines = []
            async for line in self._lines:
                if line == "":
                    for event, data in _events(lines + [""]):
                        item = _decode(event, data, self._cast_to)
                        if item is None:
                            return
                        yield item
                    lines = []
                else:
                    lines.append(line)
        finally:
            await self._lines.aclose()

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        await self.close()

    async def close(self):
        await self._lines.aclose()

    async def aclose(self):
        await self.close()
