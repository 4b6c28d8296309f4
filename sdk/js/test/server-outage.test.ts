import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import OpenAI from "openai";
import { withZespanContext, Zespan } from "@zespan/sdk";
import { FakeOpenAIServer } from "./support/fake-openai/server.js";
import { ZespanServerProcess } from "./support/zespan-server.js";
import { FaultyProxy } from "./support/faulty-proxy.js";
import { median, timeCalls } from "./support/latency.js";
import { uniqueMarker } from "./support/spans.js";

// "Generous" on purpose: the point is that the app never waits for Zespan (a network round
// trip, a retry, a timeout would cost tens to thousands of ms), not a precise overhead figure
// (that is the benchmark's job).
const LATENCY_BOUND = (unwrappedMedianMs: number) => unwrappedMedianMs * 3 + 25;
const CALLS = 20;

const fakeOpenAI = new FakeOpenAIServer();
const server = new ZespanServerProcess();
let raw: OpenAI;

before(async () => {
  await Promise.all([fakeOpenAI.start(), server.start()]);
  raw = new OpenAI({ apiKey: "sk-test", baseURL: fakeOpenAI.baseURL, maxRetries: 0 });
});

after(async () => {
  await Promise.all([fakeOpenAI.stop(), server.dispose()]);
});

interface SessionDetail {
  session: { turns: number; inputTokens: number };
}

function waitForSession(sessionId: string, turns: number, timeoutMs = 60_000) {
  return server.waitFor<SessionDetail>(`/api/v1/sessions/${sessionId}`, (status, body) => status === 200 && body.session.turns === turns, timeoutMs);
}

/**
 * Makes CALLS wrapped calls (checking each result against the unwrapped client's) and as many
 * unwrapped ones, and returns both latency medians.
 */
async function measureApp(sdk: Zespan, sessionId: string) {
  const openai = sdk.wrapOpenAI(raw);
  const ask = (client: OpenAI, i: number) =>
    client.chat.completions.create({ model: "gpt-4o", messages: [{ role: "user", content: `${sessionId} question ${i}` }] });
  // Warm both paths first (JIT, sockets).
  await ask(raw, -1);
  await withZespanContext({ sessionId: `${sessionId}-warmup` }, () => ask(openai, -1));
  const unwrapped = await timeCalls(CALLS, (i) => ask(raw, i));
  const wrapped = await withZespanContext({ sessionId, userId: "outage-user" }, () =>
    timeCalls(CALLS, async (i) => {
      const completion = await ask(openai, i);
      assert.equal(completion.object, "chat.completion");
      assert.equal(completion.choices[0]!.message.content, fakeOpenAI.calls.at(-1)!.text);
    }),
  );
  return { unwrappedMedian: median(unwrapped), wrappedMedian: median(wrapped), wrappedMax: Math.max(...wrapped) };
}

describe("a Zespan server that is down, slow or failing", () => {
  test("down: the app's calls work at full speed, and the spans arrive once the server is back", async (t) => {
    const sessionId = uniqueMarker("down");
    await server.stop();
    const sdk = new Zespan();
    sdk.init({ apiKey: server.apiKey, baseUrl: server.baseUrl, flushAt: 5, flushIntervalMs: 50, maxRetries: 30 });
    try {
      const latency = await measureApp(sdk, sessionId);
      t.diagnostic(`call latency ms: ${JSON.stringify(latency, (_k, v: unknown) => (typeof v === "number" ? Math.round(v * 100) / 100 : v))}`);
      assert.ok(latency.wrappedMedian <= LATENCY_BOUND(latency.unwrappedMedian), JSON.stringify(latency));
      assert.ok(sdk.stats().retries > 0, "the SDK did try to send while the server was down");
      assert.equal(sdk.stats().sent, 0);

      await server.start();
      const detail = await waitForSession(sessionId, CALLS);
      assert.equal(detail.session.turns, CALLS);
      await sdk.flush();
      assert.equal(sdk.stats().failed, 0);
      assert.equal(sdk.stats().dropped, 0);
    } finally {
      await sdk.shutdown({ timeoutMs: 1000 });
      if (!(await server.get("/health").catch(() => undefined))) await server.start();
    }
  });

  test("returning 500: the app is not slowed, the SDK retries, and the spans arrive once it recovers", async (t) => {
    const sessionId = uniqueMarker("http-500");
    const proxy = await new FaultyProxy(server.baseUrl).start();
    proxy.mode = { kind: "fail", status: 500 };
    const sdk = new Zespan();
    sdk.init({ apiKey: server.apiKey, baseUrl: proxy.baseUrl, flushAt: 5, flushIntervalMs: 50, maxRetries: 30 });
    try {
      const latency = await measureApp(sdk, sessionId);
      t.diagnostic(`call latency ms: ${JSON.stringify(latency, (_k, v: unknown) => (typeof v === "number" ? Math.round(v * 100) / 100 : v))}`);
      assert.ok(latency.wrappedMedian <= LATENCY_BOUND(latency.unwrappedMedian), JSON.stringify(latency));
      assert.ok(proxy.seen.failed > 0);
      proxy.mode = { kind: "pass" };
      const detail = await waitForSession(sessionId, CALLS);
      assert.equal(detail.session.turns, CALLS);
    } finally {
      await sdk.shutdown({ timeoutMs: 1000 });
      await proxy.stop();
    }
  });

  test("slow (2 s per ingest request): the app is not slowed and every span arrives", async (t) => {
    const sessionId = uniqueMarker("slow");
    const proxy = await new FaultyProxy(server.baseUrl).start();
    proxy.mode = { kind: "slow", delayMs: 2000 };
    const sdk = new Zespan();
    sdk.init({ apiKey: server.apiKey, baseUrl: proxy.baseUrl, flushAt: 5, flushIntervalMs: 50 });
    try {
      const latency = await measureApp(sdk, sessionId);
      t.diagnostic(`call latency ms: ${JSON.stringify(latency, (_k, v: unknown) => (typeof v === "number" ? Math.round(v * 100) / 100 : v))}`);
      assert.ok(latency.wrappedMedian <= LATENCY_BOUND(latency.unwrappedMedian), JSON.stringify(latency));
      assert.ok(latency.wrappedMax < 2000, `no call waited for the 2 s server (max ${Math.round(latency.wrappedMax)} ms)`);
      const detail = await waitForSession(sessionId, CALLS);
      assert.equal(detail.session.turns, CALLS);
    } finally {
      await sdk.shutdown({ timeoutMs: 1000 });
      await proxy.stop();
    }
  });
});
