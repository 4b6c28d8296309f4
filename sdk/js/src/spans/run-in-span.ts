import { runWithContext } from "../context.js";
import type { Logger } from "../logger.js";
import { describeError } from "./describe-error.js";
import type { RecordingSpan } from "./recording-span.js";
import type { Tracer } from "./tracer.js";

/** What the function given to `zespan.span()` can add to its span. */
export interface SpanHandle {
  /** The span's id, or undefined when the trace is not recorded (SDK disabled or not sampled). */
  readonly id: string | undefined;
  readonly traceId: string | undefined;
  setInput(value: unknown): void;
  setOutput(value: unknown): void;
  setMetadata(values: Record<string, unknown>): void;
}

export interface SpanOptions {
  input?: unknown;
  metadata?: Record<string, unknown>;
}

const NOOP_HANDLE: SpanHandle = {
  id: undefined,
  traceId: undefined,
  setInput() {},
  setOutput() {},
  setMetadata() {},
};

/**
 * Runs `fn` inside a `kind: "span"` span: LLM calls (and spans) inside it join its trace as its
 * children. The span ends when `fn` returns, or when the promise it returns settles. `fn`'s
 * result (or error) is passed through untouched.
 */
export function runInSpan<T>(
  tracer: Tracer | undefined,
  logger: Logger,
  name: string,
  fn: (span: SpanHandle) => T,
  options?: SpanOptions,
): T {
  if (!tracer) return fn(NOOP_HANDLE);
  let started: ReturnType<Tracer["startSpan"]>;
  try {
    started = tracer.startSpan({ name: String(name), kind: "span", input: options?.input });
    if (options?.metadata) started.span?.addMetadata(options.metadata);
  } catch (failure) {
    logger.debug(`could not start span ${name}`, failure);
    return fn(NOOP_HANDLE);
  }
  const { span, context } = started;
  const handle = span ? handleFor(span) : { ...NOOP_HANDLE, traceId: context.traceId };

  let result: T;
  try {
    result = runWithContext(context, () => fn(handle));
  } catch (error) {
    if (span) endWithError(span, error);
    throw error;
  }
  if (span) {
    if (isThenable(result)) {
      result.then(
        () => span.end({ status: "ok" }),
        (error: unknown) => endWithError(span, error),
      );
    } else {
      span.end({ status: "ok" });
    }
  }
  return result;
}

function handleFor(span: RecordingSpan): SpanHandle {
  return {
    id: span.id,
    traceId: span.traceId,
    setInput: (value) => span.setInput(value),
    setOutput: (value) => span.setOutput(value),
    setMetadata: (values) => span.addMetadata(values),
  };
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as PromiseLike<unknown>).then === "function";
}

function endWithError(span: RecordingSpan, error: unknown): void {
  const described = describeError(error);
  span.end({ status: "error", error: described.message, metadata: described.metadata });
}
