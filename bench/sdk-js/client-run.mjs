// One benchmark run in a fresh process: `node client-run.mjs <variant> <workload> <calls> <warmup>`.
// variant: unwrapped | zespan | langfuse; workload: chat | stream.
// Measures, over <calls> sequential calls after <warmup> calls, the process's CPU time
// (user + system, all threads) and the bytes allocated on the V8 heap (heap growth plus what
// every GC in between freed, from v8.GCProfiler). The exporter's final flush is inside the
// measured window, so the cost of sending the spans is included.
import { GCProfiler, getHeapStatistics } from "node:v8";
import OpenAI from "openai";

const [variant, workload, callsArg, warmupArg] = process.argv.slice(2);
const calls = Number(callsArg);
const warmup = Number(warmupArg);
const { OPENAI_URL, INGEST_URL } = process.env;
const raw = new OpenAI({ apiKey: "sk-bench", baseURL: OPENAI_URL, maxRetries: 0 });

let client = raw;
let inContext = (fn) => fn();
let flush = async () => {};
if (variant === "zespan") {
  const { zespan, withZespanContext } = await import("../../sdk/js/dist/esm/index.js");
  zespan.init({ apiKey: "zsp_bench_0123456789abcdef", baseUrl: INGEST_URL });
  client = zespan.wrapOpenAI(raw);
  // As the product page does: one context per message.
  inContext = (fn) => withZespanContext({ userId: "bench-user", sessionId: "bench-session" }, fn);
  flush = () => zespan.flush();
} else if (variant === "langfuse") {
  const { observeOpenAI } = await import("langfuse");
  client = observeOpenAI(raw, {
    userId: "bench-user",
    sessionId: "bench-session",
    clientInitParams: { publicKey: "pk-lf-bench", secretKey: "sk-lf-bench", baseUrl: INGEST_URL },
  });
  flush = () => client.flushAsync();
}

const messages = [
  { role: "system", content: "You are a helpful support assistant for an online shop." },
  { role: "user", content: "My order has not arrived yet. It was placed last week; what can I do?" },
];

async function oneCall() {
  if (workload === "stream") {
    const stream = await inContext(() =>
      client.chat.completions.create({ model: "gpt-4o", messages, temperature: 0.3, stream: true, stream_options: { include_usage: true } }),
    );
    let text = "";
    for await (const part of stream) text += part.choices[0]?.delta?.content ?? "";
    if (!text) throw new Error("empty stream");
  } else {
    const completion = await inContext(() => client.chat.completions.create({ model: "gpt-4o", messages, temperature: 0.3 }));
    if (!completion.choices[0].message.content) throw new Error("empty completion");
  }
}

for (let i = 0; i < warmup; i++) await oneCall();
await flush();

const ingestBefore = await (await fetch(`${INGEST_URL}/stats`)).json();
const profiler = new GCProfiler();
const startUsed = getHeapStatistics().used_heap_size;
profiler.start();
const cpuStart = process.cpuUsage();
for (let i = 0; i < calls; i++) await oneCall();
await flush();
const cpu = process.cpuUsage(cpuStart);
const gc = profiler.stop();
const endUsed = getHeapStatistics().used_heap_size;
const ingestAfter = await (await fetch(`${INGEST_URL}/stats`)).json();

// Allocated = heap growth over the window + everything the GCs in the window freed.
let freed = 0;
for (const entry of gc.statistics) freed += entry.beforeGC.heapStatistics.usedHeapSize - entry.afterGC.heapStatistics.usedHeapSize;
console.log(
  JSON.stringify({
    variant,
    workload,
    calls,
    cpuUsPerCall: (cpu.user + cpu.system) / calls,
    heapBytesPerCall: (endUsed - startUsed + freed) / calls,
    gcs: gc.statistics.length,
    exportRequests: ingestAfter.requests - ingestBefore.requests,
    exportedItems: ingestAfter.items - ingestBefore.items,
  }),
);
process.exit(0);
