"""zespan.guard(session_id) against a real server with a guard rule."""
import json
import os
import time
import unittest
import urllib.request

import zespan
from tests.support.zespan_server import ZespanServer

API_KEY = "zsp_py_guard_tests_0123456789"


def span(span_id, session_id, start):
    return {"id": span_id, "traceId": "t-" + span_id, "parentId": None, "sessionId": session_id, "userId": None,
            "name": "chat.completions.create", "kind": "llm", "model": "gpt-4o", "provider": "openai",
            "startTime": start, "endTime": start, "status": "ok",
            "usage": {"inputTokens": 10, "outputTokens": 1, "cachedInputTokens": 0, "reasoningTokens": 0}}


class GuardAgainstServer(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        # The rule's webhook is on loopback (its deliveries may fail; only the recorded crossing matters here).
        previous = os.environ.get("ZESPAN_WEBHOOK_ALLOW_PRIVATE")
        os.environ["ZESPAN_WEBHOOK_ALLOW_PRIVATE"] = "true"
        try:
            cls.server = ZespanServer(API_KEY).start()
        finally:
            if previous is None:
                del os.environ["ZESPAN_WEBHOOK_ALLOW_PRIVATE"]
            else:
                os.environ["ZESPAN_WEBHOOK_ALLOW_PRIVATE"] = previous
        status, body = cls.post("/api/v1/alerts/rules", {"name": "Too many turns", "kind": "session_turns",
                                                         "thresholdTurns": 2, "webhookUrl": "http://127.0.0.1:9/hook"})
        assert status == 201, body
        zespan.init(api_key=API_KEY, base_url=cls.server.base_url)

    @classmethod
    def tearDownClass(cls):
        zespan.shutdown()
        cls.server.destroy()

    @classmethod
    def post(cls, path, payload):
        request = urllib.request.Request(cls.server.base_url + path, data=json.dumps(payload).encode("utf-8"), method="POST",
                                         headers={"Authorization": "Bearer " + API_KEY, "Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.read().decode("utf-8")

    def ingest(self, session_id, turns):
        now = time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime())
        status, body = self.post("/api/v1/ingest", {"batch": [span("%s-%d" % (session_id, i), session_id, now) for i in range(turns)]})
        self.assertIn(status, (200, 207), body)

    def test_a_session_past_a_rule_is_told_to_stop(self):
        self.ingest("py-runaway", 3)
        state = zespan.guard("py-runaway")
        deadline = time.monotonic() + 10
        while not state.stop and time.monotonic() < deadline:
            time.sleep(0.05)
            state = zespan.guard("py-runaway")
        self.assertTrue(state.stop, state)
        self.assertIsNone(state.error)
        self.assertEqual(1, len(state.crossed))
        crossed = state.crossed[0]
        self.assertEqual(("Too many turns", "session_turns", "session", "3 turns"),
                         (crossed["ruleName"], crossed["kind"], crossed["subject"], crossed["figure"]))

    def test_a_calm_or_unknown_session_is_not_stopped(self):
        self.ingest("py-calm", 2)
        self.server.wait_for("/api/v1/sessions/py-calm", lambda s, b: s == 200 and b["session"]["turns"] == 2, 20)
        self.assertEqual(zespan.GuardState("py-calm"), zespan.guard("py-calm"))
        self.assertEqual(zespan.GuardState("never-seen"), zespan.guard("never-seen"))

    def test_never_raises_on_a_wrong_key_or_an_unreachable_server(self):
        try:
            zespan.init(api_key="zsp_wrong_key_0123456789abc", base_url=self.server.base_url)
            refused = zespan.guard("py-runaway")
            self.assertFalse(refused.stop)
            self.assertEqual("guard state: HTTP 401", refused.error)
            zespan.init(api_key=API_KEY, base_url="http://127.0.0.1:9")
            down = zespan.guard("py-runaway", timeout=2)
            self.assertFalse(down.stop)
            self.assertTrue(down.error)
        finally:
            zespan.init(api_key=API_KEY, base_url=self.server.base_url)


if __name__ == "__main__":
    unittest.main()
