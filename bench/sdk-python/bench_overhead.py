"""Measures what the zespan SDK adds to one OpenAI call, against the same call unwrapped.

    python3 bench/sdk-python/bench_overhead.py            # from the repository root

The fake OpenAI server and the fake ingest endpoint run in *other processes*, so the
CPU measured here is the client's own work. For each scenario and each of RUNS runs,
CALLS calls are made unwrapped (zespan.unpatch_openai) and wrapped (patch_openai),
interleaved; each run yields a paired difference (wrapped - unwrapped, measured
back to back), and the median across runs is reported:

- caller CPU: time.thread_time() of the calling thread (what the app's thread pays);
- process CPU: time.process_time() of the whole process, so it includes the exporter
  thread's JSON encoding and HTTP sends (flushed inside the measured window);
- allocations (tracemalloc, separate runs): peak bytes traced during one call, and bytes
  still held per call after the call (the queued span, before the exporter sends it).
"""
import argparse
import os
import statistics
import subprocess
import sys
import time
import tracemalloc

HERE = os.path.dirname(os.path.abspath(__file__))
SDK_ROOT = os.path.abspath(os.path.join(HERE, "..", "..", "sdk", "python"))
sys.path[:0] = [SDK_ROOT, os.path.join(SDK_ROOT, "tests", "standin")]

import openai  # noqa: E402  (the stand-in client, real HTTP)
import zespan  # noqa: E402

SERVE = """
import sys
from tests.support.{module} import {cls}
server = {cls}().start()
print(server.base_url, server.api_key, flush=True)
sys.stdin.read()
"""


