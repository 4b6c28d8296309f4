using System.Text.RegularExpressions;
using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite.Tests;

/// <summary>Raw SQL against a test's database file, for what the store's interfaces do not show (rows, markers, triggers).</summary>
internal static class SqliteTestSql
{
    public static async Task ExecuteAsync(this SqliteDatabase database, string sql)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<long> ScalarAsync(this SqliteDatabase database, string sql)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The first column of every row, as text.</summary>
    public static async Task<List<string>> StringsAsync(this SqliteDatabase database, string sql)
    {
        await using var connection = await database.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = sql;
        await using var reader = await command.ExecuteReaderAsync();
        var values = new List<string>();
        while (await reader.ReadAsync())
            values.Add(reader.GetString(0));
        return values;
    }

    public static void Execute(this SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    public static long Scalar(this SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (long)command.ExecuteScalar()!;
    }

    /// <summary>The rows of a query, each as its integers joined by "|" (for comparing a rollup with its recomputation).</summary>
    public static List<string> IntegerRows(this SqliteConnection connection, string sql)
    {
        using var command = new SqliteCommand(sql, connection);
        using var reader = command.ExecuteReader();
        var rows = new List<string>();
        while (reader.Read())
            rows.Add(string.Join("|", Enumerable.Range(0, reader.FieldCount).Select(reader.GetInt64)));
        return rows;
    }

    /// <summary>
    /// SQLite's plan of a statement, one line per step ("SEARCH s USING COVERING INDEX …"). Every <c>$name</c> parameter
    /// is bound to 1: EXPLAIN QUERY PLAN needs them bound, and their values do not change the plan.
    /// </summary>
    public static string QueryPlan(this SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = "EXPLAIN QUERY PLAN " + sql;
        foreach (var name in Regex.Matches(sql, @"\$\w+").Select(m => m.Value).Distinct())
            command.Parameters.AddWithValue(name, 1);
        using var reader = command.ExecuteReader();
        var lines = new List<string>();
        while (reader.Read())
            lines.Add(reader.GetString(3));
        return string.Join("\n", lines);
    }

    /// <summary>Runs one of the server's migration files (e.g. "480_trace_models.sql") on the connection, as the migrator would.</summary>
    public static async Task ApplyMigrationAsync(this SqliteConnection connection, string file)
    {
        await using var stream = typeof(SqliteStorage).Assembly.GetManifestResourceStream($"Zespan.Storage.Sqlite.Migrations.{file}")
            ?? throw new InvalidOperationException($"No migration {file}.");
        using var reader = new StreamReader(stream);
        connection.Execute(await reader.ReadToEndAsync());
    }
}
