import type { Logger } from "../logger.js";
import type { RecordingSpan } from "../spans/recording-span.js";
import type { Tracer } from "../spans/tracer.js";
import type { OpenAICallAdapter } from "./call-adapter.js";
import { chatCompletionsAdapter } from "./chat-completions.js";
import { embeddingsAdapter } from "./embeddings.js";
import { endWithError } from "./instrument-call.js";
import { observedEventStream } from "./observed-event-stream.js";
import { responsesAdapter } from "./responses.js";

/** The `fetch` signature the OpenAI client's `fetch` option takes. */
export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** OpenAI API endpoints recorded, matched on the end of the URL path (any base URL, proxy or gateway). */
const ENDPOINTS: [RegExp, OpenAICallAdapter][] = [
  [/\/chat\/completions\/?$/, chatCompletionsAdapter],
  [/\/responses\/?$/, responsesAdapter],
  [/\/embeddings\/?$/, embeddingsAdapter],
];

/**
 * A `fetch` that records the OpenAI API calls going through it, for libraries that build their own OpenAI
 * client and accept its options (LangChain's `configuration`, `new OpenAI({ fetch })`). It works at the
 * level of the HTTP API, the most stable contract there is: the request body is the call's input, the
 * response (JSON read from a clone, or server-sent events recorded as the caller reads them) its output. The caller
 * gets the very same `Response`, or for an event stream one with the same status, headers, URL and bytes. Each HTTP
 * attempt is one span, so a call the client retried shows each attempt.
 */
export function wrapFetch(baseFetch: FetchFunction | undefined, currentTracer: () => Tracer | undefined, logger: Logger): FetchFunction {
  return async function zespanFetch(input: string | URL | Request, init?: RequestInit): Promise<Response> {
    const send = baseFetch ?? globalThis.fetch;
    let span: RecordingSpan | undefined;
    let adapter: OpenAICallAdapter | undefined;
    try {
      const tracer = currentTracer();
      adapter = tracer ? endpointOf(input, init) : undefined;
      const params = adapter ? requestParams(init?.body) : undefined;
      if (tracer && adapter && params) {
        const request = adapter.describeRequest(params);
        span = tracer.startSpan({ name: adapter.name, kind: "llm", provider: "openai", model: request.model, input: request.input, metadata: request.metadata }).span;
      }
    } catch (failure) {
      logger.debug("could not start span for a fetch", failure);
    }
    if (!span || !adapter) return send(input, init);

    let response: Response;
    try {
      response = await send(input, init);
    } catch (error) {
      endWithError(span, error);
      throw error;
    }
    try {
      if (response.ok && response.body && (response.headers.get("content-type") ?? "").includes("text/event-stream")) {
        return observedEventStream(response, span, adapter, logger);
      }
      void recordResponse(response.clone(), span, adapter, logger);
    } catch (failure) {
      logger.debug(`could not observe ${adapter.name}`, failure);
    }
    return response;
  };
}

function endpointOf(input: string | URL | Request, init: RequestInit | undefined): OpenAICallAdapter | undefined {
  const method = (init?.method ?? (input instanceof Request ? input.method : "GET")).toUpperCase();
  if (method !== "POST") return undefined;
  const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  const path = new URL(url, "http://localhost").pathname;
  return ENDPOINTS.find(([pattern]) => pattern.test(path))?.[1];
}

/** The JSON body the OpenAI client sends as a string; anything else (uploads) is not a recorded call. */
function requestParams(body: unknown): Record<string, unknown> | undefined {
  if (typeof body !== "string") return undefined;
  try {
    const parsed: unknown = JSON.parse(body);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

async function recordResponse(response: Response, span: RecordingSpan, adapter: OpenAICallAdapter, logger: Logger): Promise<void> {
  try {
    if (!response.ok) {
      endWithError(span, await apiError(response));
    } else {
      const described = adapter.describeResponse(await response.json());
      span.end({ ...described, status: described.error === undefined ? "ok" : "error", error: described.error });
    }
  } catch (error) {
    endWithError(span, error);
  }
}

/** The error the OpenAI client itself would throw: "<status> <error.message>", with its code and type. */
async function apiError(response: Response): Promise<{ message: string; status: number; code?: unknown; type?: unknown }> {
  const text = await response.text().catch(() => "");
  let body: { error?: { message?: unknown; code?: unknown; type?: unknown } } | undefined;
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    body = undefined;
  }
  const message = typeof body?.error?.message === "string" ? body.error.message : text.trim() || response.statusText || "status code (no body)";
  return { message: `${response.status} ${message}`, status: response.status, code: body?.error?.code ?? undefined, type: body?.error?.type ?? undefined };
}
