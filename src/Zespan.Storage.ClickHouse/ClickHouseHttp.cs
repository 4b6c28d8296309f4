using System.Buffers;
using System.Globalization;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.RegularExpressions;
using Zespan.Core.Storage;

namespace Zespan.Storage.ClickHouse;

/// <summary>
/// ClickHouse's HTTP interface with HttpClient: statements in the POST body, rows for INSERT as JSONEachRow in the
/// body (values never in SQL text), results as JSONCompact. Nodes are tried in the configured order, starting after
/// the last one that failed, so one node down does not stop the server.
/// </summary>
public sealed partial class ClickHouseHttp(ClickHouseSettings settings, HttpClient http)
{
    private int _preferred;
    private Task<InsertDurability>? _durability;

    public ClickHouseSettings Settings => settings;

    /// <summary>Runs a statement that returns nothing (DDL, INSERT … SELECT, ALTER).</summary>
    public async Task ExecuteAsync(string sql, IReadOnlyDictionary<string, object?>? parameters = null, CancellationToken cancellationToken = default) =>
        await SendAsync(SqlBinder.Bind(sql, parameters), body: null, cancellationToken, await SettingsForAsync(insert: true, cancellationToken), ReadToEnd);

    /// <summary>The INSERT and read settings for this cluster, found once (a single server has none).</summary>
    public Task<InsertDurability> DurabilityAsync(CancellationToken cancellationToken = default)
    {
        if (settings.Cluster is null)
            return Task.FromResult(InsertDurability.For(1, null));
        return _durability ??= FindDurabilityAsync(cancellationToken);
    }

    private async Task<InsertDurability> FindDurabilityAsync(CancellationToken cancellationToken)
    {
        try
        {
            var replicas = (int)(await SendAsync(SqlBinder.Bind(InsertDurability.ReplicasQuery, new Dictionary<string, object?> { ["cluster"] = settings.Cluster }),
                body: null, cancellationToken, [], RowsOf(row => row[0].Long())))[0];
            if (replicas == 0)
                throw new ClickHouseException($"ZESPAN_CLICKHOUSE_CLUSTER: the nodes have no cluster \"{settings.Cluster}\" in their remote_servers.");
            return InsertDurability.For(replicas, settings.InsertQuorum);
        }
        catch
        {
            _durability = null; // found again on the next statement
            throw;
        }
    }

    private async Task<IEnumerable<string>> SettingsForAsync(bool insert, CancellationToken cancellationToken)
    {
        if (settings.Cluster is null)
            return [];
        var durability = await DurabilityAsync(cancellationToken);
        return insert ? durability.InsertSettings() : durability.ReadSettings();
    }

    /// <summary>
    /// Runs a SELECT written with FORMAT JSONCompact and maps each row as the answer is parsed, from the response stream.
    /// The only form: no copy of the answer is made, so <paramref name="map"/> must turn the cells into values and not keep
    /// them (they are read from buffers returned once the rows are mapped). Copying cost about 4 ms of CPU for a
    /// 1,000-call timeline (226 kB): the buffered answer, its string and the cells, most of it in fresh large buffers.
    /// </summary>
    public async Task<List<T>> QueryAsync<T>(string sql, IReadOnlyDictionary<string, object?>? parameters, Func<JsonElement[], T> map,
        CancellationToken cancellationToken = default) =>
        await SendAsync(SqlBinder.Bind(sql, parameters), body: null, cancellationToken,
            [.. await SettingsForAsync(insert: false, cancellationToken), $"max_execution_time={Math.Max(1, (long)settings.ReadLimit.TotalSeconds)}"], RowsOf(map));

    /// <summary>
    /// ClickHouse's error codes for a statement stopped at a limit of the server rather than refused as written:
    /// TIMEOUT_EXCEEDED, TOO_SLOW, TOO_MANY_SIMULTANEOUS_QUERIES, MEMORY_LIMIT_EXCEEDED (the same in 18.16 and 26).
    /// </summary>
    private static readonly int[] LimitCodes = [159, 160, 202, 241];

