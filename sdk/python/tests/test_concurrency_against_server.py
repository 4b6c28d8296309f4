"""Concurrent conversations on threads and asyncio tasks land in their own sessions."""
import asyncio
import threading
import uuid

import openai
import zespan
from zespan import with_zespan_context
from tests.support.server_case import SAMPLE_API_KEY, ServerTestCase


class ConcurrentConversations(ServerTestCase):
    def setUp(self):
        zespan.init(api_key=SAMPLE_API_KEY, base_url=self.server.base_url, flush_interval=0.1)
        zespan.patch_openai()
        self.run_id = uuid.uuid4().hex[:8]

    def tearDown(self):
        zespan.shutdown(2)
        zespan.unpatch_openai()

    def client(self, cls=openai.OpenAI):
        return cls(base_url=self.openai_server.base_url, api_key=self.openai_server.api_key, max_retries=0)

    def assert_sessions_unmixed(self, conversations, turns):
        self.assertTrue(zespan.flush(20))
        for n in range(conversations):
            session_id = "%s-session-%d" % (self.run_id, n)
            detail = self.session(session_id, turns)
            self.assertEqual((turns, "user-%d" % n), (detail["session"]["turns"], detail["session"]["userId"]))
            for entry in detail["timeline"]:
                status, trace = self.server.get("/api/v1/traces/" + entry["traceId"])
                self.assertEqual(200, status, trace)
                (span,) = [s for s in trace["spans"] if s["id"] == entry["spanId"]]
                self.assertIn("conversation %d " % n, span["input"][0]["content"])
                self.assertEqual(("user-%d" % n, session_id), (span["userId"], span["sessionId"]))

    def test_threads_keep_their_own_user_and_session(self):
        client = self.client()
        barrier = threading.Barrier(4)

        def conversation(n):
            with with_zespan_context(user_id="user-%d" % n, session_id="%s-session-%d" % (self.run_id, n)):
                barrier.wait()
                for turn in range(3):
                    client.chat.completions.create(
                        model="gpt-4o", messages=[{"role": "user", "content": "conversation %d turn %d" % (n, turn)}])
        threads = [threading.Thread(target=conversation, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        self.assert_sessions_unmixed(4, 3)

    def test_asyncio_tasks_keep_their_own_user_and_session(self):
        client = self.client(openai.AsyncOpenAI)

        @with_zespan_context(metadata={"runner": "asyncio"})
        async def conversation(n):
            async with with_zespan_context(user_id="user-%d" % n, session_id="%s-session-%d" % (self.run_id, n)):
                for turn in range(3):
                    stream = await client.chat.completions.create(
                        model="gpt-4o-mini", stream=True, stream_options={"include_usage": True},
                        messages=[{"role": "user", "content": "conversation %d turn %d [[chunkdelay:0.005]]"
                                   % (n, turn)}])
                    async for _ in stream:
                        await asyncio.sleep(0)

        async def main():
            await asyncio.gather(*(conversation(n) for n in range(5)))
        asyncio.run(main())
        self.assert_sessions_unmixed(5, 3)
