import type { FakeDirectives } from "./directives.js";
import { randomId, replyText, replyWords, servedModel } from "./replies.js";
import type { GeneratedReply } from "./server.js";
import { tokenCounts } from "./usage.js";

function generate(request: Record<string, unknown>, content: string, directives: FakeDirectives): GeneratedReply {
  const text = replyText(request, replyWords(content, directives.words ?? 8));
  const tokens = tokenCounts(content, text, directives);
  return {
    model: servedModel(request.model),
    text,
    usage: {
      prompt_tokens: tokens.input,
      completion_tokens: tokens.output,
      total_tokens: tokens.input + tokens.output,
      prompt_tokens_details: { cached_tokens: tokens.cached, audio_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: tokens.reasoning, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
    },
  };
}

/** A `chat.completion` object as the API returns it. */
export function chatCompletion(request: Record<string, unknown>, content: string, directives: FakeDirectives) {
  const reply = generate(request, content, directives);
  const body = {
    id: randomId("chatcmpl-"),
    object: "chat.completion",
    created: Math.floor(Date.now() / 1000),
    model: reply.model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: reply.text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: "stop",
      },
    ],
    usage: reply.usage,
    service_tier: "default",
    system_fingerprint: "fp_fake",
  };
  return { reply, body };
}

/**
 * `chat.completion.chunk` objects: a role chunk, one chunk per word, a finish chunk, and with
 * `include_usage` every chunk carries `usage: null` and a final chunk with empty `choices`
 * carries the usage, exactly like the API.
 */
export function chatCompletionChunks(request: Record<string, unknown>, content: string, directives: FakeDirectives, includeUsage: boolean) {
  const reply = generate(request, content, directives);
  const id = randomId("chatcmpl-");
  const created = Math.floor(Date.now() / 1000);
  const base = { id, object: "chat.completion.chunk", created, model: reply.model, service_tier: "default", system_fingerprint: "fp_fake" };
  const withUsage = (chunk: Record<string, unknown>) => (includeUsage ? { ...chunk, usage: null } : chunk);
  const chunks: Record<string, unknown>[] = [
    withUsage({ ...base, choices: [{ index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null }] }),
  ];
  reply.text.split(" ").forEach((word, i) => {
    chunks.push(withUsage({ ...base, choices: [{ index: 0, delta: { content: i === 0 ? word : ` ${word}` }, logprobs: null, finish_reason: null }] }));
  });
  chunks.push(withUsage({ ...base, choices: [{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }] }));
  if (includeUsage) chunks.push({ ...base, choices: [], usage: reply.usage });
  return { reply, chunks };
}
