"""Stand-in for the `openai` package used by the zespan tests.

It speaks real HTTP with OpenAI's wire format, honours OPENAI_BASE_URL and
OPENAI_API_KEY, and keeps the module paths, class names and helper behaviour of
openai-python at the version in `_version.py` (chat.completions create/parse/stream,
responses create/parse/stream/retrieve(stream=True), beta.responses, beta.chat as an
alias of chat, embeddings). Only what zespan touches is modelled.
"""
from ._client import AsyncOpenAI, OpenAI
from ._exceptions import (APIConnectionError, APIError, APIStatusError, APITimeoutError, AuthenticationError,
                          BadRequestError, ConflictError, InternalServerError, NotFoundError, OpenAIError,
                          PermissionDeniedError, RateLimitError, UnprocessableEntityError)
from ._models import BaseModel
from ._streaming import AsyncStream, Stream
from ._types import NOT_GIVEN, NotGiven

from ._version import __version__
