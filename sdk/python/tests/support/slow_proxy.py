"""An HTTP proxy that waits before forwarding: a Zespan server that answers slowly."""
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class SlowProxy:
    def __init__(self, target_base_url, delay):
        self.target = target_base_url.rstrip("/")
        self.delay = delay
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
        self.send_response(status)
        self.send_header("Content-Type", content_type or "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)
