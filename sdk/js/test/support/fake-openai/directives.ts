/**
 * Tests steer the fake OpenAI server from inside the prompt, so the very same code path
 * (including the product page's sample, which only passes a message) can ask for errors,
 * slowness or particular token counts: `[fake:status=500,delay=200,cached=10]`.
 */
export interface FakeDirectives {
  /** HTTP status to answer with; >= 400 sends an OpenAI error body. */
  status?: number;
  /** ms before the response headers are sent. */
  delay?: number;
  /** ms between SSE events of a stream. */
  chunkDelay?: number;
  /** Number of words in the reply (default 8). */
  words?: number;
  cached?: number;
  reasoning?: number;
  /** Send this many stream chunks, then an `error` payload inside the stream. */
  failAfterChunks?: number;
  /** Value of a Retry-After header on an error response. */
  retryAfter?: number;
  /** What a usage-stripping proxy does to a non-streamed body: 1 drops `usage`, 2 sends `usage: {}`, 3 `usage: null`. */
  stripUsage?: number;
}

const DIRECTIVE = /\[fake:([^\]]*)\]/g;

export function parseDirectives(text: string): FakeDirectives {
  const directives: Record<string, number> = {};
  for (const match of text.matchAll(DIRECTIVE)) {
    for (const pair of match[1]!.split(",")) {
      const [key, value] = pair.split("=").map((part) => part.trim());
      if (key && value !== undefined && !Number.isNaN(Number(value))) directives[key] = Number(value);
    }
  }
  return directives as FakeDirectives;
}

/** All text of a chat `messages` array or a Responses/Embeddings `input`, for directives and token counts. */
export function textOf(value: unknown): string {
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(textOf).join(" ");
  if (value && typeof value === "object") {
    const record = value as Record<string, unknown>;
    if ("content" in record) return textOf(record.content);
    if ("text" in record) return textOf(record.text);
  }
  return "";
}