def start_server(module, cls):
    process = subprocess.Popen([sys.executable, "-c", SERVE.format(module=module, cls=cls)], cwd=SDK_ROOT,
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    base_url, api_key = process.stdout.readline().split()
    return process, base_url, api_key


def scenarios(client):
    messages = [{"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": "Where is my order 12345? It was due yesterday."}]
    return {
        "chat.completions.create": lambda: client.chat.completions.create(model="gpt-4o", messages=messages),
        "chat.completions.create stream=True (12 chunks)": lambda: list(client.chat.completions.create(
            model="gpt-4o", messages=messages, stream=True, stream_options={"include_usage": True})),
        "embeddings.create": lambda: client.embeddings.create(model="text-embedding-3-small", input="order 12345"),
    }


def timed_batch(call, calls, wrapped):
    (zespan.patch_openai if wrapped else zespan.unpatch_openai)()
    thread0, process0 = time.thread_time(), time.process_time()
    for _ in range(calls):
        call()
    if wrapped:
        zespan.flush(30)   # the exporter's work belongs to the wrapped figure
    return (time.thread_time() - thread0) / calls, (time.process_time() - process0) / calls


def allocation_batch(call, calls, wrapped):
    (zespan.patch_openai if wrapped else zespan.unpatch_openai)()
    call()   # warm caches (imports, lazily built resources) outside the measurement
    peaks = []
    tracemalloc.start()
    before, _ = tracemalloc.get_traced_memory()
    for _ in range(calls):
        start, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        call()
        peaks.append(tracemalloc.get_traced_memory()[1] - start)
    held, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    if wrapped:
        zespan.flush(30)
    return statistics.median(peaks), (held - before) / calls


def sdk_only_rows(runs, calls):
    """The wrapper around an in-process stub (no network at all): the SDK's own cost,
    far less sensitive to machine load than the end-to-end figures."""
    from openai.types import ChatCompletion, ChatCompletionChunk
    from zespan._openai.calls import chat_operation, wrap_sync
    wire = {"id": "chatcmpl-1", "object": "chat.completion", "created": 1, "model": "gpt-4o-2024-08-06",
            "choices": [{"index": 0, "finish_reason": "stop", "logprobs": None,
                         "message": {"role": "assistant", "content": "Your order ships today.", "refusal": None}}],
            "usage": {"prompt_tokens": 31, "completion_tokens": 6, "total_tokens": 37,
                      "prompt_tokens_details": {"cached_tokens": 0},
                      "completion_tokens_details": {"reasoning_tokens": 0}}}
    chunks = [ChatCompletionChunk.construct({"id": "c", "object": "chat.completion.chunk", "model": "gpt-4o",
                                             "choices": [{"index": 0, "delta": {"content": "w%d " % n},
                                                          "finish_reason": None}]}) for n in range(12)]

    class FakeStream:
        def __init__(self):
            self._iterator = iter(chunks)

        def __iter__(self):
            for item in self._iterator:
                yield item

        def close(self):
            pass

    def stub(**kwargs):
        return FakeStream() if kwargs.get("stream") else ChatCompletion.construct(wire)
    wrapped = wrap_sync(stub, chat_operation("chat.completions.create"))
    messages = [{"role": "system", "content": "You are a helpful assistant."},
                {"role": "user", "content": "Where is my order 12345? It was due yesterday."}]
    cases = {"chat.completions.create (SDK work only)": lambda f: f(model="gpt-4o", messages=messages),
             "stream, 12 chunks (SDK work only)": lambda f: list(f(model="gpt-4o", messages=messages, stream=True))}
    rows = []
    for name, case in cases.items():
        diffs = []
        for _ in range(runs):
            per = []
            for function in (stub, wrapped):
                start = time.thread_time()
                for _ in range(calls):
                    case(function)
                per.append((time.thread_time() - start) / calls)
            zespan.flush(30)
            diffs.append(per[1] - per[0])
        rows.append((name, statistics.median(diffs)))
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--calls", type=int, default=200)
    args = parser.parse_args()

    openai_proc, openai_url, openai_key = start_server("fake_openai_server", "FakeOpenAIServer")
    ingest_proc, ingest_url, ingest_key = start_server("fake_ingest_server", "FakeIngestServer")
    try:
        # Exporter idle during the call path (large flush_at/interval); flush() sends in the window.
        zespan.init(api_key=ingest_key, base_url=ingest_url, flush_at=1000, flush_interval=3600,
                    max_queue_size=100_000)
        client = openai.OpenAI(base_url=openai_url, api_key=openai_key, max_retries=0)
        rows = []
        for name, call in scenarios(client).items():
            for wrapped in (False, True):
                timed_batch(call, 20, wrapped)   # warm-up
            cpu = {False: [], True: []}
            for _ in range(args.runs):
                for wrapped in (False, True):
                    cpu[wrapped].append(timed_batch(call, args.calls, wrapped))
            alloc = {w: [allocation_batch(call, max(20, args.calls // 4), w) for _ in range(args.runs)]
                     for w in (False, True)}
            med = lambda values, i: statistics.median(v[i] for v in values)
            paired = lambda i: statistics.median(w[i] - u[i] for u, w in zip(cpu[False], cpu[True]))
            rows.append((name, med(cpu[False], 0), med(cpu[True], 0), paired(0), paired(1),
                         med(alloc[False], 0), med(alloc[True], 0), med(alloc[True], 1) - med(alloc[False], 1)))
        print("Python %s, %d cores, %d runs x %d calls per scenario (median of runs), load average %.1f\n" % (
            sys.version.split()[0], os.cpu_count(), args.runs, args.calls, os.getloadavg()[0]))
        print("| call | caller CPU unwrapped | caller CPU wrapped | added (caller) | added (whole process, "
              "incl. export) | peak alloc unwrapped | peak alloc wrapped | held per call until sent |")
        print("|---|---|---|---|---|---|---|---|")
        for name, cu, cw, added_caller, added_process, au, aw, held in rows:
            print("| %s | %.0f µs | %.0f µs | **%+.0f µs** | %+.0f µs | %.1f KiB | %.1f KiB | %.1f KiB |" % (
                name, cu * 1e6, cw * 1e6, added_caller * 1e6, added_process * 1e6, au / 1024, aw / 1024,
                held / 1024))
        print("\n| SDK work alone (stub client, no network) | added caller CPU per call |\n|---|---|")
        for name, added in sdk_only_rows(args.runs, args.calls * 10):
            print("| %s | **%.0f µs** |" % (name, added * 1e6))
    finally:
        zespan.shutdown(2)
        for proc in (openai_proc, ingest_proc):
            proc.stdin.close()
            proc.terminate()
            proc.wait(5)


if __name__ == "__main__":
    main()
