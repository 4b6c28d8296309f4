// The two servers every benchmark run talks to, in their own process so their CPU time is
// never counted as the client's:
//  - a fake OpenAI server with one fixed chat completion (JSON, and SSE with include_usage);
//  - a dummy trace endpoint that accepts anything (Zespan's /api/v1/ingest and Langfuse's
//    /api/public/ingestion) and counts what it received, so a run can prove it exported.
// Prints {"openai": url, "ingest": url} on its first stdout line.
import { createServer } from "node:http";

const WORDS = "the answer depends on the context but here is a short reply about your question as asked".split(" ");
const usage = {
  prompt_tokens: 42,
  completion_tokens: WORDS.length,
  total_tokens: 42 + WORDS.length,
  prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
};
const base = { id: "chatcmpl-bench", created: 1764000000, model: "gpt-4o-2024-08-06", system_fingerprint: "fp_bench" };
const completion = JSON.stringify({
  ...base,
  object: "chat.completion",
  choices: [{ index: 0, message: { role: "assistant", content: WORDS.join(" "), refusal: null, annotations: [] }, logprobs: null, finish_reason: "stop" }],
  usage,
});
const chunk = (choices, extra = {}) => `data: ${JSON.stringify({ ...base, object: "chat.completion.chunk", choices, usage: null, ...extra })}\n\n`;
const stream =
  chunk([{ index: 0, delta: { role: "assistant", content: "", refusal: null }, logprobs: null, finish_reason: null }]) +
  WORDS.map((word, i) => chunk([{ index: 0, delta: { content: i ? ` ${word}` : word }, logprobs: null, finish_reason: null }])).join("") +
  chunk([{ index: 0, delta: {}, logprobs: null, finish_reason: "stop" }]) +
  chunk([], { usage }) +
  "data: [DONE]\n\n";

const openai = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    if (JSON.parse(body).stream) {
      res.writeHead(200, { "content-type": "text/event-stream" });
      res.end(stream);
    } else {
      res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(completion) });
      res.end(completion);
    }
  });
});

const received = { requests: 0, items: 0 };
const ingest = createServer((req, res) => {
  let body = "";
  req.on("data", (c) => (body += c));
  req.on("end", () => {
    if (req.method === "GET" && req.url === "/stats") {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify(received));
      return;
    }
    received.requests++;
    try {
      received.items += JSON.parse(body).batch?.length ?? 0;
    } catch {
      // counted as a request only
    }
    res.writeHead(200, { "content-type": "application/json" }).end('{"accepted":0,"errors":[],"successes":[]}');
  });
});

const listen = (server) => new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve(`http://127.0.0.1:${server.address().port}`)));
const [openaiUrl, ingestUrl] = await Promise.all([listen(openai), listen(ingest)]);
console.log(JSON.stringify({ openai: `${openaiUrl}/v1`, ingest: ingestUrl }));
