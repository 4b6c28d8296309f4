import { countTokens } from "./replies.js";
/** Token counts derived from the prompt and reply, with cached/reasoning parts from directives. */
export function tokenCounts(prompt, reply, directives) {
    const reasoning = directives.reasoning ?? 0;
    const input = countTokens(prompt) + 7;
    const cached = Math.min(directives.cached ?? 0, input);
    const output = countTokens(reply) + reasoning;
    return { input, cached, output, reasoning };
}
