import type { Logger } from "../logger.js";
import { describeError } from "../spans/describe-error.js";
import type { RecordingSpan } from "../spans/recording-span.js";
import type { Tracer } from "../spans/tracer.js";
import type { OpenAICallAdapter } from "./call-adapter.js";
import { instrumentHelperStream, isHelperStream } from "./instrument-helper-stream.js";
import { instrumentStream, isAsyncIterable } from "./instrument-stream.js";

/**
 * How a recorded method hands back its result, per the client's documented API:
 * - `promise`: `create`/`parse` return an `APIPromise` — a promise with `withResponse()` and `asResponse()`;
 *   with `stream: true` it resolves to an async-iterable `Stream`;
 * - `helper-stream`: `chat.completions.stream()`/`responses.stream()` return an event stream with
 *   `on(event)`, `done()` and `aborted`.
 */
export type ResultShape = "promise" | "helper-stream";

/**
 * Calls `original` and records it as an `llm` span. Everything is observed through the client's public
 * contract only (`then`, `withResponse()`, `asResponse()`, async iteration, stream events), never through
 * its internals (`parseResponse`, `_thenUnwrap`), which change between minor versions: openai 7.5 gave
 * each helper promise its own `_thenUnwrap` and silently stopped the old hook. Every failure of the
 * recording itself is swallowed.
 */
export function instrumentCall(
  original: (...args: unknown[]) => unknown,
  thisArg: unknown,
  args: unknown[],
  adapter: OpenAICallAdapter,
  shape: ResultShape,
  tracer: Tracer,
  logger: Logger,
): unknown {
  let span: RecordingSpan | undefined;
  let params: Record<string, unknown> = {};
  try {
    params = args[0] && typeof args[0] === "object" ? (args[0] as Record<string, unknown>) : {};
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
    if (shape === "helper-stream" && isHelperStream(result)) {
      instrumentHelperStream(result, span, adapter.startStream(), logger);
      return result;
    }
    if (isThenable(result)) return observedPromise(result, span, adapter, params.stream === true, logger);
    recordValue(result, span, adapter, params.stream === true, logger);
  } catch (failure) {
    logger.debug(`could not observe ${adapter.name}`, failure);
  }
  return result;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") && typeof (value as PromiseLike<unknown>).then === "function";
}

function recordValue(value: unknown, span: RecordingSpan, adapter: OpenAICallAdapter, streamRequested: boolean, logger: Logger): void {
  try {
    if (streamRequested && isAsyncIterable(value)) {
      instrumentStream(value, span, () => adapter.startStream(), logger);
    } else {
      const described = adapter.describeResponse(value);
      span.end({ ...described, status: described.error === undefined ? "ok" : "error", error: described.error });
    }
  } catch (failure) {
    logger.debug(`could not record ${adapter.name}`, failure);
  }
}

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * A view of the returned promise that records the call when its result is read. The client's promise is
 * lazy — its body is parsed only when someone calls `then()`, `withResponse()` or the like — so the view
 * reads it only on the caller's behalf: `asResponse()` alone leaves the body unread for the caller and
 * records the HTTP status. Everything else (`instanceof`, `_request_id` on the value, other helpers) is the
 * client's own.
 */
function observedPromise<P extends PromiseLike<unknown>>(
  promise: P,
  span: RecordingSpan,
  adapter: OpenAICallAdapter,
  streamRequested: boolean,
  logger: Logger,
): P {
  const onValue = (value: unknown): void => recordValue(value, span, adapter, streamRequested, logger);
  const onError = (error: unknown): void => endWithError(span, error);
  let parsed: Promise<unknown> | undefined;
  // One read of the result for every way of awaiting it; recording runs before the caller's continuation.
  const parsedResult = (): Promise<unknown> =>
    (parsed ??= Promise.resolve(promise.then()).then(
      (value) => {
        onValue(value);
        return value;
      },
      (error: unknown) => {
        onError(error);
        throw error;
      },
    ));

  const overrides: Record<string | symbol, AnyFunction> = {
    then: (onFulfilled?: unknown, onRejected?: unknown) =>
      parsedResult().then(onFulfilled as (v: unknown) => unknown, onRejected as (e: unknown) => unknown),
    catch: (onRejected?: unknown) => parsedResult().catch(onRejected as (e: unknown) => unknown),
    finally: (onFinally?: unknown) => parsedResult().finally(onFinally as () => void),
  };
  const target = promise as unknown as Record<string, unknown>;
  if (typeof target.withResponse === "function") {
    const withResponse = target.withResponse as () => Promise<{ data: unknown }>;
    overrides.withResponse = () =>
      withResponse.call(promise).then(
        (result) => {
          onValue(result?.data);
          return result;
        },
        (error: unknown) => {
          onError(error);
          throw error;
        },
      );
  }
  if (typeof target.asResponse === "function") {
    const asResponse = target.asResponse as () => Promise<{ ok?: boolean; status?: number }>;
    overrides.asResponse = () =>
      asResponse.call(promise).then(
        (response) => {
          // The caller reads the body; a parse of the same response (started by the caller too) wins.
          setImmediate(() => {
            if (parsed || span.isEnded) return;
            const ok = response?.ok !== false;
            span.end({ status: ok ? "ok" : "error", error: ok ? undefined : `HTTP ${response?.status}`, metadata: { bodyReadByCaller: true } });
          });
          return response;
        },
        (error: unknown) => {
          onError(error);
          throw error;
        },
      );
  }

  const bound = new WeakMap<AnyFunction, AnyFunction>();
  return new Proxy(promise, {
    get(promiseTarget, property) {
      const override = overrides[property];
      if (override) return override;
      // Promise methods need the real promise as `this` (its internal slots), never the proxy.
      const value: unknown = Reflect.get(promiseTarget, property, promiseTarget);
      if (typeof value !== "function") return value;
      let method = bound.get(value as AnyFunction);
      if (!method) bound.set(value as AnyFunction, (method = (value as AnyFunction).bind(promiseTarget)));
      return method;
    },
  });
}

export function endWithError(span: RecordingSpan, error: unknown): void {
  const described = describeError(error);
  span.end({ status: "error", error: described.message, metadata: described.metadata });
}
