// A local OpenAI-compatible server for the OTel client tests: POST /v1/chat/completions answers "Echo: <last user text>"
// with deterministic usage (cached and reasoning parts included), streaming or not. Same token rules as
// sdk/js/test/support/fake-openai/usage.ts, so the figures can be recomputed by hand. POST /v1/messages answers the same
// in Anthropic's format (not streamed), input_tokens net of the prompt cache's reads and writes (anthropicCacheFor).
const http = require("node:http");

const countTokens = (text) => Math.max(1, Math.floor((text.length + 3) / 4));

function usageFor(prompt, reply) {
  const promptTokens = 7 + countTokens(prompt) * 3;
  const completionTokens = countTokens(reply) + 2;
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: Math.floor(promptTokens / 3), audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: Math.floor(completionTokens / 2), audio_tokens: 0 } };
}

/** The prompt cache's reads and writes the fake reports for a call whose whole input is usage.prompt_tokens. */
function anthropicCacheFor(usage) {
  const read = usage.prompt_tokens_details.cached_tokens;
  return { read, written: Math.floor((usage.prompt_tokens - read) / 2) };
}

function anthropicMessage(request, id) {
  const prompt = request.messages.map((m) => text(m.content)).join("\n");
  const lastUser = [...request.messages].reverse().find((m) => m.role === "user");
  const reply = "Echo: " + text(lastUser?.content);
  const usage = usageFor(prompt, reply);
  const { read, written } = anthropicCacheFor(usage);
  return { id: `msg_fake${id}`, type: "message", role: "assistant", model: request.model, content: [{ type: "text", text: reply }],
    stop_reason: "end_turn", stop_sequence: null,
    usage: { input_tokens: usage.prompt_tokens - read - written, cache_creation_input_tokens: written, cache_read_input_tokens: read,
      cache_creation: { ephemeral_5m_input_tokens: written, ephemeral_1h_input_tokens: 0 }, output_tokens: usage.completion_tokens,
      service_tier: "standard" } };
}

const text = (content) => typeof content === "string" ? content : (content ?? []).map((p) => p.text ?? "").join("");

async function startFakeOpenAI() {
  let counter = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      if (req.method === "POST" && req.url.endsWith("/v1/messages")) {
        res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(anthropicMessage(JSON.parse(body), ++counter)));
        return;
      }
      if (req.method !== "POST" || !req.url.endsWith("/chat/completions")) {
        res.writeHead(404, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "not found" } }));
        return;
      }
      const request = JSON.parse(body);
      const prompt = request.messages.map((m) => text(m.content)).join("\n");
      const lastUser = [...request.messages].reverse().find((m) => m.role === "user");
      const reply = "Echo: " + text(lastUser?.content);
      const model = request.model === "gpt-4o-mini" ? "gpt-4o-mini-2024-07-18" : request.model;
      const id = `chatcmpl-fake${++counter}`;
      const usage = usageFor(prompt, reply);
      if (!request.stream) {
        res.writeHead(200, { "content-type": "application/json" });
        res.end(JSON.stringify({ id, object: "chat.completion", created: Math.floor(Date.now() / 1000), model,
          choices: [{ index: 0, message: { role: "assistant", content: reply, refusal: null }, logprobs: null, finish_reason: "stop" }], usage }));
        return;
      }
      res.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = (delta, finish, extra = {}) => `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 0, model,
        choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], ...extra })}\n\n`;
      res.write(chunk({ role: "assistant", content: "" }, null));
      res.write(chunk({ content: reply }, null));
      res.write(chunk({}, "stop"));
      if (request.stream_options?.include_usage)
        res.write(`data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 0, model, choices: [], usage })}\n\n`);
      res.end("data: [DONE]\n\n");
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { baseURL: `${origin}/v1`, anthropicBaseURL: origin, close: () => new Promise((r) => server.close(r)) };
}

module.exports = { startFakeOpenAI, usageFor, anthropicCacheFor };
