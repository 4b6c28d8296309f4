using System.Diagnostics;

namespace ZespanSdk.Spans;

/// <summary>W3C-sized random ids: 32 hex chars for traces, 16 for spans, so they can be correlated with OpenTelemetry.</summary>
internal static class SpanIds
{
    public static string NewTraceId() => ActivityTraceId.CreateRandom().ToHexString();

    public static string NewSpanId() => ActivitySpanId.CreateRandom().ToHexString();
}
