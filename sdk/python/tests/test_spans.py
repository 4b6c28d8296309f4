"""zespan.span groups work into one trace; llm spans inside become its children."""
import asyncio

import zespan
from tests.support.harness import SdkTestCase, user_message


class SpanNesting(SdkTestCase):
    def test_llm_calls_inside_a_span_share_its_trace_and_name_it_parent(self):
        with zespan.with_zespan_context(user_id="u", session_id="s"):
            with zespan.span("answer-question", input={"q": "why"}) as outer:
                with zespan.span("retrieve") as inner:
                    self.client.embeddings.create(model="text-embedding-3-small", input="why")
                self.client.chat.completions.create(model="gpt-4o", messages=user_message("why"))
                outer.set_output("because")
        spans = {s["name"]: s for s in self.sent_spans(4)}
        root, retrieve = spans["answer-question"], spans["retrieve"]
        embed, chat = spans["embeddings.create"], spans["chat.completions.create"]
        self.assertEqual(("span", None), (root["kind"], root["parentId"]))
        self.assertEqual({root["traceId"]}, {s["traceId"] for s in spans.values()})
        self.assertEqual(root["id"], retrieve["parentId"])
        self.assertEqual(retrieve["id"], embed["parentId"])
        self.assertEqual(root["id"], chat["parentId"])
        self.assertEqual(({"q": "why"}, "because"), (root["input"], root["output"]))
        self.assertEqual(("u", "s"), (root["userId"], root["sessionId"]))
        self.assertEqual(outer.id, root["id"])
        self.assertEqual(inner.trace_id, root["traceId"])
        self.assertLessEqual(root["startTime"], chat["startTime"])
        self.assertGreaterEqual(root["endTime"], chat["endTime"])

    def test_exception_marks_span_as_error_and_propagates(self):
        with self.assertRaises(KeyError):
            with zespan.span("lookup"):
                raise KeyError("missing")
        span = self.only_span()
        self.assertEqual(("error", "'missing'"), (span["status"], span["error"]))

    def test_decorated_async_function_is_a_span(self):
        @zespan.span("agent-step")
        async def step():
            await self.async_client.chat.completions.create(model="gpt-4o", messages=user_message("go"))
            return zespan.current_span().id

        step_id = asyncio.run(step())
        spans = {s["name"]: s for s in self.sent_spans(2)}
        self.assertEqual(step_id, spans["agent-step"]["id"])
        self.assertEqual(step_id, spans["chat.completions.create"]["parentId"])

    def test_sibling_traces_after_a_span_closes_are_new_roots(self):
        with zespan.span("first"):
            pass
        with zespan.span("second"):
            pass
        first, second = self.sent_spans(2)
        self.assertNotEqual(first["traceId"], second["traceId"])
        self.assertIsNone(second["parentId"])


class Sampling(SdkTestCase):
    init_options = {"sample_rate": 0.0}

    def test_unsampled_calls_still_work_and_send_nothing(self):
        with zespan.span("root"):
            response = self.client.chat.completions.create(model="gpt-4o", messages=user_message("x"))
        self.assertEqual("Echo: x", response.choices[0].message.content)
        self.assertEqual([], self.sent_spans(timeout=0.3))


class Disabled(SdkTestCase):
    init_options = {"enabled": False}

    def test_disabled_sdk_passes_calls_through(self):
        response = self.client.chat.completions.create(model="gpt-4o", messages=user_message("x"))
        self.assertEqual("Echo: x", response.choices[0].message.content)
        self.assertEqual([], self.sent_spans(timeout=0.3))
        self.assertEqual([], self.ingest.requests)


class ContentNotCaptured(SdkTestCase):
    init_options = {"capture_content": False}

    def test_spans_carry_no_input_or_output_but_keep_usage_and_metadata(self):
        with zespan.span("plan", input={"secret": "prompt"}) as s:
            s.set_output("secret answer")
            self.client.chat.completions.create(model="gpt-4o", messages=user_message("secret question"),
                                                temperature=0.3)
        spans = self.sent_spans(2)
        self.assertEqual([None, None], [span.get("input") for span in spans])
        self.assertEqual([None, None], [span.get("output") for span in spans])
        llm = next(span for span in spans if span["kind"] == "llm")
        self.assertIsNotNone(llm["usage"])
        self.assertEqual(0.3, llm["metadata"]["temperature"])
        self.assertNotIn("secret", str(self.ingest.requests))
