import type { Logger } from "./logger.js";

/** Options accepted by `zespan.init()`. Every field is optional; see README for defaults. */
export interface ZespanOptions {
  /** Project API key (`zsp_...`). Defaults to the `ZESPAN_API_KEY` environment variable. */
  apiKey?: string;
  /** Zespan server address. Defaults to `ZESPAN_BASE_URL`, else `http://localhost:5080`. */
  baseUrl?: string;
  /** Send as soon as this many spans are queued (default 20). */
  flushAt?: number;
  /** Send whatever is queued at least this often, in ms (default 1000). */
  flushIntervalMs?: number;
  /** Spans held in memory while the server is slow or down; beyond it new spans are dropped and counted (default 10000). */
  maxQueueSize?: number;
  /** Most spans in one ingest request (default 100). */
  maxBatchSize?: number;
  /** `false` turns the SDK into a pass-through: nothing is recorded or sent (default true). `ZESPAN_ENABLED=false` also does. */
  enabled?: boolean;
  /** Log export problems and decisions to the console (default false). `ZESPAN_DEBUG=true` also does. */
  debug?: boolean;
  /** Fraction of sessions (or of traces without a session) to record, 0..1 (default `ZESPAN_SAMPLE_RATE`, else 1). */
  sampleRate?: number;
  /** `false` sends no `input`/`output` (prompts, completions) (default `ZESPAN_CAPTURE_CONTENT`, else true). */
  captureContent?: boolean;
  /** Give up on one ingest request after this many ms (default 10000). */
  requestTimeoutMs?: number;
  /** Retries of one batch after 429/5xx/network errors before it is dropped (default 10). */
  maxRetries?: number;
  /** How long the automatic flush at process exit may keep the process alive, in ms (default 5000). */
  exitFlushTimeoutMs?: number;
}

/** Options after defaults, environment and validation were applied. */
export interface ResolvedConfig {
  apiKey: string | undefined;
  baseUrl: string;
  ingestUrl: URL;
  flushAt: number;
  flushIntervalMs: number;
  maxQueueSize: number;
  maxBatchSize: number;
  enabled: boolean;
  debug: boolean;
  sampleRate: number;
  captureContent: boolean;
  requestTimeoutMs: number;
  maxRetries: number;
  exitFlushTimeoutMs: number;
}

export const DEFAULT_BASE_URL = "http://localhost:5080";

const INTEGER_DEFAULTS = {
  flushAt: { value: 20, min: 1 },
  flushIntervalMs: { value: 1000, min: 10 },
  maxQueueSize: { value: 10_000, min: 1 },
  maxBatchSize: { value: 100, min: 1 },
  requestTimeoutMs: { value: 10_000, min: 100 },
  maxRetries: { value: 10, min: 0 },
  exitFlushTimeoutMs: { value: 5_000, min: 0 },
} as const;

/**
 * Applies defaults and environment variables. A bad value never throws (the SDK must not
 * break the app it observes); it falls back to the default and says so.
 */
export function resolveConfig(
  options: ZespanOptions,
  env: NodeJS.ProcessEnv,
  logger: Logger,
): ResolvedConfig {
  const apiKey = nonEmpty(options.apiKey) ?? nonEmpty(env.ZESPAN_API_KEY);
  const baseUrl = (nonEmpty(options.baseUrl) ?? nonEmpty(env.ZESPAN_BASE_URL) ?? DEFAULT_BASE_URL).replace(/\/+$/, "");
  let ingestUrl: URL;
  let usableBaseUrl = baseUrl;
  try {
    ingestUrl = new URL(`${baseUrl}/api/v1/ingest`);
  } catch {
    logger.warn(`baseUrl "${baseUrl}" is not a valid URL; using ${DEFAULT_BASE_URL}`);
    usableBaseUrl = DEFAULT_BASE_URL;
    ingestUrl = new URL(`${DEFAULT_BASE_URL}/api/v1/ingest`);
  }

  const integers = {} as Record<keyof typeof INTEGER_DEFAULTS, number>;
  for (const [key, rule] of Object.entries(INTEGER_DEFAULTS) as [keyof typeof INTEGER_DEFAULTS, { value: number; min: number }][]) {
    const given = options[key];
    if (given === undefined) {
      integers[key] = rule.value;
    } else if (typeof given === "number" && Number.isFinite(given) && given >= rule.min) {
      integers[key] = Math.floor(given);
    } else {
      logger.warn(`${key} must be a number >= ${rule.min}; using ${rule.value}`);
      integers[key] = rule.value;
    }
  }

  let sampleRate = 1;
  const givenRate = options.sampleRate ?? (nonEmpty(env.ZESPAN_SAMPLE_RATE) === undefined ? undefined : Number(env.ZESPAN_SAMPLE_RATE));
  if (givenRate !== undefined) {
    if (typeof givenRate === "number" && givenRate >= 0 && givenRate <= 1) {
      sampleRate = givenRate;
    } else {
      logger.warn("sampleRate (or ZESPAN_SAMPLE_RATE) must be a number between 0 and 1; using 1");
    }
  }

  return {
    apiKey,
    baseUrl: usableBaseUrl,
    ingestUrl,
    ...integers,
    // The environment's switches are an operator's: they turn recording off and logging on whatever the code says.
    enabled: options.enabled !== false && envFlag(env.ZESPAN_ENABLED) !== false,
    debug: options.debug === true || envFlag(env.ZESPAN_DEBUG) === true,
    sampleRate,
    captureContent: options.captureContent ?? envFlag(env.ZESPAN_CAPTURE_CONTENT) ?? true,
  };
}

/** `0`, `false`, `no`, `off` (any case) are false, anything else non-empty true; unset or empty is undefined. */
function envFlag(value: string | undefined): boolean | undefined {
  const text = nonEmpty(value);
  if (text === undefined) return undefined;
  return !["0", "false", "no", "off"].includes(text.toLowerCase());
}

function nonEmpty(value: string | undefined): string | undefined {
  return typeof value === "string" && value.trim() !== "" ? value.trim() : undefined;
}
