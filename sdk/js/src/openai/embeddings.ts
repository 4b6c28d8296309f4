import { requestParameters, type OpenAICallAdapter } from "./call-adapter.js";
import { mapUsage } from "./usage.js";

const RECORDED_ELSEWHERE = new Set(["input", "model"]);

interface EmbeddingResponseLike {
  model?: string;
  data?: { embedding?: ArrayLike<number> | string }[];
  usage?: unknown;
}

/**
 * `embeddings.create`: input is the text; the vectors themselves are not recorded (they are
 * large and unreadable), only how many came back and their size.
 */
export const embeddingsAdapter: OpenAICallAdapter = {
  name: "embeddings.create",

  describeRequest(params) {
    return {
      model: typeof params.model === "string" ? params.model : undefined,
      input: params.input,
      metadata: requestParameters(params, RECORDED_ELSEWHERE),
    };
  },

  describeResponse(response) {
    const body = (response ?? {}) as EmbeddingResponseLike;
    const data = Array.isArray(body.data) ? body.data : [];
    return {
      model: body.model,
      usage: mapUsage(body.usage),
      output: { embeddings: data.length, dimensions: dimensionsOf(data[0]?.embedding) },
    };
  },

  startStream() {
    // Embeddings never stream; a stream-shaped result is recorded by its final state only.
    return { add: () => false, finish: () => ({}) };
  },
};

function dimensionsOf(embedding: ArrayLike<number> | string | undefined): number | null {
  if (embedding === undefined) return null;
  // base64 (encoding_format: "base64") holds float32 values: 4 bytes each.
  if (typeof embedding === "string") return Buffer.byteLength(embedding, "base64") / 4;
  return embedding.length;
}
