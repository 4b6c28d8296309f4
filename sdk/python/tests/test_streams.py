"""Streams pass every chunk through untouched and end their span exactly once."""
import asyncio
import gc
import warnings

import openai
import zespan
from tests.support.harness import SdkTestCase, user_message

STREAM_USAGE = {"include_usage": True}


def chunk_dumps(chunks):
    return [c.model_dump() for c in chunks]


class SyncStreams(SdkTestCase):
    def unwrapped_chunks(self, **kwargs):
        zespan.unpatch_openai()
        try:
            return chunk_dumps(self.client.chat.completions.create(**kwargs))
        finally:
            zespan.patch_openai()

    def test_chunks_are_identical_and_usage_and_ttft_are_recorded(self):
        request = dict(model="gpt-4o", messages=user_message("tell me a story [[cached:4]]"), stream=True,
                       stream_options=STREAM_USAGE)
        expected = self.unwrapped_chunks(**request)
        self.ingest.reset()
        stream = self.client.chat.completions.create(**request)
        self.assertIsInstance(stream, openai.Stream)
        chunks = list(stream)
        # ids and timestamps differ per call; everything else must be byte-for-byte equal
        strip = lambda dumps: [{k: v for k, v in d.items() if k not in ("id", "created")} for d in dumps]
        self.assertEqual(strip(expected), strip(chunk_dumps(chunks)))
        span = self.only_span()
        usage = chunks[-1].usage
        self.assertEqual({"inputTokens": usage.prompt_tokens, "outputTokens": usage.completion_tokens,
                          "cachedInputTokens": 4, "reasoningTokens": 0}, span["usage"])
        self.assertEqual("Echo: tell me a story", span["output"]["content"])
        self.assertEqual("gpt-4o-2024-08-06", span["model"])
        self.assertGreater(span["metadata"]["timeToFirstTokenMs"], 0)
        self.assertNotIn("streamEndedEarly", span["metadata"])
        self.assertTrue(span["metadata"]["stream"])

    def test_stream_without_include_usage_records_no_usage(self):
        list(self.client.chat.completions.create(model="gpt-4o", messages=user_message("hi"), stream=True))
        span = self.only_span()
        self.assertIsNone(span["usage"])
        self.assertEqual("Echo: hi", span["output"]["content"])

    def test_time_to_first_token_reflects_a_slow_first_chunk(self):
        list(self.client.chat.completions.create(model="gpt-4o", messages=user_message("a b [[chunkdelay:0.15]]"),
                                                 stream=True))
        self.assertGreaterEqual(self.only_span()["metadata"]["timeToFirstTokenMs"], 140)

    def test_close_ends_span_early(self):
        stream = self.client.chat.completions.create(model="gpt-4o", messages=user_message("one two three four"),
                                                     stream=True)
        first = next(stream)
        self.assertEqual("assistant", first.choices[0].delta.role)
        next(stream)
        stream.close()
        span = self.only_span()
        self.assertIs(True, span["metadata"]["streamEndedEarly"])
        self.assertEqual("Echo:", span["output"]["content"])

    def test_context_exit_ends_span(self):
        with self.client.chat.completions.create(model="gpt-4o", messages=user_message("one two three"),
                                                 stream=True) as stream:
            for chunk in stream:
                break
        self.assertEqual(1, len(self.sent_spans(1)))

    def test_abandoned_stream_ends_span_on_garbage_collection(self):
        stream = self.client.chat.completions.create(model="gpt-4o", messages=user_message("x y z"), stream=True)
        next(stream)
        self.assertEqual([], self.sent_spans(timeout=0.2))
        del stream
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)   # the stand-in's socket, collected with it
            gc.collect()
        self.assertEqual(1, len(self.sent_spans(1)))

    def test_mid_stream_error_is_reraised_and_recorded(self):
        stream = self.client.chat.completions.create(model="gpt-4o", messages=user_message("a b c d [[streamerror]]"),
                                                     stream=True)
        with self.assertRaises(openai.APIError):
            for _ in stream:
                pass
        span = self.only_span()
        self.assertEqual("error", span["status"])
        self.assertIn("error while streaming", span["error"])

    def test_streamed_tool_call_arguments_are_reassembled(self):
        list(self.client.chat.completions.create(model="gpt-4o", messages=user_message("find cats [[tool]]"),
                                                 stream=True))
        call = self.only_span()["output"]["tool_calls"][0]
        self.assertEqual({"name": "lookup", "arguments": '{"q": "find cats"}'}, call["function"])

    def test_responses_stream_records_final_response(self):
        events = list(self.client.responses.create(model="gpt-4o-mini", input="stream this", stream=True))
        completed = events[-1].response
        span = self.only_span()
        self.assertEqual("response.completed", events[-1].type)
        self.assertEqual(completed.usage.input_tokens, span["usage"]["inputTokens"])
        self.assertEqual("Echo: stream this", span["output"][0]["content"][0]["text"])
        self.assertIn("timeToFirstTokenMs", span["metadata"])


