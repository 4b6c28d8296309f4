const { test } = require("node:test");
const { runOpenAIInstrumentationScenario } = require("./support/openai-scenario.cjs");

test("openai instrumentation, OTLP protobuf exporter: session, user, tokens, cost and content land in Zespan", async (t) => {
  const { OTLPTraceExporter } = require("@opentelemetry/exporter-trace-otlp-proto");
  if ((await runOpenAIInstrumentationScenario(OTLPTraceExporter)) === "not patched")
    t.diagnostic("openai 7 or later: @opentelemetry/instrumentation-openai does not patch it (docs/otel.md); nothing to record");
});
