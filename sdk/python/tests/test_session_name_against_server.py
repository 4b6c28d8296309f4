"""A session name given to with_zespan_context is the session's name in the Sessions list of a real server."""
import urllib.parse
import uuid

import openai
import zespan
from zespan import with_zespan_context
from tests.support.server_case import SAMPLE_API_KEY, ServerTestCase


class SessionNameAgainstServer(ServerTestCase):
    def setUp(self):
        zespan.init(api_key=SAMPLE_API_KEY, base_url=self.server.base_url, flush_interval=0.1)
        zespan.patch_openai()

    def tearDown(self):
        zespan.shutdown(2)
        zespan.unpatch_openai()

    def listed(self, q, ready):
        status, body = self.server.wait_for("/api/v1/sessions?q=" + urllib.parse.quote(q, safe=""),
                                            lambda s, b: s == 200 and ready(b["data"]))
        self.assertEqual(200, status, body)
        return body["data"]

    def test_named_session_shows_its_name_and_an_unnamed_one_its_first_user_message(self):
        client = openai.OpenAI(base_url=self.openai_server.base_url, api_key=self.openai_server.api_key, max_retries=0)
        named, unnamed = "named-" + uuid.uuid4().hex[:8], "unnamed-" + uuid.uuid4().hex[:8]
        with with_zespan_context(session_id=named, session_name="Refund <for> order #5678"):
            for content in ("Hello, where is my refund?", "It has been a week."):
                client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": content}])
        with with_zespan_context(session_id=unnamed):
            client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "Which plan suits five?"}])
        self.assertTrue(zespan.flush(20))

        (item,) = self.listed(named, lambda items: len(items) == 1 and items[0]["turns"] == 2)
        self.assertEqual("Refund <for> order #5678", item["name"])
        (other,) = self.listed(unnamed, lambda items: len(items) == 1)
        self.assertEqual("Which plan suits five?", other["name"])
        by_name = self.listed("order #5678", lambda items: len(items) >= 1)
        self.assertEqual([named], [s["sessionId"] for s in by_name])
