using System.ClientModel;
using BenchmarkDotNet.Attributes;
using OpenAI;
using OpenAI.Chat;
using ZespanSdk.Tests.Fakes;

namespace ZespanSdk.Bench;

/// <summary>
/// Per-call cost of recording: the same CompleteChat (and streamed CompleteChatStreaming) to a local fake OpenAI
/// server, plain versus through Zespan.Wrap inside a Zespan.Context. The fake ingest endpoint runs in the same
/// process, so the exporter's background work (serialising, sending) is part of what is measured.
/// </summary>
[MemoryDiagnoser]
public class CompleteChatOverheadBenchmarks
{
    private static readonly ChatMessage[] Prompt =
    [
        new SystemChatMessage("You are a helpful support assistant for an online shop."),
        new UserChatMessage("My order 1234 has not arrived yet, it was placed last Tuesday. What can I do?"),
    ];

    private FakeOpenAIServer _openAI = null!;
    private FakeIngestServer _ingest = null!;
    private ZespanTracer _tracer = null!;
    private ChatClient _plain = null!;
    private ChatClient _wrapped = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _openAI = await FakeOpenAIServer.StartAsync();
        _ingest = await FakeIngestServer.StartAsync();
        _ingest.DiscardBodies = true;
        _tracer = new ZespanTracer(_ingest.Options(o =>
        {
            o.FlushInterval = TimeSpan.FromMilliseconds(200);
            o.MaxQueueSize = 100_000;
        }));
        var options = new OpenAIClientOptions { Endpoint = _openAI.Endpoint };
        _plain = new ChatClient("gpt-4o", new ApiKeyCredential("sk-bench"), options);
        _wrapped = Zespan.Wrap(new ChatClient("gpt-4o", new ApiKeyCredential("sk-bench"), options), _tracer);
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        await _tracer.DisposeAsync();
        Console.WriteLine($"// exporter: {_tracer.Statistics}, ingest requests: {_ingest.DiscardedRequests}");
        await _openAI.DisposeAsync();
        await _ingest.DisposeAsync();
    }

    [Benchmark(Baseline = true)]
    public string CompleteChat_Plain() => _plain.CompleteChat(Prompt).Value.Content[0].Text;

    [Benchmark]
    public string CompleteChat_Wrapped()
    {
        using (Zespan.Context(userId: "bench-user", sessionId: "bench-session"))
        {
            return _wrapped.CompleteChat(Prompt).Value.Content[0].Text;
        }
    }

    [Benchmark]
    public int CompleteChatStreaming_Plain() => CountUpdates(_plain);

    [Benchmark]
    public int CompleteChatStreaming_Wrapped()
    {
        using (Zespan.Context(userId: "bench-user", sessionId: "bench-session"))
        {
            return CountUpdates(_wrapped);
        }
    }

    private static int CountUpdates(ChatClient chat)
    {
        int updates = 0;
        foreach (StreamingChatCompletionUpdate _ in chat.CompleteChatStreaming(Prompt))
        {
            updates++;
        }
        return updates;
    }
}
