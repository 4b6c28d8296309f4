namespace ZespanSdk.Context;

/// <summary>
/// Holds the <see cref="ContextState"/> on an AsyncLocal: it follows awaits and is copied into tasks
/// started inside it, while concurrent requests each keep their own.
/// </summary>
internal static class AmbientContext
{
    private static readonly AsyncLocal<ContextState?> CurrentState = new();

    public static ContextState Current => CurrentState.Value ?? ContextState.Empty;

    /// <summary>Makes <paramref name="state"/> current until the returned scope is disposed.</summary>
    public static ContextScope Push(ContextState state)
    {
        ContextState? previous = CurrentState.Value;
        CurrentState.Value = state;
        return new ContextScope(previous);
    }

    internal static void Restore(ContextState? previous) => CurrentState.Value = previous;
}
