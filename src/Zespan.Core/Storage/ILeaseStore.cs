namespace Zespan.Core.Storage;

/// <summary>
/// Named leases in the control plane, so work that must not run twice over the same data (retention) runs on one
/// server at a time. A lease is held until it expires or is released; its holder renews it by acquiring it again.
/// Expiry is judged by the store's own clock, so servers with skewed clocks still agree.
/// </summary>
public interface ILeaseStore
{
    /// <summary>Takes the lease, or renews it when <paramref name="holder"/> already holds it; false while another holder's lease runs.</summary>
    Task<bool> TryAcquireAsync(string name, string holder, TimeSpan duration, CancellationToken cancellationToken = default);

    /// <summary>Gives the lease up if <paramref name="holder"/> holds it, so another server can take it at once.</summary>
    Task ReleaseAsync(string name, string holder, CancellationToken cancellationToken = default);

    /// <summary>Who holds the lease now, or null when nobody does (never taken, released or expired).</summary>
    Task<string?> HolderAsync(string name, CancellationToken cancellationToken = default);
}
