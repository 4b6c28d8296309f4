import type { ResolvedConfig } from "../config.js";
import type { Logger } from "../logger.js";
import type { SpanSink } from "../spans/recording-span.js";
import type { HttpTransport } from "./http-transport.js";
import { isRetryableStatus, retryDelayMs } from "./retry.js";

/** Counters exposed by `zespan.stats()`. Every span ends up in exactly one of sent/rejected/failed/dropped, or is still queued. */
export interface ExportStats {
  /** Spans waiting to be sent, including the batch being sent right now. */
  queued: number;
  /** Spans the server accepted. */
  sent: number;
  /** Spans never queued because the queue was full (or the SDK was shut down). */
  dropped: number;
  /** Spans the server refused individually (207) as invalid. */
  rejected: number;
  /** Spans given up after retries ran out or a final error (400, 401, 413). */
  failed: number;
  /** Ingest requests that were retried. */
  retries: number;
}

/** Largest request body the exporter builds; one span larger than this is still sent alone. */
const MAX_BATCH_BYTES = 1024 * 1024;

/**
 * Queues serialized spans and sends them in batches from the background: when `flushAt` spans
 * are waiting, on a timer, on `flush()`, and once more when the process is about to exit.
 * One request is in flight at a time; a failed batch is retried (same span ids, so the
 * server's idempotency makes re-sending safe) while new spans keep queueing up to the bound.
 */
export class BatchExporter implements SpanSink {
  private queue: string[] = [];
  /** The batch currently being delivered; still counted as queued. */
  private inFlightCount = 0;
  private draining: Promise<void> | undefined;
  private drainScheduled = false;
  private readonly interval: NodeJS.Timeout;
  private stopped = false;
  /** Number of flush() calls waiting; while > 0 retries and requests keep the process alive. */
  private waiters = 0;
  private backoffTimer: NodeJS.Timeout | undefined;
  private enqueuedTotal = 0;
  private enqueuedAtLastExitFlush = -1;
  private readonly counters = { sent: 0, dropped: 0, rejected: 0, failed: 0, retries: 0 };

  constructor(
    private readonly config: ResolvedConfig,
    private readonly apiKey: string,
    private readonly transport: HttpTransport,
    private readonly logger: Logger,
  ) {
    this.interval = setInterval(() => {
      if (this.queue.length > 0) void this.startDrain(this.queue.length);
    }, config.flushIntervalMs);
    this.interval.unref();
  }

  enqueue(serializedSpan: string): void {
    if (this.stopped || this.queue.length + this.inFlightCount >= this.config.maxQueueSize) {
      this.counters.dropped++;
      if (this.counters.dropped === 1 || this.counters.dropped % 1000 === 0) {
        this.logger.debug(`queue full (${this.config.maxQueueSize}); ${this.counters.dropped} span(s) dropped so far`);
      }
      return;
    }
    this.queue.push(serializedSpan);
    this.enqueuedTotal++;
    if (this.queue.length >= this.config.flushAt) this.scheduleDrain();
  }

  stats(): ExportStats {
    return { queued: this.queue.length + this.inFlightCount, ...this.counters };
  }

  /**
   * Resolves once everything queued when it was called (and anything added meanwhile) was
   * sent or given up, or after `timeoutMs`. Never rejects.
   */
  async flush(timeoutMs: number): Promise<void> {
    this.waiters++;
    this.holdProcess(true);
    let timeout: NodeJS.Timeout | undefined;
    try {
      const drained = (async () => {
        while (!this.stopped && (this.queue.length > 0 || this.draining)) await this.startDrain(Infinity);
      })();
      const timedOut = new Promise<void>((resolve) => (timeout = setTimeout(resolve, timeoutMs)));
      await Promise.race([drained, timedOut]);
    } catch (error) {
      this.logger.debug("flush failed", error);
    } finally {
      clearTimeout(timeout);
      this.waiters--;
      if (this.waiters === 0) this.holdProcess(false);
    }
  }

  /** Called on `beforeExit`: one bounded flush per batch of new spans, so a dead server cannot loop the exit forever. */
  flushBeforeExit(): void {
    if (this.queue.length === 0 && !this.draining) return;
    if (this.enqueuedTotal === this.enqueuedAtLastExitFlush) return;
    this.enqueuedAtLastExitFlush = this.enqueuedTotal;
    void this.flush(this.config.exitFlushTimeoutMs);
  }

