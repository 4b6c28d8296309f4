// The OpenTelemetry Node SDK and batch processors that match its own versions. Up to sdk-node 0.2xx (OpenTelemetry
// JS 2.x) it re-exports them as `tracing` and `logs`, and a span processor takes its exporter as the first argument;
// from 0.300 (JS 3.x) they come from the @opentelemetry/sdk-trace and @opentelemetry/sdk-logs packages it depends on
// (resolved from sdk-node's own folder, so the newest-clients run, scripts/test-newest.sh, gets the SDK's versions),
// and a span processor takes `{ exporter }` as a log record processor already did.
const path = require("node:path");

function nodeSdk() {
  const sdkNode = require("@opentelemetry/sdk-node");
  const own = (name) => require(require.resolve(name, { paths: [path.dirname(require.resolve("@opentelemetry/sdk-node"))] }));
  const { BatchSpanProcessor } = sdkNode.tracing ?? own("@opentelemetry/sdk-trace");
  const { BatchLogRecordProcessor } = sdkNode.logs ?? own("@opentelemetry/sdk-logs");
  return {
    NodeSDK: sdkNode.NodeSDK,
    batchSpans: (exporter) => (sdkNode.tracing ? new BatchSpanProcessor(exporter) : new BatchSpanProcessor({ exporter })),
    batchLogs: (exporter) => new BatchLogRecordProcessor({ exporter }),
  };
}

/**
 * A started OpenTelemetry Node SDK exporting spans (OTLP/HTTP protobuf, batched) to `zespan` with its API key, as an
 * app set up by docs/otel.md does; `shutdown()` flushes them.
 */
function startExportingTo(zespan, serviceName, instrumentations = []) {
  const { NodeSDK, batchSpans } = nodeSdk();
  const { OTLPTraceExporter } = require("@opentelemetry/exporter-trace-otlp-proto");
  const sdk = new NodeSDK({
    serviceName,
    spanProcessors: [batchSpans(new OTLPTraceExporter({ url: `${zespan.baseUrl}/v1/traces`, headers: { Authorization: `Bearer ${zespan.apiKey}` } }))],
    instrumentations,
  });
  sdk.start();
  return sdk;
}

module.exports = { nodeSdk, startExportingTo };
