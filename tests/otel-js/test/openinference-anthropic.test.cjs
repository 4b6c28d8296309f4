// OpenInference's anthropic instrumentation over the real `@anthropic-ai/sdk` (llm.token_count.prompt_details.cache_read/
// cache_write): see support/anthropic-scenario.cjs for the call and what is checked. The SDK's own spans are turned off
// (ANTHROPIC_OPEN_TELEMETRY=false), as docs/otel.md says to when using an instrumentation: with both, every call is two.
const { test } = require("node:test");
const { callRecordedBy } = require("./support/anthropic-scenario.cjs");

process.env.ANTHROPIC_OPEN_TELEMETRY = "false";

test("OpenInference anthropic instrumentation: cache reads and writes in input, writes at the cache-write price", async () => {
  const { context } = require("@opentelemetry/api");
  const { setSession } = require("@arizeai/openinference-core");
  const { AnthropicInstrumentation } = require("@arizeai/openinference-instrumentation-anthropic");
  await callRecordedBy([new AnthropicInstrumentation()], (session, call) => context.with(setSession(context.active(), { sessionId: session }), call));
});
