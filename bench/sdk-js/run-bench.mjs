// Added cost per wrapped OpenAI call: @zespan/sdk and Langfuse observeOpenAI against the
// unwrapped client, same calls, same local fake OpenAI server, spans exported to a local
// dummy endpoint. Each run is a fresh Node process per variant; variants are interleaved run
// by run so machine load drifts hit them alike. Reports the median of BENCH_RUNS (default 5).
// Usage: npm run bench   (or: node run-bench.mjs after building sdk/js)
import { spawn } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { createInterface } from "node:readline";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const WORKLOADS = {
  chat: { calls: Number(process.env.BENCH_CHAT_CALLS ?? 1000), warmup: 200 },
  stream: { calls: Number(process.env.BENCH_STREAM_CALLS ?? 400), warmup: 100 },
};
const VARIANTS = ["unwrapped", "zespan", "langfuse"];

const servers = spawn(process.execPath, ["servers.mjs"], { stdio: ["ignore", "pipe", "inherit"] });
const urls = JSON.parse(await new Promise((resolve) => createInterface({ input: servers.stdout }).once("line", resolve)));

function runOnce(variant, workload) {
  const { calls, warmup } = WORKLOADS[workload];
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["client-run.mjs", variant, workload, String(calls), String(warmup)], {
      env: { ...process.env, OPENAI_URL: urls.openai, INGEST_URL: urls.ingest },
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk) => (out += chunk));
    child.on("exit", (code) => (code === 0 ? resolve(JSON.parse(out.trim().split("\n").at(-1))) : reject(new Error(`${variant}/${workload} exited ${code}`))));
  });
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const loadBefore = loadavg();
const results = [];
for (let run = 0; run < RUNS; run++) {
  for (const workload of Object.keys(WORKLOADS)) {
    // Rotate the order each run so no variant always goes first.
    const order = VARIANTS.map((_, i) => VARIANTS[(i + run) % VARIANTS.length]);
    for (const variant of order) {
      const result = await runOnce(variant, workload);
      results.push({ run, ...result });
      process.stderr.write(`run ${run + 1}/${RUNS} ${workload} ${variant}: ${result.cpuUsPerCall.toFixed(0)} µs CPU, ${(result.heapBytesPerCall / 1024).toFixed(1)} KiB/call, exported ${result.exportedItems} items in ${result.exportRequests} requests\n`);
    }
  }
}
servers.kill();

const summary = {};
for (const workload of Object.keys(WORKLOADS)) {
  const of = (variant, key) => median(results.filter((r) => r.workload === workload && r.variant === variant).map((r) => r[key]));
  const base = { cpu: of("unwrapped", "cpuUsPerCall"), heap: of("unwrapped", "heapBytesPerCall") };
  const added = (variant) => ({ cpu: of(variant, "cpuUsPerCall") - base.cpu, heap: of(variant, "heapBytesPerCall") - base.heap });
  const zespan = added("zespan");
  const langfuse = added("langfuse");
  summary[workload] = {
    calls: WORKLOADS[workload].calls,
    unwrapped: { cpuUsPerCall: base.cpu, heapBytesPerCall: base.heap },
    zespan: { cpuUsPerCall: of("zespan", "cpuUsPerCall"), heapBytesPerCall: of("zespan", "heapBytesPerCall"), addedCpuUs: zespan.cpu, addedHeapBytes: zespan.heap },
    langfuse: { cpuUsPerCall: of("langfuse", "cpuUsPerCall"), heapBytesPerCall: of("langfuse", "heapBytesPerCall"), addedCpuUs: langfuse.cpu, addedHeapBytes: langfuse.heap },
    ratioZespanToLangfuse: { cpu: zespan.cpu / langfuse.cpu, heap: zespan.heap / langfuse.heap },
  };
}

const report = {
  when: new Date().toISOString(),
  machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version, loadavgBefore: loadBefore, loadavgAfter: loadavg() },
  runs: RUNS,
  summary,
  results,
};
mkdirSync("results", { recursive: true });
writeFileSync("results/latest.json", JSON.stringify(report, null, 2) + "\n");

const us = (v) => `${v.toFixed(0)} µs`;
const kib = (v) => `${(v / 1024).toFixed(1)} KiB`;
console.log(`\nMedian of ${RUNS} runs per variant; Node ${process.version}, ${cpus().length} cores, load average ${loadBefore.map((l) => l.toFixed(1)).join("/")} at start.\n`);
console.log("| workload | unwrapped CPU / heap per call | Zespan added CPU / heap | Langfuse added CPU / heap | Zespan ÷ Langfuse (CPU / heap) |");
console.log("|---|---|---|---|---|");
for (const [workload, s] of Object.entries(summary)) {
  console.log(
    `| ${workload} (${s.calls} calls) | ${us(s.unwrapped.cpuUsPerCall)} / ${kib(s.unwrapped.heapBytesPerCall)} | ${us(s.zespan.addedCpuUs)} / ${kib(s.zespan.addedHeapBytes)} | ${us(s.langfuse.addedCpuUs)} / ${kib(s.langfuse.addedHeapBytes)} | ${s.ratioZespanToLangfuse.cpu.toFixed(2)} / ${s.ratioZespanToLangfuse.heap.toFixed(2)} |`,
  );
}
