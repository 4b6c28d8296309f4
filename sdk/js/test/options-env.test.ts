import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { Zespan, withZespanContext } from "@zespan/sdk";
import { FakeIngestServer } from "./support/fake-ingest-server.js";
import { TEST_API_KEY, uniqueMarker } from "./support/spans.js";

// The environment variables and captureContent of docs/sdk-spec.md ("Options").
describe("options from the environment (docs/sdk-spec.md)", () => {
  const ingest = new FakeIngestServer();
  before(async () => void (await ingest.start()));
  after(async () => ingest.stop());

  /** Records one span with input and output under `env`, and returns what reached the ingest endpoint. */
  async function recordOne(env: Record<string, string>, options: Record<string, unknown> = {}) {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    const sdk = new Zespan();
    try {
      sdk.init({ apiKey: TEST_API_KEY, baseUrl: ingest.baseUrl, flushIntervalMs: 20, ...options });
    } finally {
      for (const key of Object.keys(env)) if (saved[key] === undefined) delete process.env[key];
      Object.assign(process.env, saved);
    }
    const marker = uniqueMarker("env");
    withZespanContext({ sessionId: marker }, () =>
      sdk.span(marker, (span) => {
        span.setInput({ prompt: "secret prompt" });
        span.setOutput({ reply: "secret reply" });
      }),
    );
    await sdk.shutdown();
    return ingest.stored.filter((span) => span.name === marker);
  }

  test("ZESPAN_ENABLED=false turns recording off whatever the code says", async () => {
    assert.equal((await recordOne({ ZESPAN_ENABLED: "false" }, { enabled: true })).length, 0);
    assert.equal((await recordOne({ ZESPAN_ENABLED: "1" })).length, 1);
  });

  test("ZESPAN_SAMPLE_RATE applies when the code gives no sampleRate", async () => {
    assert.equal((await recordOne({ ZESPAN_SAMPLE_RATE: "0" })).length, 0);
    assert.equal((await recordOne({ ZESPAN_SAMPLE_RATE: "0" }, { sampleRate: 1 })).length, 1);
    assert.equal((await recordOne({ ZESPAN_SAMPLE_RATE: "not a number" })).length, 1, "a bad value falls back to 1");
  });

  test("captureContent: false (or ZESPAN_CAPTURE_CONTENT=false) sends no input or output", async () => {
    for (const [env, options] of [[{}, { captureContent: false }], [{ ZESPAN_CAPTURE_CONTENT: "off" }, {}]] as const) {
      const [span] = await recordOne(env, options);
      assert.ok(span, "still recorded");
      assert.equal(span.input, undefined);
      assert.equal(span.output, undefined);
      assert.doesNotMatch(JSON.stringify(span), /secret/);
    }
    const [withContent] = await recordOne({});
    assert.deepEqual(withContent!.output, { reply: "secret reply" });
  });
});
