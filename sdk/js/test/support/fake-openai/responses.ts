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
      input_tokens: tokens.input,
      input_tokens_details: { cached_tokens: tokens.cached },
      output_tokens: tokens.output,
      output_tokens_details: { reasoning_tokens: tokens.reasoning },
      total_tokens: tokens.input + tokens.output,
    },
  };
}

function responseBody(request: Record<string, unknown>, reply: GeneratedReply, id: string, messageId: string, status: "in_progress" | "completed") {
  const completed = status === "completed";
  return {
    id,
    object: "response",
    created_at: Math.floor(Date.now() / 1000),
    status,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: reply.model,
    output: completed
      ? [
          {
            id: messageId,
            type: "message",
            status: "completed",
            role: "assistant",
            content: [{ type: "output_text", text: reply.text, annotations: [] }],
          },
        ]
      : [],
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: true,
    temperature: request.temperature ?? 1,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: 1,
    truncation: "disabled",
    usage: completed ? reply.usage : null,
    user: null,
    metadata: {},
  };
}

/** A `response` object as `POST /v1/responses` returns it. */
export function responseObject(request: Record<string, unknown>, content: string, directives: FakeDirectives) {
  const reply = generate(request, content, directives);
  return { reply, body: responseBody(request, reply, randomId("resp_"), randomId("msg_"), "completed") };
}

/** The semantic event sequence of a streamed response, ending in `response.completed`. */
export function responseEvents(request: Record<string, unknown>, content: string, directives: FakeDirectives) {
  const reply = generate(request, content, directives);
  const id = randomId("resp_");
  const messageId = randomId("msg_");
  let sequence = 0;
  const event = (type: string, fields: Record<string, unknown>) => ({ type, sequence_number: sequence++, ...fields });
  const events: Record<string, unknown>[] = [
    event("response.created", { response: responseBody(request, reply, id, messageId, "in_progress") }),
    event("response.in_progress", { response: responseBody(request, reply, id, messageId, "in_progress") }),
    event("response.output_item.added", { output_index: 0, item: { id: messageId, type: "message", status: "in_progress", role: "assistant", content: [] } }),
    event("response.content_part.added", { item_id: messageId, output_index: 0, content_index: 0, part: { type: "output_text", text: "", annotations: [] } }),
  ];
  reply.text.split(" ").forEach((word, i) => {
    events.push(event("response.output_text.delta", { item_id: messageId, output_index: 0, content_index: 0, delta: i === 0 ? word : ` ${word}` }));
  });
  events.push(
    event("response.output_text.done", { item_id: messageId, output_index: 0, content_index: 0, text: reply.text }),
    event("response.content_part.done", { item_id: messageId, output_index: 0, content_index: 0, part: { type: "output_text", text: reply.text, annotations: [] } }),
    event("response.output_item.done", { output_index: 0, item: responseBody(request, reply, id, messageId, "completed").output[0] }),
    event("response.completed", { response: responseBody(request, reply, id, messageId, "completed") }),
  );
  return { reply, events };
}
