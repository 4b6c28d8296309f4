"""Shared set-up: fake OpenAI + fake ingest servers, SDK configured against them,
and a way to run code in a fresh interpreter (for import-order and exit tests)."""
import os
import subprocess
import sys
import time
import unittest

import openai  # the stand-in (tests/__init__.py put it first on sys.path)
import zespan
from tests import STANDIN
from tests.support.fake_ingest_server import FakeIngestServer
from tests.support.fake_openai_server import FakeOpenAIServer

SDK_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
FIXTURES = os.path.join(SDK_ROOT, "tests", "fixtures")


class SdkTestCase(unittest.TestCase):
    """Each test starts with the SDK initialised against a fresh fake ingest script."""

    init_options = {}

    @classmethod
    def setUpClass(cls):
        cls.openai_server = FakeOpenAIServer().start()
        cls.ingest = FakeIngestServer().start()

    @classmethod
    def tearDownClass(cls):
        zespan.shutdown(0.5)
        zespan.unpatch_openai()
        cls.openai_server.stop()
        cls.ingest.stop()

    def setUp(self):
        self.ingest.reset()
        options = dict(api_key=self.ingest.api_key, base_url=self.ingest.base_url, flush_interval=0.05,
                       max_retry_delay=0.2)
        options.update(self.init_options)
        zespan.init(**options)
        zespan.patch_openai()
        self.client = self.openai_client()
        self.async_client = openai.AsyncOpenAI(base_url=self.openai_server.base_url,
                                               api_key=self.openai_server.api_key, max_retries=0)

    def tearDown(self):
        zespan.shutdown(1.0)

    def openai_client(self):
        return openai.OpenAI(base_url=self.openai_server.base_url, api_key=self.openai_server.api_key,
                             max_retries=0)

    def sent_spans(self, count=None, timeout=5.0):
        """Spans the ingest endpoint stored, after flushing; waits for `count` if given."""
        deadline = time.monotonic() + timeout
        while True:
            zespan.flush(timeout)
            spans = self.ingest.stored_spans()
            if count is None or len(spans) >= count or time.monotonic() > deadline:
                return sorted(spans, key=lambda s: s["startTime"])
            time.sleep(0.05)

    def only_span(self):
        spans = self.sent_spans(1)
        self.assertEqual(1, len(spans), spans)
        return spans[0]


def user_message(text):
    return [{"role": "user", "content": text}]


def child_env(**extra):
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([SDK_ROOT, STANDIN] + [p for p in [env.get("PYTHONPATH")] if p])
    env.update({k: str(v) for k, v in extra.items()})
    return env


def run_python(args, env, timeout=60):
    """Runs a fresh interpreter and returns CompletedProcess (text mode)."""
    return subprocess.run([sys.executable] + list(args), env=env, capture_output=True, text=True,
                          timeout=timeout, cwd=SDK_ROOT)
