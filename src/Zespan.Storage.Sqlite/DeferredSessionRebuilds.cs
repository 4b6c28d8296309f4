using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// Rebuilds long sessions outside the single writer. Why (issue 12): a re-send that changes a call's start, end, user, tags,
/// metadata or first user message, and a retention batch, rebuild their session from every remaining call — one pass of
/// ~40 ms over 20,000 calls, during which no other project could write. Here the write commits its span changes with the
/// session marked stale (stale_sessions, migration 320) and gives the writer back; the session is then computed from a
/// read snapshot taken at that commit, on a connection of its own (beside ingestion, on another core), and written in a
/// second, short transaction — only if no write touched the session since the snapshot; otherwise it is rebuilt inside
/// the writer as before. The write's caller returns only after that second commit, so a read after its 2xx sees the
/// rebuilt figures; another reader may see the session's previous figures for those milliseconds (docs/architecture.md).
/// A crash between the two commits leaves the marker, and the next start rebuilds every marked session (RebuildMarked).
/// <para>
/// Every member runs while its caller holds the write gate, except <see cref="CompleteAsync"/>, which takes the gate
/// itself for its second transaction: the gate is what orders the revisions, so they need no lock of their own.
/// </para>
/// </summary>
public sealed class DeferredSessionRebuilds(SqliteDatabase database, SqliteWriteGate writeGate)
{
    private readonly Dictionary<(long ProjectId, string SessionId), Pending> _pending = [];
    private readonly List<Ticket> _orphans = [];
    private long _registrations;

    /// <summary>Sessions with fewer calls are rebuilt inside the writer: their pass costs less than a second commit.</summary>
    public int MinTurns { get; set; } = 1_000;

    /// <summary>Tests only: runs after a write's sessions were computed from its snapshot, before the gate is taken again.</summary>
    internal Func<Task>? AfterComputed { get; set; }

    /// <summary>A session marked stale by a committed write, to be rebuilt from a snapshot taken at that commit.</summary>
    internal sealed class Ticket(long projectId, string sessionId, DerivedNameRow? knownName)
    {
        public long ProjectId { get; } = projectId;
        public string SessionId { get; } = sessionId;
        /// <summary>The derived name as the marking write knew it (WrittenSessionNames); valid only while nothing else touched the session.</summary>
        public DerivedNameRow? KnownName { get; } = knownName;
        internal long Registration;
        internal long Revision;
    }

    /// <summary>Per stale session: changes since the snapshots were taken, and the tickets still to complete.</summary>
    private sealed class Pending
    {
        public long Revision;
        public long LatestRegistration;
        public int Waiters;
    }

    /// <summary>The read snapshot the tickets of one write are computed from.</summary>
    internal sealed class Snapshot(SqliteConnection connection, SqliteTransaction transaction, IReadOnlyList<Ticket> tickets) : IAsyncDisposable
    {
        public SqliteConnection Connection { get; } = connection;
        public SqliteTransaction Transaction { get; } = transaction;
        public IReadOnlyList<Ticket> Tickets { get; } = tickets;

        public async ValueTask DisposeAsync()
        {
            Transaction.Dispose();
            await Connection.DisposeAsync();
        }
    }

    /// <summary>
    /// Inside the write's transaction: marks a long session stale and adds its ticket, or returns false for a short one
    /// (the caller rebuilds it at once). The ticket counts only once the write has committed (<see cref="BeginAsync"/>).
    /// </summary>
    internal bool TryDefer(SqliteConnection connection, SqliteTransaction transaction, long projectId, string sessionId, DerivedNameRow? knownName, List<Ticket> tickets)
    {
        using (var turns = connection.Command("SELECT turns FROM sessions WHERE project_id = $p AND session_id = $s", transaction))
        {
            if (turns.With("$p", projectId).With("$s", sessionId).ExecuteScalar() is not long stored || stored < MinTurns)
                return false;
        }
        using (var mark = connection.Command("INSERT OR IGNORE INTO stale_sessions (project_id, session_id) VALUES ($p, $s)", transaction))
            mark.With("$p", projectId).With("$s", sessionId).ExecuteNonQuery();
        tickets.Add(new Ticket(projectId, sessionId, knownName));
        return true;
    }

    /// <summary>A write changed the session's calls or row: a snapshot taken before it no longer describes the session.</summary>
    internal void Touch(long projectId, string? sessionId)
    {
        if (_pending.Count > 0 && sessionId is not null && _pending.TryGetValue((projectId, sessionId), out var pending))
            pending.Revision++;
    }

    /// <summary>A write changed what every session of the project is computed from (its idle gap threshold, content).</summary>
    internal void TouchProject(long projectId)
    {
        foreach (var ((project, _), pending) in _pending)
        {
            if (project == projectId)
                pending.Revision++;
        }
    }

    /// <summary>
    /// Right after the marking write committed, still holding the gate: counts its tickets and pins the read snapshot they
    /// will be computed from (so no later write is in it); null when there is none.
    /// </summary>
    internal async Task<Snapshot?> BeginAsync(List<Ticket> tickets)
    {
        if (tickets.Count == 0)
            return null;
        foreach (var ticket in tickets)
        {
            var key = (ticket.ProjectId, ticket.SessionId);
            if (!_pending.TryGetValue(key, out var pending))
                _pending[key] = pending = new Pending();
            // A new ticket changes the session for the older ones; the newest covers them (its snapshot holds their writes).
            pending.Revision++;
            pending.Waiters++;
            pending.LatestRegistration = ticket.Registration = ++_registrations;
            ticket.Revision = pending.Revision;
        }
        var connection = await database.OpenAsync(CancellationToken.None);
        var transaction = connection.BeginTransaction(deferred: true);
        using (var pin = connection.Command("SELECT count(*) FROM stale_sessions", transaction))
            pin.ExecuteScalar(); // a WAL read transaction takes its snapshot at its first read
        return new Snapshot(connection, transaction, [.. tickets]);
    }

