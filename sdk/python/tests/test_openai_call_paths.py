"""Every documented way to call OpenAI records exactly one span; a missing span fails here.

Covers the helpers and aliases of openai-python 3.x (the layout the stand-in mirrors): parse,
beta.chat, beta.responses, the .stream() helpers (ended when their `with` block exits, not at
garbage collection), resumed Responses streams, and calls whose response carries no usage.
"""
import asyncio
import gc

from tests.support.harness import SdkTestCase, user_message


class CallPaths(SdkTestCase):
    def forget_spans(self, count):
        self.sent_spans(count)   # delivered first, so they cannot arrive after the reset
        self.ingest.reset()

    def span_named(self, name):
        span = self.only_span()
        self.assertEqual(name, span["name"])
        return span

    def test_responses_parse_is_recorded(self):
        response = self.client.responses.parse(model="gpt-4o", input='{"a": 1}', text_format=dict)
        span = self.span_named("responses.parse")
        self.assertEqual(response.usage.input_tokens, span["usage"]["inputTokens"])
        self.assertEqual("gpt-4o-2024-08-06", span["model"])

    def test_async_responses_parse_is_recorded(self):
        asyncio.run(self.async_client.responses.parse(model="gpt-4o", input="x", text_format=dict))
        self.span_named("responses.parse")

    def test_beta_responses_create_is_recorded(self):
        response = self.client.beta.responses.create(model="gpt-4o", input="beta hello")
        span = self.span_named("responses.create")
        self.assertEqual("Echo: beta hello", span["output"][0]["content"][0]["text"])
        self.assertEqual(response.usage.output_tokens, span["usage"]["outputTokens"])

    def test_async_beta_responses_create_is_recorded(self):
        asyncio.run(self.async_client.beta.responses.create(model="gpt-4o", input="beta async"))
        self.span_named("responses.create")

    def test_beta_chat_completions_parse_is_recorded_once(self):
        self.client.beta.chat.completions.parse(model="gpt-4o", messages=user_message('{"b": 2}'),
                                                response_format=dict)
        self.span_named("chat.completions.parse")

    def test_chat_stream_helper_is_recorded(self):
        with self.client.chat.completions.stream(model="gpt-4o", messages=user_message("helper story"),
                                                 stream_options={"include_usage": True}) as stream:
            final = stream.get_final_completion()
        span = self.span_named("chat.completions.create")
        self.assertEqual(final.usage.completion_tokens, span["usage"]["outputTokens"])
        self.assertNotIn("streamEndedEarly", span["metadata"])

    def test_chat_stream_helper_left_early_ends_its_span_at_block_exit(self):
        gc.disable()   # the span must not depend on the collector
        try:
            with self.client.chat.completions.stream(model="gpt-4o",
                                                     messages=user_message("one two three four")) as stream:
                for _ in stream:
                    break
            span = self.span_named("chat.completions.create")
            self.assertIs(True, span["metadata"]["streamEndedEarly"])
            self.assertIsNotNone(stream)   # still referenced: not a garbage-collection ending
        finally:
            gc.enable()

    def test_responses_stream_helper_left_early_ends_its_span_at_block_exit(self):
        gc.disable()
        try:
            with self.client.responses.stream(model="gpt-4o", input="alpha beta gamma") as stream:
                next(iter(stream))
            span = self.span_named("responses.create")
            self.assertIs(True, span["metadata"]["streamEndedEarly"])
            self.assertIsNotNone(stream)
        finally:
            gc.enable()

    def test_async_stream_helpers_left_early_end_their_spans_at_block_exit(self):
        async def leave_early():
            async with self.async_client.chat.completions.stream(model="gpt-4o",
                                                                 messages=user_message("a b c d")) as chat:
                async for _ in chat:
                    break
            async with self.async_client.responses.stream(model="gpt-4o", input="e f g h") as responses:
                async for _ in responses:
                    break
            # Checked while the loop still runs: asyncio.run() finalises abandoned generators on exit.
            return self.sent_spans(2, timeout=1.0), (chat, responses)
        gc.disable()
        try:
            spans, _ = asyncio.run(leave_early())
            self.assertEqual(["chat.completions.create", "responses.create"], [s["name"] for s in spans])
            self.assertEqual([True, True], [s["metadata"].get("streamEndedEarly") for s in spans])
        finally:
            gc.enable()

    def test_resumed_responses_stream_is_recorded_with_its_usage(self):
        started = self.client.responses.create(model="gpt-4o", input="resume me please", background=True)
        self.forget_spans(1)
        with self.client.responses.stream(response_id=started.id, starting_after=3) as stream:
            final = stream.get_final_response()
        span = self.span_named("responses.retrieve")
        self.assertEqual({"resumedResponseId": started.id},
                         {k: v for k, v in span["metadata"].items() if k == "resumedResponseId"})
        self.assertEqual(final.usage.input_tokens, span["usage"]["inputTokens"])
        self.assertEqual("Echo: resume me please", span["output"][0]["content"][0]["text"])
        self.assertNotIn("streamEndedEarly", span["metadata"])

    def test_retrieve_with_stream_positional_id_is_recorded_and_plain_retrieve_is_not(self):
        started = self.client.responses.create(model="gpt-4o", input="stored")
        self.forget_spans(1)
        self.client.responses.retrieve(started.id)                      # reads a stored response: no call
        events = list(self.client.responses.retrieve(started.id, stream=True, starting_after=2))
        self.assertEqual(3, events[0].sequence_number)
        span = self.span_named("responses.retrieve")
        self.assertEqual((started.id, 2), (span["metadata"]["resumedResponseId"], span["metadata"]["startingAfter"]))

    def test_async_resumed_stream_is_recorded(self):
        async def resume():
            started = await self.async_client.responses.create(model="gpt-4o", input="async resume")
            self.forget_spans(1)
            async with self.async_client.responses.stream(response_id=started.id) as stream:
                return [event async for event in stream]
        events = asyncio.run(resume())
        span = self.span_named("responses.retrieve")
        self.assertEqual(events[-1].response.usage.output_tokens, span["usage"]["outputTokens"])


class CallsWithoutUsage(SdkTestCase):
    """No usage in the response (a proxy strips it, a stream without include_usage): usage is null,
    so the server counts the turn as unpriced; never zeros, which would price it at $0."""

    def test_chat_response_without_usage_records_null_usage(self):
        response = self.client.chat.completions.create(model="gpt-4o", messages=user_message("hi [[nousage]]"))
        self.assertIsNone(response.usage)
        span = self.only_span()
        self.assertIn("usage", span)
        self.assertIsNone(span["usage"])
        self.assertEqual("ok", span["status"])

    def test_responses_without_usage_record_null_usage(self):
        self.client.responses.create(model="gpt-4o", input="hi [[nousage]]")
        list(self.client.responses.create(model="gpt-4o", input="streamed [[nousage]]", stream=True))
        self.assertEqual([None, None], [s["usage"] for s in self.sent_spans(2)])

    def test_chat_stream_asking_for_usage_but_getting_none_records_null_usage(self):
        list(self.client.chat.completions.create(model="gpt-4o", messages=user_message("x [[nousage]]"),
                                                 stream=True, stream_options={"include_usage": True}))
        self.assertIsNone(self.only_span()["usage"])
