using Zespan.Core.Alerts;
using Zespan.Core.Projects;

namespace Zespan.Storage.Conformance;

/// <summary>One backend's alert store over a fresh control plane, and a way to open the same database again (a second server).</summary>
public sealed class AlertStoreUnderTest(ControlPlaneUnderTest controlPlane, IAlertStore alerts, Func<IAlertStore> openAnother, Func<ValueTask> cleanUp) : IAsyncDisposable
{
    public ControlPlaneUnderTest ControlPlane { get; } = controlPlane;
    public IAlertStore Alerts { get; } = alerts;
    public IAlertStore OpenAnother() => openAnother();
    public ValueTask DisposeAsync() => cleanUp();
}

public interface IAlertStoreFactory
{
    Task<AlertStoreUnderTest> CreateAsync();
}

/// <summary>
/// The runaway guard's store on every control-plane backend: rules scoped to their project, a firing recorded once per
/// rule and subject whoever tries (two servers at once included), and the outbox's claim, retry and give-up rules.
/// </summary>
public abstract class AlertConformance(IAlertStoreFactory factory) : IAsyncLifetime
{
    private AlertStoreUnderTest _store = null!;
    private long _project;
    private long _otherProject;
    private IAlertStore Alerts => _store.Alerts;

    public async Task InitializeAsync()
    {
        _store = await factory.CreateAsync();
        _project = await NewProjectAsync("Guarded");
        _otherProject = await NewProjectAsync("Other");
    }

    public async Task DisposeAsync() => await _store.DisposeAsync();

    private async Task<long> NewProjectAsync(string name)
    {
        var organization = await _store.ControlPlane.Organizations.CreateAsync(name + " org", Plan.Free);
        return (await _store.ControlPlane.Projects.CreateProjectAsync(organization.Id, name)).Id;
    }

    private Task<AlertRule> NewRuleAsync(long project, AlertKind kind = AlertKind.SessionCost, long? threshold = 5_000_000_000_000, long? window = null) =>
        Alerts.CreateRuleAsync(new NewAlertRule(project, "rule " + kind, kind, threshold, window, "https://hooks.example.com/zespan", "whsec_test"));

    private static AlertFiringDraft Draft(AlertRule rule, string subject, string? session, string? user, long at = 1_000) =>
        new(rule.Id, rule.ProjectId, subject, session, user, "$5.20", at, "evt_" + Guid.NewGuid().ToString("N"), "{\"subject\":\"" + subject + "\"}");

    [Fact]
    public async Task Rules_AreListedPerProject_AndDeletedOnlyByTheirOwnProject()
    {
        var cost = await NewRuleAsync(_project);
        var user = await NewRuleAsync(_project, AlertKind.UserCost, 20_000_000_000_000, AlertKinds.DayMs);
        var anomalous = await NewRuleAsync(_project, AlertKind.SessionAnomalous, threshold: null);
        var foreign = await NewRuleAsync(_otherProject, AlertKind.SessionTurns, 200);

        var listed = await Alerts.ListRulesAsync(_project);
        Assert.Equal([cost, user, anomalous], listed);
        Assert.Equal((AlertKind.UserCost, (long?)20_000_000_000_000, (long?)AlertKinds.DayMs), (listed[1].Kind, listed[1].Threshold, listed[1].WindowMs));
        Assert.Null(listed[2].Threshold);
        Assert.Equal([foreign], await Alerts.ListRulesAsync(_otherProject));

        Assert.False(await Alerts.DeleteRuleAsync(_otherProject, cost.Id));
        Assert.Equal(3, (await Alerts.ListRulesAsync(_project)).Count);
        Assert.True(await Alerts.DeleteRuleAsync(_project, cost.Id));
        Assert.False(await Alerts.DeleteRuleAsync(_project, cost.Id));
        Assert.Equal([user, anomalous], await Alerts.ListRulesAsync(_project));
    }

