/** Token counts in Zespan's convention: input includes cached, output includes reasoning. */
export interface TokenUsage {
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
}

export type SpanKind = "llm" | "span";
export type SpanStatus = "ok" | "error";

/** One span exactly as `POST /api/v1/ingest` takes it. */
export interface SpanRecord {
  id: string;
  traceId: string;
  parentId: string | null;
  sessionId: string | null;
  /** The context's session name; absent when it has none (the server then derives one). */
  sessionName?: string;
  userId: string | null;
  name: string;
  kind: SpanKind;
  model?: string | null;
  provider?: string | null;
  startTime: string;
  endTime: string;
  usage?: TokenUsage | null;
  status: SpanStatus;
  error?: string | null;
  input?: unknown;
  output?: unknown;
  metadata: Record<string, unknown>;
  tags: string[];
}

/**
 * Serializes a span at the moment it ends. Doing it then, not when the batch is sent, means an
 * application that mutates its messages array after the call cannot change what was recorded.
 * Values JSON cannot hold (cycles, BigInt) are replaced rather than allowed to throw.
 */
export function serializeSpan(record: SpanRecord): string {
  try {
    return JSON.stringify(record);
  } catch {
    return JSON.stringify({
      ...record,
      input: safeValue(record.input),
      output: safeValue(record.output),
      metadata: safeValue(record.metadata) as Record<string, unknown>,
    });
  }
}

function safeValue(value: unknown): unknown {
  const seen = new WeakSet<object>();
  try {
    return JSON.parse(
      JSON.stringify(value, (_key, v: unknown) => {
        if (typeof v === "bigint") return v.toString();
        if (v && typeof v === "object") {
          if (seen.has(v)) return "[circular]";
          seen.add(v);
        }
        return v;
      }),
    );
  } catch {
    return "[unserializable]";
  }
}
