using System.Text.Json;
using Zespan.Core.Costs;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;
using Zespan.Core.Traces;

namespace Zespan.Server.Api;

// The JSON shapes of the contract (../shared/product/api-contract.md). Money is dollars, times ISO 8601 UTC.

public sealed record SessionItem(
    string SessionId, string? UserId, string StartedAt, string EndedAt, long DurationMs, int Turns, double? CostUsd,
    long InputTokens, long OutputTokens, long TotalTokens, int ErrorCount, string Status, int UnpricedCalls,
    long ActiveDurationMs, int IdleGapCount, string? Name)
{
    public static SessionItem From(SessionSummary s) => new(
        s.SessionId, s.UserId, Timestamps.Format(s.StartedMs), Timestamps.Format(s.EndedMs), s.DurationMs, s.Turns,
        s.CostUnknown ? null : Money.PicoToUsd(s.CostPico), s.InputTokens, s.OutputTokens, s.TotalTokens, s.ErrorCount,
        s.HasErrors ? "error" : "ok", s.UnpricedCalls, s.ActiveMs, s.IdleGaps, s.Name);
}

/// <param name="UnknownUsageCalls">
/// Calls whose response carried no usage: their tokens are unknown and not in the token sums, which cover the other calls.
/// </param>
public sealed record SessionDetailItem(
    string SessionId, string? UserId, string StartedAt, string EndedAt, long DurationMs, int Turns, double? CostUsd,
    long InputTokens, long OutputTokens, long TotalTokens, int ErrorCount, string Status, int UnpricedCalls, double AvgLatencyMs,
    int UnknownUsageCalls, long ActiveDurationMs, int IdleGapCount, string? Name, long IdleGapThresholdMs)
{
    public static SessionDetailItem From(SessionDetail detail, long idleGapMs) => From(detail.Session, detail.UnknownUsageCalls, idleGapMs);

    public static SessionDetailItem From(SessionSummary s, int unknownUsageCalls, long idleGapMs)
    {
        var item = SessionItem.From(s);
        return new(item.SessionId, item.UserId, item.StartedAt, item.EndedAt, item.DurationMs, item.Turns, item.CostUsd, item.InputTokens,
            item.OutputTokens, item.TotalTokens, item.ErrorCount, item.Status, item.UnpricedCalls, s.AvgLatencyMs, unknownUsageCalls,
            s.ActiveMs, s.IdleGaps, s.Name, idleGapMs);
    }
}

/// <summary>An idle gap of a session: nothing ran from "from" until the next call started at "to".</summary>
public sealed record IdleGapItem(string From, string To, long DurationMs)
{
    public static IdleGapItem Of(IdleGap g) => new(Timestamps.Format(g.FromMs), Timestamps.Format(g.ToMs), g.DurationMs);
}

public sealed record SessionListResponse(IReadOnlyList<SessionItem> Data, string? NextCursor, long TotalCount);

public sealed record TimelineItem(
    string SpanId, string TraceId, string Name, string? Model, string StartTime, string EndTime, long LatencyMs,
    long? InputTokens, long? OutputTokens, long? CachedInputTokens, long? ReasoningTokens, long? CacheCreationInputTokens, long? TotalTokens,
    double? CostUsd, string Status, string? Error)
{
    /// <summary>A call whose response carried no usage has null token counts: unknown, not zero.</summary>
    public static TimelineItem From(TimelineEntry e) => e.UsageReported
        ? new(e.SpanId, e.TraceId, e.Name, e.Model, Timestamps.Format(e.StartMs), Timestamps.Format(e.EndMs), e.LatencyMs,
            e.Usage.InputTokens, e.Usage.OutputTokens, e.Usage.CachedInputTokens, e.Usage.ReasoningTokens, e.Usage.CacheCreationInputTokens, e.Usage.TotalTokens,
            Money.PicoToUsd(e.CostPico), StatusText(e.Status), e.Error)
        : new(e.SpanId, e.TraceId, e.Name, e.Model, Timestamps.Format(e.StartMs), Timestamps.Format(e.EndMs), e.LatencyMs,
            null, null, null, null, null, null, Money.PicoToUsd(e.CostPico), StatusText(e.Status), e.Error);

    public static string StatusText(SpanStatus status) => status == SpanStatus.Error ? "error" : "ok";
}

