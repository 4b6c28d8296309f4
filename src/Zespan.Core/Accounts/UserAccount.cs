namespace Zespan.Core.Accounts;

/// <summary>What a member may do in an organisation: owners manage it, members use it, viewers only read.</summary>
public enum Role { Viewer, Member, Owner }

/// <summary>A person who logs into the web UI. The password hash is opaque to Core (the server hashes).</summary>
public sealed record UserAccount(long Id, string Username, string PasswordHash, bool IsAdmin);

/// <summary>A user's membership of an organisation.</summary>
public sealed record Membership(long UserId, long OrganizationId, Role Role);
