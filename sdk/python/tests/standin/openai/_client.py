"""OpenAI / AsyncOpenAI: env defaults, retries, and resources loaded lazily on
first use, as recent openai v1 releases do (functools.cached_property + local import)."""
import asyncio
import functools
import os
import time

from ._exceptions import APIConnectionError, APIStatusError, OpenAIError
from ._http import AsyncHttp, SyncHttp

_RETRYABLE = (408, 409, 429, 500, 502, 503, 504)


def _settings(api_key, base_url):
    api_key = api_key or os.environ.get("OPENAI_API_KEY")
    if not api_key:
        raise OpenAIError("The api_key client option must be set either by passing api_key to the client "
                          "or by setting the OPENAI_API_KEY environment variable")
    base_url = base_url or os.environ.get("OPENAI_BASE_URL") or "https://api.openai.com/v1"
    return api_key, base_url


def _should_retry(error):
    if isinstance(error, APIStatusError):
        return error.status_code in _RETRYABLE
    return isinstance(error, APIConnectionError)


def _retry_delay(error, attempt):
    retry_after = getattr(error, "response", None) and error.response.headers.get("retry-after")
    try:
        return min(float(retry_after), 2.0)
    except (TypeError, ValueError):
        return 0.05 * (2 ** attempt)


class OpenAI:
    def __init__(self, *, api_key=None, base_url=None, timeout=30.0, max_retries=2):
        self.api_key, self.base_url = _settings(api_key, base_url)
        self.max_retries = max_retries
        self._http = SyncHttp(self.base_url, self.api_key, timeout)

    def _post(self, path, payload, stream, method="POST", query=None):
        attempt = 0
        while True:
            try:
                return self._http.request(method, path, payload, stream, query)
            except (APIStatusError, APIConnectionError) as error:
                if attempt >= self.max_retries or not _should_retry(error):
                    raise
                time.sleep(_retry_delay(error, attempt))
                attempt += 1

    @functools.cached_property
    def chat(self):
        from .resources.chat import Chat
        return Chat(self)

    @functools.cached_property
    def responses(self):
        from .resources.responses import Responses
        return Responses(self)

    @functools.cached_property
    def embeddings(self):
        from .resources.embeddings import Embeddings
        return Embeddings(self)

    @functools.cached_property
    def beta(self):
        from .resources.beta import Beta
        return Beta(self)


class AsyncOpenAI:
    def __init__(self, *, api_key=None, base_url=None, timeout=30.0, max_retries=2):
        self.api_key, self.base_url = _settings(api_key, base_url)
        self.max_retries = max_retries
        self._http = AsyncHttp(self.base_url, self.api_key, timeout)

    async def _post(self, path, payload, stream, method="POST", query=None):
        attempt = 0
        while True:
            try:
                return await self._http.request(method, path, payload, stream, query)
            except (APIStatusError, APIConnectionError) as error:
                if attempt >= self.max_retries or not _should_retry(error):
                    raise
                await asyncio.sleep(_retry_delay(error, attempt))
                attempt += 1

    @functools.cached_property
    def chat(self):
        from .resources.chat import AsyncChat
        return AsyncChat(self)

    @functools.cached_property
    def responses(self):
        from .resources.responses import AsyncResponses
        return AsyncResponses(self)

    @functools.cached_property
    def embeddings(self):
        from .resources.embeddings import AsyncEmbeddings
        return AsyncEmbeddings(self)

    @functools.cached_property
    def beta(self):
        from .resources.beta import AsyncBeta
        return AsyncBeta(self)
