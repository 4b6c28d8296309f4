import { performance } from "node:perf_hooks";
import type { ActiveContext } from "../context.js";
import { serializeSpan, type SpanKind, type SpanRecord, type SpanStatus, type TokenUsage } from "./span-record.js";

/** Where finished spans go (the batch exporter). Must not throw and must not block. */
export interface SpanSink {
  enqueue(serializedSpan: string): void;
}

export interface SpanStart {
  name: string;
  kind: SpanKind;
  provider?: string;
  model?: string | null;
  input?: unknown;
  metadata?: Record<string, unknown>;
}

/** The outcome of the work a span covers. Fields left out keep what the span already had. */
export interface SpanEnd {
  status: SpanStatus;
  error?: string | null;
  model?: string | null;
  usage?: TokenUsage | null;
  output?: unknown;
  metadata?: Record<string, unknown>;
}

/**
 * A span that is open. Ends exactly once: later `end()` calls are ignored, which lets every
 * path that can finish a call (result, error, abort, early break) call it without coordination.
 */
export class RecordingSpan {
  readonly id: string;
  readonly traceId: string;
  private readonly parentId: string | null;
  // One monotonic clock for every span's start and end (as OpenTelemetry does), so a parent
  // never appears to end before its child because of two separately truncated Date.now() reads.
  private readonly startPerfMs = performance.now();
  private ended = false;
  private input: unknown;
  private output: unknown;
  private readonly metadata: Record<string, unknown>;

  constructor(
    private readonly start: SpanStart,
    private readonly context: ActiveContext,
    ids: { id: string; traceId: string; parentId: string | null },
    private readonly sink: SpanSink,
    /** False: prompts and completions never leave the process (`captureContent: false`). */
    private readonly captureContent = true,
  ) {
    this.id = ids.id;
    this.traceId = ids.traceId;
    this.parentId = ids.parentId;
    this.input = start.input;
    // User metadata last: request params must not hide what the application said.
    this.metadata = { ...start.metadata, ...context.metadata };
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Milliseconds since the span started, from the monotonic clock. */
  elapsedMs(): number {
    return performance.now() - this.startPerfMs;
  }

  setInput(value: unknown): void {
    this.input = value;
  }

  setOutput(value: unknown): void {
    this.output = value;
  }

  addMetadata(values: Record<string, unknown>): void {
    Object.assign(this.metadata, values);
  }

  end(outcome: SpanEnd): void {
    if (this.ended) return;
    this.ended = true;
    const durationMs = performance.now() - this.startPerfMs;
    if (outcome.metadata) Object.assign(this.metadata, outcome.metadata);
    const record: SpanRecord = {
      id: this.id,
      traceId: this.traceId,
      parentId: this.parentId,
      sessionId: this.context.sessionId ?? null,
      userId: this.context.userId ?? null,
      name: this.start.name,
      kind: this.start.kind,
      startTime: new Date(performance.timeOrigin + this.startPerfMs).toISOString(),
      endTime: new Date(performance.timeOrigin + this.startPerfMs + durationMs).toISOString(),
      status: outcome.status,
      metadata: this.metadata,
      tags: this.context.tags ?? [],
    };
    if (this.context.sessionName !== undefined) record.sessionName = this.context.sessionName;
    if (this.start.kind === "llm") {
      record.provider = this.start.provider ?? null;
      record.model = outcome.model ?? this.start.model ?? null;
      record.usage = outcome.usage ?? null;
    }
    if (outcome.status === "error") record.error = outcome.error ?? "unknown error";
    if (this.captureContent) {
      if (this.input !== undefined) record.input = this.input;
      const output = outcome.output !== undefined ? outcome.output : this.output;
      if (output !== undefined) record.output = output;
    }
    this.sink.enqueue(serializeSpan(record));
  }
}