public sealed record SessionDetailResponse(SessionDetailItem Session, IReadOnlyList<TimelineItem> Timeline, IReadOnlyList<IdleGapItem> IdleGaps);

public sealed record SessionDayItem(string Day, long Sessions, long PricedSessions, double? MedianCostUsd, double? P95CostUsd);

public sealed record TurnBucketItem(int MinTurns, int? MaxTurns, long Sessions);

public sealed record SessionOverviewResponse(IReadOnlyList<SessionDayItem> Days, IReadOnlyList<TurnBucketItem> Turns)
{
    public static SessionOverviewResponse From(SessionOverview o) => new(
        o.Days.Select(d => new SessionDayItem(Timestamps.Format(d.DayMs), d.Sessions, d.PricedSessions, Money.PicoToUsd(d.MedianCostPico), Money.PicoToUsd(d.P95CostPico))).ToList(),
        o.Turns.Select(t => new TurnBucketItem(t.MinTurns, t.MaxTurns, t.Sessions)).ToList());
}

/// <summary>A project's session settings: the idle gap threshold of active time, in milliseconds.</summary>
public sealed record SessionSettingsResponse(long IdleGapMs);

/// <summary>The body of PUT /api/v1/settings/sessions.</summary>
public sealed record SessionSettingsRequest(long? IdleGapMs);

/// <summary>Average, median and p95 are over the priced sessions (pricedSessions); null when there is none, like the total when no session is priced.</summary>
public sealed record SessionStatsResponse(
    long Sessions, double? TotalCostUsd, double? AvgCostUsd, double? MedianCostUsd, double? P95CostUsd, double AvgTurns,
    long TotalTurns, long SessionsWithErrors, long UnpricedCalls, long PricedSessions)
{
    public static SessionStatsResponse From(SessionStats s) => new(
        s.Sessions, s.TotalUnknown ? null : Money.PicoToUsd(s.TotalCostPico),
        s.PerSessionUnknown ? null : Money.PicoToUsd(Int128.CreateSaturating(Math.Round(s.AvgCostPico))),
        s.PerSessionUnknown ? null : Money.PicoToUsd(s.MedianCostPico),
        s.PerSessionUnknown ? null : Money.PicoToUsd(s.P95CostPico),
        s.AvgTurns, s.TotalTurns, s.SessionsWithErrors, s.UnpricedCalls, s.PricedSessions);
}

/// <summary>totalCostUsd and avgCostUsd are null when every session of the group is unpriced (unpricedSessions = sessions).</summary>
public sealed record BreakdownItem(string? Group, long Sessions, double? TotalCostUsd, double? AvgCostUsd, long Turns, long TotalTokens, long UnpricedSessions)
{
    public static BreakdownItem From(SessionGroupCost g) => new(
        g.Group, g.Sessions,
        g.CostUnknown ? null : Money.PicoToUsd(g.TotalCostPico),
        g.CostUnknown ? null : Money.PicoToUsd(Int128.CreateTruncating(Math.Round(g.AvgCostPico))),
        g.Turns, g.TotalTokens, g.UnpricedSessions);
}

public sealed record BreakdownResponse(string By, IReadOnlyList<BreakdownItem> Data);

public sealed record TokenOutlierItem(SessionItem Session, double TokensPerTurn, double ProjectMedianTokensPerTurn, double Ratio);

public sealed record TraceItem(
    string TraceId, string? Name, string StartedAt, string EndedAt, long DurationMs, int Spans, int LlmCalls, double? CostUsd,
    int UnpricedCalls, long TotalTokens, int ErrorCount, string Status, string? UserId, string? SessionId)
{
    public static TraceItem From(TraceSummary t) => new(
        t.TraceId, t.RootName, Timestamps.Format(t.StartedMs), Timestamps.Format(t.EndedMs), t.DurationMs, t.SpanCount, t.LlmCalls,
        t.CostUnknown ? null : Money.PicoToUsd(t.CostPico), t.UnpricedCalls, t.TotalTokens, t.ErrorCount, TimelineItem.StatusText(t.Status), t.UserId, t.SessionId);
}

public sealed record TraceListResponse(IReadOnlyList<TraceItem> Data, string? NextCursor, long TotalCount);

public sealed record UsageItem(long InputTokens, long OutputTokens, long CachedInputTokens, long ReasoningTokens, long CacheCreationInputTokens);

