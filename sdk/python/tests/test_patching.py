"""patch_openai works before or after `import openai`, is idempotent and undoable."""
import json
import textwrap

import openai
import zespan
from openai.resources.chat.completions import AsyncCompletions, Completions
from openai.resources.embeddings import Embeddings
from openai.resources.responses import AsyncResponses, Responses
from tests.support.harness import SdkTestCase, child_env, run_python, user_message

CHILD_CALL = """
client = openai.OpenAI(max_retries=0)
client.chat.completions.create(model="gpt-4o", messages=[{"role": "user", "content": "from child"}])
zespan.flush(5)
"""


class PatchingInChildProcesses(SdkTestCase):
    def run_child(self, body):
        env = child_env(OPENAI_BASE_URL=self.openai_server.base_url, OPENAI_API_KEY=self.openai_server.api_key,
                        ZESPAN_API_KEY=self.ingest.api_key, ZESPAN_BASE_URL=self.ingest.base_url)
        result = run_python(["-c", textwrap.dedent(body) + CHILD_CALL], env)
        self.assertEqual(0, result.returncode, result.stderr)
        return result.stdout

    def test_patch_before_import_instruments_openai_when_it_is_imported(self):
        out = self.run_child("""
            import sys, json, zespan
            zespan.init()
            zespan.patch_openai()
            assert "openai" not in sys.modules, "patch_openai must not import openai itself"
            import openai
            from zespan._openai.import_watch import ImportWatch
            print(json.dumps({
                "watch_left": any(isinstance(f, ImportWatch) for f in sys.meta_path),
                "loader": type(openai.__loader__).__name__,
                "spec_loader": type(openai.__spec__.loader).__name__}))
        """)
        facts = json.loads(out.strip().splitlines()[-1])
        self.assertEqual({"watch_left": False, "loader": "SourceFileLoader", "spec_loader": "SourceFileLoader"},
                         facts)
        self.assertEqual(["from child"], [s["input"][0]["content"] for s in self.sent_spans(1)])

    def test_patch_after_import_instruments_openai(self):
        self.run_child("""
            import openai, zespan
            zespan.init()
            zespan.patch_openai()
        """)
        self.assertEqual(1, len(self.sent_spans(1)))

    def test_unpatch_before_import_cancels_instrumentation(self):
        self.run_child("""
            import zespan
            zespan.init()
            zespan.patch_openai()
            zespan.unpatch_openai()
            import openai
            from openai.resources.chat.completions import Completions
            assert not hasattr(Completions.create, "__zespan_original__")
        """)
        self.assertEqual([], self.sent_spans(timeout=0.3))


class PatchingInProcess(SdkTestCase):
    def test_patching_twice_records_each_call_once(self):
        zespan.patch_openai()
        zespan.patch_openai()
        self.client.chat.completions.create(model="gpt-4o", messages=user_message("once"))
        self.assertEqual(1, len(self.sent_spans(1)))
        original = Completions.create.__zespan_original__
        self.assertFalse(hasattr(original, "__zespan_original__"))

    def test_unpatch_restores_the_original_methods(self):
        wrapped = Completions.create
        originals = {cls: cls.create.__zespan_original__
                     for cls in (Completions, AsyncCompletions, Responses, AsyncResponses, Embeddings)}
        zespan.unpatch_openai()
        for cls, original in originals.items():
            self.assertIs(original, cls.create)
        self.assertIsNot(wrapped, Completions.create)
        self.client.chat.completions.create(model="gpt-4o", messages=user_message("plain"))
        self.assertEqual([], self.sent_spans(timeout=0.3))

    def test_clients_created_before_patching_are_instrumented(self):
        zespan.unpatch_openai()
        early_client = self.openai_client()
        zespan.patch_openai()
        early_client.chat.completions.create(model="gpt-4o", messages=user_message("early"))
        self.assertEqual(1, len(self.sent_spans(1)))

    def test_wrapped_methods_keep_name_and_signature_metadata(self):
        self.assertEqual("create", Completions.create.__name__)
        self.assertEqual(Completions.create.__zespan_original__.__doc__, Completions.create.__doc__)
        self.assertIsInstance(self.client.chat.completions.create(model="gpt-4o", messages=user_message("t")),
                              openai.BaseModel)
