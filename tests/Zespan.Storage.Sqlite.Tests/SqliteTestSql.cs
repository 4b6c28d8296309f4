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
}