public sealed record SpanItem(
    string Id, string? ParentId, string Name, string Kind, string? Model, string? Provider, string StartTime, string EndTime, long LatencyMs,
    string? SessionId, string? UserId, UsageItem? Usage, double? CostUsd, string CostSource, string Status, string? Error,
    JsonElement? Input, JsonElement? Output, JsonElement? Metadata, IReadOnlyList<string> Tags)
{
    public static SpanItem From(SpanRecord s) => new(
        s.Id, s.ParentId, s.Name, s.Kind == SpanKind.Llm ? "llm" : "span", s.Model, s.Provider, Timestamps.Format(s.StartMs), Timestamps.Format(s.EndMs),
        s.LatencyMs, s.SessionId, s.UserId,
        s.UsageUnknown ? null : new UsageItem(s.Usage.InputTokens, s.Usage.OutputTokens, s.Usage.CachedInputTokens, s.Usage.ReasoningTokens, s.Usage.CacheCreationInputTokens),
        Money.PicoToUsd(s.CostPico), CostSourceText(s.CostSource), TimelineItem.StatusText(s.Status), s.Error,
        Json(s.InputJson), Json(s.OutputJson), Json(s.MetadataJson), s.Tags);

    // Ingestion accepts payloads nested up to IngestLimits.MaxPayloadDepth; the parser's default limit (64) must not refuse them on the way out.
    private static readonly JsonDocumentOptions StoredPayload = new() { MaxDepth = Zespan.Core.Ingestion.IngestLimits.MaxPayloadDepth + 1 };

    private static JsonElement? Json(string? raw) =>
        raw is null ? null : JsonDocument.Parse(Zespan.Core.Ingestion.StoredJson.Readable(raw), StoredPayload).RootElement.Clone();

    private static string CostSourceText(CostSource source) => source switch
    {
        Zespan.Core.Spans.CostSource.Client => "client",
        Zespan.Core.Spans.CostSource.ProjectPrice => "project-price",
        Zespan.Core.Spans.CostSource.BuiltInTable => "built-in-price",
        _ => "none",
    };
}

public sealed record TraceDetailResponse(string TraceId, IReadOnlyList<SpanItem> Spans);

public sealed record ModelCostItem(
    string? Model, long Calls, double? CostUsd, long UnpricedCalls, long InputTokens, long OutputTokens, long CachedInputTokens, long ReasoningTokens, long Errors,
    long CacheCreationInputTokens)
{
    public static ModelCostItem From(ModelCost m) => new(
        m.Model, m.Calls, m.CostUnknown ? null : Money.PicoToUsd(m.CostPico), m.UnpricedCalls, m.InputTokens, m.OutputTokens, m.CachedInputTokens, m.ReasoningTokens, m.Errors,
        m.CacheCreationInputTokens);
}

/// <summary>totalCostUsd is null when there are calls and none of them could be priced.</summary>
public sealed record ModelCostResponse(string? From, string? To, double? TotalCostUsd, IReadOnlyList<ModelCostItem> Data)
{
    public static ModelCostResponse Of(string? from, string? to, IReadOnlyList<ModelCost> models) => new(
        from, to, ModelCostTotal.Unknown(models) ? null : Money.PicoToUsd(ModelCostTotal.Of(models)), models.Select(ModelCostItem.From).ToList());
}

/// <summary>costUsd is null when the bucket has calls and none could be priced; an empty bucket is $0.</summary>
public sealed record CostBucketItem(string Start, long Calls, double? CostUsd, long TotalTokens, long UnpricedCalls)
{
    public static CostBucketItem From(CostBucket b) =>
        new(Timestamps.Format(b.StartMs), b.Calls, b.CostUnknown ? null : Money.PicoToUsd(b.CostPico), b.TotalTokens, b.UnpricedCalls);
}

public sealed record PriceItem(
    string Model, decimal InputPerMillion, decimal? CachedInputPerMillion, decimal OutputPerMillion, string Source, decimal? CacheCreationInputPerMillion);

public sealed record PriceListResponse(string? BuiltInPricesTakenOn, IReadOnlyList<PriceItem> ProjectPrices, IReadOnlyList<PriceItem> BuiltInPrices);

public sealed record PriceRequest(decimal? InputPerMillion, decimal? CachedInputPerMillion, decimal? OutputPerMillion, decimal? CacheCreationInputPerMillion = null);
