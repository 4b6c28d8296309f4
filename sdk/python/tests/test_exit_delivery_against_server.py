"""A script that simply ends loses nothing: the atexit flush delivers the queue."""
import json
import textwrap
import time

from tests.support.harness import child_env, run_python
from tests.support.server_case import SAMPLE_API_KEY, ServerTestCase

CHILD = """
import json, uuid, zespan
# Nothing would be sent before exit by size or time: only the exit flush can deliver.
zespan.init(flush_at=1000, flush_interval=600)
zespan.patch_openai()
import openai
client = openai.OpenAI()
session_id = "exit-" + uuid.uuid4().hex
with zespan.with_zespan_context(user_id="exit-user", session_id=session_id):
    with zespan.span("batch-job") as job:
        for n in range(60):
            client.chat.completions.create(model="gpt-4o-mini",
                                           messages=[{"role": "user", "content": "item %d" % n}])
print(json.dumps({"session_id": session_id, "trace_id": job.trace_id}))
"""


class DeliveryAtExit(ServerTestCase):
    def test_child_that_exits_naturally_delivers_every_span(self):
        env = child_env(ZESPAN_API_KEY=SAMPLE_API_KEY, ZESPAN_BASE_URL=self.server.base_url,
                        OPENAI_BASE_URL=self.openai_server.base_url, OPENAI_API_KEY=self.openai_server.api_key)
        started = time.monotonic()
        result = run_python(["-c", textwrap.dedent(CHILD)], env)
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertLess(time.monotonic() - started, 30)
        ids = json.loads(result.stdout.strip().splitlines()[-1])
        # No waiting: a 2xx from the server means durable, and the child only exited after it.
        status, detail = self.server.get("/api/v1/sessions/" + ids["session_id"])
        self.assertEqual(200, status, detail)
        self.assertEqual((60, "exit-user"), (detail["session"]["turns"], detail["session"]["userId"]))
        status, trace = self.server.get("/api/v1/traces/" + ids["trace_id"])
        self.assertEqual(200, status, trace)
        spans = trace["spans"]
        self.assertEqual(61, len(spans))
        root = [s for s in spans if s["parentId"] is None]
        self.assertEqual(["batch-job"], [s["name"] for s in root])
        self.assertEqual({root[0]["id"]}, {s["parentId"] for s in spans if s["kind"] == "llm"})
