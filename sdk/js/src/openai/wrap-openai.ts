import type { Logger } from "../logger.js";
import type { Tracer } from "../spans/tracer.js";
import type { OpenAICallAdapter } from "./call-adapter.js";
import { chatCompletionsAdapter } from "./chat-completions.js";
import { embeddingsAdapter } from "./embeddings.js";
import { instrumentCall, type ResultShape } from "./instrument-call.js";
import { responsesAdapter } from "./responses.js";

const IS_WRAPPED = Symbol.for("zespan.sdk.wrapped-openai");

/**
 * The public methods recorded, by resource path. Each is called on the real resource, so the helpers
 * (`parse`, `stream`) reach the client's own `create` and every call is recorded exactly once, by the
 * method the application called. `beta.chat.completions` is where openai 4.x kept `parse`/`stream`.
 */
const RECORDED_METHODS: Record<string, Record<string, { adapter: OpenAICallAdapter; shape: ResultShape }>> = {
  "chat.completions": {
    create: { adapter: chatCompletionsAdapter, shape: "promise" },
    parse: { adapter: chatCompletionsAdapter, shape: "promise" },
    stream: { adapter: chatCompletionsAdapter, shape: "helper-stream" },
  },
  "beta.chat.completions": {
    parse: { adapter: chatCompletionsAdapter, shape: "promise" },
    stream: { adapter: chatCompletionsAdapter, shape: "helper-stream" },
  },
  responses: {
    create: { adapter: responsesAdapter, shape: "promise" },
    parse: { adapter: responsesAdapter, shape: "promise" },
    stream: { adapter: responsesAdapter, shape: "helper-stream" },
  },
  embeddings: {
    create: { adapter: embeddingsAdapter, shape: "promise" },
  },
};

/** Every object on the way to a recorded method is proxied; nothing else is touched. */
const PROXIED_PATHS = new Set(["chat", "chat.completions", "beta", "beta.chat", "beta.chat.completions", "responses", "embeddings"]);

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * Returns a view of `client` whose `create`, `parse` and `stream` methods of Chat Completions and
 * Responses, and `embeddings.create`, are recorded. The client itself is not modified, every other
 * property is the client's own, and the type is unchanged.
 */
export function wrapOpenAI<T>(client: T, currentTracer: () => Tracer | undefined, logger: Logger): T {
  if (client === null || typeof client !== "object") return client;
  if ((client as Record<symbol, unknown>)[IS_WRAPPED] === true) return client;

  const boundMethods = new WeakMap<AnyFunction, AnyFunction>();

  const resourceView = (resource: object, path: string): object => {
    const methods = RECORDED_METHODS[path];
    const children = new Map<string, { source: object; view: object }>();
    const wrapped = new Map<string, { source: AnyFunction; view: AnyFunction }>();

    return new Proxy(resource, {
      get(target, property, receiver) {
        if (property === IS_WRAPPED) return true;
        const value: unknown = Reflect.get(target, property, receiver);
        const recorded = methods && typeof property === "string" ? methods[property] : undefined;
        if (recorded && typeof value === "function") {
          let entry = wrapped.get(property as string);
          if (entry?.source !== value) {
            entry = { source: value as AnyFunction, view: recordedMethod(value as AnyFunction, target, recorded.adapter, recorded.shape) };
            wrapped.set(property as string, entry);
          }
          return entry.view;
        }
        if (typeof property === "string" && value !== null && typeof value === "object" && PROXIED_PATHS.has(`${path}.${property}`)) {
          return childView(children, property, value, `${path}.${property}`);
        }
        return value;
      },
    });
  };

  const childView = (cache: Map<string, { source: object; view: object }>, property: string, value: object, path: string): object => {
    let entry = cache.get(property);
    if (entry?.source !== value) {
      entry = { source: value, view: resourceView(value, path) };
      cache.set(property, entry);
    }
    return entry.view;
  };

  const recordedMethod = (original: AnyFunction, resource: object, adapter: OpenAICallAdapter, shape: ResultShape): AnyFunction =>
    function recordedCall(...args: unknown[]): unknown {
      const tracer = currentTracer();
      if (!tracer) return original.apply(resource, args);
      return instrumentCall(original, resource, args, adapter, shape, tracer, logger);
    };

  const rootChildren = new Map<string, { source: object; view: object }>();
  return new Proxy(client as unknown as object, {
    get(target, property) {
      if (property === IS_WRAPPED) return true;
      // The client keeps state in private fields, so its getters and methods must run with
      // the real client as `this`, never the proxy.
      const value: unknown = Reflect.get(target, property, target);
      if (typeof property === "string" && value !== null && typeof value === "object" && PROXIED_PATHS.has(property)) {
        return childView(rootChildren, property, value, property);
      }
      if (typeof value === "function" && property !== "constructor") {
        let bound = boundMethods.get(value as AnyFunction);
        if (!bound) {
          bound = (value as AnyFunction).bind(target);
          boundMethods.set(value as AnyFunction, bound);
        }
        return bound;
      }
      return value;
    },
  }) as T;
}
