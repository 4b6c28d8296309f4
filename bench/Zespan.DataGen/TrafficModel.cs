namespace Zespan.DataGen;

/// <summary>The fixed vocabulary of the synthetic product: features, models with their share of traffic, tools and phrases.</summary>
internal static class TrafficModel
{
    public sealed record ModelChoice(string Model, string Provider, string Operation, double Weight, bool Reasons = false);

    // Shares loosely follow what teams report: a cheap default model, a strong model for hard turns, a few others.
    // "acme-support-ft-v2" is a fine-tune with no known price, so the unpriced-call counters have something to show.
    public static readonly ModelChoice[] Models =
    [
        new("gpt-4o-mini", "openai", "chat.completions.create", 0.40),
        new("gpt-4o", "openai", "chat.completions.create", 0.18),
        new("gpt-4.1", "openai", "responses.create", 0.08),
        new("o3-mini", "openai", "chat.completions.create", 0.04, Reasons: true),
        new("claude-sonnet-4-5", "anthropic", "messages.create", 0.14),
        new("claude-haiku-4-5", "anthropic", "messages.create", 0.06),
        new("gemini-2.5-flash", "google", "models.generateContent", 0.08),
        new("acme-support-ft-v2", "openai", "chat.completions.create", 0.02),
    ];

    public static readonly string[] Features = ["support-chat", "code-assistant", "doc-search", "summarizer", "sales-email"];
    public static readonly string[] Plans = ["free", "free", "free", "pro", "pro", "enterprise"];
    public static readonly string[] Channels = ["web", "web", "mobile", "api", "slack"];
    public static readonly string[] Tools = ["lookup_order", "search_kb", "create_ticket", "run_sql", "get_weather", "send_email"];

    public static readonly string[] Errors =
    [
        "429 Too Many Requests: Rate limit reached for requests per minute",
        "500 Internal Server Error: The server had an error while processing your request",
        "Request timed out after 60000 ms",
        "400 Bad Request: This model's maximum context length is 128000 tokens",
        "503 Service Unavailable: The engine is currently overloaded",
    ];

    public static readonly string[] UserMessages =
    [
        "Where is my order #{0}?", "Can you refactor this function to be async?", "Summarise the attached contract in five bullet points.",
        "Why does my build fail with CS8618?", "Draft a follow-up email to the customer about the renewal.", "What is our refund policy for annual plans?",
        "Find the docs page about rate limits.", "Translate this paragraph to German.", "Explain the difference between WAL and rollback journals.",
        "The export button does nothing, help!", "Write a unit test for the parser.", "Compare plan Pro and plan Team for me.",
    ];

    public static readonly string[] Replies =
    [
        "Your order {0} shipped yesterday and should arrive on Thursday.", "Here is the async version, with cancellation passed through.",
        "1. Term is 24 months. 2. Renewal is automatic. 3. Either party may cancel with 60 days notice.",
        "CS8618 means a non-nullable property is not initialised; add `required` or a constructor.", "Hi Sam, following up on your renewal...",
        "Annual plans can be refunded pro rata within 30 days.", "Rate limits are described under Settings > API > Limits.",
        "Hier ist die Übersetzung des Absatzes.", "WAL appends changes to a separate log so readers never block the writer.",
        "Let me create a ticket for the export issue.", "Here is a test named Parse_EmptyBatch_Returns400.", "Team adds SSO and 180-day retention.",
    ];
}
