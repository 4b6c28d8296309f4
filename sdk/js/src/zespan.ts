import { resolveConfig, type ResolvedConfig, type ZespanOptions } from "./config.js";
import { withZespanContext } from "./context.js";
import { BatchExporter, type ExportStats } from "./export/batch-exporter.js";
import { HttpTransport } from "./export/http-transport.js";
import { readGuardState, type GuardState } from "./guard.js";
import { createLogger } from "./logger.js";
import { wrapFetch, type FetchFunction } from "./openai/wrap-fetch.js";
import { wrapOpenAI } from "./openai/wrap-openai.js";
import { runInSpan, type SpanHandle, type SpanOptions } from "./spans/run-in-span.js";
import { Tracer } from "./spans/tracer.js";
import { SDK_VERSION } from "./version.js";

/** How long `flush()` and `shutdown()` wait by default before giving up (the export goes on in the background). */
const DEFAULT_FLUSH_TIMEOUT_MS = 30_000;

const NO_STATS: ExportStats = { queued: 0, sent: 0, dropped: 0, rejected: 0, failed: 0, retries: 0 };

/**
 * The SDK's entry point (`zespan`). Its methods are plain functions, so they also work when
 * destructured (`const { span } = zespan`). Nothing here throws into the application.
 */
export class Zespan {
  private config: ResolvedConfig | undefined;
  private exporter: BatchExporter | undefined;
  private tracer: Tracer | undefined;
  private readonly logger = createLogger(() => this.config?.debug === true);
  private readonly onBeforeExit = (): void => this.exporter?.flushBeforeExit();

  /** Starts recording. Calling it again replaces the configuration (queued spans of the old one are still sent). */
  readonly init = (options: ZespanOptions = {}): void => {
    try {
      const previous = this.exporter;
      this.tracer = undefined;
      this.exporter = undefined;
      if (previous) void previous.shutdown(DEFAULT_FLUSH_TIMEOUT_MS);

      const config = resolveConfig(options ?? {}, process.env, this.logger);
      this.config = config;
      if (!config.enabled) return;
      if (!config.apiKey) {
        this.logger.warn("no API key: pass apiKey to zespan.init() or set ZESPAN_API_KEY; nothing will be recorded");
        return;
      }
      const transport = new HttpTransport(`zespan-sdk-js/${SDK_VERSION} node/${process.version}`);
      this.exporter = new BatchExporter(config, config.apiKey, transport, this.logger);
      this.tracer = new Tracer(this.exporter, config.sampleRate, config.captureContent);
      process.off("beforeExit", this.onBeforeExit);
      process.on("beforeExit", this.onBeforeExit);
      this.logger.debug(`recording to ${config.ingestUrl.href}`);
    } catch (failure) {
      this.logger.debug("init failed; the SDK stays disabled", failure);
    }
  };

  /**
   * Returns the OpenAI client with `chat.completions.create`, `responses.create` and
   * `embeddings.create` recorded. Return values and types are the client's own.
   */
  readonly wrapOpenAI = <T>(client: T): T => {
    try {
      return wrapOpenAI(client, () => this.tracer, this.logger);
    } catch (failure) {
      this.logger.debug("could not wrap the OpenAI client; using it unwrapped", failure);
      return client;
    }
  };

  /**
   * Returns a `fetch` that records the OpenAI API calls made through it (default: the global `fetch`). For
   * libraries that create their own OpenAI client: `new ChatOpenAI({ configuration: { fetch: zespan.wrapFetch() } })`.
   */
  readonly wrapFetch = (fetch?: FetchFunction): FetchFunction => wrapFetch(fetch, () => this.tracer, this.logger);

  /** Runs `fn` inside a span named `name`; LLM calls inside become its children. */
  readonly span = <T>(name: string, fn: (span: SpanHandle) => T, options?: SpanOptions): T =>
    runInSpan(this.tracer, this.logger, name, fn, options);

  /** Same as the exported `withZespanContext`. */
  readonly withContext = withZespanContext;

  /** Sends everything queued now. Resolves when done or after `timeoutMs` (default 30 s); never rejects. */
  readonly flush = async (options?: { timeoutMs?: number }): Promise<void> => {
    await this.exporter?.flush(options?.timeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS);
  };

  /** Flushes, then stops recording and releases the connection. Call before `process.exit()`. */
  readonly shutdown = async (options?: { timeoutMs?: number }): Promise<void> => {
    const exporter = this.exporter;
    this.tracer = undefined;
    process.off("beforeExit", this.onBeforeExit);
    await exporter?.shutdown(options?.timeoutMs ?? DEFAULT_FLUSH_TIMEOUT_MS);
  };

  /**
   * Reads the session's guard state: which rules (cost, turns, user spend, anomaly) it crossed, and `stop` when any did,
   * so the application can stop a runaway agent itself. Never rejects; see `GuardState.error`.
   */
  readonly guard = (sessionId: string, options?: { timeoutMs?: number }): Promise<GuardState> =>
    readGuardState(this.config, sessionId, options?.timeoutMs);

  /** Export counters: queued, sent, dropped (queue full), rejected (by the server), failed, retries. */
  readonly stats = (): ExportStats => this.exporter?.stats() ?? { ...NO_STATS };
}

export const zespan = new Zespan();
