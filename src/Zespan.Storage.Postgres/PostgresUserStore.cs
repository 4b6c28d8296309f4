using Npgsql;
using Zespan.Core.Accounts;
using Zespan.Core.Projects;
using Zespan.Core.Storage;

namespace Zespan.Storage.Postgres;

/// <summary>Web UI users and memberships on PostgreSQL. User names are unique and found ignoring case, as in SQLite.</summary>
public sealed class PostgresUserStore(NpgsqlDataSource dataSource, TimeProvider clock) : IUserStore
{
    private const string UserColumns = "SELECT id, username, password_hash, is_admin FROM users";

    public async Task<UserAccount> CreateAsync(string username, string passwordHash, bool isAdmin, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("INSERT INTO users (username, password_hash, is_admin, created_ms) VALUES (@u, @h, @a, @now) RETURNING id")
            .With("u", username).With("h", passwordHash).With("a", isAdmin).With("now", clock.GetUtcNow().ToUnixTimeMilliseconds());
        return new UserAccount((long)(await command.ExecuteScalarAsync(cancellationToken))!, username, passwordHash, isAdmin);
    }

    public async Task<UserAccount?> FindByUsernameAsync(string username, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(UserColumns + " WHERE lower(username) = lower(@v)").With("v", username);
        return (await command.ReadAllAsync(ReadUser, cancellationToken)).SingleOrDefault();
    }

    public async Task<UserAccount?> FindAsync(long userId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(UserColumns + " WHERE id = @v").With("v", userId);
        return (await command.ReadAllAsync(ReadUser, cancellationToken)).SingleOrDefault();
    }

    public async Task<IReadOnlyList<UserAccount>> ListAsync(CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand(UserColumns + " ORDER BY lower(username), id");
        return await command.ReadAllAsync(ReadUser, cancellationToken);
    }

    public async Task<bool> SetPasswordHashAsync(long userId, string passwordHash, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("UPDATE users SET password_hash = @h WHERE id = @u").With("h", passwordHash).With("u", userId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public async Task AddMembershipAsync(long userId, long organizationId, Role role, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            INSERT INTO memberships (user_id, organization_id, role) VALUES (@u, @o, @r)
            ON CONFLICT (user_id, organization_id) DO UPDATE SET role = excluded.role
            """).With("u", userId).With("o", organizationId).With("r", role.ToString().ToLowerInvariant());
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> RemoveMembershipAsync(long userId, long organizationId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("DELETE FROM memberships WHERE user_id = @u AND organization_id = @o").With("u", userId).With("o", organizationId);
        return await command.ExecuteNonQueryAsync(cancellationToken) == 1;
    }

    public Task<IReadOnlyList<Membership>> MembershipsAsync(long userId, CancellationToken cancellationToken = default) =>
        QueryMembershipsAsync("SELECT user_id, organization_id, role FROM memberships WHERE user_id = @v ORDER BY organization_id", userId, cancellationToken);

    public Task<IReadOnlyList<Membership>> MembersOfAsync(long organizationId, CancellationToken cancellationToken = default) =>
        QueryMembershipsAsync("SELECT user_id, organization_id, role FROM memberships WHERE organization_id = @v ORDER BY user_id", organizationId, cancellationToken);

    public async Task<IReadOnlyList<Project>> ProjectsOfAsync(long userId, CancellationToken cancellationToken = default)
    {
        await using var command = dataSource.CreateCommand("""
            SELECT p.id, p.organization_id, p.name FROM projects p JOIN memberships m ON m.organization_id = p.organization_id
            WHERE m.user_id = @u ORDER BY p.id
            """).With("u", userId);
        return await command.ReadAllAsync(PostgresProjectStore.ReadProject, cancellationToken);
    }

    private async Task<IReadOnlyList<Membership>> QueryMembershipsAsync(string sql, long value, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(sql).With("v", value);
        return await command.ReadAllAsync(r => new Membership(r.GetInt64(0), r.GetInt64(1), Enum.Parse<Role>(r.GetString(2), ignoreCase: true)), cancellationToken);
    }

    private static UserAccount ReadUser(NpgsqlDataReader reader) =>
        new(reader.GetInt64(0), reader.GetString(1), reader.GetString(2), reader.GetBoolean(3));
}