    /// <summary>
    /// Computes the snapshot's sessions without the gate, then writes each one in a short transaction of the gate — or,
    /// when a write touched it meanwhile, rebuilds it there from its calls. Not cancellable: the marking write has
    /// committed, and its 2xx waits for this. On failure the tickets are kept for the next write (<see cref="RebuildOrphans"/>).
    /// </summary>
    internal async Task CompleteAsync(Snapshot snapshot)
    {
        var computed = new List<(Ticket Ticket, RebuiltSession? Session)>();
        await using (snapshot)
        {
            try
            {
                foreach (var ticket in snapshot.Tickets)
                    computed.Add((ticket, AggregateRebuilder.ComputeSession(snapshot.Connection, snapshot.Transaction, ticket.ProjectId, ticket.SessionId, ticket.KnownName)));
            }
            catch (SqliteException)
            {
                // Nothing computed is lost: each session is rebuilt inside the writer below instead.
                computed = [.. snapshot.Tickets.Select(ticket => (ticket, (RebuiltSession?)null))];
            }
        }
        if (AfterComputed is { } interleave)
        {
            AfterComputed = null;
            await interleave();
        }
        using (await writeGate.EnterAsync(CancellationToken.None))
        {
            try
            {
                await using var connection = await database.OpenAsync(CancellationToken.None);
                using var transaction = connection.BeginTransaction(deferred: false);
                using (var rollups = new SessionRollupDeltas(connection))
                {
                    foreach (var (ticket, session) in computed)
                        Complete(connection, transaction, rollups, ticket, session);
                    rollups.Flush();
                }
                transaction.Commit();
                Release(snapshot.Tickets);
            }
            catch
            {
                _orphans.AddRange(snapshot.Tickets);
                throw;
            }
        }
    }

    /// <summary>
    /// Inside a write's transaction: rebuilds the sessions whose deferred rebuild failed (a full disk, say), so a retried
    /// write — often an unchanged re-send that changes nothing — does not leave them stale.
    /// </summary>
    internal void RebuildOrphans(SqliteConnection connection, SqliteTransaction transaction, SessionRollupDeltas rollups)
    {
        if (_orphans.Count == 0)
            return;
        foreach (var ticket in _orphans)
            Complete(connection, transaction, rollups, ticket, computed: null);
    }

    /// <summary>After the write that called <see cref="RebuildOrphans"/> committed: their tickets are done.</summary>
    internal void OrphansCommitted()
    {
        if (_orphans.Count == 0)
            return;
        Release(_orphans);
        _orphans.Clear();
    }

    private void Complete(SqliteConnection connection, SqliteTransaction transaction, SessionRollupDeltas rollups, Ticket ticket, RebuiltSession? computed)
    {
        var pending = _pending[(ticket.ProjectId, ticket.SessionId)];
        if (computed is not null && pending.Revision == ticket.Revision)
        {
            AggregateRebuilder.ApplySession(connection, transaction, rollups, ticket.ProjectId, ticket.SessionId, computed);
            pending.Revision++; // the row changed: older snapshots are stale now
        }
        else if (computed is null || pending.LatestRegistration == ticket.Registration)
        {
            AggregateRebuilder.RebuildSession(connection, transaction, rollups, ticket.ProjectId, ticket.SessionId, knownName: null);
            pending.Revision++;
        }
        // else: a later ticket's snapshot holds this write too, and it brings (or brought) the row up to date.
        if (pending.Waiters == 1) // the session's last ticket: the marker goes in the same commit as the row
        {
            using var unmark = connection.Command("DELETE FROM stale_sessions WHERE project_id = $p AND session_id = $s", transaction);
            unmark.With("$p", ticket.ProjectId).With("$s", ticket.SessionId).ExecuteNonQuery();
        }
    }

    /// <summary>After the transaction that completed them committed: tickets no longer wait; a session with none left is no longer pending.</summary>
    private void Release(IEnumerable<Ticket> tickets)
    {
        foreach (var ticket in tickets)
        {
            var key = (ticket.ProjectId, ticket.SessionId);
            if (_pending.TryGetValue(key, out var pending) && --pending.Waiters == 0)
                _pending.Remove(key);
        }
    }

    /// <summary>
    /// At start-up, before any write: rebuilds every session a crash left marked stale between a write's two commits.
    /// </summary>
    internal static void RebuildMarked(SqliteConnection connection)
    {
        var marked = new List<(long, string)>();
        using (var select = connection.Command("SELECT project_id, session_id FROM stale_sessions"))
        using (var reader = select.ExecuteReader())
        {
            while (reader.Read())
                marked.Add((reader.GetInt64(0), reader.GetString(1)));
        }
        if (marked.Count == 0)
            return;
        using var transaction = connection.BeginTransaction(deferred: false);
        using (var rollups = new SessionRollupDeltas(connection))
        {
            foreach (var (projectId, sessionId) in marked)
                AggregateRebuilder.RebuildSession(connection, transaction, rollups, projectId, sessionId, knownName: null);
            rollups.Flush();
        }
        using (var clear = connection.Command("DELETE FROM stale_sessions", transaction))
            clear.ExecuteNonQuery();
        transaction.Commit();
    }
}
