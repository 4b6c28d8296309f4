using Microsoft.Extensions.Logging;

namespace Zespan.Core.Storage;

/// <summary>
/// The lease a background task renews while it does work that only one server may do over one data scope
/// (<see cref="ILeaseStore"/>): renewed before each piece of work, logged when this server takes it or loses it, and
/// given up when the server stops, so another server takes the work over at its next run instead of when the lease
/// expires. Retention and ClickHouse's repair sweep each hold one; a server that dies loses it after the duration.
/// </summary>
/// <param name="work">What the lease guards, as the log names it ("Retention").</param>
public sealed class HeldLease(ILeaseStore leases, string work, TimeSpan duration, ILogger logger)
{
    private string? _name;

    /// <summary>This server's name in the lease table: machine, process and a random part (<see cref="LeaseHolder.NewName"/>).</summary>
    public string Holder { get; } = LeaseHolder.NewName();

    /// <summary>Whether the last renewal took the lease and it has not been released since.</summary>
    public bool Holding { get; private set; }

    /// <summary>Takes the lease <paramref name="name"/>, or renews it for another duration; false while another server holds it.</summary>
    public async Task<bool> RenewAsync(string name, CancellationToken cancellationToken)
    {
        var held = await leases.TryAcquireAsync(name, Holder, duration, cancellationToken);
        if (held != Holding)
        {
            logger.LogInformation(held ? "{Work}: this server ({Holder}) now holds the lease on {Lease}." : "{Work}: this server ({Holder}) lost the lease on {Lease}; another server does this work.",
                work, Holder, name);
        }
        (_name, Holding) = (name, held);
        return held;
    }

    /// <summary>Gives the lease up if this server holds it. Never throws: a lease not released expires by itself.</summary>
    public async Task ReleaseAsync(CancellationToken cancellationToken)
    {
        if (!Holding || _name is null)
            return;
        try
        {
            await leases.ReleaseAsync(_name, Holder, cancellationToken);
            Holding = false;
        }
        catch (Exception error)
        {
            logger.LogWarning(error, "{Work}: the lease on {Lease} was not released; it expires by itself.", work, _name);
        }
    }
}
