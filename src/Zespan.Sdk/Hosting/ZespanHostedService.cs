using Microsoft.Extensions.Hosting;

namespace ZespanSdk.Hosting;

/// <summary>
/// Ties the tracer to the host's life: created at start (so wrapped clients built outside DI record too),
/// flushed at stop while the host still waits for hosted services.
/// </summary>
internal sealed class ZespanHostedService : IHostedService
{
    private readonly ZespanTracer _tracer;

    public ZespanHostedService(ZespanTracer tracer) => _tracer = tracer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Zespan.SetTracer(_tracer);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        try
        {
            await _tracer.FlushAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The host ran out of patience; the container's disposal makes a last bounded attempt.
        }
        Zespan.ClearTracer(_tracer);
    }
}
