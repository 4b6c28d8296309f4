using System.Text;
using Microsoft.Data.Sqlite;

namespace Zespan.Storage.Sqlite;

/// <summary>The SQL side of <see cref="Zespan.Core.HourRange"/> for the hourly rollup tables.</summary>
internal static class HourConditions
{
    /// <summary>
    /// Appends an hourly rollup's condition on its <c>hour</c> column for whole hours [from, to) (an open end adds
    /// nothing) and binds its parameters: the one way every rollup read restricts its hours.
    /// </summary>
    public static void Append(StringBuilder sql, SqliteCommand command, long? fromHour, long? toHour)
    {
        if (fromHour is { } from)
        {
            sql.Append(" AND hour >= $from");
            command.With("$from", from);
        }
        if (toHour is { } to)
        {
            sql.Append(" AND hour < $to");
            command.With("$to", to);
        }
    }
}
