"""A scriptable stand-in for POST /api/v1/ingest, for exporter behaviour the real
server cannot be asked to show on demand (429 with Retry-After, 207, 413, slowness)."""
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class IngestReply:
    def __init__(self, status=200, headers=None, body=None, delay=0.0):
        self.status = status
        self.headers = headers or {}
        self.body = body
        self.delay = delay


class FakeIngestServer:
    def __init__(self, api_key="zsp_fake_ingest_key_0123456789"):
        self.api_key = api_key
        self.requests = []          # (monotonic time, batch) for every request, answered or not
        self.script = []            # replies used in order, then the default
        self.default_delay = 0.0
        self._lock = threading.Lock()
        self._server = None

    def start(self):
        handler = type("Handler", (_Handler,), {"owner": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="fake-ingest", daemon=True).start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self._server.server_address[1]

    def reset(self, script=(), default_delay=0.0):
        with self._lock:
            self.requests.clear()
            self.script = list(script)
            self.default_delay = default_delay

    def stored_spans(self):
        """Spans the server answered 2xx for (minus those a 207 named), latest copy per id."""
        with self._lock:
            spans = {}
            for _, batch, status, rejected in self.requests:
                if 200 <= status < 300:
                    for item in batch:
                        if item.get("id") not in rejected:
                            spans[item["id"]] = item
            return list(spans.values())

    def next_reply(self, batch):
        with self._lock:
            reply = self.script.pop(0) if self.script else IngestReply(delay=self.default_delay)
            return reply


class _Handler(BaseHTTPRequestHandler):
    owner = None

    def log_message(self, *args):
        pass

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        batch = json.loads(raw)["batch"]
        if self.headers.get("Authorization") != "Bearer " + self.owner.api_key:
            with self.owner._lock:
                self.owner.requests.append((time.monotonic(), batch, 401, set()))
            return self._send(401, {"title": "Unauthorized"}, {})
        reply = self.owner.next_reply(batch)
        time.sleep(reply.delay)
        body = reply.body
        rejected = set()
        if body is None:
            body = {"accepted": len(batch), "errors": []}
        elif callable(body):
            body = body(batch)
        if reply.status == 207:
            rejected = {e["id"] for e in body.get("errors", [])}
        with self.owner._lock:
            self.owner.requests.append((time.monotonic(), batch, reply.status, rejected))
        self._send(reply.status, body, reply.headers)

    def _send(self, status, body, headers):
        data = json.dumps(body).encode("utf-8")
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
