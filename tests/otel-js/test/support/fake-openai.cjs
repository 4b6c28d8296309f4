// A local OpenAI-compatible server for the OTel client tests: POST /v1/chat/completions answers "Echo: <last user text>"
// with deterministic usage (cached and reasoning parts included), streaming or not. Same token rules as
// sdk/js/test/support/fake-openai/usage.ts, so the figures can be recomputed by hand.
const http = require("node:http");

const countTokens = (text) => Math.max(1, Math.floor((text.length + 3) / 4));

function usageFor(prompt, reply) {
  const promptTokens = 7 + countTokens(prompt) * 3;
  const completionTokens = countTokens(reply) + 2;
  return { prompt_tokens: promptTokens, completion_tokens: completionTokens, total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: Math.floor(promptTokens / 3), audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: Math.floor(completionTokens / 2), audio_tokens: 0 } };
}

const text = (content) => typeof content === "string" ? content : (content ?? []).map((p) => p.text ?? "").join("");

async function startFakeOpenAI() {
  let counter = 0;
  const server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
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
  return { baseURL: `http://127.0.0.1:${server.address().port}/v1`, close: () => new Promise((r) => server.close(r)) };
}

module.exports = { startFakeOpenAI, usageFor };
