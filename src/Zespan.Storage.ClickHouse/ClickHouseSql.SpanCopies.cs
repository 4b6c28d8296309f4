using Zespan.Core.Sessions;
using Zespan.Core.Spans;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// The statements that write a new version of stored spans from their newest one with a few columns filled in
/// (<see cref="StoredSpanCopies"/>): trace-context inheritance for OTLP spans (<see cref="TraceContextInheritance"/>,
/// migration 011) and session names from content sent apart (<see cref="ContentSessionNames"/>).
/// </summary>
public sealed partial class ClickHouseSql
{
    /// <summary>
    /// Every version of the spans {ids:Array(String)}, read under {sessions:Array(String)}: every session ('' for none)
    /// they have had a version in (<see cref="SessionsOfSpans"/>), so the newest of them is each span's newest anywhere.
    /// </summary>
    private const string SpansUnderTheirSessions =
        " AND session_id IN (SELECT arrayJoin({sessions:Array(String)})) AND span_id IN (SELECT arrayJoin({ids:Array(String)}))";

    /// <summary>The session, user and newest version of each live span of {ids:Array(String)} ('' with 0 where it has none).</summary>
    public string ContextOfSpans =>
        $"SELECT span_id, c_session, c_has_session, c_user, c_has_user, c_version FROM ({Current(SpansUnderTheirSessions, ["c_session", "c_has_session", "c_user", "c_has_user", "c_deleted"], prewhere: true)}) "
        + "WHERE c_deleted = 0 ORDER BY span_id FORMAT JSONCompact";

    /// <summary>The spans written waiting for a session or user from the spans {ids:Array(String)}, their parents: (parent, span).</summary>
    public string AwaitingChildren =>
        $"SELECT DISTINCT parent_id, span_id FROM {database}.spans_awaiting_context WHERE project_id = {{project:Int64}} "
        + "AND parent_id IN (SELECT arrayJoin({ids:Array(String)})) ORDER BY parent_id, span_id FORMAT JSONCompact";

    /// <summary>
    /// The element of the Array(String) parameter <paramref name="values"/> at the span's place in {ids:Array(String)}:
    /// transform looks it up in a hash table built once per statement, where indexOf would scan the ids for every row
    /// (a root's thousands of waiting calls).
    /// </summary>
    private static string AtSpan(string values) => $"transform(span_id, {{ids:Array(String)}}, {{{values}:Array(String)}}, '')";

    /// <summary>
    /// What each span of {ids:Array(String)} takes from its ancestor, aligned with the ids ('' where the ancestor has none):
    /// {inherit_sessions:Array(String)} and {inherit_users:Array(String)}; a span's own value is kept.
    /// </summary>
    private static readonly Dictionary<string, string> Inherited = new(StringComparer.Ordinal)
    {
        ["c_session"] = $"if(c_has_session = 1, c_session, {AtSpan("inherit_sessions")})",
        ["c_has_session"] = $"if(c_has_session = 1, toUInt8(1), toUInt8(notEmpty({AtSpan("inherit_sessions")})))",
        ["c_user"] = $"if(c_has_user = 1, c_user, {AtSpan("inherit_users")})",
        ["c_has_user"] = $"if(c_has_user = 1, toUInt8(1), toUInt8(notEmpty({AtSpan("inherit_users")})))",
    };

    /// <summary>A new version of each span that lacks a session or a user its ancestor gives (<see cref="Inherited"/>).</summary>
    public string InheritedVersions => CopiedVersions(Inherited,
        $"(c_has_session = 0 AND notEmpty({AtSpan("inherit_sessions")})) OR (c_has_user = 0 AND notEmpty({AtSpan("inherit_users")}))");

    /// <summary>
    /// A new version of each call that has no input of its own and no first user message yet, with the one of the
    /// content sent apart for it, {user_texts:Array(String)} aligned with the ids (<see cref="SessionNames.FirstUserMessage"/>
    /// of the content's input, computed by the caller): what the call's user text would be had it carried that input.
    /// </summary>
    public string NamedVersions => CopiedVersions(
        new Dictionary<string, string>(StringComparer.Ordinal) { ["c_user_text"] = AtSpan("user_texts"), ["c_has_user_text"] = "toUInt8(1)" },
        $"c_kind = {(int)SpanKind.Llm} AND p_has_input = 0 AND c_has_user_text = 0");

    /// <summary>
    /// A new version {version:UInt64} of each live span of {ids:Array(String)} for which <paramref name="needed"/> holds:
    /// the columns of <paramref name="replaced"/> (by their c_* alias) computed, every other column as the span's newest
    /// version has it, payloads included — what a re-send of the span with those values would write. In the columns of
    /// <see cref="SpanRowColumns"/>.
    /// </summary>
    private string CopiedVersions(IReadOnlyDictionary<string, string> replaced, string needed)
    {
        var fields = SpanFields.Concat(PayloadFields).ToList();
        var values = fields.Select(f => replaced.GetValueOrDefault(f.Alias, f.Alias));
        return $"""
            SELECT {"{project:Int64}"}, span_id, {string.Join(", ", values)}, {"{version:UInt64}"}
            FROM ({Current(SpansUnderTheirSessions, fields.Select(f => f.Alias).ToList(), prewhere: true)})
            WHERE c_deleted = 0 AND ({needed})
            """;
    }

    /// <summary>The columns of a span row in the order the copied versions select them.</summary>
    public static IEnumerable<string> SpanRowColumns =>
        new[] { "project_id", "span_id" }.Concat(SpanFields.Concat(PayloadFields).Select(f => f.Column)).Append("version");

    /// <summary>Writes the rows of <paramref name="copiedVersions"/> (<see cref="InheritedVersions"/>, <see cref="NamedVersions"/>) into the span rows.</summary>
    public string InsertSpanVersions(string copiedVersions) => $"INSERT INTO {Spans} ({string.Join(", ", SpanRowColumns)}) {copiedVersions}";

    private IEnumerable<(string Name, string Sql)> SpanCopyStatements()
    {
        yield return ("ContextOfSpans", ContextOfSpans);
        yield return ("AwaitingChildren", AwaitingChildren);
        yield return ("InheritedVersions", InheritedVersions + " ORDER BY span_id FORMAT JSONCompact");
        yield return ("NamedVersions", NamedVersions + " ORDER BY span_id FORMAT JSONCompact");
    }
}