    [Fact]
    public async Task Firing_IsRecordedOncePerRuleAndSubject_EvenWhenTwoServersRace()
    {
        var rule = await NewRuleAsync(_project);
        var other = _store.OpenAnother();
        // Both "servers" see the crossing at the same moment; the database lets one of them fire.
        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            (i % 2 == 0 ? Alerts : other).TryFireAsync(Draft(rule, "session:s1", "s1", "alice"))));
        Assert.Single(results, r => r is not null);
        Assert.Single(await Alerts.ListDeliveriesAsync(_project, null, 50));

        // Another subject, or the same subject under another rule, fires on its own.
        Assert.NotNull(await Alerts.TryFireAsync(Draft(rule, "session:s2", "s2", "alice")));
        var turns = await NewRuleAsync(_project, AlertKind.SessionTurns, 10);
        Assert.NotNull(await other.TryFireAsync(Draft(turns, "session:s1", "s1", "alice")));
        Assert.Equal(3, (await Alerts.ListDeliveriesAsync(_project, null, 50)).Count);
        Assert.Single(await Alerts.ListDeliveriesAsync(_project, turns.Id, 50));
    }

    [Fact]
    public async Task Firing_OfADeletedRule_OrUnderAnotherProject_RecordsNothing()
    {
        var rule = await NewRuleAsync(_project);
        Assert.Null(await Alerts.TryFireAsync(Draft(rule, "session:s1", "s1", null) with { ProjectId = _otherProject }));
        Assert.True(await Alerts.DeleteRuleAsync(_project, rule.Id));
        Assert.Null(await Alerts.TryFireAsync(Draft(rule, "session:s1", "s1", null)));
        Assert.Empty(await Alerts.ListDeliveriesAsync(_project, null, 50));
        Assert.Empty(await Alerts.ListDeliveriesAsync(_otherProject, null, 50));
    }

    [Fact]
    public async Task Outbox_ClaimsADueDeliveryOnce_RetriesWhenDue_AndEndsDeliveredOrFailed()
    {
        var rule = await NewRuleAsync(_project);
        var firing = await Alerts.TryFireAsync(Draft(rule, "session:s1", "s1", "alice", at: 1_000));
        Assert.NotNull(firing);

        Assert.Empty(await Alerts.ClaimDueAsync(nowMs: 999, claimUntilMs: 61_000, limit: 10)); // not due yet
        var claimed = Assert.Single(await Alerts.ClaimDueAsync(nowMs: 1_000, claimUntilMs: 61_000, limit: 10));
        Assert.Equal(("https://hooks.example.com/zespan", "whsec_test", "{\"subject\":\"session:s1\"}", 0), (claimed.WebhookUrl, claimed.Secret, claimed.Body, claimed.AttemptsSoFar));
        // Claimed: neither this nor another server takes it again until the claim runs out.
        Assert.Empty(await _store.OpenAnother().ClaimDueAsync(nowMs: 2_000, claimUntilMs: 62_000, limit: 10));

        await Alerts.RecordAttemptAsync(claimed.Id, new DeliveryAttempt(1, 1_010, 500, null, 12), nextAttemptMs: 11_010);
        var pending = Assert.Single(await Alerts.ListDeliveriesAsync(_project, null, 50));
        Assert.Equal((DeliveryState.Pending, 1, (long?)11_010, "s1", "alice"), (pending.State, pending.Attempts, pending.NextAttemptMs, pending.SessionId, pending.UserId));
        Assert.Empty(await Alerts.ClaimDueAsync(nowMs: 11_009, claimUntilMs: 71_000, limit: 10));
        var again = Assert.Single(await Alerts.ClaimDueAsync(nowMs: 11_010, claimUntilMs: 71_000, limit: 10));
        Assert.Equal(1, again.AttemptsSoFar);

        await Alerts.RecordAttemptAsync(again.Id, new DeliveryAttempt(2, 11_020, null, "connection refused", 3), nextAttemptMs: 31_020);
        var third = Assert.Single(await Alerts.ClaimDueAsync(nowMs: 31_020, claimUntilMs: 91_000, limit: 10));
        await Alerts.RecordAttemptAsync(third.Id, new DeliveryAttempt(3, 31_030, 204, null, 5), nextAttemptMs: null);

        var delivered = Assert.Single(await Alerts.ListDeliveriesAsync(_project, null, 50));
        Assert.Equal((DeliveryState.Delivered, 3, (long?)null), (delivered.State, delivered.Attempts, delivered.NextAttemptMs));
        Assert.Equal([(1, (int?)500, (string?)null), (2, null, "connection refused"), (3, 204, null)],
            delivered.AttemptLog.Select(a => (a.Attempt, a.StatusCode, a.Error)));
        Assert.Equal([1_010L, 11_020, 31_030], delivered.AttemptLog.Select(a => a.AtMs));
        Assert.Empty(await Alerts.ClaimDueAsync(nowMs: long.MaxValue / 2, claimUntilMs: long.MaxValue / 2, limit: 10));
        Assert.Empty(await Alerts.ListDeliveriesAsync(_otherProject, null, 50));
    }

    [Fact]
    public async Task Outbox_GivesUpAfterTheLastAttempt_AndAClaimThatRunsOutComesDueAgain()
    {
        var rule = await NewRuleAsync(_project);
        await Alerts.TryFireAsync(Draft(rule, "session:s1", "s1", null, at: 1_000));
        var first = Assert.Single(await Alerts.ClaimDueAsync(1_000, 5_000, 10));
        // The server that claimed it died: at the claim's end another server takes it.
        var retaken = Assert.Single(await _store.OpenAnother().ClaimDueAsync(5_000, 65_000, 10));
        Assert.Equal(first.Id, retaken.Id);
        await Alerts.RecordAttemptAsync(retaken.Id, new DeliveryAttempt(1, 5_001, 503, null, 1), nextAttemptMs: null);
        var failed = Assert.Single(await Alerts.ListDeliveriesAsync(_project, rule.Id, 50));
        Assert.Equal((DeliveryState.Failed, 1), (failed.State, failed.Attempts));
        Assert.Empty(await Alerts.ClaimDueAsync(long.MaxValue / 2, long.MaxValue / 2, 10));
    }

    [Fact]
    public async Task FiringsFor_ASession_AreItsOwnAndItsUsersWindowFirings()
    {
        var cost = await NewRuleAsync(_project);
        var perUser = await NewRuleAsync(_project, AlertKind.UserCost, 1, AlertKinds.DayMs);
        await Alerts.TryFireAsync(Draft(cost, "session:s1", "s1", "alice", at: 10));
        await Alerts.TryFireAsync(Draft(cost, "session:s2", "s2", "alice", at: 20));
        await Alerts.TryFireAsync(Draft(perUser, "user:alice#1", "s2", "alice", at: 30));
        await Alerts.TryFireAsync(Draft(perUser, "user:alice#2", "s3", "alice", at: 40));
        await Alerts.TryFireAsync(Draft(perUser, "user:bob#1", "s1", "bob", at: 50));

        var forS1 = await Alerts.FiringsForAsync(_project, "s1", "alice");
        Assert.Equal(["session:s1", "user:alice#1", "user:alice#2", "user:bob#1"], forS1.Select(f => f.SubjectKey));
        Assert.Equal(["session:s1", "user:bob#1"], (await Alerts.FiringsForAsync(_project, "s1", null)).Select(f => f.SubjectKey));
        Assert.Empty(await Alerts.FiringsForAsync(_otherProject, "s1", "alice"));
        Assert.Equal(["user:alice#1", "user:alice#2"], (await Alerts.UserFiringsAsync(perUser.Id, "alice")).Select(f => f.SubjectKey));
        Assert.Empty(await Alerts.UserFiringsAsync(cost.Id, "alice"));

        Assert.True(await Alerts.DeleteRuleAsync(_project, perUser.Id));
        Assert.Equal(["session:s1"], (await Alerts.FiringsForAsync(_project, "s1", "alice")).Select(f => f.SubjectKey));
        Assert.Equal(2, (await Alerts.ListDeliveriesAsync(_project, null, 50)).Count);
    }
}
