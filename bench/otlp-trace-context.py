# OTLP/JSON writes of traces as exporters send them, timed per request against a running server (docs/benchmarks.md,
# "OTLP trace context on ClickHouse"): N traces of root (session.id, user.id) -> invoke_agent -> 3 chat calls, each
# level in its own request, in the order given: "children" (leaves first, as batch exporters send them), "root" (root
# first), or "sdk" (every span carries its session and user, nothing to inherit). Stdlib only.
# usage: python3 bench/otlp-trace-context.py <base url> <api key> <children|root|sdk> <traces>
import json, os, random, statistics, sys, time, urllib.request
base, key, order, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
rnd = random.Random(order)
def attr(k, v):
    return {"key": k, "value": {"intValue": str(v)} if isinstance(v, int) else {"stringValue": v}}
def span(trace, sid, parent, name, start, end, attrs):
    s = {"traceId": trace, "spanId": sid, "name": name, "startTimeUnixNano": str(start), "endTimeUnixNano": str(end), "attributes": [attr(k, v) for k, v in attrs]}
    if parent: s["parentSpanId"] = parent
    return s
def body(spans):
    return json.dumps({"resourceSpans": [{"resource": {"attributes": [attr("service.name", "bench")]}, "scopeSpans": [{"spans": spans}]}]}).encode()
def post(data):
    req = urllib.request.Request(base + "/v1/traces", data=data, headers={"Content-Type": "application/json", "Authorization": "Bearer " + key})
    t = time.perf_counter(); urllib.request.urlopen(req).read(); return (time.perf_counter() - t) * 1000
now = int(time.time() * 1e9) - 3600 * 10**9
times = []
by_request = {}  # the n-th request of each trace: in "children" order the last is the root's, which passes context down
start = time.perf_counter()
for i in range(n):
    trace = "%032x" % rnd.getrandbits(128)
    ids = ["%016x" % rnd.getrandbits(64) for _ in range(5)]
    t0 = now + i * 10**9
    root = span(trace, ids[0], None, "POST /chat", t0, t0 + 9 * 10**8, [("session.id", "sess-%s-%d" % (order, i % 50)), ("user.id", "user-%d" % (i % 7))])
    agent = span(trace, ids[1], ids[0], "invoke_agent", t0 + 10**6, t0 + 8 * 10**8, [("gen_ai.operation.name", "invoke_agent")])
    calls = [span(trace, ids[2 + c], ids[1], "chat gpt-4o-mini", t0 + (c + 1) * 10**8, t0 + (c + 2) * 10**8,
                  [("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o-mini"), ("gen_ai.usage.input_tokens", 100), ("gen_ai.usage.output_tokens", 20)]) for c in range(3)]
    levels = [calls, [agent], [root]] if order == "children" else [[root], [agent], calls]
    if order == "sdk":  # every span carries session and user: nothing to inherit
        for s in [root, agent] + calls:
            s["attributes"] += [attr("session.id", "sess-sdk-%d" % (i % 50)), attr("user.id", "user-%d" % (i % 7))]
    for position, level in enumerate(levels):
        took = post(body(level))
        times.append(took)
        by_request.setdefault(position, []).append(took)
total = time.perf_counter() - start
print("%s: %d traces, %d requests, median %.1f ms, p90 %.1f ms, total %.1f s" % (order, n, len(times), statistics.median(times), sorted(times)[int(len(times) * 0.9)], total))
print("  by request of a trace: " + ", ".join("%s median %.1f ms, p90 %.1f ms" % (["first", "second", "third"][p], statistics.median(t), sorted(t)[int(len(t) * 0.9)])
                                           for p, t in sorted(by_request.items())))
