/** Sent in the User-Agent of ingest requests; keep in step with package.json. */
export const SDK_VERSION = "0.1.0";
