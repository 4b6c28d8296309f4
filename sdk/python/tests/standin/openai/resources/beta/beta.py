"""client.beta: since openai 1.92 `beta.chat` is the regular chat resource (the old
openai.resources.beta.chat module is gone); since 2.45 `beta.responses` is its own resource."""
import functools


class Beta:
    def __init__(self, client):
        self._client = client

    @functools.cached_property
    def chat(self):
        from ..chat import Chat
        return Chat(self._client)

    @functools.cached_property
    def responses(self):
        from .responses import Responses
        return Responses(self._client)


class AsyncBeta:
    def __init__(self, client):
        self._client = client

    @functools.cached_property
    def chat(self):
        from ..chat import AsyncChat
        return AsyncChat(self._client)

    @functools.cached_property
    def responses(self):
        from .responses import AsyncResponses
        return AsyncResponses(self._client)
