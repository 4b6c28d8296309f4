export { zespan, Zespan } from "./zespan.js";
export { withZespanContext, withLumiqtraceContext, getZespanContext } from "./context.js";
export type { ZespanContext } from "./context.js";
export type { ZespanOptions } from "./config.js";
export type { FetchFunction } from "./openai/wrap-fetch.js";
export type { ExportStats } from "./export/batch-exporter.js";
export type { SpanHandle, SpanOptions } from "./spans/run-in-span.js";
export type { SpanRecord, TokenUsage, SpanKind, SpanStatus } from "./spans/span-record.js";
export type { GuardState, CrossedRule } from "./guard.js";
