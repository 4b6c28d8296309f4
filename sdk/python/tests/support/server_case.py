"""Base for tests that run against a real Zespan server process."""
import math
import unittest

from tests.support.fake_openai_server import FakeOpenAIServer
from tests.support.zespan_server import ZespanServer

# The product page's sample hard-codes this key; the server is started with it.
SAMPLE_API_KEY = "zsp_your_api_key_here"

# Independent copy of the price table the brief states (USD per token).
PRICES = {"gpt-4o": (2.50e-6, 1.25e-6, 10.00e-6), "gpt-4o-mini": (0.15e-6, 0.075e-6, 0.60e-6)}


def expected_cost(model, usage):
    """Contract formula from OpenAI usage as the fake server returned it."""
    family = "gpt-4o-mini" if model.startswith("gpt-4o-mini") else "gpt-4o"
    input_price, cached_price, output_price = PRICES[family]
    if "prompt_tokens" in usage:
        prompt, completion = usage["prompt_tokens"], usage["completion_tokens"]
        cached = usage["prompt_tokens_details"]["cached_tokens"]
    else:
        prompt, completion = usage["input_tokens"], usage["output_tokens"]
        cached = usage["input_tokens_details"]["cached_tokens"]
    return (prompt - cached) * input_price + cached * cached_price + completion * output_price


class ServerTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.server = ZespanServer(SAMPLE_API_KEY).start()
        cls.openai_server = FakeOpenAIServer().start()

    @classmethod
    def tearDownClass(cls):
        cls.openai_server.stop()
        cls.server.destroy()

    def served_calls(self, marker):
        """Calls the fake OpenAI server answered whose prompt contains `marker`, in order."""
        def mentions(call):
            return marker in repr(call["request"].get("messages") or call["request"].get("input"))
        return [c for c in self.openai_server.calls_snapshot() if mentions(c)]

    def session(self, session_id, turns, timeout=20.0):
        status, body = self.server.wait_for(
            "/api/v1/sessions/" + session_id,
            lambda s, b: s == 200 and b["session"]["turns"] >= turns, timeout)
        self.assertEqual(200, status, body)
        return body

    def assertMoney(self, expected, actual):
        self.assertTrue(math.isclose(expected, actual, rel_tol=1e-9, abs_tol=1e-12),
                        "expected $%r, server said $%r" % (expected, actual))
