import type { Logger } from "../logger.js";
import type { RecordingSpan } from "../spans/recording-span.js";
import type { StreamAccumulator } from "./call-adapter.js";
import { endStreamSpan, observeChunk, type StreamProgress } from "./end-stream-span.js";

interface OpenAIStreamLike {
  [Symbol.asyncIterator](): AsyncIterator<unknown>;
  tee?: () => unknown[];
  controller?: AbortController;
}

/** True for what `stream: true` resolves to: the client documents it as an async iterable `Stream`. */
export function isAsyncIterable(value: unknown): value is OpenAIStreamLike {
  return value !== null && typeof value === "object" && typeof (value as Record<symbol, unknown>)[Symbol.asyncIterator] === "function";
}

/**
 * Observes a stream in place: the caller keeps the very same `Stream` object (with `tee()`,
 * `toReadableStream()` and `controller`) and receives every chunk unchanged. The span ends when
 * the stream completes, fails, is left early (`break` calls the iterator's `return()`), or is
 * aborted through its controller, whichever happens first.
 */
export function instrumentStream(stream: OpenAIStreamLike, span: RecordingSpan, startAccumulator: () => StreamAccumulator, logger: Logger): void {
  const accumulator = startAccumulator();
  const progress: StreamProgress = { chunks: 0 };
  const finish = (endedEarly: boolean, error?: unknown): void => endStreamSpan(span, accumulator, progress, { endedEarly, error }, logger);

  // Async iteration is the stream's public contract (`toReadableStream()` reads through it too); the
  // method is replaced on this one object only.
  const originalIterate = stream[Symbol.asyncIterator];
  const iterate = function (this: unknown): AsyncIterator<unknown> {
    const inner = originalIterate.call(this);
    const observed: AsyncIterableIterator<unknown> = {
      next(...nextArgs: [] | [unknown]) {
        return inner.next(...nextArgs).then(
          (step) => {
            if (step.done) finish(stream.controller?.signal.aborted === true);
            else observeChunk(span, accumulator, progress, step.value, logger);
            return step;
          },
          (error: unknown) => {
            finish(false, error);
            throw error;
          },
        );
      },
      return(value?: unknown) {
        finish(true);
        return inner.return ? inner.return(value) : Promise.resolve({ done: true, value });
      },
      throw(error?: unknown) {
        finish(true, error);
        return inner.throw ? inner.throw(error) : Promise.reject(error);
      },
      [Symbol.asyncIterator]() {
        return observed;
      },
    };
    return observed;
  };
  Object.defineProperty(stream, Symbol.asyncIterator, { value: iterate, configurable: true, writable: true });

  // `tee()` gives two new streams over the same chunks: the first one to end records the call.
  const originalTee = stream.tee;
  if (typeof originalTee === "function") {
    Object.defineProperty(stream, "tee", {
      configurable: true,
      writable: true,
      value: function (this: unknown) {
        const branches = originalTee.call(this);
        if (Array.isArray(branches)) {
          for (const branch of branches) if (isAsyncIterable(branch)) instrumentStream(branch, span, startAccumulator, logger);
        }
        return branches;
      },
    });
  }

  // controller.abort() while nobody is awaiting the next chunk would otherwise leave the span
  // open. The client also aborts from its own cleanup when the stream fails; deferring lets
  // that failure, which arrives a few microtasks later, be the one recorded.
  stream.controller?.signal.addEventListener("abort", () => setImmediate(() => finish(true)), { once: true });
}
