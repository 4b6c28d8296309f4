"""The shared SDK specification's golden fixtures (sdk/spec/fixtures, rules in docs/sdk-spec.md):
the sampling rule, and the span payload of each fixture call, compared as the fixtures' README says."""
import json
import os
import re
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import openai
import zespan
from tests.support.harness import SDK_ROOT, SdkTestCase
from zespan import with_zespan_context
from zespan._sampling import RULE, hash32
from zespan._spans import SpanRecord

FIXTURES = os.path.join(SDK_ROOT, "..", "spec", "fixtures")
PAYLOADS = ("chat.json", "stream-without-usage.json", "stream-ended-early.json", "error.json", "embeddings.json")
PLACEHOLDERS = {
    "<span-id>": re.compile(r"^[0-9a-f]{16}$"),
    "<trace-id>": re.compile(r"^[0-9a-f]{32}$"),
    "<timestamp>": re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$"),
}


def load(name):
    with open(os.path.join(FIXTURES, name), encoding="utf-8") as f:
        return json.load(f)


class FixtureOpenAI:
    """Answers every request with the current fixture's `response` (JSON body or SSE events)."""

    def __init__(self):
        self.response = None
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                response = owner.response
                self.send_response(response["status"])
                if "sse" in response:
                    self.send_header("Content-Type", "text/event-stream")
                    self.send_header("Connection", "close")
                    self.end_headers()
                    for event in response["sse"]:
                        text = event if isinstance(event, str) else json.dumps(event)
                        self.wfile.write(("data: %s\n\n" % text).encode("utf-8"))
                    if response.get("holdOpen"):
                        # Only the caller leaving ends this stream: wait for the client to close the connection.
                        self.wfile.flush()
                        self.connection.settimeout(10)
                        try:
                            self.connection.recv(1)
                        except OSError:
                            pass
                    return
                body = json.dumps(response["json"]).encode("utf-8")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    @property
    def base_url(self):
        return "http://127.0.0.1:%d/v1" % self.server.server_address[1]

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


class SamplingRule(SdkTestCase):
    def test_hash_matches_every_vector(self):
        fixture = load("sampling.json")
        self.assertEqual(RULE, fixture["rule"])
        for vector in fixture["vectors"]:
            self.assertEqual(bytes.fromhex(vector["utf8Hex"]), vector["key"].encode("utf-8"))
            self.assertEqual(vector["hash"], hash32(vector["key"]), vector["key"])

    def test_root_span_of_a_session_is_sampled_as_the_fixture_says(self):
        fixture = load("sampling.json")
        for rate in fixture["rates"] + [0.0, 1.0]:
            zespan.init(api_key=self.ingest.api_key, base_url=self.ingest.base_url, sample_rate=rate)
            for vector in fixture["vectors"]:
                expected = vector["sampled"].get(str(rate), rate >= 1.0)
                with with_zespan_context(session_id=vector["key"]):
                    root = SpanRecord("root", "span")
                self.assertEqual(expected, root.sampled, (vector["key"], rate))

    def test_every_trace_of_a_session_gets_the_same_decision(self):
        zespan.init(api_key=self.ingest.api_key, base_url=self.ingest.base_url, sample_rate=0.5)
        with with_zespan_context(session_id="conv-1"):
            decisions = {SpanRecord("turn", "span").sampled for _ in range(50)}
        self.assertEqual(1, len(decisions))


class PayloadFixtures(SdkTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.fixture_openai = FixtureOpenAI()

    @classmethod
    def tearDownClass(cls):
        cls.fixture_openai.stop()
        super().tearDownClass()

    def run_fixture(self, name):
        fixture = load(name)
        self.fixture_openai.response = fixture["response"]
        client = openai.OpenAI(base_url=self.fixture_openai.base_url, api_key="sk-fixture", max_retries=0)
        context = fixture["context"]
        call, params = fixture["call"]["api"], fixture["call"]["params"]
        resource = {"chat.completions.create": client.chat.completions,
                    "embeddings.create": client.embeddings}[call]
        with with_zespan_context(session_id=context.get("sessionId"), user_id=context.get("userId"),
                                 tags=context.get("tags"), metadata=context.get("metadata")):
            if fixture["response"]["status"] >= 400:
                with self.assertRaises(openai.APIStatusError):
                    resource.create(**params)
            else:
                result = resource.create(**params)
                if params.get("stream"):
                    leave_after = fixture["call"].get("leaveAfterEvents")
                    for events, _ in enumerate(result, start=1):
                        if events == leave_after:
                            result.close()   # the caller leaves before the stream's end
                            break
        return fixture, self.only_span()

    def assertMatches(self, expected, actual, where):
        if expected == "<number>":
            self.assertIsInstance(actual, (int, float), where)
            self.assertGreaterEqual(actual, 0, where)
        elif isinstance(expected, str) and expected in PLACEHOLDERS:
            self.assertRegex(actual, PLACEHOLDERS[expected], where)
        else:
            self.assertEqual(expected, actual, where)

    def assertSpan(self, fixture, actual):
        expected = fixture["expectedSpan"]
        for key, value in expected.items():
            if key != "metadata":
                self.assertMatches(value, actual.get(key), key)
        for key, value in actual.items():
            if key not in expected:
                self.assertIsNone(value, "field %r is not in the fixture" % key)
        for key, value in expected.get("metadata", {}).items():
            self.assertIn(key, actual["metadata"])
            self.assertMatches(value, actual["metadata"][key], "metadata." + key)
        for key in fixture.get("absentMetadata", []):
            self.assertNotIn(key, actual["metadata"])
        self.assertGreaterEqual(actual["endTime"], actual["startTime"])

    def test_chat(self):
        self.assertSpan(*self.run_fixture("chat.json"))

    def test_stream_without_usage(self):
        self.assertSpan(*self.run_fixture("stream-without-usage.json"))

    def test_stream_ended_early(self):
        self.assertSpan(*self.run_fixture("stream-ended-early.json"))

    def test_error(self):
        self.assertSpan(*self.run_fixture("error.json"))

    def test_embeddings(self):
        self.assertSpan(*self.run_fixture("embeddings.json"))

    def test_every_payload_fixture_is_covered(self):
        names = sorted(n for n in os.listdir(FIXTURES) if n.endswith(".json") and n != "sampling.json")
        self.assertEqual(sorted(PAYLOADS), names)
