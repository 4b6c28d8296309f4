import type { Logger } from "../logger.js";
import type { Tracer } from "../spans/tracer.js";
import type { OpenAICallAdapter } from "./call-adapter.js";
import { chatCompletionsAdapter } from "./chat-completions.js";
import { embeddingsAdapter } from "./embeddings.js";
import { instrumentCall } from "./instrument-call.js";
import { responsesAdapter } from "./responses.js";

const IS_WRAPPED = Symbol.for("zespan.sdk.wrapped-openai");

/** Resource paths whose `create` is recorded. */
const ADAPTERS: Record<string, OpenAICallAdapter> = {
  "chat.completions": chatCompletionsAdapter,
  responses: responsesAdapter,
  embeddings: embeddingsAdapter,
};

/** Every object on the way to a recorded `create` is proxied; nothing else is touched. */
const PROXIED_PATHS = new Set(["chat", "chat.completions", "responses", "embeddings"]);

type AnyFunction = (...args: unknown[]) => unknown;

/**
 * Returns a view of `client` whose `chat.completions.create`, `responses.create` and
 * `embeddings.create` are recorded. The client itself is not modified, every other property
 * is the client's own, and the type is unchanged. Helpers of the client that call `create`
 * internally (`chat.completions.parse`, `.stream()`, `responses.stream()`) are recorded too,
 * because resources reached through the view see the view as their `_client`.
 */
export function wrapOpenAI<T>(client: T, currentTracer: () => Tracer | undefined, logger: Logger): T {
  if (client === null || typeof client !== "object") return client;
  if ((client as Record<symbol, unknown>)[IS_WRAPPED] === true) return client;

  const boundMethods = new WeakMap<AnyFunction, AnyFunction>();
  let clientView: T;

  const resourceView = (resource: object, path: string): object => {
    const adapter = ADAPTERS[path];
    const children = new Map<string, { source: object; view: object }>();
    let wrappedCreate: { source: AnyFunction; view: AnyFunction } | undefined;

    return new Proxy(resource, {
      get(target, property, receiver) {
        if (property === IS_WRAPPED) return true;
        if (property === "_client") return clientView;
        const value: unknown = Reflect.get(target, property, receiver);
        if (adapter && property === "create" && typeof value === "function") {
          if (wrappedCreate?.source !== value) {
            wrappedCreate = { source: value as AnyFunction, view: recordedMethod(value as AnyFunction, target, adapter) };
          }
          return wrappedCreate.view;
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

  const recordedMethod = (original: AnyFunction, resource: object, adapter: OpenAICallAdapter): AnyFunction =>
    function recordedCreate(...args: unknown[]): unknown {
      const tracer = currentTracer();
      if (!tracer) return original.apply(resource, args);
      return instrumentCall(original, resource, args, adapter, tracer, logger);
    };

  const rootChildren = new Map<string, { source: object; view: object }>();
  clientView = new Proxy(client as unknown as object, {
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
  return clientView;
}
