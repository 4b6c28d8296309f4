namespace Zespan.Core.Storage;

/// <summary>
/// Start-up work of a storage backend (migrations, statistics, first keys), run once by the host before it serves
/// requests, in registration order. A backend shared by several servers must make this safe when they start together.
/// </summary>
public interface IStorageInitializer
{
    Task InitializeAsync(CancellationToken cancellationToken = default);
}
