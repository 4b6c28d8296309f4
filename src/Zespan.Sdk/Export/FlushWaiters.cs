namespace ZespanSdk.Export;

/// <summary>Callers of FlushAsync, each waiting until the settled-span count reaches what was enqueued when they called.</summary>
internal sealed class FlushWaiters
{
    private readonly object _gate = new();
    private readonly List<(long Target, TaskCompletionSource Completion)> _waiters = new();

    public bool Any
    {
        get
        {
            lock (_gate)
            {
                return _waiters.Count > 0;
            }
        }
    }

    public Task Add(long target, CancellationToken cancellationToken)
    {
        var completion = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            _waiters.Add((target, completion));
        }

        if (cancellationToken.CanBeCanceled)
        {
            CancellationTokenRegistration registration = cancellationToken.Register(() =>
            {
                Remove(completion);
                completion.TrySetCanceled(cancellationToken);
            });
            completion.Task.ContinueWith(_ => registration.Dispose(), TaskScheduler.Default);
        }
        return completion.Task;
    }

    public void ReleaseUpTo(long settled)
    {
        List<TaskCompletionSource>? released = null;
        lock (_gate)
        {
            for (int i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Target <= settled)
                {
                    (released ??= new()).Add(_waiters[i].Completion);
                    _waiters.RemoveAt(i);
                }
            }
        }
        released?.ForEach(completion => completion.TrySetResult());
    }

    private void Remove(TaskCompletionSource completion)
    {
        lock (_gate)
        {
            _waiters.RemoveAll(waiter => waiter.Completion == completion);
        }
    }
}
