using static Zespan.Server.Tests.OtlpBodies;

namespace Zespan.Server.Tests;

/// <summary>
/// One Claude call recorded by two instrumentations (the Anthropic SDK's own span with OpenInference's inside it, as
/// tests/otel-js's probe sent them): both are stored and counted, as sent, and the user is told — in the OTLP response's
/// partial_success (no span rejected), which exporters log, and on the trace page.
/// </summary>
public sealed class DoubleRecordedCallsTests : IAsyncLifetime
{
    private const string Password = "admin-password-for-double-calls";
    private readonly ZespanApp _app = new() { Settings = { ["ZESPAN_ADMIN_PASSWORD"] = Password } };

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        _app.Dispose();
        return Task.CompletedTask;
    }

    [Fact]
    public async Task ACallRecordedTwice_IsStoredAsSent_AndSaidInTheResponseAndOnTheTracePage()
    {
        var trace = NewTraceId();
        var session = "twice-" + trace[..8];
        (string, object)[] usage = [("gen_ai.usage.input_tokens", 28L), ("gen_ai.usage.cache_read.input_tokens", 9L),
            ("gen_ai.usage.cache_write.input_tokens", 9L), ("gen_ai.usage.output_tokens", 11L)];
        var request = Traces([],
            Span(trace, 1, null, "POST /chat", 0, 300, ("session.id", session)),
            Span(trace, 2, 1, "Anthropic Messages", 10, 260, [("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "claude-sonnet-4-5"), .. usage]),
            Span(trace, 3, 2, "anthropic.messages.create", 11, 259, [("gen_ai.operation.name", "chat"),
                ("gen_ai.response.model", "claude-sonnet-4-5-20250929"), .. usage]),
            // A second, different call of the same request: not a pair.
            Span(trace, 4, 1, "Anthropic Messages", 270, 290, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "claude-sonnet-4-5"),
                ("gen_ai.usage.input_tokens", 40L), ("gen_ai.usage.output_tokens", 5L)));
        var response = await (await _app.ClientWithKey().PostAsync("/v1/traces", request)).TraceResponseAsync();

        Assert.Equal(0, response.PartialSuccess.RejectedSpans);
        Assert.StartsWith($"warning: span {trace}-{3:x16} (\"anthropic.messages.create\") inside span {trace}-{2:x16} (\"Anthropic Messages\") records the same call",
            response.PartialSuccess.ErrorMessage);
        Assert.DoesNotContain($"{4:x16}", response.PartialSuccess.ErrorMessage);
        // Stored as sent: three calls, the doubled one twice.
        Assert.Equal(3, (int)(await _app.ClientWithKey().GetJsonAsync($"/api/v1/sessions/{session}"))["session"]!["turns"]!);

        var browser = await _app.LogInAsync(Password);
        var page = await browser.GetStringAsync($"/traces/{trace}");
        Assert.Contains("data-testid=\"double-recorded\"", page);
        Assert.Contains("One LLM call in this trace looks recorded twice", page);
        var clean = Traces([], Span(NewTraceId(), 1, null, "chat", 0, 10, ("gen_ai.operation.name", "chat"), ("gen_ai.request.model", "gpt-4o"),
            ("gen_ai.usage.input_tokens", 10L), ("gen_ai.usage.output_tokens", 2L)));
        Assert.Null((await (await _app.ClientWithKey().PostAsync("/v1/traces", clean)).TraceResponseAsync()).PartialSuccess);
    }
}
