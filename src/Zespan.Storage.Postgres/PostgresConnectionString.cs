using Npgsql;

namespace Zespan.Storage.Postgres;

/// <summary>
/// Reads ZESPAN_CONTROL_DB: either Npgsql's "Host=...;Database=..." form or a postgres:// (postgresql://) URL, as
/// hosting providers print them. User and password in a URL may be percent-encoded.
/// </summary>
public static class PostgresConnectionString
{
    public static string Normalize(string value)
    {
        if (!value.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) && !value.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase))
            return new NpgsqlConnectionStringBuilder(value).ConnectionString;
        var url = new Uri(value);
        var builder = new NpgsqlConnectionStringBuilder { Host = url.Host };
        if (url.Port > 0)
            builder.Port = url.Port;
        if (url.AbsolutePath.Trim('/') is { Length: > 0 } database)
            builder.Database = Uri.UnescapeDataString(database);
        if (url.UserInfo.Length > 0)
        {
            var parts = url.UserInfo.Split(':', 2);
            builder.Username = Uri.UnescapeDataString(parts[0]);
            if (parts.Length == 2)
                builder.Password = Uri.UnescapeDataString(parts[1]);
        }
        // Query parameters are Npgsql settings by name, e.g. ?sslmode=require&pooling=true.
        foreach (var pair in url.Query.TrimStart('?').Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var (key, text) = pair.Split('=', 2) is [var k, var v] ? (k, v) : (pair, "");
            builder[Uri.UnescapeDataString(key)] = Uri.UnescapeDataString(text);
        }
        return builder.ConnectionString;
    }

    /// <summary>Where the control plane lives, for the start-up banner: host, port and database, never the password.</summary>
    public static string Describe(string value)
    {
        var builder = new NpgsqlConnectionStringBuilder(Normalize(value));
        return $"PostgreSQL {builder.Host}:{builder.Port}/{builder.Database}";
    }
}
