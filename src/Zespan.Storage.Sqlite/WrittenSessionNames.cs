using Microsoft.Data.Sqlite;
using Zespan.Core.Sessions;
using Zespan.Core.Spans;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// A rebuilt session's derived name (SessionNames: the first user message of its earliest call that has one) from the
/// stored row and this write's own calls, without probing every remaining call's payload. Why: when no call of a long
/// session has a user message (content capture off), the rebuild after a re-send read all 20,000 payloads to find none
/// (~15 % of the rebuild, issue 12). The write changes only the calls it carries, so the earliest call with a user
/// message afterwards is the earliest of the stored name's call (if this write left it alone) and this write's calls
/// that have one — unless the write took the stored name's call away from that place (moved it later, out of the
/// session, or removed its user message) or moved stored calls in by trace-context inheritance, whose inputs it does not
/// carry: then the caller probes as before (null).
/// </summary>
internal sealed class WrittenSessionNames
{
    private readonly List<(long ProjectId, SpanRecord Span)> _written = [];
    private readonly HashSet<(long, string)> _passedDown = [];
    // Built on the first rebuild only: most writes rebuild no session, and recording a span is on the ingest hot path.
    private Dictionary<(long ProjectId, string SpanId), SpanRecord>? _lastVersion;
    private ILookup<(long, string?), SpanRecord>? _bySession;

    /// <summary>Records a span as this write stores it (after inheritance); a later version of the same id replaces it.</summary>
    public void Written(long projectId, SpanRecord span)
    {
        _written.Add((projectId, span));
        (_lastVersion, _bySession) = (null, null);
    }

    /// <summary>Stored calls were moved into this session by inheritance: its name is probed.</summary>
    public void PassedDown(long projectId, string sessionId) => _passedDown.Add((projectId, sessionId));

    /// <summary>The session's derived name after this write, or null when it cannot be known without the probe. Read before the rebuild.</summary>
    public DerivedNameRow? After(SqliteConnection connection, SqliteTransaction transaction, long projectId, string sessionId)
    {
        if (_passedDown.Contains((projectId, sessionId)))
            return null;
        if (SessionActivityRows.StoredDerivedName(connection, transaction, projectId, sessionId) is not { } best)
            return null; // a new session, or an explicit name: the fold or the probe decides
        if (_lastVersion is null)
        {
            _lastVersion = [];
            foreach (var (project, span) in _written)
                _lastVersion[(project, span.Id)] = span;
        }
        if (best.Name is not null && _lastVersion.TryGetValue((projectId, best.SpanId!), out var nameCall))
        {
            // The stored name's call was re-sent: it keeps the name only if it still has a user message, in this session, no later.
            if (!InSession(nameCall, sessionId) || SessionNames.FirstUserMessage(nameCall.InputJson) is not { } text
                || EarliestSpan.IsEarlier(best.StartMs, best.SpanId!, nameCall.StartMs, nameCall.Id))
                return null;
            best = new DerivedNameRow(text, nameCall.StartMs, nameCall.Id);
        }
        _bySession ??= _lastVersion.ToLookup(v => (v.Key.ProjectId, v.Value.SessionId), v => v.Value);
        foreach (var call in _bySession[(projectId, sessionId)])
        {
            if (call.Id == best.SpanId || !InSession(call, sessionId))
                continue;
            if ((best.Name is null || EarliestSpan.IsEarlier(call.StartMs, call.Id, best.StartMs, best.SpanId!))
                && SessionNames.FirstUserMessage(call.InputJson) is { } text)
                best = new DerivedNameRow(text, call.StartMs, call.Id);
        }
        return best;
    }

    private static bool InSession(SpanRecord call, string sessionId) => call.Kind == SpanKind.Llm && call.SessionId == sessionId;
}
