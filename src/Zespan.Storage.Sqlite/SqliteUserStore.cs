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

    public async Task<bool> SetPasswordHashAsync(long userId, string passwordHash, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("UPDATE users SET password_hash = $h WHERE id = $u").With("$h", passwordHash).With("$u", userId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
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

    public async Task<bool> RemoveMembershipAsync(long userId, long organizationId, CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("DELETE FROM memberships WHERE user_id = $u AND organization_id = $o").With("$u", userId).With("$o", organizationId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task<IReadOnlyList<UserAccount>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command("SELECT id, username, password_hash, is_admin FROM users ORDER BY username");
        var users = new List<UserAccount>();
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        while (await reader.ReadAsync(cancellationToken))
            users.Add(new UserAccount(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetInt64(3) == 1));
        return users;
    }

    public Task<IReadOnlyList<Membership>> MembershipsAsync(long userId, CancellationToken cancellationToken = default) =>
        QueryMembershipsAsync("SELECT user_id, organization_id, role FROM memberships WHERE user_id = $v ORDER BY organization_id", userId, cancellationToken);

    public Task<IReadOnlyList<Membership>> MembersOfAsync(long organizationId, CancellationToken cancellationToken = default) =>
        QueryMembershipsAsync("SELECT user_id, organization_id, role FROM memberships WHERE organization_id = $v ORDER BY user_id", organizationId, cancellationToken);

    private async Task<IReadOnlyList<Membership>> QueryMembershipsAsync(string sql, long value, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        await using var command = connection.Command(sql).With("$v", value);
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
