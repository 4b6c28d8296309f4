const DIRECTIVE = /\[fake:([^\]]*)\]/g;
export function parseDirectives(text) {
    const directives = {};
    for (const match of text.matchAll(DIRECTIVE)) {
        for (const pair of match[1].split(",")) {
            const [key, value] = pair.split("=").map((part) => part.trim());
            if (key && value !== undefined && !Number.isNaN(Number(value)))
                directives[key] = Number(value);
        }
    }
    return directives;
}
/** All text of a chat `messages` array or a Responses/Embeddings `input`, for directives and token counts. */
export function textOf(value) {
    if (typeof value === "string")
        return value;
    if (Array.isArray(value))
        return value.map(textOf).join(" ");
    if (value && typeof value === "object") {
        const record = value;
        if ("content" in record)
            return textOf(record.content);
        if ("text" in record)
            return textOf(record.text);
    }
    return "";
}
