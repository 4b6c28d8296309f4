import { createHash } from "node:crypto";

/** What the real API reports as the model for an alias, so tests exercise dated-snapshot pricing. */
const SNAPSHOTS: Record<string, string> = {
  "gpt-4o": "gpt-4o-2024-08-06",
  "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
};

export function servedModel(requested: unknown): string {
  const model = typeof requested === "string" && requested !== "" ? requested : "gpt-4o";
  return SNAPSHOTS[model] ?? model;
}

const VOCABULARY = ["the", "answer", "depends", "on", "context", "but", "here", "is", "a", "short", "reply", "about", "your", "question"];

/** A deterministic reply: the same prompt always gets the same words. */
export function replyWords(prompt: string, count: number): string[] {
  const digest = createHash("sha256").update(prompt).digest();
  const words: string[] = [];
  for (let i = 0; i < count; i++) words.push(VOCABULARY[digest[i % digest.length]! % VOCABULARY.length]!);
  return words;
}

/** A stand-in tokenizer: one token per word, at least one. */
export function countTokens(text: string): number {
  return Math.max(1, text.split(/\s+/).filter(Boolean).length);
}

export function randomId(prefix: string): string {
  return `${prefix}${createHash("sha1").update(String(Math.random())).digest("hex").slice(0, 24)}`;
}

/**
 * The reply text: the words, or with structured outputs (`response_format` / `text.format` of type
 * `json_schema` or `json_object`) a JSON object `{"answer": "<words>"}`, which `parse()` helpers accept.
 */
export function replyText(request: Record<string, unknown>, words: string[]): string {
  const format =
    (request.response_format as { type?: string } | undefined)?.type ?? (request.text as { format?: { type?: string } } | undefined)?.format?.type;
  const text = words.join(" ");
  return format === "json_schema" || format === "json_object" ? JSON.stringify({ answer: text }) : text;
}
