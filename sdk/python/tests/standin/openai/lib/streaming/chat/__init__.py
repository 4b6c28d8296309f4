from ._completions import (AsyncChatCompletionStream, AsyncChatCompletionStreamManager, ChatCompletionStream,
                           ChatCompletionStreamManager)
