import type { Logger } from "../logger.js";
import { describeError } from "../spans/describe-error.js";
import type { RecordingSpan } from "../spans/recording-span.js";
import type { StreamAccumulator } from "./call-adapter.js";

/** What a stream observer saw, however it observed the stream. */
export interface StreamProgress {
  chunks: number;
  timeToFirstTokenMs?: number;
}

/**
 * Ends a streamed call's span the same way for every kind of stream: what arrived so far, the chunk count
 * and time to first token; left early (a `break`, an abort) is status ok with `streamEndedEarly`; an error
 * inside the stream is status error.
 */
export function endStreamSpan(
  span: RecordingSpan,
  accumulator: StreamAccumulator,
  progress: StreamProgress,
  outcome: { endedEarly?: boolean; error?: unknown },
  logger: Logger,
): void {
  if (span.isEnded) return;
  try {
    const result = accumulator.finish();
    const metadata: Record<string, unknown> = { ...result.metadata, chunks: progress.chunks };
    if (progress.timeToFirstTokenMs !== undefined) metadata.timeToFirstTokenMs = Math.round(progress.timeToFirstTokenMs);
    if (outcome.endedEarly) metadata.streamEndedEarly = true;
    if (outcome.error !== undefined) {
      const described = describeError(outcome.error);
      span.end({ ...result, status: "error", error: described.message, metadata: { ...metadata, ...described.metadata } });
    } else {
      span.end({ ...result, status: result.error === undefined ? "ok" : "error", error: result.error, metadata });
    }
  } catch (failure) {
    logger.debug("could not record stream", failure);
  }
}

/** Feeds one chunk to the accumulator and notes the time to the first chunk carrying content. */
export function observeChunk(span: RecordingSpan, accumulator: StreamAccumulator, progress: StreamProgress, chunk: unknown, logger: Logger): void {
  progress.chunks++;
  try {
    if (accumulator.add(chunk) && progress.timeToFirstTokenMs === undefined) progress.timeToFirstTokenMs = span.elapsedMs();
  } catch (failure) {
    logger.debug("could not read stream chunk", failure);
  }
}
