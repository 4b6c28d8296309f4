import { requestParameters, type LlmResult, type OpenAICallAdapter, type StreamAccumulator } from "./call-adapter.js";
import { mapUsage } from "./usage.js";

const RECORDED_ELSEWHERE = new Set(["input", "instructions", "model"]);

interface ResponseLike {
  model?: string;
  status?: string;
  output?: unknown[];
  usage?: unknown;
  error?: { message?: string; code?: string } | null;
  incomplete_details?: { reason?: string } | null;
}

interface ResponseStreamEvent {
  type?: string;
  delta?: string;
  message?: string;
  code?: string;
  response?: ResponseLike;
}

const CONTENT_DELTA_EVENTS = new Set([
  "response.output_text.delta",
  "response.refusal.delta",
  "response.function_call_arguments.delta",
]);

/** `responses.create`: input is the request input (with instructions), output the output items. */
export const responsesAdapter: OpenAICallAdapter = {
  name: "responses.create",

  describeRequest(params) {
    // Instructions are the system prompt of the Responses API; keep them next to the input.
    const input = params.instructions === undefined || params.instructions === null
      ? params.input
      : { instructions: params.instructions, input: params.input };
    return {
      model: typeof params.model === "string" ? params.model : undefined,
      input,
      metadata: requestParameters(params, RECORDED_ELSEWHERE),
    };
  },

  describeResponse(response) {
    return describeFinalResponse((response ?? {}) as ResponseLike);
  },

  startStream() {
    return new ResponsesStreamAccumulator();
  },
};

function describeFinalResponse(response: ResponseLike): LlmResult {
  const metadata: Record<string, unknown> = {};
  if (response.status) metadata.responseStatus = response.status;
  if (response.incomplete_details?.reason) metadata.incompleteReason = response.incomplete_details.reason;
  const result: LlmResult = {
    model: response.model,
    usage: mapUsage(response.usage),
    output: response.output,
    metadata,
  };
  if (response.status === "failed") result.error = response.error?.message ?? "response failed";
  return result;
}

/**
 * The final `response.completed` (or `.incomplete` / `.failed`) event carries the whole
 * response; text deltas are kept only for a stream the caller stopped before that event.
 */
class ResponsesStreamAccumulator implements StreamAccumulator {
  private model: string | undefined;
  private final: ResponseLike | undefined;
  private text = "";
  private error: string | undefined;

  add(chunk: unknown): boolean {
    const event = chunk as ResponseStreamEvent;
    if (!event || typeof event !== "object") return false;
    if (event.response?.model) this.model = event.response.model;
    switch (event.type) {
      case "response.completed":
      case "response.incomplete":
      case "response.failed":
        this.final = event.response;
        return false;
      case "error":
        this.error = event.message ?? event.code ?? "stream error";
        return false;
      case "response.output_text.delta":
        if (typeof event.delta === "string") this.text += event.delta;
        return true;
      default:
        return event.type !== undefined && CONTENT_DELTA_EVENTS.has(event.type);
    }
  }

  finish(): LlmResult {
    const result: LlmResult = this.final
      ? describeFinalResponse(this.final)
      : { model: this.model, usage: null, output: this.text === "" ? undefined : this.text };
    result.model ??= this.model;
    if (this.error !== undefined) result.error = this.error;
    return result;
  }
}
