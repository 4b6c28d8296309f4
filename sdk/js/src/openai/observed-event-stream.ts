import type { Logger } from "../logger.js";
import type { RecordingSpan } from "../spans/recording-span.js";
import type { OpenAICallAdapter } from "./call-adapter.js";
import { endStreamSpan, observeChunk, type StreamProgress } from "./end-stream-span.js";

/**
 * The caller's event-stream `Response` with a body that records the server-sent events (`data:` lines, `[DONE]`
 * ignored) exactly as the caller reads them: read to its end, the span ends complete; cancelled by the caller (a
 * `break`), it ends as `streamEndedEarly`. Not a clone: a second branch of the body would keep the connection open
 * after the caller left, and the OpenAI client's cancel waits for both branches, so a `break` would hang until the
 * server ended the stream (and the call would be recorded as read to its end).
 */
export function observedEventStream(response: Response, span: RecordingSpan, adapter: OpenAICallAdapter, logger: Logger): Response {
  const reader = response.body!.getReader();
  const events = new EventStreamRecorder(span, adapter, logger);
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      let chunk: Awaited<ReturnType<typeof reader.read>>;
      try {
        chunk = await reader.read();
      } catch (error) {
        events.finish(error instanceof Error && error.name === "AbortError" ? { endedEarly: true } : { error });
        controller.error(error);
        return;
      }
      if (chunk.done) {
        events.finish({});
        controller.close();
        return;
      }
      events.add(chunk.value);
      controller.enqueue(chunk.value);
    },
    cancel(reason) {
      events.finish({ endedEarly: true });
      return reader.cancel(reason);
    },
  });
  const observed = new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
  // The client reads `url` for its errors; a constructed Response has none of its own.
  Object.defineProperty(observed, "url", { value: response.url });
  return observed;
}

/** Splits the bytes into events, feeds the call's accumulator, and ends the span once. */
class EventStreamRecorder {
  private readonly accumulator;
  private readonly progress: StreamProgress = { chunks: 0 };
  private readonly decoder = new TextDecoder();
  private buffered = "";
  private streamError: string | undefined;
  private sawDone = false;
  private ended = false;

  constructor(
    private readonly span: RecordingSpan,
    adapter: OpenAICallAdapter,
    private readonly logger: Logger,
  ) {
    this.accumulator = adapter.startStream();
  }

  add(bytes: Uint8Array): void {
    try {
      this.buffered += this.decoder.decode(bytes, { stream: true });
      const blocks = this.buffered.split(/\r?\n\r?\n/);
      this.buffered = blocks.pop() ?? "";
      for (const block of blocks) this.handleEvent(block);
    } catch (failure) {
      this.logger.debug("could not read a stream event", failure);
    }
  }

  finish(outcome: { endedEarly?: boolean; error?: unknown }): void {
    if (this.ended) return;
    this.ended = true;
    // A client may cancel the body once it has read `[DONE]` (openai 7 does): that stream was read to its end.
    if (outcome.endedEarly && this.sawDone) outcome = {};
    if (!outcome.endedEarly && outcome.error === undefined && this.buffered.trim() !== "") this.handleEvent(this.buffered);
    const ending = outcome.endedEarly || outcome.error !== undefined || this.streamError === undefined ? outcome : { error: new Error(this.streamError) };
    endStreamSpan(this.span, this.accumulator, this.progress, ending, this.logger);
  }

  private handleEvent(block: string): void {
    const data = block
      .split(/\r?\n/)
      .filter((line) => line.startsWith("data:"))
      .map((line) => line.slice(5).replace(/^ /, ""))
      .join("\n");
    if (data === "[DONE]") this.sawDone = true;
    if (data === "" || data === "[DONE]") return;
    let event: unknown;
    try {
      event = JSON.parse(data);
    } catch {
      return; // not JSON: not an API event
    }
    // A Chat Completions stream reports a failure as a bare `{"error": {...}}` payload.
    const failure = (event as { error?: { message?: unknown }; type?: unknown }) ?? {};
    if (failure.type === undefined && failure.error && typeof failure.error.message === "string") this.streamError = failure.error.message;
    else observeChunk(this.span, this.accumulator, this.progress, event, this.logger);
  }
}
