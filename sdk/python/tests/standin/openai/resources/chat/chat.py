import functools


class Chat:
    def __init__(self, client):
        self._client = client

    @functools.cached_property
    def completions(self):
        from .completions import Completions
        return Completions(self._client)


class AsyncChat:
    def __init__(self, client):
        self._client = client

    @functools.cached_property
    def completions(self):
        from .completions import AsyncCompletions
        return AsyncCompletions(self._client)