    /// <summary>A refusal's exception: <see cref="StoreUnavailableException"/> for a limit, else <see cref="ClickHouseException"/>.</summary>
    private static Exception Refusal(int status, string text)
    {
        var message = $"ClickHouse refused the statement ({status}): {text}";
        return ErrorCode().Match(text) is { Success: true } code && LimitCodes.Contains(int.Parse(code.Groups[1].Value, CultureInfo.InvariantCulture))
            ? new StoreUnavailableException(message)
            : new ClickHouseException(message);
    }

    [GeneratedRegex(@"^Code: (\d+)")]
    private static partial Regex ErrorCode();

    /// <summary>Reads a JSONCompact answer's rows through <paramref name="map"/>, each while the answer's document is open.</summary>
    private static Func<Stream, CancellationToken, Task<List<T>>> RowsOf<T>(Func<JsonElement[], T> map) => async (stream, cancellationToken) =>
    {
        using var document = await JsonDocument.ParseAsync(stream, cancellationToken: cancellationToken);
        var data = document.RootElement.GetProperty("data");
        var rows = new List<T>(data.GetArrayLength());
        foreach (var row in data.EnumerateArray())
        {
            var cells = new JsonElement[row.GetArrayLength()];
            var i = 0;
            foreach (var cell in row.EnumerateArray())
                cells[i++] = cell;
            rows.Add(map(cells));
        }
        return rows;
    };

    /// <summary>INSERT INTO <paramref name="table"/> FORMAT JSONEachRow with the rows serialised as the request body.</summary>
    public async Task InsertAsync<T>(string table, IReadOnlyCollection<T> rows, CancellationToken cancellationToken = default)
    {
        if (rows.Count == 0)
            return;
        using var body = new PooledBody();
        WriteJsonEachRow(body, rows);
        await InsertJsonAsync(table, body.Written, cancellationToken);
    }

    /// <summary>INSERT INTO <paramref name="table"/> of rows already serialised as JSONEachRow, with the same settings.</summary>
    internal async Task InsertJsonAsync(string table, ReadOnlyMemory<byte> jsonEachRow, CancellationToken cancellationToken = default) =>
        await SendAsync(InsertStatement(settings.Database, table), jsonEachRow, cancellationToken, await SettingsForAsync(insert: true, cancellationToken), ReadToEnd);

    /// <summary>The INSERT statement whose data follows in the body; the dialect check sends the same text.</summary>
    public static string InsertStatement(string database, string table) => $"INSERT INTO {database}.{table} FORMAT JSONEachRow";

    /// <summary>Rows as the body of <see cref="InsertAsync{T}"/>, in a fresh array (the dialect check, the bench).</summary>
    public static ReadOnlyMemory<byte> JsonEachRow<T>(IEnumerable<T> rows)
    {
        var body = new ArrayBufferWriter<byte>();
        WriteJsonEachRow(body, rows);
        return body.WrittenMemory;
    }

    /// <summary>
    /// Rows as JSONEachRow in UTF-8: one JSON object per line, property names = column names. Written straight as UTF-8
    /// and sent as written: serialising each row to a string, joining them and encoding the whole to UTF-8 for the
    /// request cost the writer about 22 µs of CPU per span row (1.4 kB each, its payloads JSON inside JSON) against 8 µs
    /// now (docs/benchmarks.md, session 27).
    /// </summary>
    private static void WriteJsonEachRow<T>(IBufferWriter<byte> body, IEnumerable<T> rows)
    {
        using var writer = new Utf8JsonWriter(body, new JsonWriterOptions { Encoder = JsonOptions.Encoder });
        foreach (var row in rows)
        {
            JsonSerializer.Serialize(writer, row, JsonOptions);
            writer.Flush();
            body.Write("\n"u8);
            writer.Reset();
        }
    }

