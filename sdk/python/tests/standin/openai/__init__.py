"""Stand-in for the `openai` package (v1 layout) used by the zespan tests.

It speaks real HTTP with OpenAI's wire format, honours OPENAI_BASE_URL and
OPENAI_API_KEY, and keeps the module paths and class names of openai v1.
"""
from ._client import AsyncOpenAI, OpenAI
from ._exceptions import (APIConnectionError, APIError, APIStatusError, APITimeoutError, AuthenticationError,
                          BadRequestError, ConflictError, InternalServerError, NotFoundError, OpenAIError,
                          PermissionDeniedError, RateLimitError, UnprocessableEntityError)
from ._models import BaseModel
from ._streaming import AsyncStream, Stream
from ._types import NOT_GIVEN, NotGiven

__version__ = "1.99.0-standin"
