import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Zespan } from "@zespan/sdk";
import { FakeIngestServer } from "./support/fake-ingest-server.js";
import { freePort } from "./support/zespan-server.js";
import { TEST_API_KEY, uniqueMarker } from "./support/spans.js";
import { eventually } from "./support/eventually.js";

const ingest = new FakeIngestServer();
before(() => ingest.start());
after(() => ingest.stop());

/** A separate SDK instance per test, so each test has its own configuration and counters. */
function sdk(options: ConstructorParameters<typeof Object>[0] & Record<string, unknown> = {}): Zespan {
  const instance = new Zespan();
  instance.init({ apiKey: TEST_API_KEY, baseUrl: ingest.baseUrl, flushIntervalMs: 60_000, ...options });
  return instance;
}

function recordSpans(instance: Zespan, marker: string, count: number): void {
  for (let i = 0; i < count; i++) instance.span(`${marker}-${i}`, () => undefined);
}

function requestsFor(marker: string) {
  return ingest.requests.filter((request) => request.batch.some((span) => span.name.startsWith(marker)));
}

describe("background export", () => {
  test("sends as soon as flushAt spans wait, without the timer, with the API key", async () => {
    const instance = sdk({ flushAt: 5 });
    const marker = uniqueMarker("flush-at");
    recordSpans(instance, marker, 5);
    await ingest.waitForStored((spans) => spans.filter((span) => span.name.startsWith(marker)).length === 5);
    const requests = requestsFor(marker);
    assert.equal(requests[0]!.headers.authorization, `Bearer ${TEST_API_KEY}`);
    assert.match(String(requests[0]!.headers["user-agent"]), /^zespan-sdk-js\//);
    // The first batch stays counted as queued until its answer is handled.
    await eventually(() => instance.stats().sent === 5, "the SDK handled the answer to the first batch");
    recordSpans(instance, `${marker}-more`, 2);
    // Proving that nothing is sent needs a window in which a wrong SDK would send; it cannot fail a right one.
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(instance.stats().queued, 2, "fewer than flushAt wait for the timer or a flush");
    assert.equal(requestsFor(`${marker}-more`).length, 0);
    await instance.shutdown();
    assert.deepEqual(instance.stats(), { queued: 0, sent: 7, dropped: 0, rejected: 0, failed: 0, retries: 0 });
  });

  test("never puts more than maxBatchSize spans in one request", async () => {
    const instance = sdk({ flushAt: 1000, maxBatchSize: 4 });
    const marker = uniqueMarker("batch-size");
    recordSpans(instance, marker, 10);
    await instance.flush();
    assert.deepEqual(requestsFor(marker).map((request) => request.batch.length), [4, 4, 2]);
    await instance.shutdown();
  });

  test("sends on the timer when fewer than flushAt spans are waiting", async () => {
    const instance = sdk({ flushAt: 100, flushIntervalMs: 50 });
    const marker = uniqueMarker("timer");
    recordSpans(instance, marker, 3);
    await ingest.waitForStored((spans) => spans.filter((span) => span.name.startsWith(marker)).length === 3, 10_000);
    await instance.shutdown();
  });

  test("retries 5xx and network errors with the same span ids until accepted", async () => {
    const marker = uniqueMarker("retry");
    let failures = 0;
    ingest.reply = (request) => {
      if (request.batch.some((span) => span.name.startsWith(marker)) && failures < 3) {
        failures++;
        return failures === 2 ? { status: 503, headers: { "retry-after": "0" } } : { status: 500, body: { title: "boom" } };
      }
      return { status: 200 };
    };
    try {
      const instance = sdk({ flushAt: 4 });
      recordSpans(instance, marker, 4);
      await ingest.waitForStored((spans) => spans.filter((span) => span.name.startsWith(marker)).length === 4, 10_000);
      // The server stored the spans before its answer reached the SDK: flush() waits until the SDK has handled it.
      await instance.flush();
      const attempts = requestsFor(marker);
      assert.equal(attempts.length, 4);
      const ids = attempts.map((request) => request.batch.map((span) => span.id).join(","));
      assert.equal(new Set(ids).size, 1, "every attempt re-sends the same span ids");
      assert.equal(instance.stats().retries, 3);
      assert.equal(instance.stats().sent, 4);
      await instance.shutdown();
    } finally {
      ingest.reply = () => ({ status: 200 });
    }
  });

  test("waits as long as Retry-After asks before retrying a 429", async () => {
    const marker = uniqueMarker("retry-after");
    let limited = false;
    ingest.reply = (request) => {
      if (!limited && request.batch.some((span) => span.name.startsWith(marker))) {
        limited = true;
        return { status: 429, headers: { "retry-after": "1" } };
      }
      return { status: 200 };
    };
    try {
      const instance = sdk({ flushAt: 1 });
      recordSpans(instance, marker, 1);
      await ingest.waitForStored((spans) => spans.some((span) => span.name.startsWith(marker)), 15_000);
      const [first, second] = requestsFor(marker);
      assert.ok(second!.at - first!.at >= 950, `retried after ${second!.at - first!.at} ms`);
      await instance.shutdown();
    } finally {
      ingest.reply = () => ({ status: 200 });
    }
  });

  test("does not retry 400 or 401 and counts the spans as failed", async () => {
    for (const status of [400, 401]) {
      const marker = uniqueMarker(`final-${status}`);
      ingest.reply = (request) => (request.batch.some((span) => span.name.startsWith(marker)) ? { status } : { status: 200 });
      const instance = sdk({ flushAt: 2 });
      recordSpans(instance, marker, 2);
      await instance.flush();
      assert.equal(requestsFor(marker).length, 1, `status ${status} is not retried`);
      assert.equal(instance.stats().failed, 2);
      assert.equal(instance.stats().queued, 0);
      await instance.shutdown();
    }
    ingest.reply = () => ({ status: 200 });
  });

  test("on 207 keeps the accepted spans and does not re-send the rejected ones", async () => {
    const marker = uniqueMarker("partial");
    ingest.reply = (request) =>
      request.batch.some((span) => span.name.startsWith(marker))
        ? { status: 207, body: { accepted: 2, errors: [{ index: 1, id: request.batch[1]!.id, message: "endTime is before startTime" }] } }
        : { status: 200 };
    try {
      const instance = sdk({ flushAt: 3 });
      recordSpans(instance, marker, 3);
      await instance.flush();
      assert.equal(requestsFor(marker).length, 1);
      assert.equal(instance.stats().sent, 2);
      assert.equal(instance.stats().rejected, 1);
      await instance.shutdown();
    } finally {
      ingest.reply = () => ({ status: 200 });
    }
  });

  test("splits a batch the server finds too large (413)", async () => {
    const marker = uniqueMarker("too-large");
    ingest.reply = (request) => (request.batch.some((span) => span.name.startsWith(marker)) && request.batch.length > 2 ? { status: 413 } : { status: 200 });
    try {
      const instance = sdk({ flushAt: 8 });
      recordSpans(instance, marker, 8);
      await instance.flush();
      assert.equal(ingest.stored.filter((span) => span.name.startsWith(marker)).length, 8);
      assert.equal(instance.stats().sent, 8);
      await instance.shutdown();
    } finally {
      ingest.reply = () => ({ status: 200 });
    }
  });

  test("holds at most maxQueueSize spans while the server is unreachable and counts the ones it drops", async () => {
    const port = await freePort();
    const instance = new Zespan();
    instance.init({ apiKey: TEST_API_KEY, baseUrl: `http://127.0.0.1:${port}`, maxQueueSize: 5, flushAt: 2, flushIntervalMs: 20 });
    recordSpans(instance, uniqueMarker("bounded"), 25);
    await eventually(() => instance.stats().retries >= 1, "the SDK retried the unreachable server once");
    const stats = instance.stats();
    assert.equal(stats.queued, 5);
    assert.equal(stats.dropped, 20);
    assert.ok(stats.retries >= 1);
    const started = Date.now();
    await instance.flush({ timeoutMs: 300 });
    assert.ok(Date.now() - started < 5000, "flush gives up at its timeout instead of waiting for minutes of retries");
    await instance.shutdown({ timeoutMs: 100 });
  });

  test("flush() resolves once everything queued was accepted", async () => {
    const instance = sdk({ flushAt: 1000 });
    const marker = uniqueMarker("flush");
    recordSpans(instance, marker, 7);
    assert.equal(ingest.stored.filter((span) => span.name.startsWith(marker)).length, 0, "nothing sent before the flush");
    await instance.flush();
    assert.equal(ingest.stored.filter((span) => span.name.startsWith(marker)).length, 7);
    await instance.shutdown();
  });

  test("bad configuration never throws into the application", async () => {
    const instance = new Zespan();
    assert.doesNotThrow(() => instance.init({ apiKey: TEST_API_KEY, baseUrl: "not a url", flushAt: -3, sampleRate: 7 } as never));
    assert.doesNotThrow(() => instance.init(undefined));
    assert.equal(instance.span("still runs", () => "value"), "value");
    await instance.flush({ timeoutMs: 50 });
    await instance.shutdown({ timeoutMs: 50 });
  });

  test("without an API key or when disabled nothing is recorded and calls pass through", async () => {
    const saved = process.env.ZESPAN_API_KEY;
    delete process.env.ZESPAN_API_KEY;
    try {
      for (const options of [{ baseUrl: ingest.baseUrl }, { apiKey: TEST_API_KEY, baseUrl: ingest.baseUrl, enabled: false }]) {
        const instance = new Zespan();
        instance.init(options);
        const marker = uniqueMarker("off");
        assert.equal(instance.span(marker, () => 1), 1);
        await instance.flush();
        assert.equal(ingest.stored.filter((span) => span.name === marker).length, 0);
        assert.equal(instance.stats().sent, 0);
      }
    } finally {
      if (saved !== undefined) process.env.ZESPAN_API_KEY = saved;
    }
  });

  test("sampleRate keeps or drops whole sessions, independently even for sequential ids", async () => {
    const instance = sdk({ sampleRate: 0.5, flushAt: 10_000 });
    const marker = uniqueMarker("sampling");
    const sessions = 200;
    for (let session = 0; session < sessions; session++) {
      for (let turn = 0; turn < 3; turn++) {
        instance.withContext({ sessionId: `conv-${session}` }, () => instance.span(`${marker}-${session}-${turn}`, () => undefined));
      }
    }
    await instance.flush();
    const perSession = new Map<string, number>();
    for (const span of ingest.stored.filter((s) => s.name.startsWith(marker))) perSession.set(span.sessionId!, (perSession.get(span.sessionId!) ?? 0) + 1);
    assert.ok(perSession.size > 60 && perSession.size < 140, `${perSession.size} of ${sessions} sessions kept`);
    for (const count of perSession.values()) assert.equal(count, 3, "a kept session has all its turns");
    // Sequential ids must not be kept or dropped in long runs (a weak hash clusters "id-1", "id-2", ...).
    // The ids are fixed, so the outcome is deterministic: with random ids a fair hash still makes a
    // run of 17 in about 1 of 600 runs, which made this test flaky.
    let longestRun = 0;
    for (let session = 0, run = 0; session < sessions; session++) {
      const same = session > 0 && perSession.has(`conv-${session}`) === perSession.has(`conv-${session - 1}`);
      run = same ? run + 1 : 1;
      longestRun = Math.max(longestRun, run);
    }
    assert.ok(longestRun <= 16, `${longestRun} sequential sessions got the same sampling decision`);
    await instance.shutdown();
  });
});
