/**
 * The server's built-in prices for the models the tests use ($ per 1M tokens), restated here
 * so the tests recompute cost independently from the server.
 */
const PRICES: Record<string, { input: number; cachedInput: number; output: number }> = {
  "gpt-4o": { input: 2.5, cachedInput: 1.25, output: 10 },
  "gpt-4o-mini": { input: 0.15, cachedInput: 0.075, output: 0.6 },
};

export interface OpenAIChatUsage {
  prompt_tokens: number;
  completion_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number };
}

export function expectedCostUsd(family: keyof typeof PRICES, usage: OpenAIChatUsage): number {
  const price = PRICES[family]!;
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  return ((usage.prompt_tokens - cached) * price.input + cached * price.cachedInput + usage.completion_tokens * price.output) / 1_000_000;
}
