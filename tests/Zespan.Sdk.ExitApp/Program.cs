// Makes a few recorded OpenAI calls and returns from Main without FlushAsync, ShutdownAsync or Dispose:
// only the SDK's AppDomain.ProcessExit handler can deliver the spans.
// Usage: Zespan.Sdk.ExitApp <openai endpoint> <session id>; ZESPAN_API_KEY and ZESPAN_BASE_URL say where spans go.
using System.ClientModel;
using OpenAI;
using OpenAI.Chat;
using ZespanSdk;

if (args.Length != 2)
{
    Console.Error.WriteLine("usage: Zespan.Sdk.ExitApp <openai endpoint> <session id>");
    return 2;
}

// A flush interval far longer than the app lives, so nothing is sent while it runs.
Zespan.Init(new ZespanOptions { FlushInterval = TimeSpan.FromMinutes(10) });
ChatClient chat = Zespan.Wrap(new ChatClient("gpt-4o", new ApiKeyCredential("sk-exit-app"), new OpenAIClientOptions { Endpoint = new Uri(args[0]) }));

using (Zespan.Context(userId: "exit-app-user", sessionId: args[1]))
using (Zespan.StartSpan("exit-app-work"))
{
    await chat.CompleteChatAsync([new UserChatMessage("first call before exit")]);
    await chat.CompleteChatAsync([new UserChatMessage("second call before exit")]);
    await foreach (StreamingChatCompletionUpdate _ in chat.CompleteChatStreamingAsync([new UserChatMessage("streamed call before exit")]))
    {
    }
}

// The test reads this line to know the spans were still queued when Main returned.
Console.WriteLine($"pending-at-exit={Zespan.Tracer.Statistics.Pending}");
return 0;
