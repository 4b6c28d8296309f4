"""An HTTP proxy in front of the real Zespan server that misbehaves on purpose:
it waits before forwarding (a slow server), and can lose the first responses after
the server has stored the batch (a timeout or reset after commit), answering 503."""
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SlowProxy:
    def __init__(self, target_base_url, delay=0.0, lose_first_responses=0):
        self.target = target_base_url.rstrip("/")
        self.delay = delay
        self.lose_first_responses = lose_first_responses
        self.forwarded = 0
        self._server = None

    def start(self):
        handler = type("Handler", (_Handler,), {"owner": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="slow-proxy", daemon=True).start()
        return self

    def stop(self):
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self):
        return "http://127.0.0.1:%d" % self._server.server_address[1]


class _Handler(BaseHTTPRequestHandler):
    owner = None

    def log_message(self, *args):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        time.sleep(self.owner.delay)
        headers = {k: v for k, v in self.headers.items() if k.lower() in ("authorization", "content-type")}
        request = urllib.request.Request(self.owner.target + self.path, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, data, content_type = response.status, response.read(), response.headers.get("Content-Type")
        except urllib.error.HTTPError as error:
            status, data, content_type = error.code, error.read(), error.headers.get("Content-Type")
        self.owner.forwarded += 1
        if self.owner.forwarded <= self.owner.lose_first_responses:
            status, data, content_type = 503, b'{"title": "response lost"}', "application/json"
        self.send_response(status)
        self.send_header("Content-Type", content_type or "application/json")
        self.send_header("Content-Length", str(len(data)))
        if status == 503:
            self.send_header("Retry-After", "0")
        self.end_headers()
        self.wfile.write(data)