class AsyncStreams(SdkTestCase):
    def test_async_chunks_pass_through_and_usage_is_recorded(self):
        async def consume():
            stream = await self.async_client.chat.completions.create(
                model="gpt-4o", messages=user_message("async story"), stream=True, stream_options=STREAM_USAGE)
            self.assertIsInstance(stream, openai.AsyncStream)
            return [chunk async for chunk in stream]
        chunks = asyncio.run(consume())
        texts = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        self.assertEqual("Echo: async story", texts)
        span = self.only_span()
        self.assertEqual(chunks[-1].usage.completion_tokens, span["usage"]["outputTokens"])
        self.assertNotIn("streamEndedEarly", span["metadata"])

    def test_async_close_and_context_exit_end_the_span(self):
        async def consume():
            stream = await self.async_client.chat.completions.create(
                model="gpt-4o", messages=user_message("a b c"), stream=True)
            await stream.__anext__()
            await stream.close()
            async with await self.async_client.chat.completions.create(
                    model="gpt-4o", messages=user_message("d e f"), stream=True) as second:
                async for _ in second:
                    break
        asyncio.run(consume())
        spans = self.sent_spans(2)
        self.assertEqual([True, True], [s["metadata"].get("streamEndedEarly") for s in spans])

    def test_abandoned_async_stream_ends_span_on_garbage_collection(self):
        async def abandon():
            stream = await self.async_client.chat.completions.create(
                model="gpt-4o", messages=user_message("p q r s"), stream=True)
            await stream.__anext__()
            await stream.__anext__()
        asyncio.run(abandon())
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ResourceWarning)
            gc.collect()
        span = self.only_span()
        self.assertIs(True, span["metadata"]["streamEndedEarly"])
        self.assertEqual("Echo:", span["output"]["content"])

    def test_async_responses_stream_is_recorded(self):
        async def consume():
            stream = await self.async_client.responses.create(model="gpt-4o", input="hello", stream=True)
            return [event async for event in stream]
        events = asyncio.run(consume())
        self.assertEqual(events[-1].response.usage.output_tokens, self.only_span()["usage"]["outputTokens"])


def dict_chunks():
    """Chunks as plain dicts, from a client that is not openai's (no Stream._iterator)."""
    base = {"object": "chat.completion.chunk", "model": "gpt-4o-mini-2024-07-18"}
    yield {**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": "plain"}}]}
    yield {**base, "choices": [{"index": 0, "delta": {"content": " dicts"}, "finish_reason": "stop"}]}
    yield {**base, "choices": [], "usage": {"prompt_tokens": 5, "completion_tokens": 2}}


class StreamsWithoutOpenAIInternals(SdkTestCase):
    def test_plain_iterables_are_proxied_and_recorded(self):
        from zespan._openai.calls import chat_operation, wrap_sync
        create = wrap_sync(lambda **kwargs: dict_chunks(), chat_operation("chat.completions.create"))
        chunks = list(create(model="gpt-4o-mini", messages=user_message("x"), stream=True))
        self.assertEqual(list(dict_chunks()), chunks)
        span = self.only_span()
        self.assertEqual(("plain dicts", 5, "gpt-4o-mini-2024-07-18"),
                         (span["output"]["content"], span["usage"]["inputTokens"], span["model"]))

    def test_plain_async_iterables_are_proxied_and_recorded(self):
        from zespan._openai.calls import chat_operation, wrap_async

        async def agen():
            for chunk in dict_chunks():
                yield chunk

        async def original(**kwargs):
            return agen()
        create = wrap_async(original, chat_operation("chat.completions.create"))

        async def consume():
            stream = await create(model="gpt-4o-mini", messages=user_message("x"), stream=True)
            return [c async for c in stream]
        self.assertEqual(3, len(asyncio.run(consume())))
        self.assertEqual(2, self.only_span()["usage"]["outputTokens"])
