using System.Collections.Concurrent;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Zespan.Server.Tests;

/// <summary>A real HTTP server on a free loopback port that records every webhook call and answers with the statuses it is given.</summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<int> _answers = new();

    public sealed record Call(string Path, string Body, IReadOnlyDictionary<string, string> Headers);

    public ConcurrentQueue<Call> Calls { get; } = new();

    /// <summary>The status answered once the queued answers are used up.</summary>
    public int DefaultStatus { get; set; } = 200;

    private WebhookReceiver(WebApplication app) => _app = app;

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        app.Run(async context =>
        {
            using var reader = new StreamReader(context.Request.Body);
            var body = await reader.ReadToEndAsync();
            receiver.Calls.Enqueue(new Call(context.Request.Path, body, context.Request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase)));
            var status = receiver._answers.TryDequeue(out var queued) ? queued : receiver.DefaultStatus;
            context.Response.StatusCode = status;
            if (status is >= 300 and < 400)
                context.Response.Headers.Location = "/redirected";
        });
        await app.StartAsync();
        return receiver;
    }

    public string Url(string path = "/hook") =>
        _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First() + path;

    public void Answer(params int[] statuses)
    {
        foreach (var status in statuses)
            _answers.Enqueue(status);
    }

    /// <summary>Waits until <paramref name="count"/> calls have arrived (at most 20 s), then returns them.</summary>
    public async Task<IReadOnlyList<Call>> WaitForCallsAsync(int count, Func<Call, bool>? where = null)
    {
        var deadline = DateTime.UtcNow.AddSeconds(20);
        while (DateTime.UtcNow < deadline)
        {
            var calls = Calls.Where(where ?? (_ => true)).ToList();
            if (calls.Count >= count)
                return calls;
            await Task.Delay(50);
        }
        throw new TimeoutException($"Expected {count} webhook calls within 20 s; got {Calls.Count(where ?? (_ => true))}.");
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
