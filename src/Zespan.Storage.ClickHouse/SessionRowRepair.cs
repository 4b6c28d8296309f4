using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Zespan.Core.Storage;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// The repair sweep: a server that dies after its spans' INSERT and before their recompute has answered nothing, and if
/// the client never re-sends, the sessions it touched keep their old rows. Every <see cref="Interval"/> this loop finds
/// the sessions (and '' for the spans of no session) whose newest span row is newer than their newest session row
/// (<see cref="ClickHouseSql.StaleSessions"/>), written more than <see cref="Settling"/> ago — the writer's own
/// recompute follows its INSERT within seconds — and recomputes them as the writer would have
/// (<see cref="SessionRowKeeper.SpansWrittenAsync"/>: with every session that held a version of one of the spans written
/// since, so a span moved away is taken out of the session it left). At most <see cref="SessionsPerPass"/> sessions per
/// pass; a full pass is followed by another at once.
/// <para>
/// One server sweeps a data scope at a time: the holder of the control plane's lease on it (renewed each pass). Servers
/// that share a control plane (PostgreSQL) therefore read the tables once per interval, not once each; servers with a
/// control plane each (an SQLite file per server) each hold their own lease and each sweep, which is harmless — a
/// recompute is idempotent (the newest tick wins and reads everything written before it).
/// </para>
/// <para>
/// What a pass reads. A server's first pass reads every version. After a pass that found its whole backlog, the next
/// ones read only the rows of versions after that pass's settled tick less a margin for writes that land late (an INSERT
/// slower than its tick, or a server whose clock lags): <see cref="RecentLateWrites"/> for most passes, and
/// <see cref="LateWrites"/> for every <see cref="PassesPerDeepPass"/>th, which reads from the last such deep pass's
/// settled tick. Why two margins: a pass groups every span row of its window by session, so its cost is the rows written
/// in that window; with one 10-minute margin each pass grouped ~10.5 minutes of writes — at 10,000 spans/s ~6 M rows,
/// 3–9 s per pass and server at 10 M spans (docs/benchmarks.md, session 41) — though only rows that landed since the
/// previous pass can be new to it. Grouping the whole span table each time took 50–56 s per pass at 9 M span rows.
/// </para>
/// </summary>
public sealed class SessionRowRepair(
    ClickHouseHttp http, ClickHouseSql sql, SessionRowKeeper sessionRows, ILeaseStore leases, TimeProvider time, ILogger<SessionRowRepair> logger)
    : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    /// <summary>How old a write must be before the sweep takes it for one whose recompute will not come.</summary>
    public static readonly TimeSpan Settling = TimeSpan.FromSeconds(30);

    public const int SessionsPerPass = 200;

    /// <summary>
    /// How long after its version tick a write may land, or how far another server's clock may lag, and still be found by
    /// a deep pass: a slower INSERT is found by the next server start's full pass, or at once when the client re-sends.
    /// </summary>
    public static readonly TimeSpan LateWrites = TimeSpan.FromMinutes(10);

    /// <summary>
    /// The same margin for the passes between deep ones: the server's HTTP client gives up on an INSERT after 60 s, so a
    /// write that lands later than this after its tick comes from a server whose clock lags by a minute or more, and is
    /// left to the next deep pass.
    /// </summary>
    public static readonly TimeSpan RecentLateWrites = TimeSpan.FromMinutes(2);

    /// <summary>Every this many passes that found their whole backlog, one reads back <see cref="LateWrites"/> (about every 5 minutes).</summary>
    public const int PassesPerDeepPass = 10;

    /// <summary>Lease time: a server that stops sweeping (it died) lets another take over after this.</summary>
    public static readonly TimeSpan LeaseDuration = Interval * 4;

    private readonly HeldLease _lease = new(leases, "Session row repair", LeaseDuration, logger);

    private string LeaseName => "session-row-repair:" + http.Settings.DataScope;

    /// <summary>The settled tick of the last pass that found its whole backlog; 0 until one has, so that pass reads everything.</summary>
    private ulong _checkedBefore;

    /// <summary>The settled tick of the last deep pass that found its whole backlog.</summary>
    private ulong _deepCheckedBefore;

    /// <summary>Passes that found their whole backlog since the last deep one.</summary>
    private int _passesSinceDeep;

    /// <summary>Whether the next pass reads back <see cref="LateWrites"/> (the first pass, which reads everything, is one).</summary>
    internal bool NextPassIsDeep => _deepCheckedBefore == 0 || _passesSinceDeep + 1 >= PassesPerDeepPass;

    /// <summary>The versions the next pass reads are those after this one.</summary>
    internal ulong WrittenAfter => NextPassIsDeep ? Before(_deepCheckedBefore, LateWrites) : Before(_checkedBefore, RecentLateWrites);

    private static ulong Before(ulong tick, TimeSpan margin) => tick > (ulong)margin.Ticks ? tick - (ulong)margin.Ticks : 0;

    /// <summary>Span ids of one stale session looked up for the sessions they left: a crashed batch's spans, newest first.</summary>
    private const int SpanIdsPerSession = 10_000;

    /// <summary>
    /// One pass over every project, if this server holds the sweep's lease (else none: another server sweeps); returns
    /// the sessions it recomputed.
    /// </summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        if (!await _lease.RenewAsync(LeaseName, cancellationToken))
            return 0;
        var settled = (ulong)(time.GetUtcNow() - Settling).UtcTicks; // a RowVersions tick of that time
        var deep = NextPassIsDeep;
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
        {
            _checkedBefore = settled;
            if (deep)
                (_deepCheckedBefore, _passesSinceDeep) = (settled, 0);
            else
                _passesSinceDeep++;
        }
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

    /// <summary>Gives the lease up on shutdown, so another server sweeps at its next pass instead of waiting for expiry.</summary>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await base.StopAsync(cancellationToken);
        await _lease.ReleaseAsync(cancellationToken);
    }
}
