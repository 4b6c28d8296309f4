import { createHash } from "node:crypto";
import { countTokens } from "./replies.js";
import { textOf } from "./directives.js";
/**
 * A `list` of embeddings. The OpenAI client asks for base64 unless told otherwise, so both
 * encodings are served: base64 is the raw little-endian float32 bytes, as the API sends them.
 */
export function embeddingResponse(request) {
    const inputs = Array.isArray(request.input) ? request.input : [request.input];
    const dimensions = typeof request.dimensions === "number" ? request.dimensions : 8;
    const base64 = request.encoding_format === "base64";
    const data = inputs.map((input, index) => {
        const vector = vectorFor(textOf(input), dimensions);
        return {
            object: "embedding",
            index,
            embedding: base64 ? Buffer.from(vector.buffer).toString("base64") : Array.from(vector),
        };
    });
    const promptTokens = inputs.reduce((sum, input) => sum + countTokens(textOf(input)), 0);
    return {
        object: "list",
        data,
        model: typeof request.model === "string" ? request.model : "text-embedding-3-small",
        usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    };
}
function vectorFor(text, dimensions) {
    const digest = createHash("sha256").update(text).digest();
    const vector = new Float32Array(dimensions);
    for (let i = 0; i < dimensions; i++)
        vector[i] = (digest[i % digest.length] - 128) / 128;
    return vector;
}
