import { randomUUID } from "node:crypto";
/** A word no other test uses, to find the span a test produced among all stored spans. */
export function uniqueMarker(label) {
    return `${label}-${randomUUID().slice(0, 8)}`;
}
/** Waits for exactly one stored span whose input or output mentions `marker`, and returns it. */
export async function spanMentioning(ingest, marker, timeoutMs = 5000) {
    const matching = (spans) => spans.filter((span) => JSON.stringify([span.input, span.name, span.metadata]).includes(marker));
    await ingest.waitForStored((spans) => matching(spans).length > 0, timeoutMs);
    // Give a duplicate, if the SDK wrongly sent one, a moment to show up.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const found = matching(ingest.stored);
    if (found.length !== 1)
        throw new Error(`expected one span mentioning ${marker}, found ${found.length}`);
    return found[0];
}
export function durationMs(span) {
    return Date.parse(span.endTime) - Date.parse(span.startTime);
}
export const TEST_API_KEY = "zsp_sdk_js_tests_0123456789abcdef";
