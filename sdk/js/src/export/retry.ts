const BASE_DELAY_MS = 250;
const MAX_DELAY_MS = 30_000;
/** A server asking for a longer pause than this is still retried after this long. */
const MAX_RETRY_AFTER_MS = 60_000;

/** Statuses that mean "try again later"; everything else is final for that batch. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Delay before retry number `attempt` (0-based): the server's `Retry-After` when it sent one,
 * otherwise exponential backoff with "equal jitter" so many SDK processes that failed together
 * do not retry together.
 */
export function retryDelayMs(attempt: number, retryAfterHeader: string | undefined, now = Date.now()): number {
  const fromServer = parseRetryAfterMs(retryAfterHeader, now);
  if (fromServer !== undefined) return Math.min(fromServer, MAX_RETRY_AFTER_MS);
  const ceiling = Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** attempt);
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** `Retry-After` is either seconds or an HTTP date (RFC 9110 §10.2.3). */
export function parseRetryAfterMs(header: string | undefined, now = Date.now()): number | undefined {
  if (header === undefined || header.trim() === "") return undefined;
  const trimmed = header.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}
