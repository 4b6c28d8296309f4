using Zespan.Core.Accounts;
using Zespan.Core.Projects;
using Zespan.Core.Storage;

namespace Zespan.Storage.Sqlite;

/// <summary>Web UI users and memberships in the embedded database.</summary>
public sealed class SqliteUserStore(SqliteDatabase database, TimeProvider clock) : IUserStore
{
    public async Task<UserAccount> CreateAsync(string username, string passwordHash, bool isAdmin, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("INSERT INTO users (username, password_hash, is_admin, created_ms) VALUES ($u, $h, $a, $now) RETURNING id")
            .With("$u", username).With("$h", passwordHash).With("$a", isAdmin ? 1 : 0).With("$now", clock.GetUtcNow().ToUnixTimeMilliseconds());
        return new UserAccount((long)(await command.ExecuteScalarAsync(cancellationToken))!, username, passwordHash, isAdmin);
    }

    public Task<UserAccount?> FindByUsernameAsync(string username, CancellationToken cancellationToken = default) =>
        FindWhereAsync("username = $v", username, cancellationToken);

    public Task<UserAccount?> FindAsync(long userId, CancellationToken cancellationToken = default) =>
        FindWhereAsync("id = $v", userId, cancellationToken);

    private async Task<UserAccount?> FindWhereAsync(string condition, object value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command($"SELECT id, username, password_hash, is_admin FROM users WHERE {condition}").With("$v", value);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken)
            ? new UserAccount(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3) == 1)
            : null;
    }

    public async Task AddMembershipAsync(long userId, long organizationId, Role role, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            INSERT INTO memberships (user_id, organization_id, role) VALUES ($u, $o, $r)
            ON CONFLICT (user_id, organization_id) DO UPDATE SET role = excluded.role
            """).With("$u", userId).With("$o", organizationId).With("$r", role.ToString().ToLowerInvariant());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<IReadOnlyList<Membership>> MembershipsAsync(long userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT user_id, organization_id, role FROM memberships WHERE user_id = $u ORDER BY organization_id").With("$u", userId);
        var memberships = new List<Membership>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            memberships.Add(new Membership(reader.GetInt64(0), reader.GetInt64(1), Enum.Parse<Role>(reader.GetString(2), ignoreCase: true)));
        return memberships;
    }

    public async Task<IReadOnlyList<Project>> ProjectsOfAsync(long userId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("""
            SELECT p.id, p.organization_id, p.name FROM projects p JOIN memberships m ON m.organization_id = p.organization_id
            WHERE m.user_id = $u ORDER BY p.id
            """).With("$u", userId);
        var projects = new List<Project>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            projects.Add(new Project(reader.GetInt64(0), reader.GetInt64(1), reader.GetString(2)));
        return projects;
    }
}
