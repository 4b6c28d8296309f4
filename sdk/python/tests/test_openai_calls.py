"""Each wrapped OpenAI call becomes one llm span carrying what the API returned."""
import asyncio

import openai
from tests.support.harness import SdkTestCase, user_message


class ChatCompletionSpans(SdkTestCase):
    def test_chat_call_records_model_usage_io_and_timing(self):
        response = self.client.chat.completions.create(
            model="gpt-4o", messages=user_message("hello there [[cached:6]] [[reasoning:2]]"), temperature=0.3)
        span = self.only_span()
        served = self.openai_server.calls_snapshot()[-1]
        self.assertEqual("llm", span["kind"])
        self.assertEqual("chat.completions.create", span["name"])
        self.assertEqual("openai", span["provider"])
        self.assertEqual(response.model, span["model"])          # the snapshot the API named
        self.assertEqual("gpt-4o-2024-08-06", span["model"])
        self.assertEqual({"inputTokens": served["usage"]["prompt_tokens"],
                          "outputTokens": served["usage"]["completion_tokens"],
                          "cachedInputTokens": 6, "reasoningTokens": 2}, span["usage"])
        self.assertEqual(user_message("hello there [[cached:6]] [[reasoning:2]]"), span["input"])
        self.assertEqual(response.choices[0].message.content, span["output"]["content"])
        self.assertEqual(0.3, span["metadata"]["temperature"])
        self.assertEqual("ok", span["status"])
        self.assertIsNone(span["parentId"])
        self.assertGreaterEqual(len(span["id"]), 16)
        self.assertRegex(span["startTime"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        self.assertLessEqual(span["startTime"], span["endTime"])

    def test_each_root_call_gets_its_own_trace(self):
        for text in ("one", "two"):
            self.client.chat.completions.create(model="gpt-4o-mini", messages=user_message(text))
        first, second = self.sent_spans(2)
        self.assertNotEqual(first["traceId"], second["traceId"])
        self.assertNotEqual(first["id"], second["id"])

    def test_api_error_is_reraised_unchanged_and_recorded(self):
        unwrapped = None
        zespan_module = __import__("zespan")
        zespan_module.unpatch_openai()
        try:
            self.client.chat.completions.create(model="gpt-4o", messages=user_message("x [[status:429]]"))
        except openai.RateLimitError as error:
            unwrapped = error
        zespan_module.patch_openai()
        with self.assertRaises(openai.RateLimitError) as caught:
            self.client.chat.completions.create(model="gpt-4o", messages=user_message("x [[status:429]]"))
        error = caught.exception
        self.assertIs(type(unwrapped), type(error))
        self.assertEqual((unwrapped.status_code, str(unwrapped), unwrapped.body),
                         (error.status_code, str(error), error.body))
        span = self.only_span()
        self.assertEqual("error", span["status"])
        self.assertEqual("429 " + error.body["message"], span["error"])
        self.assertEqual(("requests", "rate_limit_exceeded"), (span["metadata"]["errorType"], span["metadata"]["errorCode"]))
        self.assertEqual(429, span["metadata"]["httpStatus"])
        self.assertEqual("gpt-4o", span["model"])               # falls back to the requested model
        self.assertIsNone(span["usage"])

    def test_connection_error_is_reraised(self):
        dead = openai.OpenAI(base_url="http://127.0.0.1:9/v1", api_key="k", max_retries=0)
        with self.assertRaises(openai.APIConnectionError):
            dead.chat.completions.create(model="gpt-4o", messages=user_message("hi"))
        self.assertEqual("error", self.only_span()["status"])

    def test_tool_call_output_is_recorded(self):
        self.client.chat.completions.create(model="gpt-4o", messages=user_message("weather [[tool]]"))
        output = self.only_span()["output"]
        self.assertEqual("lookup", output["tool_calls"][0]["function"]["name"])

    def test_parse_is_recorded_once_with_its_own_name(self):
        completion = self.client.chat.completions.parse(model="gpt-4o", messages=user_message("[1, 2]"),
                                                        response_format=dict)
        span = self.only_span()
        self.assertEqual("chat.completions.parse", span["name"])
        self.assertEqual(completion.usage.prompt_tokens, span["usage"]["inputTokens"])

    def test_async_chat_call_is_recorded(self):
        async def call():
            return await self.async_client.chat.completions.create(model="gpt-4o", messages=user_message("hey"))
        response = asyncio.run(call())
        span = self.only_span()
        self.assertEqual(response.usage.completion_tokens, span["usage"]["outputTokens"])
        self.assertEqual("Echo: hey", span["output"]["content"])

    def test_async_error_is_reraised(self):
        async def call():
            await self.async_client.chat.completions.create(model="gpt-4o", messages=user_message("[[status:500]]"))
        with self.assertRaises(openai.InternalServerError):
            asyncio.run(call())
        self.assertEqual("error", self.only_span()["status"])


class ResponsesAndEmbeddingsSpans(SdkTestCase):
    def test_responses_call_maps_input_output_and_usage(self):
        response = self.client.responses.create(model="gpt-4o-mini", input="summarise [[cached:3]] [[reasoning:4]]",
                                                instructions="be brief")
        span = self.only_span()
        self.assertEqual("responses.create", span["name"])
        self.assertEqual(response.model, span["model"])
        self.assertEqual({"inputTokens": response.usage.input_tokens, "outputTokens": response.usage.output_tokens,
                          "cachedInputTokens": 3, "reasoningTokens": 4}, span["usage"])
        self.assertEqual({"instructions": "be brief", "input": "summarise [[cached:3]] [[reasoning:4]]"},
                         span["input"])
        self.assertEqual(response.output_text, span["output"][0]["content"][0]["text"])

    def test_async_responses_call_is_recorded(self):
        async def call():
            return await self.async_client.responses.create(model="gpt-4o", input="hi")
        response = asyncio.run(call())
        self.assertEqual(response.usage.total_tokens,
                         sum(self.only_span()["usage"][k] for k in ("inputTokens", "outputTokens")))

    def test_embeddings_record_token_count_and_shape_not_vectors(self):
        self.client.embeddings.create(model="text-embedding-3-small", input=["a b c", "d"], dimensions=16)
        span = self.only_span()
        self.assertEqual("embeddings.create", span["name"])
        self.assertEqual(4, span["usage"]["inputTokens"])
        self.assertEqual(0, span["usage"]["outputTokens"])
        self.assertEqual({"embeddings": 2, "dimensions": 16}, span["output"])
        self.assertEqual(["a b c", "d"], span["input"])

    def test_async_embeddings_are_recorded(self):
        async def call():
            return await self.async_client.embeddings.create(model="text-embedding-3-small", input="x y")
        asyncio.run(call())
        self.assertEqual(2, self.only_span()["usage"]["inputTokens"])
