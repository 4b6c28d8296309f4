using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>
/// The set-up lock of the embedded file: an exclusively opened file beside it, so two processes on one data folder
/// (servers started together) take turns. The operating system drops it if the process dies.
/// </summary>
public sealed class SqliteSetupLock(SqliteDatabase database) : ISetupLock
{
    public async Task<IAsyncDisposable> AcquireAsync(CancellationToken cancellationToken = default)
    {
        var path = database.FilePath + ".setup-lock";
        while (true)
        {
            try
            {
                // Left in place when released: deleting it could let two waiters lock two different files.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1);
            }
            catch (IOException)
            {
                await Task.Delay(50, cancellationToken);
            }
        }
    }
}
