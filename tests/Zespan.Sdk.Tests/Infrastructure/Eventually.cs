namespace ZespanSdk.Tests.Infrastructure;

/// <summary>Polls a condition that background export makes true some time later; generous by design.</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<Task<T?>> probe, Func<T?, bool> done, TimeSpan? timeout = null, string? what = null)
    {
        DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(20));
        T? last = default;
        while (DateTime.UtcNow < deadline)
        {
            last = await probe();
            if (done(last))
            {
                return last!;
            }
            await Task.Delay(50);
        }
        throw new TimeoutException($"Condition not met in time: {what ?? "(unnamed)"}; last value: {last}");
    }

    public static Task<bool> TrueAsync(Func<bool> condition, TimeSpan? timeout = null, string? what = null) =>
        ReturnsAsync(() => Task.FromResult(condition()), ok => ok, timeout, what);
}
