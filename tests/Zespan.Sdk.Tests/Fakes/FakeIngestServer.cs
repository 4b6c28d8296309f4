using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ZespanSdk.Tests.Fakes;

/// <summary>
/// A stand-in for the Zespan ingest endpoint over real HTTP, for exporter tests that need failures on demand:
/// scripted status codes with Retry-After, 207 partial rejections, and slowness. It checks the bearer key and
/// keeps every span it accepted (by id, so a re-sent span is stored once, as the real server does).
/// </summary>
public sealed class FakeIngestServer : IAsyncDisposable
{
    public const string ApiKey = "zsp_fake_ingest_key_0123456789";

    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(int Status, string? RetryAfter)> _scriptedFailures = new();

    private FakeIngestServer(WebApplication app) => _app = app;

    public Uri BaseUrl { get; private set; } = null!;

    /// <summary>Accepted spans by id.</summary>
    public ConcurrentDictionary<string, JsonObject> Spans { get; } = new();

    /// <summary>Every request that reached the endpoint: arrival time, span ids and the status answered.</summary>
    public ConcurrentQueue<IngestAttempt> Attempts { get; } = new();

    /// <summary>Delay before answering each request.</summary>
    public TimeSpan Delay { get; set; }

    /// <summary>Span ids to name as rejected in a 207 answer.</summary>
    public Func<JsonObject, bool> Reject { get; set; } = _ => false;

    public void FailNext(int times, int status, string? retryAfter = null)
    {
        for (int i = 0; i < times; i++)
        {
            _scriptedFailures.Enqueue((status, retryAfter));
        }
    }

    public static async Task<FakeIngestServer> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var server = new FakeIngestServer(app);
        app.MapPost("/api/v1/ingest", server.IngestAsync);
        await app.StartAsync();
        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address.TrimEnd('/') + "/");
        return server;
    }

    public ZespanOptions Options(Action<ZespanOptions>? configure = null)
    {
        var options = new ZespanOptions
        {
            ApiKey = ApiKey,
            BaseUrl = BaseUrl.ToString(),
            FlushInterval = TimeSpan.FromMilliseconds(50),
            InitialRetryDelay = TimeSpan.FromMilliseconds(20),
            MaxRetryDelay = TimeSpan.FromMilliseconds(200),
        };
        configure?.Invoke(options);
        return options;
    }

    private async Task IngestAsync(HttpContext context)
    {
        JsonObject body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        JsonObject[] batch = body["batch"]!.AsArray().Select(s => s!.AsObject()).ToArray();
        string[] ids = batch.Select(s => s["id"]!.GetValue<string>()).ToArray();

        if (Delay > TimeSpan.Zero)
        {
            await Task.Delay(Delay);
        }

        if (context.Request.Headers.Authorization != $"Bearer {ApiKey}")
        {
            Attempts.Enqueue(new IngestAttempt(DateTimeOffset.UtcNow, ids, 401));
            await Answer(context, 401, new JsonObject { ["title"] = "Unknown API key" });
            return;
        }

        if (_scriptedFailures.TryDequeue(out (int Status, string? RetryAfter) failure))
        {
            Attempts.Enqueue(new IngestAttempt(DateTimeOffset.UtcNow, ids, failure.Status));
            if (failure.RetryAfter is not null)
            {
                context.Response.Headers.RetryAfter = failure.RetryAfter;
            }
            await Answer(context, failure.Status, new JsonObject { ["title"] = "Scripted failure" });
            return;
        }

        var errors = new JsonArray();
        int accepted = 0;
        for (int i = 0; i < batch.Length; i++)
        {
            if (Reject(batch[i]))
            {
                errors.Add(new JsonObject { ["index"] = i, ["id"] = ids[i], ["message"] = "rejected by test" });
                continue;
            }
            Spans[ids[i]] = (JsonObject)batch[i].DeepClone();
            accepted++;
        }
        int status = errors.Count == 0 ? 200 : 207;
        Attempts.Enqueue(new IngestAttempt(DateTimeOffset.UtcNow, ids, status));
        await Answer(context, status, new JsonObject { ["accepted"] = accepted, ["errors"] = errors });
    }

    private static async Task Answer(HttpContext context, int status, JsonObject body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = status >= 400 ? "application/problem+json" : "application/json";
        await context.Response.WriteAsync(body.ToJsonString());
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

public sealed record IngestAttempt(DateTimeOffset At, string[] SpanIds, int Status);
