"""A local OpenAI-compatible HTTP server speaking the real wire format.

Covers chat.completions (JSON and SSE, incl. stream_options.include_usage),
responses (JSON and typed SSE events; every response is kept, and
`GET /v1/responses/{id}?stream=true&starting_after=N` replays its events as a resumed
stream), embeddings, and OpenAI-style error bodies.
Behaviour is steered from the prompt text with directives such as
`[[status:429]]`, `[[delay:0.5]]`, `[[chunkdelay:0.05]]`, `[[cached:64]]`,
`[[reasoning:12]]`, `[[streamerror]]`, `[[tool]]`, `[[nousage]]` (a proxy that strips
usage from bodies and streams), so a test states its scenario
in the request itself. Every served call is recorded in `calls` (what was asked,
what usage was returned), which tests use as the independent source of truth.
"""
import json
import re
import urllib.parse
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

_DIRECTIVE = re.compile(r"\[\[(\w+)(?::([^\]]*))?\]\]")
_SNAPSHOTS = {"gpt-4o": "gpt-4o-2024-08-06", "gpt-4o-mini": "gpt-4o-mini-2024-07-18"}
_ERRORS = {
    400: ("invalid_request_error", "invalid_value", "Invalid value for 'messages'."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    404: ("invalid_request_error", "model_not_found", "The model does not exist or you do not have access to it."),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached for requests. Please try again in 1ms."),
    500: ("server_error", None, "The server had an error while processing your request."),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}


def _texts(value):
    """Every string inside messages / input, in order."""
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [t for item in value for t in _texts(item)]
    if isinstance(value, dict):
        return [t for key in ("content", "text", "input") if key in value for t in _texts(value[key])]
    return []


def _words(text):
    return len(text.split())


class Scenario:
    def __init__(self, texts):
        joined = " ".join(texts)
        self.directives = {m.group(1): m.group(2) for m in _DIRECTIVE.finditer(joined)}
        last = texts[-1] if texts else ""
        self.prompt = _DIRECTIVE.sub("", last).strip()

    def number(self, name, default=0.0):
        value = self.directives.get(name)
        return float(value) if value not in (None, "") else default

    def has(self, name):
        return name in self.directives


class FakeOpenAIServer:
    def __init__(self, api_key="sk-test-fake-openai"):
        self.api_key = api_key
        self.calls = []
        self.responses = {}   # response id -> (body, scenario) to replay on a resumed stream
        self._lock = threading.Lock()
        self._server = None

    def start(self):
        handler = type("Handler", (_Handler,), {"owner": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, name="fake-openai", daemon=True).start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()

    @property
    def base_url(self):
        return "http://127.0.0.1:%d/v1" % self._server.server_address[1]

    def record(self, entry):
        with self._lock:
            self.calls.append(entry)

    def calls_snapshot(self):
        with self._lock:
            return list(self.calls)


class _Handler(BaseHTTPRequestHandler):
    owner = None

    def log_message(self, *args):
        pass

    def do_GET(self):
        path, _, query = self.path.partition("?")
        params = dict(urllib.parse.parse_qsl(query))
        if self.headers.get("Authorization") != "Bearer " + self.owner.api_key:
            return self._error(401, Scenario([]), {})
        stored = self.owner.responses.get(path[len("/v1/responses/"):]) if path.startswith("/v1/responses/") else None
        if stored is None:
            return self._error(404, Scenario([]), {})
        body, scenario, response_id = stored
        starting_after = int(params["starting_after"]) if "starting_after" in params else -1
        self._responses({**body, "stream": params.get("stream") == "true"}, scenario, response_id, starting_after)

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
        if self.headers.get("Authorization") != "Bearer " + self.owner.api_key:
            return self._error(401, Scenario([]), body)
        route = {"/v1/chat/completions": self._chat, "/v1/responses": self._responses,
                 "/v1/embeddings": self._embeddings}.get(self.path.partition("?")[0])
        if route is None:
            return self._error(404, Scenario([]), body)
        source = body.get("messages") if self.path.endswith("completions") else body.get("input")
        scenario = Scenario(_texts(source))
        time.sleep(scenario.number("delay"))
        if scenario.has("status"):
            return self._error(int(scenario.number("status")), scenario, body)
        route(body, scenario)

    # --- responses of each endpoint -------------------------------------------------
    def _usage_numbers(self, body, scenario, reply):
        prompt = sum(4 + _words(t) for t in _texts(body.get("messages") or body.get("input"))) + 3
        reasoning = int(scenario.number("reasoning"))
        completion = _words(reply) + reasoning
        cached = min(int(scenario.number("cached")), prompt)
        return prompt, completion, cached, reasoning

    def _chat(self, body, scenario):
        model = _SNAPSHOTS.get(body.get("model"), body.get("model"))
        reply = "Echo: " + scenario.prompt
        prompt, completion, cached, reasoning = self._usage_numbers(body, scenario, reply)
        usage = {"prompt_tokens": prompt, "completion_tokens": completion, "total_tokens": prompt + completion,
                 "prompt_tokens_details": {"cached_tokens": cached, "audio_tokens": 0},
                 "completion_tokens_details": {"reasoning_tokens": reasoning, "audio_tokens": 0,
                                               "accepted_prediction_tokens": 0, "rejected_prediction_tokens": 0}}
        tool_call = None
        if scenario.has("tool"):
            tool_call = {"id": "call_" + uuid.uuid4().hex[:12], "type": "function",
                         "function": {"name": "lookup", "arguments": json.dumps({"q": scenario.prompt})}}
        include_usage = bool((body.get("stream_options") or {}).get("include_usage")) and not scenario.has("nousage")
        self.owner.record({"endpoint": "chat.completions", "request": body, "model": model, "reply": reply,
                           "usage": usage, "stream": bool(body.get("stream")),
                           "usage_sent": not scenario.has("nousage") and (not body.get("stream") or include_usage)})
        if scenario.has("nousage"):
            usage = None
        base = {"id": "chatcmpl-" + uuid.uuid4().hex[:20], "created": int(time.time()), "model": model,
                "system_fingerprint": "fp_fake"}
        if not body.get("stream"):
            message = {"role": "assistant", "content": None if tool_call else reply, "refusal": None}
            if tool_call:
                message["tool_calls"] = [tool_call]
            return self._json(200, {**base, "object": "chat.completion", "choices": [{
                "index": 0, "message": message, "logprobs": None,
                "finish_reason": "tool_calls" if tool_call else "stop"}], "usage": usage, "service_tier": "default"})
        self._start_sse()
        chunk = {**base, "object": "chat.completion.chunk"}
        extra = {"usage": None} if include_usage else {}

        def delta(d, finish=None):
            return {**chunk, "choices": [{"index": 0, "delta": d, "logprobs": None, "finish_reason": finish}], **extra}

        self._sse(delta({"role": "assistant", "content": "", "refusal": None}))
        pieces = reply.split(" ")
        if tool_call:
            args = tool_call["function"]["arguments"]
            self._sse(delta({"tool_calls": [{"index": 0, "id": tool_call["id"], "type": "function",
                                             "function": {"name": "lookup", "arguments": ""}}]}))
            for part in (args[: len(args) // 2], args[len(args) // 2:]):
                self._sse(delta({"tool_calls": [{"index": 0, "function": {"arguments": part}}]}))
        else:
            for i, piece in enumerate(pieces):
                time.sleep(scenario.number("chunkdelay"))
                if scenario.has("streamerror") and i == 2:
                    self._sse({"error": {"message": "The server had an error while streaming.",
                                         "type": "server_error", "param": None, "code": None}})
                    return
                self._sse(delta({"content": piece if i == 0 else " " + piece}))
        self._sse(delta({}, "tool_calls" if tool_call else "stop"))
        if include_usage:
            self._sse({**chunk, "choices": [], "usage": usage})
        self._sse_raw("data: [DONE]\n\n")

    def _responses(self, body, scenario, response_id=None, starting_after=-1):
        model = _SNAPSHOTS.get(body.get("model"), body.get("model"))
        reply = "Echo: " + scenario.prompt
        prompt, completion, cached, reasoning = self._usage_numbers(body, scenario, reply)
        usage = {"input_tokens": prompt, "input_tokens_details": {"cached_tokens": cached},
                 "output_tokens": completion, "output_tokens_details": {"reasoning_tokens": reasoning},
                 "total_tokens": prompt + completion}
        self.owner.record({"endpoint": "responses", "request": body, "model": model, "reply": reply,
                           "usage": usage, "stream": bool(body.get("stream")), "usage_sent": not scenario.has("nousage"),
                           "resumed": response_id is not None})
        if scenario.has("nousage"):
            usage = None
        if response_id is None:
            response_id = "resp_" + uuid.uuid4().hex[:24]
            self.owner.responses[response_id] = (body, scenario, response_id)
        message_id = "msg_" + uuid.uuid4().hex[:24]
        item = {"id": message_id, "type": "message", "status": "completed", "role": "assistant",
                "content": [{"type": "output_text", "text": reply, "annotations": []}]}
        done = {"id": response_id, "object": "response", "created_at": int(time.time()), "status": "completed",
                "model": model, "output": [item], "usage": usage, "error": None, "incomplete_details": None,
                "instructions": body.get("instructions")}
        if not body.get("stream"):
            return self._json(200, done)
        self._start_sse()
        sequence = [0]

        def event(kind, **fields):
            payload = {"type": kind, "sequence_number": sequence[0], **fields}
            sequence[0] += 1
            if payload["sequence_number"] > starting_after:
                self._sse_raw("event: %s\ndata: %s\n\n" % (kind, json.dumps(payload)))

        pending = {**done, "status": "in_progress", "output": [], "usage": None}
        event("response.created", response=pending)
        event("response.in_progress", response=pending)
        event("response.output_item.added", output_index=0,
              item={**item, "status": "in_progress", "content": []})
        event("response.content_part.added", item_id=message_id, output_index=0, content_index=0,
              part={"type": "output_text", "text": "", "annotations": []})
        for i, piece in enumerate(reply.split(" ")):
            time.sleep(scenario.number("chunkdelay"))
            event("response.output_text.delta", item_id=message_id, output_index=0, content_index=0,
                  delta=piece if i == 0 else " " + piece)
        event("response.output_text.done", item_id=message_id, output_index=0, content_index=0, text=reply)
        event("response.output_item.done", output_index=0, item=item)
        event("response.completed", response=done)

    def _embeddings(self, body, scenario):
        inputs = body.get("input")
        inputs = inputs if isinstance(inputs, list) else [inputs]
        dimensions = int(body.get("dimensions") or 8)
        data = [{"object": "embedding", "index": i,
                 "embedding": [round(((i + 1) * (d + 3) % 17) / 17.0, 6) for d in range(dimensions)]}
                for i in range(len(inputs))]
        prompt = sum(_words(str(text)) for text in inputs)
        usage = {"prompt_tokens": prompt, "total_tokens": prompt}
        self.owner.record({"endpoint": "embeddings", "request": body, "model": body.get("model"),
                           "usage": usage, "stream": False, "usage_sent": True})
        self._json(200, {"object": "list", "data": data, "model": body.get("model"), "usage": usage})

    # --- wire helpers ------------------------------------------------------------------
    def _error(self, status, scenario, body):
        kind, code, message = _ERRORS.get(status, ("server_error", None, "Unexpected error."))
        self.owner.record({"endpoint": self.path, "request": body, "status": status, "usage": None,
                           "usage_sent": False, "stream": False})
        headers = {"retry-after": "0"} if status == 429 else {}
        self._json(status, {"error": {"message": message, "type": kind, "param": None, "code": code}}, headers)

    def _json(self, status, payload, headers=None):
        data = json.dumps(payload).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-request-id", "req_" + uuid.uuid4().hex[:16])
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _start_sse(self):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Connection", "close")
        self.end_headers()

    def _sse(self, payload):
        self._sse_raw("data: %s\n\n" % json.dumps(payload))

    def _sse_raw(self, text):
        try:
            self.wfile.write(text.encode("utf-8"))
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass   # the client closed the stream early; that is allowed