    /// <summary>
    /// Strings are escaped only where JSON requires it (quotes, backslashes, control characters; ill-formed UTF-16 becomes
    /// U+FFFD as before): the default encoder also escaped every non-ASCII character and &lt; &gt; &amp; ' +, which
    /// ClickHouse decodes to the same text — the rows are read by ClickHouse alone, never put in a page.
    /// </summary>
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>A statement's answer read to its end and dropped (so the connection is reused).</summary>
    private static async Task<bool> ReadToEnd(Stream answer, CancellationToken cancellationToken)
    {
        await answer.CopyToAsync(Stream.Null, cancellationToken);
        return true;
    }

    /// <summary>
    /// Sends the statement and reads its answer with <paramref name="read"/> from the response stream, not from a
    /// buffered copy. The client's timeout covers the whole answer, as it did when the client buffered it.
    /// </summary>
    private async Task<T> SendAsync<T>(string sql, ReadOnlyMemory<byte>? body, CancellationToken cancellationToken, IEnumerable<string> statementSettings,
        Func<Stream, CancellationToken, Task<T>> read)
    {
        Exception? last = null;
        var start = Volatile.Read(ref _preferred);
        for (var attempt = 0; attempt < settings.Urls.Count; attempt++)
        {
            var index = (start + attempt) % settings.Urls.Count;
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(http.Timeout);
            try
            {
                using var request = NewRequest(settings.Urls[index], sql, body, statementSettings);
                using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
                if (!response.IsSuccessStatusCode)
                    throw Refusal((int)response.StatusCode, (await response.Content.ReadAsStringAsync(timeout.Token)).Trim());
                await using var answer = await response.Content.ReadAsStreamAsync(timeout.Token);
                var result = await read(answer, timeout.Token);
                Volatile.Write(ref _preferred, index);
                return result;
            }
            catch (HttpRequestException e)
            {
                last = e; // the node is unreachable: try the next one
            }
            catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
            {
                last = e; // timed out: try the next one
            }
        }
        throw new StoreUnavailableException($"No ClickHouse node answered ({string.Join(", ", settings.Urls)}).", last);
    }

    /// <summary>
    /// ClickHouse parses at most this many bytes of a statement (max_query_size's default, 18.16 to 26): a statement that
    /// carries a batch's span ids can be longer — 20,000 ids of 18 characters bind to 760 kB of hex — and was refused
    /// with "Max query size exceeded", so the write failed on every retry. Such a statement sends a limit of twice its
    /// length: the setting travels to the other shards with the statement, which they receive as ClickHouse formats it
    /// again (its subqueries named, so a little longer).
    /// </summary>
    private const int DefaultMaxQuerySize = 262_144;

    private HttpRequestMessage NewRequest(Uri node, string sql, ReadOnlyMemory<byte>? body, IEnumerable<string> statementSettings)
    {
        // With data in the body, the statement goes in the URL; otherwise the statement is the body.
        // No database setting: every statement names its tables with the database, and the first creates it.
        var query = new List<string>(statementSettings); // InsertDurability: what a 2xx means
        if (body is not null)
            query.Add("query=" + Uri.EscapeDataString(sql));
        else if (Encoding.UTF8.GetByteCount(sql) is var bytes and >= DefaultMaxQuerySize)
            query.Add("max_query_size=" + 2L * bytes); // a batch's span ids bound into the statement
        var request = new HttpRequestMessage(HttpMethod.Post, new Uri(node, query.Count == 0 ? "/" : "/?" + string.Join('&', query)))
        {
            Content = body is { } rows
                ? new ReadOnlyMemoryContent(rows) { Headers = { ContentType = new MediaTypeHeaderValue("text/plain") { CharSet = "utf-8" } } }
                : new StringContent(sql, Encoding.UTF8, "text/plain"),
        };
        if (settings.User is not null)
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic",
                Convert.ToBase64String(Encoding.UTF8.GetBytes(settings.User + ":" + (settings.Password ?? ""))));
        return request;
    }
}
