"""The product page's Python sample, run unchanged, fills the Sessions view correctly."""
import json
import os
import uuid

from tests.support.harness import FIXTURES, child_env, run_python
from tests.support.server_case import ServerTestCase, expected_cost
from tests.support.zespan_server import REPO_ROOT


class ProductSample(ServerTestCase):
    def run_sample(self, user_id, messages):
        env = child_env(ZESPAN_BASE_URL=self.server.base_url, OPENAI_BASE_URL=self.openai_server.base_url,
                        OPENAI_API_KEY=self.openai_server.api_key)
        env.pop("ZESPAN_API_KEY", None)   # the sample's literal key must be what is used
        result = run_python([os.path.join(FIXTURES, "run_product_sample.py"), user_id, json.dumps(messages)], env)
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertNotIn("zespan", result.stderr.lower(), "the SDK complained: " + result.stderr)
        return json.loads(result.stdout.strip().splitlines()[-1])

    def test_sample_text_is_verbatim(self):
        with open(os.path.join(FIXTURES, "product_sample.py")) as f:
            sample = f.read()
        self.assertIn('zespan.init(api_key="zsp_your_api_key_here")\nzespan.patch_openai()\nimport openai\n', sample)
        self.assertIn("    with with_zespan_context(user_id=user_id, session_id=session_id):\n", sample)
        # The product page lost its indentation; compare line by line. Prefer the shared original beside the
        # repository; a clean clone (CI) uses the copy committed in docs/product, so this check always runs.
        page = os.path.join(REPO_ROOT, "..", "shared", "product", "sessions-doc.txt")
        if not os.path.isfile(page):
            page = os.path.join(REPO_ROOT, "docs", "product", "sessions-doc.txt")
        with open(page) as f:
            text = f.read()
        start = text.index("import zespan\n")
        end = text.index("return response.choices[0].message.content", start)
        page_lines = [line.strip() for line in text[start:end].splitlines()] + [
            "return response.choices[0].message.content"]
        self.assertEqual(page_lines, [line.strip() for line in sample.splitlines()])

    def test_conversation_becomes_one_session_with_turns_tokens_and_cost(self):
        marker = uuid.uuid4().hex[:8]
        messages = ["hi %s I need help" % marker, "%s my order is late [[cached:5]]" % marker,
                    "thanks %s [[reasoning:3]]" % marker]
        outcome = self.run_sample("user-42", messages)
        self.assertEqual([], outcome["errors"])
        self.assertEqual("Echo: hi %s I need help" % marker, outcome["replies"][0])

        served = self.served_calls(marker)
        self.assertEqual(3, len(served))
        detail = self.session(outcome["session_id"], 3)
        session, timeline = detail["session"], detail["timeline"]
        input_tokens = sum(c["usage"]["prompt_tokens"] for c in served)
        output_tokens = sum(c["usage"]["completion_tokens"] for c in served)
        self.assertEqual(outcome["session_id"], session["sessionId"])
        self.assertEqual("user-42", session["userId"])
        self.assertEqual(3, session["turns"])
        self.assertEqual((input_tokens, output_tokens, input_tokens + output_tokens),
                         (session["inputTokens"], session["outputTokens"], session["totalTokens"]))
        self.assertMoney(sum(expected_cost(c["model"], c["usage"]) for c in served), session["costUsd"])
        self.assertEqual(("ok", 0, 0), (session["status"], session["errorCount"], session["unpricedCalls"]))
        self.assertEqual([c["usage"]["prompt_tokens"] for c in served], [t["inputTokens"] for t in timeline])
        self.assertEqual(["gpt-4o-2024-08-06"] * 3, [t["model"] for t in timeline])
        self.assertEqual(sorted(t["startTime"] for t in timeline), [t["startTime"] for t in timeline])
        self.assertGreaterEqual(session["durationMs"], 0)

    def test_failed_turn_marks_the_session_as_errored(self):
        marker = uuid.uuid4().hex[:8]
        outcome = self.run_sample("user-7", ["hello %s" % marker, "broken %s [[status:400]]" % marker])
        self.assertEqual(["BadRequestError"], outcome["errors"])
        detail = self.session(outcome["session_id"], 2)
        session, timeline = detail["session"], detail["timeline"]
        self.assertEqual((2, 1, "error"), (session["turns"], session["errorCount"], session["status"]))
        self.assertEqual(["ok", "error"], [t["status"] for t in timeline])
        self.assertEqual("400 Invalid value for 'messages'.", timeline[1]["error"])
        ok_call = self.served_calls(marker)[0]
        self.assertMoney(expected_cost(ok_call["model"], ok_call["usage"]), session["costUsd"])
