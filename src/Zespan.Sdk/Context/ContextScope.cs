using ZespanSdk.Context;

namespace ZespanSdk;

/// <summary>Ends a <c>Zespan.Context(...)</c> block by restoring what was current before it.</summary>
public sealed class ContextScope : IDisposable
{
    private readonly ContextState? _previous;
    private bool _disposed;

    internal ContextScope(ContextState? previous) => _previous = previous;

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        AmbientContext.Restore(_previous);
    }
}
