import type { TokenUsage } from "../spans/span-record.js";

/** What one OpenAI response (or a finished stream) says about the call. */
export interface LlmResult {
  model?: string;
  usage?: TokenUsage | null;
  output?: unknown;
  metadata?: Record<string, unknown>;
  /** Set when the API reported a failure inside a successful HTTP response (e.g. a `response.failed` event). */
  error?: string;
}

/** Collects a streamed response chunk by chunk. */
export interface StreamAccumulator {
  /** Returns true when the chunk carries generated content (used for time to first token). */
  add(chunk: unknown): boolean;
  finish(): LlmResult;
}

/** Everything method-specific about recording one kind of OpenAI call. */
export interface OpenAICallAdapter {
  /** The span name, e.g. "chat.completions.create". */
  readonly name: string;
  describeRequest(params: Record<string, unknown>): { model?: string; input: unknown; metadata: Record<string, unknown> };
  describeResponse(response: unknown): LlmResult;
  startStream(): StreamAccumulator;
}

/**
 * Request parameters worth keeping as metadata (temperature, max_tokens, tools, ...): all of
 * them except the content that is recorded as input and the fields recorded elsewhere.
 */
export function requestParameters(params: Record<string, unknown>, recordedElsewhere: ReadonlySet<string>): Record<string, unknown> {
  const parameters: Record<string, unknown> = {};
  for (const key in params) {
    if (!recordedElsewhere.has(key) && params[key] !== undefined) parameters[key] = params[key];
  }
  return parameters;
}
