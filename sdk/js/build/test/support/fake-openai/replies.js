import { createHash } from "node:crypto";
/** What the real API reports as the model for an alias, so tests exercise dated-snapshot pricing. */
const SNAPSHOTS = {
    "gpt-4o": "gpt-4o-2024-08-06",
    "gpt-4o-mini": "gpt-4o-mini-2024-07-18",
};
export function servedModel(requested) {
    const model = typeof requested === "string" && requested !== "" ? requested : "gpt-4o";
    return SNAPSHOTS[model] ?? model;
}
const VOCABULARY = ["the", "answer", "depends", "on", "context", "but", "here", "is", "a", "short", "reply", "about", "your", "question"];
/** A deterministic reply: the same prompt always gets the same words. */
export function replyWords(prompt, count) {
    const digest = createHash("sha256").update(prompt).digest();
    const words = [];
    for (let i = 0; i < count; i++)
        words.push(VOCABULARY[digest[i % digest.length] % VOCABULARY.length]);
    return words;
}
/** A stand-in tokenizer: one token per word, at least one. */
export function countTokens(text) {
    return Math.max(1, text.split(/\s+/).filter(Boolean).length);
}
export function randomId(prefix) {
    return `${prefix}${createHash("sha1").update(String(Math.random())).digest("hex").slice(0, 24)}`;
}
