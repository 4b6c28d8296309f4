using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// The repair sweep: a server that dies after its spans' INSERT and before their recompute has answered nothing, and if
/// the client never re-sends, the sessions it touched keep their old rows. Every <see cref="Interval"/> this loop finds
/// the sessions (and '' for the spans of no session) whose newest span row is newer than their newest session row
/// (<see cref="ClickHouseSql.StaleSessions"/>), written more than <see cref="Settling"/> ago — the writer's own
/// recompute follows its INSERT within seconds — and recomputes them as the writer would have
/// (<see cref="SessionRowKeeper.SpansWrittenAsync"/>: with every session that held a version of one of the spans written
/// since, so a span moved away is taken out of the session it left). Each server runs it: a recompute is idempotent
/// (the newest tick wins and reads everything written before it), and when nothing is stale a pass is one statement per
/// project that returns no row. At most <see cref="SessionsPerPass"/> sessions per pass; a full pass is followed by
/// another at once.
/// <para>
/// A server's first pass reads every version; after a pass that found its whole backlog, the next ones read only the
/// rows of versions after that pass's settled tick less <see cref="LateWrites"/>. Grouping the whole span table each
/// time took 50–56 s per pass at 9 M span rows, so the two servers' sweeps ran back to back and took ClickHouse CPU
/// from ingestion and reads; the bounded pass scans the version column and groups only the recent rows.
/// </para>
/// </summary>
public sealed class SessionRowRepair(ClickHouseHttp http, ClickHouseSql sql, SessionRowKeeper sessionRows, TimeProvider time, ILogger<SessionRowRepair> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    /// <summary>How old a write must be before the sweep takes it for one whose recompute will not come.</summary>
    public static readonly TimeSpan Settling = TimeSpan.FromSeconds(30);

    public const int SessionsPerPass = 200;

    /// <summary>
    /// How long after its version tick a write may land, or how far another server's clock may lag, and still be found by
    /// a bounded pass: a slower INSERT is found by the next server start's full pass, or at once when the client
    /// re-sends. Versions are ticks taken just before the INSERT, which the server's HTTP client gives up on after 60 s.
    /// </summary>
    public static readonly TimeSpan LateWrites = TimeSpan.FromMinutes(10);

    /// <summary>The settled tick of the last pass that found its whole backlog; 0 until one has, so that pass reads everything.</summary>
    private ulong _checkedBefore;

    /// <summary>The versions the next pass reads are those after this one.</summary>
    internal ulong WrittenAfter => _checkedBefore > (ulong)LateWrites.Ticks ? _checkedBefore - (ulong)LateWrites.Ticks : 0;

    /// <summary>Span ids of one stale session looked up for the sessions they left: a crashed batch's spans, newest first.</summary>
    private const int SpanIdsPerSession = 10_000;

    /// <summary>One pass over every project; returns the sessions it recomputed.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var settled = (ulong)(time.GetUtcNow() - Settling).UtcTicks; // a RowVersions tick of that time
        var writtenAfter = WrittenAfter;
        var repaired = 0;
        var projects = await http.QueryAsync(sql.ProjectsWrittenAfter, new Dictionary<string, object?> { ["written_after"] = writtenAfter }, r => r[0].Long(),
            cancellationToken);
        foreach (var projectId in projects)
        {
            if (repaired == SessionsPerPass)
                break;
            repaired += await RepairProjectAsync(projectId, writtenAfter, settled, SessionsPerPass - repaired, cancellationToken);
        }
        // A full pass may have left stale sessions behind its batch: the next one reads from the same bound.
        if (repaired < SessionsPerPass)
            _checkedBefore = settled;
        return repaired;
    }

    /// <summary>
    /// Recomputes up to <paramref name="batch"/> stale sessions of the project among the rows of versions after
    /// <paramref name="writtenAfter"/> whose newest span row is older than <paramref name="settled"/>.
    /// </summary>
    internal async Task<int> RepairProjectAsync(long projectId, ulong writtenAfter, ulong settled, int batch, CancellationToken cancellationToken = default)
    {
        var parameters = new Dictionary<string, object?>
        {
            ["project"] = projectId, ["written_after"] = writtenAfter, ["settled"] = settled, ["batch"] = (long)batch, ["id_limit"] = (long)SpanIdsPerSession,
        };
        var stale = await http.QueryAsync(sql.StaleSessions, parameters, r => (Session: r[0].Text(), Since: r[2].ULong()), cancellationToken);
        if (stale.Count == 0)
            return 0;
        var sessions = new List<string>();
        var spanIds = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (session, since) in stale)
        {
            sessions.Add(session);
            parameters["session"] = session;
            parameters["since"] = since;
            spanIds.UnionWith(await http.QueryAsync(sql.SpanIdsWrittenSince, parameters, r => r[0].Text(), cancellationToken));
        }
        await sessionRows.SpansWrittenAsync(projectId, spanIds, sessions, written: [], cancellationToken);
        logger.LogWarning("Session rows: recomputed {Sessions} sessions of project {Project} whose last write was not followed by its recompute (a server stopped in between).",
            sessions.Count, projectId);
        return sessions.Count;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var repaired = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                // Straight on after a full pass (a backlog), else one interval: also after start, when migrations run.
                if (repaired < SessionsPerPass)
                    await Task.Delay(Interval, time, stoppingToken);
                repaired = await RunOnceAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception error)
            {
                // Nothing is lost: the stale rows are found again by the next pass.
                repaired = 0;
                logger.LogError(error, "Session row repair failed; retrying in {Interval}.", Interval);
            }
        }
    }
}
