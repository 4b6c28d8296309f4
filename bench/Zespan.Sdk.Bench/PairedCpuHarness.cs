using System.ClientModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using OpenAI;
using OpenAI.Chat;
using ZespanSdk.Tests.Fakes;

namespace ZespanSdk.Bench;

/// <summary>
/// A second view that holds up on a busy 2-core machine, where wall-clock medians mostly measure the neighbours:
/// the calling thread's own CPU time and allocations per CompleteChat, plain and wrapped measured in alternating
/// blocks within each run, over several runs. Background export runs on other threads and is not in these
/// figures; its cost is reported separately as process CPU per exported span.
/// </summary>
internal static class PairedCpuHarness
{
    private static readonly ChatMessage[] Prompt =
    [
        new SystemChatMessage("You are a helpful support assistant for an online shop."),
        new UserChatMessage("My order 1234 has not arrived yet, it was placed last Tuesday. What can I do?"),
    ];

    public static async Task RunAsync(int runs, int blocks, int callsPerBlock)
    {
        await using FakeOpenAIServer openAI = await FakeOpenAIServer.StartAsync();
        await using FakeIngestServer ingest = await FakeIngestServer.StartAsync();
        ingest.DiscardBodies = true;
        await using var tracer = new ZespanTracer(ingest.Options(o =>
        {
            o.FlushInterval = TimeSpan.FromMilliseconds(200);
            o.MaxQueueSize = 100_000;
        }));
        var options = new OpenAIClientOptions { Endpoint = openAI.Endpoint };
        ChatClient plain = new("gpt-4o", new ApiKeyCredential("sk-bench"), options);
        ChatClient wrapped = Zespan.Wrap(new ChatClient("gpt-4o", new ApiKeyCredential("sk-bench"), options), tracer);

        for (int i = 0; i < 500; i++)
        {
            Call(plain, recorded: false);
            Call(wrapped, recorded: true);
        }

        var runMedians = new List<(double PlainCpu, double WrappedCpu, double PlainBytes, double WrappedBytes, double PlainWall, double WrappedWall)>();
        for (int run = 1; run <= runs; run++)
        {
            var plainSamples = new List<Sample>();
            var wrappedSamples = new List<Sample>();
            for (int block = 0; block < blocks; block++)
            {
                bool wrappedFirst = block % 2 == 1;
                Measure(wrappedFirst ? wrapped : plain, wrappedFirst, callsPerBlock, wrappedFirst ? wrappedSamples : plainSamples);
                Measure(wrappedFirst ? plain : wrapped, !wrappedFirst, callsPerBlock, wrappedFirst ? plainSamples : wrappedSamples);
            }
            var medians = (
                Median(plainSamples, s => s.CpuMicroseconds), Median(wrappedSamples, s => s.CpuMicroseconds),
                Median(plainSamples, s => s.Bytes), Median(wrappedSamples, s => s.Bytes),
                Median(plainSamples, s => s.WallMicroseconds), Median(wrappedSamples, s => s.WallMicroseconds));
            runMedians.Add(medians);
            Console.WriteLine($"run {run}: caller CPU plain {medians.Item1:0.0} us, wrapped {medians.Item2:0.0} us; " +
                $"caller allocations plain {medians.Item3:0} B, wrapped {medians.Item4:0} B; wall plain {medians.Item5:0} us, wrapped {medians.Item6:0} us");
        }

        // Export cost: process CPU while the exporter delivers a burst of spans recorded without any model call.
        await tracer.FlushAsync();
        TimeSpan before = Process.GetCurrentProcess().TotalProcessorTime;
        const int spans = 20_000;
        for (int i = 0; i < spans; i++)
        {
            using (Zespan.Context(sessionId: "bench-session"))
            using (tracer.StartSpan("export-cost"))
            {
            }
        }
        await tracer.FlushAsync();
        double exportMicroseconds = (Process.GetCurrentProcess().TotalProcessorTime - before).TotalMicroseconds / spans;

        Console.WriteLine();
        Console.WriteLine($"| runs x calls | caller CPU plain | caller CPU wrapped | added | caller alloc plain | caller alloc wrapped | added | wall plain | wall wrapped |");
        Console.WriteLine("|---|---|---|---|---|---|---|---|---|");
        double M(Func<(double, double, double, double, double, double), double> f) => Median(runMedians, f);
        Console.WriteLine($"| {runs} x {blocks * callsPerBlock} | {M(r => r.Item1):0} us | {M(r => r.Item2):0} us | **+{M(r => r.Item2 - r.Item1):0} us** | " +
            $"{M(r => r.Item3) / 1024:0.0} KB | {M(r => r.Item4) / 1024:0.0} KB | **+{M(r => r.Item4 - r.Item3) / 1024:0.0} KB** | {M(r => r.Item5):0} us | {M(r => r.Item6):0} us |");
        Console.WriteLine($"export: {exportMicroseconds:0.0} us process CPU per span (span record + serialise + send + in-process sink), exporter: {tracer.Statistics}");
    }

    private readonly record struct Sample(double CpuMicroseconds, double Bytes, double WallMicroseconds);

    private static void Measure(ChatClient chat, bool recorded, int calls, List<Sample> samples)
    {
        for (int i = 0; i < calls; i++)
        {
            long bytes = GC.GetAllocatedBytesForCurrentThread();
            double cpu = ThreadCpu.Microseconds();
            long wall = Stopwatch.GetTimestamp();
            Call(chat, recorded);
            samples.Add(new Sample(
                ThreadCpu.Microseconds() - cpu,
                GC.GetAllocatedBytesForCurrentThread() - bytes,
                Stopwatch.GetElapsedTime(wall).TotalMicroseconds));
        }
    }

    /// <summary>The wrapped call runs inside a context, as an app would; the plain one has nothing to record.</summary>
    private static void Call(ChatClient chat, bool recorded)
    {
        if (!recorded)
        {
            chat.CompleteChat(Prompt);
            return;
        }
        using (Zespan.Context(userId: "bench-user", sessionId: "bench-session"))
        {
            chat.CompleteChat(Prompt);
        }
    }

    private static double Median<T>(IEnumerable<T> items, Func<T, double> value)
    {
        double[] sorted = items.Select(value).Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    /// <summary>CPU time of the calling thread (Linux/macOS clock_gettime(CLOCK_THREAD_CPUTIME_ID)).</summary>
    private static class ThreadCpu
    {
        private const int ClockThreadCpuTimeId = 3;

        [StructLayout(LayoutKind.Sequential)]
        private struct TimeSpec
        {
            public long Seconds;
            public long Nanoseconds;
        }

        [DllImport("libc", SetLastError = true)]
        private static extern int clock_gettime(int clockId, out TimeSpec time);

        public static double Microseconds()
        {
            clock_gettime(ClockThreadCpuTimeId, out TimeSpec time);
            return time.Seconds * 1_000_000.0 + time.Nanoseconds / 1000.0;
        }
    }
}
