import type { TokenUsage } from "../spans/span-record.js";

interface OpenAIUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  input_tokens?: number;
  output_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number } | null;
  input_tokens_details?: { cached_tokens?: number } | null;
  completion_tokens_details?: { reasoning_tokens?: number } | null;
  output_tokens_details?: { reasoning_tokens?: number } | null;
}

/**
 * Maps both OpenAI usage shapes (Chat Completions/Embeddings: prompt/completion; Responses:
 * input/output) to Zespan's. OpenAI already counts cached tokens inside input tokens and
 * reasoning tokens inside output tokens, which is Zespan's convention too.
 */
export function mapUsage(raw: unknown): TokenUsage | null {
  if (!raw || typeof raw !== "object") return null;
  const usage = raw as OpenAIUsage;
  // A usage object without either count (a proxy's `usage: {}`) is unknown usage, priced as unpriced: never zeros ($0).
  if (!isCount(usage.prompt_tokens ?? usage.input_tokens) && !isCount(usage.completion_tokens ?? usage.output_tokens)) return null;
  return {
    inputTokens: count(usage.prompt_tokens ?? usage.input_tokens),
    outputTokens: count(usage.completion_tokens ?? usage.output_tokens),
    cachedInputTokens: count(usage.prompt_tokens_details?.cached_tokens ?? usage.input_tokens_details?.cached_tokens),
    reasoningTokens: count(usage.completion_tokens_details?.reasoning_tokens ?? usage.output_tokens_details?.reasoning_tokens),
  };
}

function isCount(value: unknown): value is number {
  return typeof value === "number" && Number.isFinite(value);
}

function count(value: unknown): number {
  return isCount(value) ? value : 0;
}
