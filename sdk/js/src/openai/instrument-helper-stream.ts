import type { Logger } from "../logger.js";
import type { RecordingSpan } from "../spans/recording-span.js";
import type { StreamAccumulator } from "./call-adapter.js";
import { endStreamSpan, observeChunk, type StreamProgress } from "./end-stream-span.js";

/**
 * The documented surface of the client's stream helpers (`chat.completions.stream()` returns a
 * `ChatCompletionStream`, `responses.stream()` a `ResponseStream`): typed events, `done()`, `aborted`.
 */
interface HelperStreamLike {
  on(event: string, listener: (...args: unknown[]) => void): unknown;
  done(): Promise<void>;
  readonly aborted?: boolean;
}

export function isHelperStream(value: unknown): value is HelperStreamLike {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as HelperStreamLike).on === "function" &&
    typeof (value as HelperStreamLike).done === "function"
  );
}

/**
 * Events whose payload is a raw API chunk or event, fed to the call's accumulator: `chunk` (Chat
 * Completions) and `event` (Responses: every event, the last one carrying the whole response).
 * Neither `error` nor `abort` is listened to: a listener there would turn an unhandled failure of the
 * caller's stream into a handled one. The `end` event follows both, and `done()` then says how it ended.
 */
const OBSERVED_EVENTS = ["chunk", "event"];

/** Records a helper stream from its events; the caller's stream object is returned untouched. */
export function instrumentHelperStream(stream: HelperStreamLike, span: RecordingSpan, accumulator: StreamAccumulator, logger: Logger): void {
  const progress: StreamProgress = { chunks: 0 };
  for (const event of OBSERVED_EVENTS) stream.on(event, (payload: unknown) => observeChunk(span, accumulator, progress, payload, logger));
  // `done()` is called only once the stream has ended, so it cannot change whether a failure counts as handled.
  // Left early (a `break` out of `for await`, or `abort()`): what arrived so far, status ok, as for `stream: true`.
  stream.on("end", () => {
    stream.done().then(
      () => endStreamSpan(span, accumulator, progress, {}, logger),
      (error: unknown) => endStreamSpan(span, accumulator, progress, stream.aborted === true ? { endedEarly: true } : { error }, logger),
    );
  });
}
