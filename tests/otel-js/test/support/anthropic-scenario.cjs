// One Anthropic call (the real `@anthropic-ai/sdk` against the fake's /v1/messages) exported by the OpenTelemetry Node SDK
// (protobuf) to a real Zespan server, checked against Anthropic's usage recomputed by hand. Anthropic reports
// input_tokens net of the cache; the call must arrive with input including the cache's reads and writes, and the writes
// priced at the cache-write price (Claude Sonnet 4.5 per 1M tokens: input 3, cache read 0.30, cache write 3.75, output
// 15), not as plain input. Each test file loads the SDK once (instrumentations patch it as it is first required).
const assert = require("node:assert/strict");
const { startFakeOpenAI, usageFor, anthropicCacheFor } = require("./fake-openai.cjs");
const { startZespan } = require("./zespan-server.cjs");
const { startExportingTo } = require("./node-sdk.cjs");

const Model = "claude-sonnet-4-5-20250929";
const Question = "Summarise the refund policy";

/** Makes the call inside `inSession(session, call)` with `instrumentations` registered, and checks what Zespan recorded. */
async function callRecordedBy(instrumentations, inSession) {
  const zespan = await startZespan();
  const fake = await startFakeOpenAI();
  try {
    const sdk = startExportingTo(zespan, "anthropic-app", instrumentations);
    const Anthropic = require("@anthropic-ai/sdk");
    const client = new (Anthropic.default ?? Anthropic)({ baseURL: fake.anthropicBaseURL, apiKey: "sk-ant-test" });
    const session = `anthropic-${Math.random().toString(36).slice(2, 10)}`;
    await inSession(session, () => client.messages.create({ model: Model, max_tokens: 256, messages: [{ role: "user", content: Question }] }));
    await sdk.shutdown();

    const detail = await zespan.waitForTurns(session, 1);
    const usage = usageFor(Question, "Echo: " + Question);
    const { read, written } = anthropicCacheFor(usage);
    const call = detail.timeline[0];
    assert.deepEqual([call.inputTokens, call.cachedInputTokens, call.cacheCreationInputTokens, call.outputTokens],
      [usage.prompt_tokens, read, written, usage.completion_tokens]);
    const expected = ((usage.prompt_tokens - read - written) * 3 + read * 0.30 + written * 3.75 + usage.completion_tokens * 15) / 1e6;
    assert.ok(Math.abs(detail.session.costUsd - expected) < 1e-12, `cost ${detail.session.costUsd} != ${expected}`);
    // The conversation: the prompt and the reply reach the call (OpenInference sends them as message parts; the SDK's
    // own spans only in content mode, which docs/otel.md says to turn on).
    const span = (await zespan.trace(call.traceId)).spans.find((s) => s.id === call.spanId);
    assert.ok(JSON.stringify(span.input ?? null).includes(Question), `input ${JSON.stringify(span.input)}`);
    assert.ok(JSON.stringify(span.output ?? null).includes("Echo: " + Question), `output ${JSON.stringify(span.output)}`);
  } finally {
    await fake.close();
    await zespan.stop();
  }
}

module.exports = { callRecordedBy };
