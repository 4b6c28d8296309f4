using System.Threading.Channels;
using Zespan.Core.Spans;

namespace Zespan.DataGen;

/// <summary>A batch of generated spans and how many sessions it completes (for progress).</summary>
public sealed record SpanBatch(List<SpanRecord> Spans, int SessionsCompleted);

/// <summary>
/// Generates sessions 0..n-1 in order on a background thread and hands them out in batches of about batchSpans spans.
/// The bounded channel keeps memory flat however many sessions are requested.
/// </summary>
public static class SessionBatches
{
    public static ChannelReader<SpanBatch> Start(SessionGenerator generator, int sessions, int batchSpans, int buffered = 16)
    {
        var channel = Channel.CreateBounded<SpanBatch>(new BoundedChannelOptions(buffered) { SingleWriter = true });
        _ = Task.Run(async () =>
        {
            try
            {
                var current = new List<SpanRecord>(batchSpans + 64);
                var completed = 0;
                for (var i = 0; i < sessions; i++)
                {
                    var session = generator.Generate(i);
                    // Flush first when this session would overflow the batch, so no batch exceeds batchSpans (the server's limit).
                    if (current.Count > 0 && current.Count + session.Count > batchSpans)
                    {
                        await channel.Writer.WriteAsync(new SpanBatch(current, completed));
                        current = new List<SpanRecord>(batchSpans + 64);
                        completed = 0;
                    }
                    current.AddRange(session);
                    completed++;
                }
                if (current.Count > 0 || completed > 0)
                    await channel.Writer.WriteAsync(new SpanBatch(current, completed));
                channel.Writer.Complete();
            }
            catch (Exception ex)
            {
                channel.Writer.Complete(ex);
            }
        });
        return channel.Reader;
    }
}
