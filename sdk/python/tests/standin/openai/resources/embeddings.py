from .._resource import AsyncAPIResource, SyncAPIResource, body_of
from .._types import NOT_GIVEN
from ..types import CreateEmbeddingResponse


class Embeddings(SyncAPIResource):
    def create(self, *, input, model, dimensions=NOT_GIVEN, encoding_format=NOT_GIVEN, **extra):
        body = body_of({"input": input, "model": model, "dimensions": dimensions,
                        "encoding_format": encoding_format, **extra})
        return self._request("/embeddings", body, CreateEmbeddingResponse)


class AsyncEmbeddings(AsyncAPIResource):
    async def create(self, *, input, model, dimensions=NOT_GIVEN, encoding_format=NOT_GIVEN, **extra):
        body = body_of({"input": input, "model": model, "dimensions": dimensions,
                        "encoding_format": encoding_format, **extra})
        return await self._request("/embeddings", body, CreateEmbeddingResponse)
