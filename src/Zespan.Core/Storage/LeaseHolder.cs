namespace Zespan.Core.Storage;

/// <summary>Names of lease holders (<see cref="ILeaseStore"/>).</summary>
public static class LeaseHolder
{
    /// <summary>A name for a holder in this process: machine, process and a random part, unique among running servers.</summary>
    public static string NewName() => $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}"[..^24];
}
