"""Model, usage and output are read the same from pydantic models, dicts and plain objects."""
import types
import unittest

from zespan._openai.reading import Chat, Embeddings, Responses, map_usage, request_params
from zespan._serialize import to_jsonable
from openai import NOT_GIVEN

try:
    import pydantic
except ImportError:   # pydantic is not a dependency of the SDK; the check runs where it exists
    pydantic = None


class Record:
    def __init__(self):
        self.model, self.usage, self.output, self.status, self.error, self.metadata = "asked", None, None, "ok", None, {}


CHAT_WIRE = {
    "id": "chatcmpl-1", "object": "chat.completion", "model": "gpt-4o-2024-08-06",
    "choices": [{"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": "hi"}}],
    "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120,
              "prompt_tokens_details": {"cached_tokens": 64},
              "completion_tokens_details": {"reasoning_tokens": 8}},
}
EXPECTED_USAGE = {"inputTokens": 100, "outputTokens": 20, "cachedInputTokens": 64, "reasoningTokens": 8}


def as_namespace(value):
    if isinstance(value, dict):
        return types.SimpleNamespace(**{k: as_namespace(v) for k, v in value.items()})
    if isinstance(value, list):
        return [as_namespace(v) for v in value]
    return value


class ResponseShapes(unittest.TestCase):
    def check_chat(self, response):
        record = Record()
        Chat.complete(record, response)
        self.assertEqual("gpt-4o-2024-08-06", record.model)
        self.assertEqual(EXPECTED_USAGE, record.usage)
        self.assertEqual("hi", record.output["content"])
        self.assertEqual("stop", record.metadata["finishReason"])

    def test_plain_dicts(self):
        self.check_chat(CHAT_WIRE)

    def test_plain_objects(self):
        self.check_chat(as_namespace(CHAT_WIRE))

    @unittest.skipIf(pydantic is None, "pydantic not installed here")
    def test_pydantic_models_like_openai_types(self):
        class PromptDetails(pydantic.BaseModel):
            cached_tokens: int = None

        class CompletionDetails(pydantic.BaseModel):
            reasoning_tokens: int = None

        class Usage(pydantic.BaseModel):
            prompt_tokens: int
            completion_tokens: int
            total_tokens: int
            prompt_tokens_details: PromptDetails = None
            completion_tokens_details: CompletionDetails = None

        class Message(pydantic.BaseModel):
            role: str
            content: str = None
            refusal: str = None

        class Choice(pydantic.BaseModel):
            index: int
            finish_reason: str
            message: Message

        class ChatCompletion(pydantic.BaseModel):
            id: str
            object: str
            model: str
            choices: list
            usage: Usage = None

        completion = ChatCompletion(**{**CHAT_WIRE, "choices": [Choice(**CHAT_WIRE["choices"][0])]})
        self.check_chat(completion)
        record = Record()
        Chat.complete(record, completion)
        self.assertEqual({"role": "assistant", "content": "hi"}, record.output)   # unset fields left out

    def test_responses_usage_naming(self):
        record = Record()
        Responses.complete(record, {"model": "o3", "status": "completed", "output": [{"type": "message"}],
                                    "usage": {"input_tokens": 10, "output_tokens": 5,
                                              "input_tokens_details": {"cached_tokens": 2},
                                              "output_tokens_details": {"reasoning_tokens": 3}}})
        self.assertEqual({"inputTokens": 10, "outputTokens": 5, "cachedInputTokens": 2, "reasoningTokens": 3},
                         record.usage)

    def test_failed_response_is_an_error(self):
        record = Record()
        Responses.complete(record, {"model": "o3", "status": "failed", "error": {"message": "boom"}})
        self.assertEqual(("error", "boom"), (record.status, record.error))

    def test_embeddings_without_usage_details(self):
        record = Record()
        Embeddings.complete(record, {"model": "e", "data": [{"embedding": "base64=="}],
                                     "usage": {"prompt_tokens": 3, "total_tokens": 3}})
        self.assertEqual({"embeddings": 1}, record.output)
        self.assertEqual(3, record.usage["inputTokens"])

    def test_missing_usage_is_none_not_zero(self):
        self.assertIsNone(map_usage(None))
        self.assertIsNone(map_usage({"total_tokens": 3}))


class RequestCapture(unittest.TestCase):
    def test_not_given_parameters_are_left_out(self):
        self.assertEqual({"temperature": 0.5}, request_params({"temperature": 0.5, "top_p": NOT_GIVEN,
                                                               "messages": []}))

    def test_generators_are_not_consumed(self):
        messages = (m for m in [{"role": "user", "content": "x"}])
        self.assertIsInstance(to_jsonable(messages), str)
        self.assertEqual([{"role": "user", "content": "x"}], list(messages))

    def test_unserializable_values_never_raise(self):
        class Hostile:
            def model_dump(self, **kwargs):
                raise RuntimeError("no")
        self.assertIn("unserializable", to_jsonable({"x": Hostile()})["x"])
        self.assertIsNone(to_jsonable(float("nan")))
