using System.Diagnostics;
using Xunit.Abstractions;
using Zespan.Core.Projects;
using Zespan.Core.Storage;
using Zespan.Security.Tests.Infrastructure;

namespace Zespan.Security.Tests;

/// <summary>Measures why the key cache checks a revocation counter instead of looking the key up on every request.</summary>
public sealed class RevocationCheckCostTests(ITestOutputHelper output)
{
    [Fact]
    public async Task RevocationCounterRead_IsCheaperThanAKeyLookup()
    {
        await using var app = await new ZespanApp().StartAsync();
        var versions = app.Get<IControlPlaneVersions>();
        var projects = app.Get<IProjectStore>();
        var hash = ApiKeySecret.Hash(ZespanApp.KeyA);
        for (var i = 0; i < 200; i++) { await versions.ReadAsync(); await projects.FindLiveKeyAsync(hash); }

        var counter = Median(5, async () => { for (var i = 0; i < 2000; i++) await versions.ReadAsync(); }) / 2000;
        var lookup = Median(5, async () => { for (var i = 0; i < 2000; i++) await projects.FindLiveKeyAsync(hash); }) / 2000;
        output.WriteLine($"revocation counter read: {counter * 1000:F1} µs; key lookup (pooled connection + query): {lookup * 1000:F1} µs");
        Assert.True(counter < lookup, $"counter {counter} ms vs lookup {lookup} ms");
    }

    private static double Median(int runs, Func<Task> work)
    {
        var times = new List<double>();
        for (var run = 0; run < runs; run++)
        {
            var watch = Stopwatch.StartNew();
            work().GetAwaiter().GetResult();
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        return times.Order().ElementAt(runs / 2);
    }
}
