"""A Zespan server that is down or slow never breaks or slows the app; spans arrive later."""
import statistics
import time
import uuid

import openai
import zespan
from zespan import with_zespan_context
from tests.support.slow_proxy import SlowProxy
from tests.support.server_case import SAMPLE_API_KEY, ServerTestCase
from tests.support.zespan_server import ZespanServer

CALLS = 10


class ServerTrouble(ServerTestCase):
    def setUp(self):
        self.client = openai.OpenAI(base_url=self.openai_server.base_url, api_key=self.openai_server.api_key,
                                    max_retries=0)

    def tearDown(self):
        zespan.shutdown(1)
        zespan.unpatch_openai()

    def call(self, text):
        started = time.perf_counter()
        response = self.client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": text}])
        self.assertEqual("Echo: " + text, response.choices[0].message.content)
        return time.perf_counter() - started

    def unwrapped_median(self):
        zespan.unpatch_openai()
        timings = [self.call("warm-up %d" % n) for n in range(CALLS)]
        zespan.patch_openai()
        return statistics.median(timings)

    def assert_not_slowed(self, baseline, timings):
        # Generous on purpose: what must not happen is a call waiting on the Zespan server
        # (1.5 s per request through the slow proxy, back-off sleeps while it is down);
        # microseconds of SDK work and scheduling noise on a busy machine are fine.
        self.assertLess(statistics.median(timings), baseline * 3 + 0.05, (baseline, timings))
        self.assertLess(max(timings), baseline * 10 + 1.0, (baseline, timings))

    def test_server_down_then_back_up(self):
        later = ZespanServer(SAMPLE_API_KEY)           # its port is reserved but nothing listens yet
        self.addCleanup(later.destroy)
        # Short back-off for a quick test, so more retries to span the server's start-up (the defaults, 10 retries
        # up to 30 s apart, wait about two minutes).
        zespan.init(api_key=SAMPLE_API_KEY, base_url=later.base_url, flush_interval=0.05, max_retry_delay=0.5,
                    max_retries=500)
        baseline = self.unwrapped_median()
        session_id = "outage-" + uuid.uuid4().hex
        with with_zespan_context(user_id="patient-user", session_id=session_id):
            timings = [self.call("while down %d" % n) for n in range(CALLS)]
        self.assert_not_slowed(baseline, timings)
        self.assertFalse(zespan.flush(0.5))                # nothing could be delivered yet
        self.assertGreater(zespan.stats()["retries"], 0)
        later.start()
        self.assertTrue(zespan.flush(30))
        status, detail = later.get("/api/v1/sessions/" + session_id)
        self.assertEqual(200, status, detail)
        self.assertEqual(CALLS, detail["session"]["turns"])

    def test_slow_server_does_not_slow_calls(self):
        proxy = SlowProxy(self.server.base_url, delay=1.5).start()
        self.addCleanup(proxy.stop)
        zespan.init(api_key=SAMPLE_API_KEY, base_url=proxy.base_url, flush_at=4, max_batch_size=4,
                    flush_interval=0.05)
        baseline = self.unwrapped_median()
        session_id = "slow-" + uuid.uuid4().hex
        with with_zespan_context(session_id=session_id):
            timings = [self.call("while slow %d" % n) for n in range(CALLS)]
        self.assert_not_slowed(baseline, timings)
        self.assertTrue(zespan.flush(30))
        self.assertGreaterEqual(proxy.forwarded, 3)
        self.assertEqual(CALLS, self.session(session_id, CALLS)["session"]["turns"])

    def test_batch_resent_after_a_lost_response_is_counted_once(self):
        # The server stores the batch but the SDK never sees the answer, so it re-sends
        # the same span ids; the session must still show each call once.
        proxy = SlowProxy(self.server.base_url, lose_first_responses=2).start()
        self.addCleanup(proxy.stop)
        zespan.init(api_key=SAMPLE_API_KEY, base_url=proxy.base_url, flush_at=100, flush_interval=0.05)
        zespan.patch_openai()
        session_id = "resent-" + uuid.uuid4().hex
        with with_zespan_context(session_id=session_id):
            for n in range(3):
                self.call("resend %d" % n)
        self.assertTrue(zespan.flush(20))
        self.assertGreaterEqual(zespan.stats()["retries"], 2)
        self.assertEqual(3, self.session(session_id, 3)["session"]["turns"])
        self.assertEqual(3, len(self.session(session_id, 3)["timeline"]))

    def test_unknown_api_key_is_reported_and_not_retried(self):
        zespan.init(api_key="zsp_not_a_key_of_this_server_0000", base_url=self.server.base_url,
                    flush_interval=0.05)
        zespan.patch_openai()
        with self.assertLogs("zespan", "WARNING") as logs:
            self.call("with a wrong key")
            self.assertTrue(zespan.flush(10))
        self.assertIn("401", "\n".join(logs.output))
        self.assertEqual((1, 0), (zespan.stats()["rejected"], zespan.stats()["retries"]))
