import { currentContext, type ActiveContext } from "../context.js";
import { newSpanId, newTraceId } from "../ids.js";
import { RecordingSpan, type SpanSink, type SpanStart } from "./recording-span.js";
import { isSampled } from "./sampling.js";

/** Decides whether a span is recorded and wires it into the current trace. */
export class Tracer {
  constructor(
    private readonly sink: SpanSink,
    private readonly sampleRate: number,
    private readonly captureContent = true,
  ) {}

  /**
   * Opens a span under the current context. `span` is undefined when the trace is not sampled;
   * `context` is what work inside the span should run with either way, so everything nested
   * in an unsampled trace stays unsampled.
   */
  startSpan(start: SpanStart): { span: RecordingSpan | undefined; context: ActiveContext } {
    const outer = currentContext() ?? {};
    const isRoot = outer.traceId === undefined;
    const traceId = outer.traceId ?? newTraceId();
    const sampled = isRoot ? isSampled(outer.sessionId ?? traceId, this.sampleRate) : outer.sampled !== false;
    if (!sampled) return { span: undefined, context: { ...outer, traceId, sampled } };
    const id = newSpanId();
    const span = new RecordingSpan(start, outer, { id, traceId, parentId: outer.spanId ?? null }, this.sink, this.captureContent);
    return { span, context: { ...outer, traceId, spanId: id, sampled } };
  }
}
