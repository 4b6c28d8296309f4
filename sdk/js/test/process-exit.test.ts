import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { FakeOpenAIServer } from "./support/fake-openai/server.js";
import { FakeIngestServer } from "./support/fake-ingest-server.js";
import { freePort } from "./support/zespan-server.js";
import { runNode } from "./support/run-node.js";
import { TEST_API_KEY, uniqueMarker } from "./support/spans.js";

const EXIT_APP = join(dirname(fileURLToPath(import.meta.url)), "fixtures", "exit-app.js");
const fakeOpenAI = new FakeOpenAIServer();
const ingest = new FakeIngestServer();

before(async () => {
  await Promise.all([fakeOpenAI.start(), ingest.start()]);
});
after(async () => {
  await Promise.all([fakeOpenAI.stop(), ingest.stop()]);
});

function run(baseUrl: string, options: { calls: number; exitFlushTimeoutMs?: number; marker: string }) {
  return runNode(EXIT_APP, [JSON.stringify(options)], { ZESPAN_API_KEY: TEST_API_KEY, ZESPAN_BASE_URL: baseUrl, OPENAI_BASE_URL: fakeOpenAI.baseURL, OPENAI_API_KEY: "sk-test" });
}

describe("process exit", () => {
  test("an application that just ends loses no span: the rest of the queue is flushed on beforeExit", async () => {
    const marker = uniqueMarker("exit");
    // 25 calls: one batch of 20 goes out on its own, the last 5 only at exit.
    const result = await run(ingest.baseUrl, { calls: 25, marker });
    assert.equal(result.exitCode, 0, result.stderr);
    const printed = JSON.parse(result.stdout) as { stats: { queued: number } };
    assert.ok(printed.stats.queued > 0, "spans were still queued when the application's work ended");
    const spans = ingest.stored.filter((span) => span.sessionId === marker);
    assert.equal(spans.length, 25);
    assert.equal(new Set(spans.map((span) => span.id)).size, 25);
  });

  test("an application that records nothing exits at once: the flush timer does not keep it alive", async () => {
    const result = await run(ingest.baseUrl, { calls: 0, marker: uniqueMarker("idle") });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.ok(result.ms < 3000, `took ${Math.round(result.ms)} ms`);
  });

  test("with the Zespan server down the application still exits, after at most the exit flush timeout", async () => {
    const port = await freePort();
    const result = await run(`http://127.0.0.1:${port}`, { calls: 3, exitFlushTimeoutMs: 1500, marker: uniqueMarker("exit-down") });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.ok(result.ms < 6000, `took ${Math.round(result.ms)} ms`);
  });

  test("with a Zespan server that hangs the application still exits after the exit flush timeout", async () => {
    const marker = uniqueMarker("exit-slow");
    const hanging = new FakeIngestServer();
    await hanging.start();
    hanging.reply = () => ({ status: 200, delayMs: 30_000 });
    try {
      const result = await run(hanging.baseUrl, { calls: 3, exitFlushTimeoutMs: 1500, marker });
      assert.equal(result.exitCode, 0, result.stderr);
      assert.ok(result.ms < 8000, `took ${Math.round(result.ms)} ms`);
      assert.equal(hanging.requests.length, 1, "the exit flush did try to send");
    } finally {
      await hanging.stop();
    }
  });
});
