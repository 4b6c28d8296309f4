using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Xunit.Abstractions;
using Zespan.Reliability.Tests.Infrastructure;

namespace Zespan.Reliability.Tests;

/// <summary>
/// A full disk: the server's data folder is on a small tmpfs the test mounts (as root), which a filler file then fills.
/// Ingestion answers 503 with Retry-After (never a 500, never a crash), reads keep working, ingestion recovers once the
/// space is freed, every acknowledged span is there once, and PRAGMA integrity_check is ok.
/// </summary>
public sealed class DiskFullTests(DiskFullTests.SmallDisk disk, ITestOutputHelper output) : IClassFixture<DiskFullTests.SmallDisk>
{
    private const int SpansPerRequest = 100;

    /// <summary>A 40 MB tmpfs with the server's data folder on it; null Server (and a reason) where it cannot be mounted.</summary>
    public sealed class SmallDisk : IAsyncLifetime
    {
        public string MountPoint { get; } = Directory.CreateTempSubdirectory("zespan-diskfull-").FullName;
        public string DataDirectory => Path.Combine(MountPoint, "data");
        public string FillerPath => Path.Combine(MountPoint, "filler");
        public ServerProcess? Server { get; private set; }
        public string? NotMounted { get; private set; }
        private bool _mounted;

        public async Task InitializeAsync()
        {
            var (code, text) = await RunAsync("mount", "-t", "tmpfs", "-o", "size=40m", "tmpfs", MountPoint);
            if (code != 0)
            {
                NotMounted = $"cannot mount a tmpfs (needs root; uid {Environment.GetEnvironmentVariable("UID") ?? "?"}): {text.Trim()}";
                return;
            }
            _mounted = true;
            Directory.CreateDirectory(DataDirectory);
            Server = await ServerProcess.StartAsync(DataDirectory);
        }

        public async Task DisposeAsync()
        {
            if (Server is not null)
                await Server.DisposeAsync();
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            if (_mounted)
                await RunAsync("umount", MountPoint);
            try { Directory.Delete(MountPoint, recursive: true); } catch (IOException) { }
        }

        private static async Task<(int Code, string Output)> RunAsync(string file, params string[] args)
        {
            try
            {
                var start = new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true };
                using var process = Process.Start(start)!;
                var text = await process.StandardError.ReadToEndAsync() + await process.StandardOutput.ReadToEndAsync();
                await process.WaitForExitAsync();
                return (process.ExitCode, text);
            }
            catch (System.ComponentModel.Win32Exception ex)
            {
                return (-1, ex.Message);
            }
        }
    }

    [Fact]
    public async Task FullDisk_Answers503WithRetryAfter_ReadsWork_RecoversWhenFreed_IntegrityOk()
    {
        if (disk.Server is null)
        {
            // xunit 2 cannot skip at run time; say why loudly. CI runs as root, where this never happens.
            output.WriteLine("SKIPPED: " + disk.NotMounted);
            Console.WriteLine("DiskFullTests SKIPPED: " + disk.NotMounted);
            return;
        }
        using var http = disk.Server.Api();
        var acknowledged = 0;
        var next = 0;
        List<JsonObject> NewBatch() => Enumerable.Range(0, SpansPerRequest).Select(_ =>
        {
            var n = next++;
            var span = Spans.Llm($"d-{n}", sessionId: $"d-session-{n % 10}", offsetMs: n);
            span["input"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = new string('p', 2_000) + n });
            return span;
        }).ToList();

        Assert.Equal(HttpStatusCode.OK, (await http.IngestAsync(NewBatch())).StatusCode);
        acknowledged += SpansPerRequest;

        // Fill the disk.
        await using (var filler = new FileStream(disk.FillerPath, FileMode.Create))
        {
            var chunk = new byte[1 << 20];
            try
            {
                while (true)
                {
                    await filler.WriteAsync(chunk);
                    await filler.FlushAsync();
                }
            }
            catch (IOException) { } // ENOSPC: the disk is full
        }

        // Ingest until the server can no longer write: every answer is 200 or 503 with Retry-After.
        var refused = new List<List<JsonObject>>();
        HttpResponseMessage? firstRefusal = null;
        for (var attempt = 0; attempt < 200 && refused.Count < 3; attempt++)
        {
            var batch = NewBatch();
            var response = await http.IngestAsync(batch);
            if (response.StatusCode == HttpStatusCode.OK)
            {
                acknowledged += batch.Count;
                continue;
            }
            Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
            Assert.True(response.Headers.RetryAfter?.Delta > TimeSpan.Zero, "503 without Retry-After");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
            firstRefusal ??= response;
            refused.Add(batch);
        }
        Assert.True(refused.Count > 0, "the server kept accepting spans on a full disk: the test did not fill it");
        output.WriteLine($"full disk: {acknowledged:N0} spans acknowledged, then {refused.Count} requests refused with 503: " +
            await firstRefusal!.Content.ReadAsStringAsync());

        // Reads keep working while the disk is full.
        Assert.False(disk.Server.HasExited, "the server died on a full disk:\n" + disk.Server.Output);
        foreach (var path in new[] { "/api/v1/sessions", "/api/v1/sessions/d-session-0", "/api/v1/sessions/stats", "/api/v1/traces", "/api/v1/costs/models" })
            Assert.Equal(HttpStatusCode.OK, (await http.GetAsync(path)).StatusCode);

        // Free the space: the refused requests, retried, are stored.
        File.Delete(disk.FillerPath);
        foreach (var batch in refused)
        {
            HttpResponseMessage response = null!;
            for (var retry = 0; retry < 20; retry++)
            {
                response = await http.IngestAsync(batch);
                if (response.StatusCode == HttpStatusCode.OK)
                    break;
                await Task.Delay(500);
            }
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            acknowledged += batch.Count;
        }

        var stats = await http.GetJsonAsync("/api/v1/sessions/stats");
        Assert.Equal(acknowledged, (long)stats["totalTurns"]!);
        Assert.Equal(acknowledged, Database.CountSpans(disk.DataDirectory));
        Assert.Equal("ok", Database.IntegrityCheck(disk.DataDirectory));
        Assert.False(disk.Server.HasExited, "the server died after the disk was freed:\n" + disk.Server.Output);
        output.WriteLine($"after freeing: {acknowledged:N0} spans stored once each, integrity_check ok");
    }
}
