using Microsoft.Data.Sqlite;

namespace Zespan.Reliability.Tests.Infrastructure;

/// <summary>Read-only looks at the server's SQLite file, beside the running server (WAL allows a reader).</summary>
public static class Database
{
    public static string PathIn(string dataDirectory) => System.IO.Path.Combine(dataDirectory, "zespan.db");

    public static string IntegrityCheck(string dataDirectory) => Scalar(dataDirectory, "PRAGMA integrity_check")?.ToString() ?? "(null)";

    public static long CountSpans(string dataDirectory) => (long)Scalar(dataDirectory, "SELECT count(*) FROM spans")!;

    private static object? Scalar(string dataDirectory, string sql)
    {
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = PathIn(dataDirectory),
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return command.ExecuteScalar();
    }
}
