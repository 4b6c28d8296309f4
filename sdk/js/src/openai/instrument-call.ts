import type { Logger } from "../logger.js";
import { describeError } from "../spans/describe-error.js";
import type { RecordingSpan } from "../spans/recording-span.js";
import type { Tracer } from "../spans/tracer.js";
import type { OpenAICallAdapter } from "./call-adapter.js";
import { instrumentStream, isOpenAIStream } from "./instrument-stream.js";

/**
 * The parts of the OpenAI client's `APIPromise` we hook into. It is a lazy promise: the body
 * is only parsed when someone calls `.then()`/`.parse()`/`.withResponse()`, and `.asResponse()`
 * hands out the raw body instead. Calling `.then()` on it ourselves would consume the body the
 * caller may want raw, so instead we wrap its `parseResponse` step, which every parsing path
 * (including promises derived with `_thenUnwrap`) goes through.
 */
interface APIPromiseLike {
  parseResponse: (...args: unknown[]) => unknown;
  responsePromise: Promise<unknown>;
  asResponse?: () => Promise<{ ok?: boolean; status?: number }>;
  _thenUnwrap?: (transform: (value: unknown) => unknown) => unknown;
}

function isAPIPromise(value: unknown): value is APIPromiseLike {
  return (
    value !== null &&
    typeof value === "object" &&
    typeof (value as APIPromiseLike).parseResponse === "function" &&
    typeof (value as APIPromiseLike).responsePromise?.then === "function"
  );
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as PromiseLike<unknown>).then === "function";
}

/**
 * Calls `original` and records it as an `llm` span. Returns exactly what `original` returned
 * (the same object, so `.withResponse()` and the other helpers keep working); every failure of
 * the recording itself is swallowed.
 */
export function instrumentCall(
  original: (...args: unknown[]) => unknown,
  thisArg: unknown,
  args: unknown[],
  adapter: OpenAICallAdapter,
  tracer: Tracer,
  logger: Logger,
): unknown {
  let span: RecordingSpan | undefined;
  try {
    const params = args[0] && typeof args[0] === "object" ? (args[0] as Record<string, unknown>) : {};
    const request = adapter.describeRequest(params);
    span = tracer.startSpan({
      name: adapter.name,
      kind: "llm",
      provider: "openai",
      model: request.model,
      input: request.input,
      metadata: request.metadata,
    }).span;
  } catch (failure) {
    logger.debug(`could not start span for ${adapter.name}`, failure);
  }
  if (!span) return original.apply(thisArg, args);

  let result: unknown;
  try {
    result = original.apply(thisArg, args);
  } catch (error) {
    endWithError(span, error);
    throw error;
  }
  try {
    observeResult(result, span, adapter, logger);
  } catch (failure) {
    logger.debug(`could not observe ${adapter.name}`, failure);
  }
  return result;
}

function observeResult(result: unknown, span: RecordingSpan, adapter: OpenAICallAdapter, logger: Logger): void {
  const onValue = (value: unknown): void => {
    try {
      if (isOpenAIStream(value)) {
        instrumentStream(value, span, adapter.startStream(), logger);
      } else {
        const described = adapter.describeResponse(value);
        span.end({ ...described, status: described.error === undefined ? "ok" : "error", error: described.error });
      }
    } catch (failure) {
      logger.debug(`could not record ${adapter.name}`, failure);
    }
  };
  const onError = (error: unknown): void => endWithError(span, error);

  if (isAPIPromise(result)) {
    hookAPIPromise(result, span, onValue, onError);
  } else if (isThenable(result)) {
    result.then(onValue, onError);
  } else {
    onValue(result);
  }
}

function hookAPIPromise(
  apiPromise: APIPromiseLike,
  span: RecordingSpan,
  onValue: (value: unknown) => void,
  onError: (error: unknown) => void,
): void {
  let parseStarted = false;
  const originalParse = apiPromise.parseResponse;
  apiPromise.parseResponse = function (this: unknown, ...args: unknown[]) {
    parseStarted = true;
    return Promise.resolve(originalParse.apply(this, args)).then(
      (value) => {
        onValue(value);
        return value;
      },
      (error: unknown) => {
        onError(error);
        throw error;
      },
    );
  };

  // HTTP errors, network errors and aborts reject the response itself, before any parsing.
  apiPromise.responsePromise.then(undefined, onError);

  // `.asResponse()` returns the raw body unread: record the call from the HTTP status alone,
  // unless a parse of the same response started too (`.withResponse()` does both).
  const originalAsResponse = apiPromise.asResponse;
  if (typeof originalAsResponse === "function") {
    apiPromise.asResponse = function (this: unknown) {
      return originalAsResponse.call(this).then((response) => {
        setImmediate(() => {
          if (parseStarted || span.isEnded) return;
          const ok = response?.ok !== false;
          span.end({
            status: ok ? "ok" : "error",
            error: ok ? undefined : `HTTP ${response?.status}`,
            metadata: { bodyReadByCaller: true },
          });
        });
        return response;
      });
    };
  }
}

function endWithError(span: RecordingSpan, error: unknown): void {
  const described = describeError(error);
  span.end({ status: "error", error: described.message, metadata: described.metadata });
}
