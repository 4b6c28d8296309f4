using Zespan.Core.Sessions;

namespace Zespan.Core.Storage;

/// <summary>Reads sessions of one project. Every method is scoped to the project it is given.</summary>
public interface ISessionReader
{
    Task<Page<SessionSummary>> ListAsync(long projectId, SessionQuery query, CancellationToken cancellationToken = default);

    /// <summary>The session and its LLM calls in chronological order, or null if the project has no such session.</summary>
    /// <param name="withPayloads">
    /// False leaves each call's InputJson and OutputJson null: the API's timeline does not return them, and reading them
    /// was half the time of a 1,000-turn session's detail.
    /// </param>
    Task<SessionDetail?> GetAsync(long projectId, string sessionId, bool withPayloads = true, CancellationToken cancellationToken = default);

    /// <summary>
    /// The recorded prompt and completion of a session's LLM calls by span id (a call without a payload row maps to
    /// nulls), for the transcript's pages: a page needs the prompts of a hundred calls, not the megabytes of all of them.
    /// </summary>
    /// <param name="spanIds">The calls wanted; null for every LLM call of the session.</param>
    /// <param name="withInputs">False reads only the completions (each InputJson null): the tool calls asked are in them.</param>
    Task<IReadOnlyDictionary<string, CallPayload>> GetPayloadsAsync(
        long projectId, string sessionId, IReadOnlyCollection<string>? spanIds, bool withInputs, CancellationToken cancellationToken = default);

    /// <summary>Count, cost per conversation (average, median, p95) and turns of the sessions matching the filter.</summary>
    Task<SessionStats> StatsAsync(long projectId, SessionFilter filter, CancellationToken cancellationToken = default);

    /// <summary>Sessions and cost per group; a session with several tags or values counts in each of them.</summary>
    Task<IReadOnlyList<SessionGroupCost>> BreakdownAsync(long projectId, SessionGrouping grouping, SessionFilter filter, int limit, CancellationToken cancellationToken = default);

    /// <summary>Sessions whose tokens per turn are at least <paramref name="minRatio"/> times the project's median.</summary>
    Task<IReadOnlyList<TokenOutlier>> TokenOutliersAsync(long projectId, SessionFilter filter, double minRatio, int limit, CancellationToken cancellationToken = default);
}

/// <summary>One call's recorded prompt and completion, as stored (JSON, or raw text).</summary>
public sealed record CallPayload(string? InputJson, string? OutputJson);
