import { requestParameters, type LlmResult, type OpenAICallAdapter, type StreamAccumulator } from "./call-adapter.js";
import { mapUsage } from "./usage.js";

const RECORDED_ELSEWHERE = new Set(["messages", "model"]);

interface ChatMessage {
  role?: string;
  content?: string | null;
  refusal?: string | null;
  tool_calls?: ToolCall[];
}

interface ToolCall {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

interface ChatChoice {
  index?: number;
  message?: ChatMessage;
  delta?: ChatMessage;
  finish_reason?: string | null;
}

interface ChatCompletionLike {
  model?: string;
  choices?: ChatChoice[];
  usage?: unknown;
  system_fingerprint?: string | null;
}

/** `chat.completions.create`: input is the messages, output the assistant message. */
export const chatCompletionsAdapter: OpenAICallAdapter = {
  name: "chat.completions.create",

  describeRequest(params) {
    return {
      model: typeof params.model === "string" ? params.model : undefined,
      input: params.messages,
      metadata: requestParameters(params, RECORDED_ELSEWHERE),
    };
  },

  describeResponse(response) {
    const completion = (response ?? {}) as ChatCompletionLike;
    const choices = Array.isArray(completion.choices) ? completion.choices : [];
    return {
      model: completion.model,
      usage: mapUsage(completion.usage),
      output: choices.length === 1 ? choices[0]!.message : choices.map((choice) => choice.message),
      metadata: finishReasons(choices.map((choice) => choice.finish_reason)),
    };
  },

  startStream() {
    return new ChatStreamAccumulator();
  },
};

/** Rebuilds the assistant message(s) from deltas, the way the non-streaming response would show them. */
class ChatStreamAccumulator implements StreamAccumulator {
  private model: string | undefined;
  private usage: unknown;
  private readonly choices: { message: ChatMessage; finishReason: string | null }[] = [];

  add(chunk: unknown): boolean {
    const data = chunk as ChatCompletionLike;
    if (!data || typeof data !== "object") return false;
    if (data.model) this.model = data.model;
    if (data.usage) this.usage = data.usage;
    let carriesContent = false;
    if (!Array.isArray(data.choices)) return false;
    for (const choice of data.choices) {
      const index = choice.index ?? 0;
      const slot = (this.choices[index] ??= { message: { role: "assistant", content: null }, finishReason: null });
      const delta = choice.delta;
      if (delta) {
        if (delta.role) slot.message.role = delta.role;
        if (typeof delta.content === "string" && delta.content !== "") {
          slot.message.content = (slot.message.content ?? "") + delta.content;
          carriesContent = true;
        }
        if (typeof delta.refusal === "string" && delta.refusal !== "") {
          slot.message.refusal = (slot.message.refusal ?? "") + delta.refusal;
          carriesContent = true;
        }
        if (Array.isArray(delta.tool_calls)) {
          mergeToolCalls((slot.message.tool_calls ??= []), delta.tool_calls);
          carriesContent = true;
        }
      }
      if (choice.finish_reason) slot.finishReason = choice.finish_reason;
    }
    return carriesContent;
  }

  finish(): LlmResult {
    const choices = this.choices.filter(Boolean);
    return {
      model: this.model,
      usage: mapUsage(this.usage),
      output: choices.length === 1 ? choices[0]!.message : choices.map((choice) => choice.message),
      metadata: finishReasons(choices.map((choice) => choice.finishReason)),
    };
  }
}

function mergeToolCalls(calls: ToolCall[], deltas: ToolCall[]): void {
  for (const delta of deltas) {
    const index = delta.index ?? calls.length;
    const call = (calls[index] ??= { id: delta.id, type: delta.type ?? "function", function: { name: "", arguments: "" } });
    if (delta.id) call.id = delta.id;
    if (delta.function?.name) call.function!.name += delta.function.name;
    if (delta.function?.arguments) call.function!.arguments += delta.function.arguments;
  }
}

function finishReasons(reasons: (string | null | undefined)[]): Record<string, unknown> {
  const known = reasons.filter((reason): reason is string => typeof reason === "string");
  if (known.length === 0) return {};
  return { finishReason: known.length === 1 ? known[0] : known };
}
