using System.Globalization;
using Zespan.Core.Storage;

namespace Zespan.Storage.ClickHouse.Tests;

/// <summary>
/// A read carries its time limit to ClickHouse (max_execution_time), so ClickHouse stops a statement the server would
/// no longer wait for: 18.16 keeps running a statement whose client went away, and at 10 M spans a page's statement
/// kept both nodes busy for minutes after the server had given up. Stopped at a limit is "unavailable" (503); refused
/// as written stays a ClickHouse error (a bug of ours, 500).
/// </summary>
[Collection(ClickHouseCollection.Name)]
public sealed class ReadLimitTests(ClickHouseCluster cluster)
{
    [Fact]
    public async Task AReadPastItsLimit_IsStoppedByClickHouse_AndIsUnavailable_NotRunningOn()
    {
        var settings = ClickHouseSettings.Create(string.Join(',', cluster.ShardUrls)) with { ReadLimit = TimeSpan.FromSeconds(1) };
        var http = new ClickHouseHttp(settings, new HttpClient { Timeout = TimeSpan.FromSeconds(120) });
        var marker = "read_limit_" + Guid.NewGuid().ToString("N");

        var error = await Assert.ThrowsAsync<StoreUnavailableException>(() =>
            http.QueryAsync($"SELECT count() AS {marker} FROM numbers(1000000000000) FORMAT JSONCompact", null, r => r[0].Long()));
        Assert.Contains("Code: 159", error.Message, StringComparison.Ordinal); // TIMEOUT_EXCEEDED: ClickHouse stopped it

        using var probe = new HttpClient();
        foreach (var node in cluster.ShardUrls)
        {
            var running = await probe.PostAsync(node.TrimEnd('/') + "/",
                new StringContent($"SELECT count() FROM system.processes WHERE query LIKE '%{marker} FROM numbers%' AND query NOT LIKE '%system.processes%'"));
            Assert.Equal(0, long.Parse((await running.Content.ReadAsStringAsync()).Trim(), CultureInfo.InvariantCulture));
        }
    }

    [Fact]
    public async Task AStatementRefusedAsWritten_StaysAClickHouseError()
    {
        var http = new ClickHouseHttp(ClickHouseSettings.Create(string.Join(',', cluster.ShardUrls)), new HttpClient());
        var error = await Assert.ThrowsAsync<ClickHouseException>(() => http.QueryAsync("SELECT no_such_column FORMAT JSONCompact", null, r => r[0].Long()));
        Assert.Contains("Code: 47", error.Message, StringComparison.Ordinal); // UNKNOWN_IDENTIFIER
    }

    [Fact]
    public async Task NoNodeAnswering_IsUnavailable()
    {
        using var closed = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        closed.Start();
        var port = ((System.Net.IPEndPoint)closed.LocalEndpoint).Port;
        closed.Stop(); // nothing listens there now: every attempt is refused at once
        var http = new ClickHouseHttp(ClickHouseSettings.Create($"http://127.0.0.1:{port}"), new HttpClient());
        await Assert.ThrowsAsync<StoreUnavailableException>(() => http.QueryAsync("SELECT 1 FORMAT JSONCompact", null, r => r[0].Long()));
    }
}
