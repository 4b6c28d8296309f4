"""Exit and fork: spans survive a natural exit, a dead server cannot hold exit hostage,
and a forked child exports its own spans."""
import os
import textwrap
import time
import unittest

from tests.support.harness import SdkTestCase, child_env, run_python


class ProcessLifecycle(SdkTestCase):
    def env(self, **extra):
        values = dict(OPENAI_BASE_URL=self.openai_server.base_url, OPENAI_API_KEY=self.openai_server.api_key,
                      ZESPAN_API_KEY=self.ingest.api_key, ZESPAN_BASE_URL=self.ingest.base_url)
        values.update(extra)
        return child_env(**values)

    def test_exit_with_server_down_waits_no_longer_than_shutdown_timeout(self):
        script = textwrap.dedent("""
            import zespan
            zespan.init(shutdown_timeout=1.0)
            with zespan.span("lost"):
                pass
        """)
        started = time.monotonic()
        result = run_python(["-c", script], self.env(ZESPAN_BASE_URL="http://127.0.0.1:9"))
        self.assertEqual(0, result.returncode, result.stderr)
        self.assertLess(time.monotonic() - started, 6.0)
        self.assertIn("gave up", result.stderr)       # the loss is reported, not silent

    @unittest.skipUnless(hasattr(os, "fork"), "needs fork")
    def test_forked_child_exports_its_own_spans_and_not_the_parents_queue(self):
        script = textwrap.dedent("""
            import os, zespan
            zespan.init(flush_at=1000, flush_interval=600)
            with zespan.span("parent-before-fork"):
                pass
            pid = os.fork()
            if pid == 0:
                with zespan.span("child"):
                    pass
                zespan.shutdown(5)
                os._exit(0)
            os.waitpid(pid, 0)
            with zespan.span("parent-after-fork"):
                pass
        """)
        result = run_python(["-c", script], self.env())
        self.assertEqual(0, result.returncode, result.stderr)
        names = sorted(s["name"] for s in self.sent_spans(3))
        self.assertEqual(["child", "parent-after-fork", "parent-before-fork"], names)
        sent_per_request = [len(b) for _, b, _, _ in self.ingest.requests]
        self.assertEqual(3, sum(sent_per_request))     # nothing sent twice
