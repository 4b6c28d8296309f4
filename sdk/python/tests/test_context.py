"""with_zespan_context sets user/session/tags/metadata, nests, and never leaks."""
import asyncio
import threading

import zespan
from zespan import with_zespan_context
from tests.support.harness import SdkTestCase, user_message


class ContextScopes(SdkTestCase):
    def call(self, text="hi"):
        return self.client.chat.completions.create(model="gpt-4o-mini", messages=user_message(text))

    def test_context_manager_labels_spans_inside_and_not_after(self):
        with with_zespan_context(user_id="u-1", session_id="s-1", tags=["beta"], metadata={"feature": "chat"}):
            self.call("inside")
        self.call("after")
        inside, after = self.sent_spans(2)
        self.assertEqual(("u-1", "s-1", ["beta"]), (inside["userId"], inside["sessionId"], inside["tags"]))
        self.assertEqual("chat", inside["metadata"]["feature"])
        self.assertEqual((None, None, []), (after["userId"], after["sessionId"], after["tags"]))
        self.assertNotIn("feature", after["metadata"])

    def test_nested_scopes_merge_and_inner_wins(self):
        with with_zespan_context(user_id="outer-user", session_id="s", tags=["a"], metadata={"x": 1, "y": 1}):
            with with_zespan_context(user_id="inner-user", tags=["b", "a"], metadata={"y": 2}):
                self.call("nested")
            self.call("outer again")
        nested, outer = self.sent_spans(2)
        self.assertEqual(("inner-user", "s", ["a", "b"]), (nested["userId"], nested["sessionId"], nested["tags"]))
        self.assertEqual((1, 2), (nested["metadata"]["x"], nested["metadata"]["y"]))
        self.assertEqual(("outer-user", ["a"], 1), (outer["userId"], outer["tags"], outer["metadata"]["y"]))

    def test_decorator_on_sync_function(self):
        @with_zespan_context(user_id="deco", session_id="deco-s")
        def handle(text):
            return self.call(text)
        handle("one")
        self.assertEqual("deco-s", self.only_span()["sessionId"])

    def test_decorator_and_async_with_on_coroutines(self):
        @with_zespan_context(user_id="async-deco")
        async def handle():
            async with with_zespan_context(session_id="async-s"):
                return await self.async_client.chat.completions.create(model="gpt-4o", messages=user_message("a"))
        asyncio.run(handle())
        span = self.only_span()
        self.assertEqual(("async-deco", "async-s"), (span["userId"], span["sessionId"]))

    def test_threads_do_not_see_each_others_context(self):
        barrier = threading.Barrier(4)

        def conversation(n):
            with with_zespan_context(user_id="user-%d" % n, session_id="session-%d" % n):
                barrier.wait()      # all four scopes are open at the same time
                for turn in range(3):
                    self.call("thread %d turn %d" % (n, turn))
        threads = [threading.Thread(target=conversation, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        spans = self.sent_spans(12)
        self.assertEqual(12, len(spans))
        for span in spans:
            n = span["input"][0]["content"].split()[1]
            self.assertEqual(("user-" + n, "session-" + n), (span["userId"], span["sessionId"]))

    def test_asyncio_tasks_do_not_see_each_others_context(self):
        async def conversation(n):
            async with with_zespan_context(user_id="user-%d" % n, session_id="session-%d" % n):
                for turn in range(3):
                    await self.async_client.chat.completions.create(
                        model="gpt-4o", messages=user_message("task %d turn %d [[delay:0.01]]" % (n, turn)))
                    await asyncio.sleep(0)

        async def main():
            await asyncio.gather(*(conversation(n) for n in range(5)))
        asyncio.run(main())
        spans = self.sent_spans(15)
        self.assertEqual(15, len(spans))
        for span in spans:
            n = span["input"][0]["content"].split()[1]
            self.assertEqual(("user-" + n, "session-" + n), (span["userId"], span["sessionId"]))
