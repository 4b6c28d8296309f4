"""`pip install ./sdk/python` as docs/sdk-python.md says, into a fresh venv, offline; then the guide's
first example runs from that install (not from the source tree) against a real Zespan server."""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import uuid
import zipfile

from tests import STANDIN
from tests.support.harness import FIXTURES, SDK_ROOT
from tests.support.server_case import ServerTestCase
from tests.support.zespan_server import REPO_ROOT


def _run(args, cwd, env=None, timeout=180):
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


class InstallFromRepository(ServerTestCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.scratch = tempfile.mkdtemp(prefix="zespan-install-")
        venv = os.path.join(cls.scratch, "venv")
        created = _run([sys.executable, "-m", "venv", venv], cwd=cls.scratch)
        if created.returncode != 0:
            raise RuntimeError("python3 -m venv failed (Debian: apt-get install python3-venv): " + created.stderr)
        cls.python = os.path.join(venv, "bin", "python")
        # Exactly the guide's command, from the repository root; PIP_NO_INDEX proves no index is needed.
        env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"}
        cls.install = _run([cls.python, "-m", "pip", "install", "./sdk/python"], cwd=REPO_ROOT, env=env)

    @classmethod
    def tearDownClass(cls):
        shutil.rmtree(cls.scratch, ignore_errors=True)
        super().tearDownClass()

    def test_pip_install_from_the_repository_works_offline(self):
        self.assertEqual(0, self.install.returncode, self.install.stdout + self.install.stderr)
        where = _run([self.python, "-c", "import zespan, os; print(os.path.dirname(zespan.__file__))"],
                     cwd=self.scratch)
        self.assertEqual(0, where.returncode, where.stderr)
        installed = where.stdout.strip()
        self.assertIn("site-packages", installed)
        self.assertTrue(os.path.isfile(os.path.join(installed, "py.typed")))
        self.assertTrue(os.path.isfile(os.path.join(installed, "_openai", "targets.py")))

    def test_wheel_carries_py_typed_classifiers_and_urls(self):
        out = os.path.join(self.scratch, "wheels")
        built = _run([self.python, "-m", "pip", "wheel", "--no-deps", "-w", out, SDK_ROOT], cwd=self.scratch,
                     env={**os.environ, "PIP_NO_INDEX": "1"})
        self.assertEqual(0, built.returncode, built.stdout + built.stderr)
        (wheel,) = os.listdir(out)
        self.assertEqual("zespan-0.1.0-py3-none-any.whl", wheel)
        with zipfile.ZipFile(os.path.join(out, wheel)) as archive:
            names = archive.namelist()
            metadata = archive.read("zespan-0.1.0.dist-info/METADATA").decode()
        self.assertIn("zespan/py.typed", names)
        self.assertFalse([n for n in names if "tests/" in n or "__pycache__" in n], names)
        for line in ("Classifier: Typing :: Typed", "Classifier: License :: OSI Approved :: MIT License",
                     "Classifier: Programming Language :: Python :: 3.9", "Requires-Python: >=3.9",
                     "Project-URL: Repository, https://github.com/zespan/zespan"):
            self.assertIn(line + "\n", metadata)
        self.assertIn("Description-Content-Type: text/markdown", metadata)

    def test_first_example_of_the_guide_runs_from_the_installed_package(self):
        self.assertEqual(0, self.install.returncode, self.install.stderr)
        marker = uuid.uuid4().hex[:8]
        # Only the openai stand-in is put on the path: zespan must come from the venv.
        env = {**os.environ, "PYTHONPATH": STANDIN, "ZESPAN_BASE_URL": self.server.base_url,
               "OPENAI_BASE_URL": self.openai_server.base_url, "OPENAI_API_KEY": self.openai_server.api_key}
        env.pop("ZESPAN_API_KEY", None)
        result = _run([self.python, os.path.join(FIXTURES, "run_product_sample.py"), "user-9",
                       json.dumps(["installed %s" % marker])], cwd=self.scratch, env=env)
        self.assertEqual(0, result.returncode, result.stderr)
        outcome = json.loads(result.stdout.strip().splitlines()[-1])
        detail = self.session(outcome["session_id"], 1)
        self.assertEqual(("user-9", 1), (detail["session"]["userId"], detail["session"]["turns"]))
