"""Starts the real Zespan server (a .NET process) for integration tests and reads
its API back. Located via $ZESPAN_SERVER_DLL, else <repo>/artifacts/server."""
import json
import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request

REPO_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "..", "..", ".."))
NOT_BUILT = "Zespan server not built: run scripts/build-server.sh"


def server_dll():
    path = os.environ.get("ZESPAN_SERVER_DLL") or os.path.join(REPO_ROOT, "artifacts", "server", "Zespan.Server.dll")
    if not os.path.isfile(path):
        raise RuntimeError(NOT_BUILT + " (looked for %s)" % path)
    return path


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ZespanServer:
    def __init__(self, api_key, port=None):
        self.api_key = api_key
        self.port = port or free_port()
        self.data_dir = None
        self.process = None
        self._log = None

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self.port

    def start(self, timeout=60.0):
        dll = server_dll()
        if self.data_dir is None:
            self.data_dir = tempfile.mkdtemp(prefix="zespan-py-sdk-")
        env = dict(os.environ, ZESPAN_DATA=self.data_dir, ZESPAN_API_KEY=self.api_key,
                   ZESPAN_ADMIN_PASSWORD="sdk-tests-admin-pw", DOTNET_CLI_TELEMETRY_OPTOUT="1",
                   ASPNETCORE_ENVIRONMENT="Production")
        self._log = open(os.path.join(self.data_dir, "server.log"), "ab")
        self.process = subprocess.Popen(["dotnet", dll, "--urls", self.base_url], env=env,
                                        stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError("Zespan server exited with %s; log: %s" % (self.process.returncode, self.log_tail()))
            try:
                with urllib.request.urlopen(self.base_url + "/health", timeout=1) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, OSError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError("Zespan server did not become healthy in %.0fs" % timeout)

    def stop(self):
        """Stops the process but keeps the data folder (a restart sees the same data)."""
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.process = None
        if self._log:
            self._log.close()
            self._log = None

    def destroy(self):
        self.stop()
        if self.data_dir:
            shutil.rmtree(self.data_dir, ignore_errors=True)

    def log_tail(self, size=3000):
        try:
            with open(os.path.join(self.data_dir, "server.log"), "rb") as f:
                return f.read()[-size:].decode("utf-8", "replace")
        except OSError:
            return ""

    def get(self, path):
        """GET on the read API -> (status, parsed JSON or None)."""
        request = urllib.request.Request(self.base_url + path, headers={"Authorization": "Bearer " + self.api_key})
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            body = error.read()
            try:
                return error.code, json.loads(body)
            except ValueError:
                return error.code, body.decode("utf-8", "replace")

    def wait_for(self, path, ready, timeout=20.0):
        """Polls GET path until ready(status, body) is true; returns the last (status, body)."""
        deadline = time.monotonic() + timeout
        while True:
            status, body = self.get(path)
            if ready(status, body) or time.monotonic() > deadline:
                return status, body
            time.sleep(0.2)
