using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Zespan.Storage.Sqlite;

namespace Zespan.Server.Tests;

/// <summary>
/// A long session's rebuild runs outside the single writer (issue 12): while it is computed, the ingestion pipeline writes
/// and answers other requests, and the re-send itself is answered only once its session's figures are exact.
/// </summary>
public sealed class LongSessionIngestTests
{
    private static string Call(int i, string end) =>
        Api.Span($"call-{i}", sessionId: "long-conv", traceId: $"t-{i}", start: $"2026-11-20T10:0{i}:00.000Z", end: end);

    [Fact]
    public async Task AnotherRequest_IsWrittenAndAnswered_WhileALongSessionIsRebuilt()
    {
        using var app = new ZespanApp();
        var client = app.ClientWithKey();
        var storage = app.Services.GetRequiredService<SqliteStorage>();
        storage.DeferredRebuilds.MinTurns = 3; // five calls make this session "long"
        Assert.Equal(HttpStatusCode.OK, (await client.IngestAsync(Api.Batch([.. Enumerable.Range(0, 5).Select(i => Call(i, $"2026-11-20T10:0{i}:01.000Z"))]))).StatusCode);

        HttpStatusCode? other = null;
        storage.DeferredRebuilds.AfterComputed = async () =>
            // The pipeline is free: a request of another session is written and answered now. Had the pipeline waited for
            // the rebuild, this would never be answered (and the re-send below would fail with it).
            other = (await client.IngestAsync(Api.Batch(Api.Span("other-1", sessionId: "other-conv"))).WaitAsync(TimeSpan.FromSeconds(60))).StatusCode;

        // A streaming call's final version: its end moved past every other call's, which rebuilds the session.
        var resent = await client.IngestAsync(Api.Batch(Call(2, "2026-11-20T10:09:30.000Z")));

        Assert.Equal(HttpStatusCode.OK, resent.StatusCode);
        Assert.Equal(HttpStatusCode.OK, other);
        var session = (await client.GetJsonAsync("/api/v1/sessions/long-conv"))["session"]!;
        Assert.Equal(5, (int)session["turns"]!);
        Assert.Equal("2026-11-20T10:09:30.000Z", (string)session["endedAt"]!);
        Assert.Equal(1, (int)(await client.GetJsonAsync("/api/v1/sessions/other-conv"))["session"]!["turns"]!);
    }
}
