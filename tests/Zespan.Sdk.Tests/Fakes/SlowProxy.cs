using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ZespanSdk.Tests.Fakes;

/// <summary>Forwards every request to a real server after a fixed delay: a slow Zespan server, made on loopback.</summary>
public sealed class SlowProxy : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly HttpClient _forward;

    private SlowProxy(WebApplication app, HttpClient forward)
    {
        _app = app;
        _forward = forward;
    }

    public Uri BaseUrl { get; private set; } = null!;

    public static async Task<SlowProxy> StartAsync(Uri target, TimeSpan delay)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        var forward = new HttpClient { BaseAddress = target };
        var proxy = new SlowProxy(app, forward);

        app.Run(async context =>
        {
            await Task.Delay(delay);
            using var request = new HttpRequestMessage(new HttpMethod(context.Request.Method), context.Request.Path + context.Request.QueryString);
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            request.Content = new ByteArrayContent(body.ToArray());
            if (context.Request.ContentType is { } contentType)
            {
                request.Content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            }
            request.Headers.TryAddWithoutValidation("Authorization", context.Request.Headers.Authorization.ToString());
            using HttpResponseMessage response = await forward.SendAsync(request);
            context.Response.StatusCode = (int)response.StatusCode;
            context.Response.ContentType = response.Content.Headers.ContentType?.ToString();
            await response.Content.CopyToAsync(context.Response.Body);
        });

        await app.StartAsync();
        proxy.BaseUrl = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");
        return proxy;
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
        _forward.Dispose();
    }
}