  async shutdown(timeoutMs: number): Promise<void> {
    if (this.stopped) return;
    clearInterval(this.interval);
    await this.flush(timeoutMs);
    this.stopped = true;
    this.transport.close();
  }

  private holdProcess(hold: boolean): void {
    if (hold) this.backoffTimer?.ref();
    else this.backoffTimer?.unref();
    this.transport.holdProcess(hold);
  }

  // Sending starts on the next turn of the event loop so that the wrapped call that filled
  // the batch returns to the application first.
  private scheduleDrain(): void {
    if (this.draining || this.drainScheduled) return;
    this.drainScheduled = true;
    setImmediate(() => {
      this.drainScheduled = false;
      void this.startDrain(0);
    });
  }

  /**
   * Full batches (`flushAt` spans) always go out. Smaller ones only within `partialBudget`:
   * the timer may send what was waiting when it fired, `flush()` everything, and a drain
   * started by `flushAt` nothing, so spans trickling in while a request is in flight wait for a
   * full batch or the next tick instead of going out a few at a time.
   */
  private startDrain(partialBudget: number): Promise<void> {
    this.draining ??= this.drainQueue(partialBudget).finally(() => (this.draining = undefined));
    return this.draining;
  }

  private async drainQueue(partialBudget: number): Promise<void> {
    while (!this.stopped && this.queue.length > 0) {
      if (this.queue.length < this.config.flushAt && partialBudget <= 0) break;
      const batch = this.takeBatch();
      partialBudget -= batch.length;
      this.inFlightCount = batch.length;
      try {
        await this.deliver(batch);
      } catch (error) {
        // deliver() handles every expected failure; this is a bug guard, not a path.
        this.counters.failed += batch.length;
        this.logger.debug("unexpected export failure", error);
      } finally {
        this.inFlightCount = 0;
      }
    }
  }

  private takeBatch(): string[] {
    let count = 0;
    let bytes = 0;
    while (count < this.queue.length && count < this.config.maxBatchSize) {
      const size = this.queue[count]!.length;
      if (count > 0 && bytes + size > MAX_BATCH_BYTES) break;
      bytes += size + 1;
      count++;
    }
    return this.queue.splice(0, count);
  }

  private async deliver(batch: string[]): Promise<void> {
    const body = Buffer.from(`{"batch":[${batch.join(",")}]}`, "utf8");
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      let retryAfter: string | undefined;
      let responseBody = "";
      try {
        const result = await this.transport.post(this.config.ingestUrl, this.apiKey, body, this.config.requestTimeoutMs);
        ({ status, retryAfter, body: responseBody } = result);
      } catch (error) {
        this.logger.debug(`ingest request failed: ${(error as Error).message}`);
      }

      if (status === 207) return this.countPartialSuccess(batch.length, responseBody);
      if (status >= 200 && status < 300) {
        this.counters.sent += batch.length;
        return;
      }
      if (status === 413 && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await this.deliver(batch.slice(0, half));
        await this.deliver(batch.slice(half));
        return;
      }
      const retryable = status === 0 || isRetryableStatus(status);
      if (!retryable || attempt >= this.config.maxRetries || this.stopped) {
        this.counters.failed += batch.length;
        if (status === 401) this.logger.warn("the Zespan server rejected the API key (401); spans are not being recorded");
        this.logger.debug(`giving up on ${batch.length} span(s) after status ${status || "network error"}: ${responseBody.slice(0, 500)}`);
        return;
      }
      this.counters.retries++;
      const delay = retryDelayMs(attempt, retryAfter);
      this.logger.debug(`ingest returned ${status || "network error"}; retry ${attempt + 1} in ${Math.round(delay)} ms`);
      await this.backoff(delay);
    }
  }

  private countPartialSuccess(batchSize: number, responseBody: string): void {
    let rejected: { index?: number; id?: string; message?: string }[] = [];
    try {
      const parsed = JSON.parse(responseBody) as { errors?: typeof rejected };
      if (Array.isArray(parsed.errors)) rejected = parsed.errors;
    } catch {
      // A 207 without a readable body: the server stored what it could; count none as rejected.
    }
    for (const item of rejected) this.logger.debug(`span ${item.id ?? `#${item.index}`} rejected: ${item.message}`);
    this.counters.rejected += rejected.length;
    this.counters.sent += batchSize - rejected.length;
  }

  private backoff(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.backoffTimer = setTimeout(() => {
        this.backoffTimer = undefined;
        resolve();
      }, ms);
      if (this.waiters === 0) this.backoffTimer.unref();
    });
  }
}
